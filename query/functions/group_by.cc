// Combine functions that group before aggregating (graphite-web 1.1 render/functions.py):
// *WithWildcards, aggregateWithWildcards, groupByNode(s) and groupByTags with their callbacks.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/tagged_name.h"
#include "query/function_registry.h"
#include "query/functions/combine_internal.h"
#include "query/functions/common.h"

namespace meridian::query::combine_internal {
namespace {

using core::Result;
using functions::IsNull;
using functions::kNull;

Result<SeriesList> AggregateWithWildcards(Call& call, SeriesList inputs, std::string_view func,
                                          const NodeRefs& positions) {
  for (const auto& p : positions) {
    if (p.is_tag) return call.Error("positions must be node numbers");
  }
  auto groups = GroupBy(std::move(inputs), [&](const Series& s) {
    std::vector<std::string> parts = functions::SplitNodes(s.name);
    std::string key;
    bool first = true;
    for (size_t i = 0; i < parts.size(); ++i) {
      bool wild = std::any_of(positions.begin(), positions.end(), [&](const Call::NodeRef& p) {
        return p.index == static_cast<int64_t>(i);
      });
      if (wild) continue;
      if (!first) key.push_back('.');
      key += parts[i];
      first = false;
    }
    return key;
  });
  SeriesList out;
  for (auto& [key, group] : groups) {
    ASSIGN_OR_RETURN(SeriesList r, Aggregate(call, group, func, std::nullopt));
    r.front().name = key;
    out.push_back(std::move(r.front()));
  }
  return out;
}

FunctionImpl WithWildcardsImpl(std::string func) {
  return [func](Call& call) -> Result<SeriesList> {
    ASSIGN_OR_RETURN(SeriesList inputs, call.Series("seriesList"));
    ASSIGN_OR_RETURN(NodeRefs positions, call.Nodes("position"));
    std::string f = func;
    if (f.empty()) {
      ASSIGN_OR_RETURN(f, call.String("func"));
    }
    return AggregateWithWildcards(call, std::move(inputs), f, positions);
  };
}
double SafePow(double a, double b) {
  if (IsNull(a) || IsNull(b)) return kNull;
  double r = std::pow(a, b);
  if (std::isinf(r) && std::isfinite(a) && std::isfinite(b)) return kNull;
  return r;
}

// powSeries(group) as a callback (powSeries itself is registered with the transforms): the
// first value of each row raised to the next ones in turn, named by the series names.
Result<Series> PowSeriesOf(const SeriesList& group) {
  ASSIGN_OR_RETURN(functions::Normalized n, functions::Normalize(group));
  std::vector<double> values(n.length, kNull);
  for (size_t i = 0; i < n.length; ++i) {
    for (size_t k = 0; k < group.size(); ++k) {
      double v = i < n.values[k].size() ? n.values[k][i] : kNull;
      values[i] = k == 0 ? v : SafePow(values[i], v);
    }
  }
  std::string names;
  for (const Series& s : group) names += (names.empty() ? "" : ",") + s.name;
  return NewSeries("powSeries(" + names + ")", n.start, n.end, n.step, std::move(values),
                   RequestXff(group));
}

// groupByNodes/groupByTags callbacks: an aggregation function name, or one of graphite-web's
// aggregator series functions applied to the group (its first result is kept).
Result<Series> ApplyCallback(Call& call, const std::string& cb, const SeriesList& group) {
  if (cb == "multiplySeries" && group.size() == 1) return group.front();  // legacy passthrough
  if (cb == "countSeries") {
    ASSIGN_OR_RETURN(functions::Normalized n, functions::Normalize(group));
    return CountSeriesOf(group, n);
  }
  if (cb == "asPercent" || cb == "pct") {
    // asPercent(group) with no total: the first series as a percentage of the group's sum.
    ASSIGN_OR_RETURN(functions::Normalized n, functions::Normalize(group));
    auto sums = functions::AggregateAcross(n, *functions::GetAggFunc("sum"), 0);
    SeriesList r =
        PercentOf(group, n, sums, "sumSeries(" + functions::JoinPathExpressions(group) + ")",
                  RequestXff(group));
    return r.front();
  }
  static const std::map<std::string, std::string, std::less<>> kWildcards = {
      {"sumSeriesWithWildcards", "sum"},
      {"averageSeriesWithWildcards", "average"},
      {"multiplySeriesWithWildcards", "multiply"}};
  if (auto it = kWildcards.find(cb); it != kWildcards.end()) {
    ASSIGN_OR_RETURN(SeriesList r, AggregateWithWildcards(call, group, it->second, {}));
    return r.front();
  }
  if (cb == "powSeries") return PowSeriesOf(group);
  std::string func = cb == "avg" ? "average" : cb;  // avg is averageSeries in SeriesFunctions
  if (func.ends_with("SeriesLists")) {
    return call.Error(fmt::format("unsupported callback: {}", cb));
  }
  ASSIGN_OR_RETURN(SeriesList r, Aggregate(call, group, func, std::nullopt));
  return r.front();
}

Result<SeriesList> GroupByNodesOf(Call& call, SeriesList inputs, const std::string& cb,
                                  const NodeRefs& nodes) {
  SeriesList out;
  for (auto& [key, group] :
       GroupBy(std::move(inputs), [&](const Series& s) { return AggKey(s, nodes); })) {
    ASSIGN_OR_RETURN(Series s, ApplyCallback(call, cb, group));
    s.name = key;
    out.push_back(std::move(s));
  }
  return out;
}

// A groupBy* callback as a partial aggregation (ApplyCallback's dispatch: countSeries counts the
// group; aggregation functions aggregate it), or nullopt when it does not decompose.
struct PushableCallback {
  std::string func;  // the aggregation function ("sum", "average", …)
  PartialOp op;
  bool count_series;
};
std::optional<PushableCallback> PushableCallbackOf(const std::string& cb) {
  if (cb == "multiplySeries") return std::nullopt;  // a lone member passes through
  const bool count_series = cb == "countSeries";
  std::string func = cb == "avg" ? "average" : cb;
  if (func.ends_with("Series")) func.resize(func.size() - 6);
  std::optional<PartialOp> op = count_series ? PartialOp::kCount : PushableOp(func);
  if (!op || (!count_series && !functions::GetAggFunc(func))) return std::nullopt;
  return PushableCallback{std::move(func), *op, count_series};
}

// One combined group as the callback's series (named by the caller).
Series GroupSeries(const PushedDown& p, const PartialGroup& g, const PushableCallback& c) {
  const double x = p.x_files_factor;
  return c.count_series ? CountSeriesNamed(p.path_expression, g.members, g.start, g.end, g.step,
                                           g.count.size(), x)
                        : AggregateSeries(c.func, p.path_expression, g.tags, g.start, g.end, g.step,
                                          PartialValues(g, c.op, x), x);
}

// groupByNode(s) from partials grouped by the same aggKey at every source (query/partials.h),
// equal to GroupByNodesOf over the fetched series; nullopt when the callback does not decompose
// or the call is not pushed down.
Result<std::optional<SeriesList>> PushedGroupBy(Call& call, const std::string& cb,
                                                const NodeRefs& nodes) {
  const std::optional<PushableCallback> c = PushableCallbackOf(cb);
  if (!c) return std::optional<SeriesList>();
  ASSIGN_OR_RETURN(std::optional<PushedDown> p,
                   call.PushDown("seriesList", RequestFor(c->op, nodes)));
  if (!p) return std::optional<SeriesList>();
  SeriesList out;
  for (const PartialGroup& g : p->groups) {
    Series s = GroupSeries(*p, g, *c);
    s.name = g.key;
    out.push_back(std::move(s));
  }
  return std::optional<SeriesList>(std::move(out));
}

Result<SeriesList> GroupByNode(Call& call) {
  ASSIGN_OR_RETURN(NodeRefs nodes, call.Nodes("nodeNum"));
  ASSIGN_OR_RETURN(std::string cb, call.String("callback", "average"));
  ASSIGN_OR_RETURN(auto pushed, PushedGroupBy(call, cb, nodes));
  if (pushed) return std::move(*pushed);
  ASSIGN_OR_RETURN(SeriesList inputs, call.Series("seriesList"));
  return GroupByNodesOf(call, std::move(inputs), cb, nodes);
}

Result<SeriesList> GroupByNodes(Call& call) {
  ASSIGN_OR_RETURN(std::string cb, call.String("callback"));
  ASSIGN_OR_RETURN(NodeRefs nodes, call.Nodes("nodes"));
  ASSIGN_OR_RETURN(auto pushed, PushedGroupBy(call, cb, nodes));
  if (pushed) return std::move(*pushed);
  ASSIGN_OR_RETURN(SeriesList inputs, call.Series("seriesList"));
  return GroupByNodesOf(call, std::move(inputs), cb, nodes);
}

// groupByTags' result for a group: named, path-expressed and tagged by its key.
Result<Series> NamedByTags(const Call& call, Series s, const std::string& key) {
  auto parsed = core::ParseTaggedName(key);
  if (!parsed.ok()) return call.Error(parsed.status().message());
  s.name = key;
  s.path_expression = key;
  s.tags = TagsForName(key);
  return s;
}

// groupByTags from partials grouped by TagsKey(…, "") at every source: the key's leading name
// (when `tags` has no "name") is the one name every input shares, else the callback — known
// from the groups' common tags once they are combined.
Result<std::optional<SeriesList>> PushedGroupByTags(Call& call, const std::string& cb,
                                                    const std::vector<std::string>& tags) {
  const std::optional<PushableCallback> c = PushableCallbackOf(cb);
  if (!c) return std::optional<SeriesList>();
  PartialRequest request = RequestFor(c->op, {});
  request.group_by_tags = tags;
  ASSIGN_OR_RETURN(std::optional<PushedDown> p, call.PushDown("seriesList", std::move(request)));
  if (!p) return std::optional<SeriesList>();
  const bool by_name = std::find(tags.begin(), tags.end(), "name") != tags.end();
  std::optional<std::string> common;  // the one name tag of every input, if there is one
  for (const PartialGroup& g : p->groups) {
    auto it = g.tags.find("name");
    if (it == g.tags.end() || (common && *common != it->second)) {
      common = std::nullopt;
      break;
    }
    common = it->second;
  }
  SeriesList out;
  for (const PartialGroup& g : p->groups) {
    Series s = GroupSeries(*p, g, *c);
    const std::string key = by_name ? g.key : common.value_or(cb) + g.key;
    ASSIGN_OR_RETURN(Series named, NamedByTags(call, std::move(s), key));
    out.push_back(std::move(named));
  }
  return std::optional<SeriesList>(std::move(out));
}

Result<SeriesList> GroupByTags(Call& call) {
  ASSIGN_OR_RETURN(std::string cb, call.String("callback"));
  std::vector<std::string> tags;
  for (const Expr* e : call.Raw("tags")) {
    if (e->kind != ExprKind::kString) return call.Error("tags must be quoted tag names");
    tags.push_back(e->text);
  }
  if (tags.empty()) return call.Error("no tags specified");
  ASSIGN_OR_RETURN(auto pushed, PushedGroupByTags(call, cb, tags));
  if (pushed) return std::move(*pushed);
  ASSIGN_OR_RETURN(SeriesList inputs, call.Series("seriesList"));
  std::set<std::string> names;
  for (const Series& s : inputs) names.insert(s.tags.count("name") ? s.tags.at("name") : "");
  const std::string common = names.size() == 1 ? *names.begin() : cb;
  SeriesList out;
  for (auto& [key, group] :
       GroupBy(std::move(inputs), [&](const Series& s) { return TagsKey(s.tags, tags, common); })) {
    ASSIGN_OR_RETURN(Series s, ApplyCallback(call, cb, group));
    ASSIGN_OR_RETURN(Series named, NamedByTags(call, std::move(s), key));
    out.push_back(std::move(named));
  }
  return out;
}
std::vector<ParamSpec> Wildcards() {
  return {List("seriesList"), Param("position", ParamType::kNode, false, true)};
}

}  // namespace

void AddGrouping(FunctionRegistry& r) {
  const std::pair<const char*, const char*> kWild[] = {{"sumSeriesWithWildcards", "sum"},
                                                       {"averageSeriesWithWildcards", "average"},
                                                       {"multiplySeriesWithWildcards", "multiply"}};
  for (const auto& [name, func] : kWild) {
    Add(r, name,
        fmt::format("Groups the series by their name with the given node position(s) removed "
                    "and aggregates each group with ``{}``; each result is named by its group "
                    "key. This is an alias for :py:func:`aggregateWithWildcards "
                    "<aggregateWithWildcards>` with aggregation ``{}``.",
                    func, func),
        Wildcards(), WithWildcardsImpl(func));
  }
  Add(r, "aggregateWithWildcards",
      "Groups the series by their name with the given node position(s) removed and aggregates "
      "each group with the given aggregation function; each result is named by its group key.",
      {List("seriesList"), Param("func", ParamType::kAggFunc, true),
       Param("position", ParamType::kNode, false, true)},
      WithWildcardsImpl(""));
  Add(r, "groupByNode",
      "Groups the series by one node of their name (an index, negative counts from the end, or "
      "a tag name) and applies the callback (an aggregation function or an aggregating series "
      "function such as ``sumSeries``) to each group; each result is named by its key.",
      {List("seriesList"), Param("nodeNum", ParamType::kNodeOrTag, true),
       Param("callback", ParamType::kAggOrSeriesFunc, false, false, "\"average\"")},
      GroupByNode);
  Add(r, "groupByNodes",
      "Groups the series by several nodes of their name (indexes or tag names, joined by ``.``) "
      "and applies the callback to each group; each result is named by its key.",
      {List("seriesList"), Param("callback", ParamType::kAggOrSeriesFunc, true),
       Param("nodes", ParamType::kNodeOrTag, false, true)},
      GroupByNodes);
  Add(r, "groupByTags",
      "Groups the series by the values of the given tags and applies the callback to each "
      "group. Each result is named ``<name>;tag1=v1;...`` where name is the common ``name`` tag "
      "of all inputs, else the callback.",
      {List("seriesList"), Param("callback", ParamType::kAggOrSeriesFunc, true),
       Param("tags", ParamType::kTag, true, true)},
      GroupByTags);
}

}  // namespace meridian::query::combine_internal
