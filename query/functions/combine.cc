// Combine functions (graphite-web 1.1 render/functions.py, group 'Combine'): aggregates across
// series, pairwise list arithmetic, grouping by nodes, wildcards and tags.
//
// graphite-web mutates its inputs (normalize() sets valuesPerPoint on them, and a later
// normalize() of a pair replaces it); here everything works on copies, and where a result depends
// on that mutation (asPercent) the consolidated values are computed explicitly.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "core/tagged_name.h"
#include "query/function_registry.h"
#include "query/functions/common.h"

namespace meridian::query {
namespace {

using core::Result;
using functions::IsNull;
using functions::kNull;
using NodeRefs = std::vector<Call::NodeRef>;

// The request's xFilesFactor. graphite-web reads requestContext['xFilesFactor']; the evaluator
// stamps it on every fetched series, so the first input carries it.
double RequestXff(const SeriesList& inputs) {
  return inputs.empty() ? 0.0 : inputs.front().x_files_factor;
}

// graphite-web's TimeSeries(name, start, end, step, values): fresh tags, default consolidation.
Series NewSeries(std::string name, int64_t start, int64_t end, int64_t step,
                 std::vector<double> values, double xff) {
  Series like;
  like.start = start;
  like.end = end;
  like.step = step;
  like.x_files_factor = xff;
  return functions::MakeSeries(like, std::move(name), std::move(values));
}

double SafeDiv(double a, double b) { return IsNull(a) || IsNull(b) || b == 0 ? kNull : a / b; }
double SafePercent(double a, double b) { return IsNull(SafeDiv(a, b)) ? kNull : a / b * 100.0; }

// Pointwise `op` over two series normalized as a pair (divideSeries, asPercent).
Result<Series> Pairwise(const Series& a, const Series& b, std::string name, double xff,
                        double (*op)(double, double)) {
  ASSIGN_OR_RETURN(functions::Normalized n, functions::Normalize({a, b}));
  std::vector<double> out(n.length);
  for (size_t i = 0; i < n.length; ++i) {
    double x = i < n.values[0].size() ? n.values[0][i] : kNull;
    double y = i < n.values[1].size() ? n.values[1][i] : kNull;
    out[i] = op(x, y);
  }
  return NewSeries(std::move(name), n.start, n.end, n.step, std::move(out), xff);
}

// graphite-web's aggregate(): `func` may carry a "Series" suffix, which names the result
// ("sumSeries(<pathExpressions>)") without it. Empty input → empty output.
Result<SeriesList> Aggregate(Call& call, const SeriesList& inputs, std::string_view raw_func,
                             std::optional<double> xff) {
  std::string func(raw_func);
  if (func.ends_with("Series")) func.resize(func.size() - 6);
  auto agg = functions::GetAggFunc(func);
  if (!agg) return call.Error(fmt::format("Unsupported aggregation function: {}", raw_func));
  if (inputs.empty()) return SeriesList{};
  ASSIGN_OR_RETURN(functions::Normalized n, functions::Normalize(inputs));
  double x = xff.value_or(RequestXff(inputs));
  std::string name = fmt::format("{}Series({})", func, functions::JoinPathExpressions(inputs));
  Series out = NewSeries(name, n.start, n.end, n.step, functions::AggregateAcross(n, *agg, x), x);
  out.tags = functions::AggregateTags(inputs, name, func);
  return SeriesList{std::move(out)};
}

FunctionImpl AggregateImpl(std::string func) {
  return [func](Call& call) -> Result<SeriesList> {
    ASSIGN_OR_RETURN(SeriesList inputs, call.SeriesConcat("seriesLists"));
    return Aggregate(call, inputs, func, std::nullopt);
  };
}

// graphite-web's getNodeOrTag()/aggKey(): nodes of the first path inside the name (Python
// indexing, negative allowed); a node out of range or a tag name reads a tag ('' if absent).
std::string AggKey(const Series& s, const NodeRefs& nodes) {
  std::vector<std::string> parts = functions::SplitNodes(functions::FirstPathExpression(s.name));
  std::string key;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (i > 0) key.push_back('.');
    const Call::NodeRef& n = nodes[i];
    int64_t size = static_cast<int64_t>(parts.size());
    int64_t idx = n.index < 0 ? n.index + size : n.index;
    if (!n.is_tag && idx >= 0 && idx < size) {
      key += parts[static_cast<size_t>(idx)];
      continue;
    }
    auto it = s.tags.find(n.is_tag ? n.tag : std::to_string(n.index));
    if (it != s.tags.end()) key += it->second;
  }
  return key;
}

// Groups in first-seen key order.
template <typename KeyFn>
std::vector<std::pair<std::string, SeriesList>> GroupBy(const SeriesList& inputs, KeyFn key_fn) {
  std::vector<std::pair<std::string, SeriesList>> groups;
  for (const Series& s : inputs) {
    std::string key = key_fn(s);
    auto it = std::find_if(groups.begin(), groups.end(), [&](auto& g) { return g.first == key; });
    if (it == groups.end()) {
      groups.emplace_back(std::move(key), SeriesList{s});
    } else {
      it->second.push_back(s);
    }
  }
  return groups;
}

// asPercent's total for a group: the series itself, or the null-skipping sum of the group
// (named sumSeries(...), normalized within the group, no xFilesFactor).
Result<Series> GroupTotal(const SeriesList& group, double xff) {
  if (group.size() == 1) return group.front();
  ASSIGN_OR_RETURN(functions::Normalized n, functions::Normalize(group));
  std::string name = fmt::format("sumSeries({})", functions::JoinPathExpressions(group));
  return NewSeries(name, n.start, n.end, n.step,
                   functions::AggregateAcross(n, *functions::GetAggFunc("sum"), 0), xff);
}

Result<SeriesList> AsPercentByNodes(const SeriesList& inputs,
                                    const std::optional<SeriesList>& totals, const NodeRefs& nodes,
                                    double xff) {
  ASSIGN_OR_RETURN(functions::Normalized all, functions::Normalize(inputs));
  int64_t list_step = all.step;
  auto groups = GroupBy(inputs, [&](const Series& s) { return AggKey(s, nodes); });
  std::vector<std::string> keys;
  for (auto& g : groups) keys.push_back(g.first);
  std::vector<std::pair<std::string, Series>> total_by_key;
  auto total_groups =
      totals ? GroupBy(*totals, [&](const Series& s) { return AggKey(s, nodes); }) : groups;
  for (auto& [key, group] : total_groups) {
    ASSIGN_OR_RETURN(Series total, GroupTotal(group, xff));
    total_by_key.emplace_back(key, std::move(total));
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  }
  SeriesList out;
  for (const std::string& key : keys) {
    auto g = std::find_if(groups.begin(), groups.end(), [&](auto& p) { return p.first == key; });
    auto t = std::find_if(total_by_key.begin(), total_by_key.end(),
                          [&](auto& p) { return p.first == key; });
    if (g == groups.end()) {  // a total nothing matched; graphite-web reuses a stale window here
      const Series& total = t->second;
      out.push_back(NewSeries("asPercent(MISSING," + total.name + ")", total.start, total.end,
                              total.step, std::vector<double>(total.values.size(), kNull), xff));
      continue;
    }
    for (const Series& s : g->second) {
      if (t == total_by_key.end()) {  // as long as the input consolidated to the list's step
        size_t vpp = static_cast<size_t>(list_step / s.step);
        size_t len = (s.values.size() + vpp - 1) / vpp;
        out.push_back(NewSeries("asPercent(" + s.name + ",MISSING)", s.start, s.end, s.step,
                                std::vector<double>(len, kNull), xff));
        continue;
      }
      std::string name = "asPercent(" + s.name + "," + t->second.name + ")";
      ASSIGN_OR_RETURN(Series r, Pairwise(s, t->second, std::move(name), xff, SafePercent));
      out.push_back(std::move(r));
    }
  }
  return out;
}

// 100·v/total for each series against one list of totals (consolidated with the inputs at their
// common step); the result keeps each input's own start/end/step, as graphite-web does.
SeriesList PercentOf(const SeriesList& inputs, const functions::Normalized& n,
                     const std::vector<double>& totals, const std::string& total_text, double xff) {
  SeriesList out;
  for (size_t k = 0; k < inputs.size(); ++k) {
    const std::vector<double>& v = n.values[k];
    std::vector<double> values(std::max(v.size(), totals.size()));
    for (size_t i = 0; i < values.size(); ++i) {
      values[i] = SafePercent(i < v.size() ? v[i] : kNull, i < totals.size() ? totals[i] : kNull);
    }
    const Series& s = inputs[k];
    out.push_back(NewSeries("asPercent(" + s.name + "," + total_text + ")", s.start, s.end, s.step,
                            std::move(values), xff));
  }
  return out;
}

Result<SeriesList> AsPercentOfList(Call& call, SeriesList inputs, SeriesList totals, double xff) {
  if (totals.size() != 1 && totals.size() != inputs.size()) {
    return call.Error(
        "asPercent second argument must be missing, a single digit, reference exactly 1 series "
        "or reference the same number of series as the first argument");
  }
  SeriesList out;
  if (totals.size() == inputs.size()) {  // pairs matched by sorted name
    auto by_name = [](const Series& a, const Series& b) { return a.name < b.name; };
    std::stable_sort(inputs.begin(), inputs.end(), by_name);
    std::stable_sort(totals.begin(), totals.end(), by_name);
    for (size_t i = 0; i < inputs.size(); ++i) {
      std::string name = "asPercent(" + inputs[i].name + "," + totals[i].name + ")";
      ASSIGN_OR_RETURN(Series r, Pairwise(inputs[i], totals[i], std::move(name), xff, SafePercent));
      out.push_back(std::move(r));
    }
    return out;
  }
  SeriesList all = inputs;
  all.push_back(totals.front());
  ASSIGN_OR_RETURN(functions::Normalized n, functions::Normalize(all));
  return PercentOf(inputs, n, n.values.back(), totals.front().name, xff);
}

Result<SeriesList> AsPercentOf(Call& call, SeriesList inputs) {
  if (inputs.empty()) return SeriesList{};  // graphite-web: NormalizeEmptyResultError → []
  double xff = RequestXff(inputs);
  ASSIGN_OR_RETURN(NodeRefs nodes, call.Nodes("nodes"));
  const auto& raw_total = call.Raw("total");
  const Expr* total = call.Has("total") ? raw_total.front() : nullptr;
  bool total_is_series =
      total && (total->kind == ExprKind::kPath || total->kind == ExprKind::kCall);
  std::optional<SeriesList> totals;
  if (total_is_series) {
    ASSIGN_OR_RETURN(totals, call.Series("total"));
  } else if (total && total->kind != ExprKind::kNumber) {
    return call.Error("total must be None, a number or a seriesList");
  }
  if (!nodes.empty()) {
    if (total && !total_is_series) return call.Error("total must be None or a seriesList");
    return AsPercentByNodes(inputs, totals, nodes, xff);
  }
  if (totals) return AsPercentOfList(call, std::move(inputs), std::move(*totals), xff);
  ASSIGN_OR_RETURN(functions::Normalized n, functions::Normalize(inputs));
  if (total) {  // a number: repeated as many times as the first series has raw values
    std::vector<double> totals_values(inputs.front().values.size(), total->number);
    return PercentOf(inputs, n, totals_values,
                     functions::FormatNumberArg(total->number, total->is_integer), xff);
  }
  std::vector<double> sums = functions::AggregateAcross(n, *functions::GetAggFunc("sum"), 0);
  return PercentOf(inputs, n, sums, "sumSeries(" + functions::JoinPathExpressions(inputs) + ")",
                   xff);
}

Result<SeriesList> AsPercent(Call& call) {
  ASSIGN_OR_RETURN(SeriesList inputs, call.Series("seriesList"));
  return AsPercentOf(call, std::move(inputs));
}

Result<SeriesList> DivideSeries(Call& call) {
  ASSIGN_OR_RETURN(SeriesList dividends, call.Series("dividendSeriesList"));
  ASSIGN_OR_RETURN(SeriesList divisors, call.Series("divisorSeries"));
  if (divisors.empty()) {  // graphite-web renames the dividends in place and blanks them
    for (Series& s : dividends) {
      s.name = "divideSeries(" + s.name + ",MISSING)";
      s.path_expression = s.name;
      std::fill(s.values.begin(), s.values.end(), kNull);
    }
    return dividends;
  }
  if (divisors.size() > 1) {
    return call.Error(fmt::format(
        "divideSeries second argument must reference exactly 1 series (got {})", divisors.size()));
  }
  SeriesList out;
  for (const Series& s : dividends) {
    std::string name = "divideSeries(" + s.name + "," + divisors[0].name + ")";
    ASSIGN_OR_RETURN(Series r, Pairwise(s, divisors[0], name, RequestXff(dividends), SafeDiv));
    out.push_back(std::move(r));
  }
  return out;
}

Result<SeriesList> DivideSeriesLists(Call& call) {
  ASSIGN_OR_RETURN(SeriesList dividends, call.Series("dividendSeriesList"));
  ASSIGN_OR_RETURN(SeriesList divisors, call.Series("divisorSeriesList"));
  if (dividends.size() != divisors.size()) {
    return call.Error("dividendSeriesList and divisorSeriesList argument must have equal length");
  }
  SeriesList out;
  for (size_t i = 0; i < dividends.size(); ++i) {
    std::string name = "divideSeries(" + dividends[i].name + "," + divisors[i].name + ")";
    ASSIGN_OR_RETURN(Series r,
                     Pairwise(dividends[i], divisors[i], name, RequestXff(dividends), SafeDiv));
    out.push_back(std::move(r));
  }
  return out;
}

// aggregateSeriesLists(): aggregate() of each pair, renamed "<func>Series(<a.name>,<b.name>)"
// (the pathExpression and the name tag keep aggregate()'s naming).
Result<SeriesList> AggregatePairs(Call& call, std::string_view func, std::optional<double> xff) {
  ASSIGN_OR_RETURN(SeriesList first, call.Series("seriesListFirstPos"));
  ASSIGN_OR_RETURN(SeriesList second, call.Series("seriesListSecondPos"));
  if (first.size() != second.size()) {
    return call.Error("seriesListFirstPos and seriesListSecondPos argument must have equal length");
  }
  SeriesList out;
  for (size_t i = 0; i < first.size(); ++i) {
    ASSIGN_OR_RETURN(SeriesList r, Aggregate(call, {first[i], second[i]}, func, xff));
    Series s = std::move(r.front());
    s.name = s.name.substr(0, s.name.find("Series(")) + "Series(" + first[i].name + "," +
             second[i].name + ")";
    out.push_back(std::move(s));
  }
  return out;
}

Result<SeriesList> AggregateSeriesLists(Call& call) {
  ASSIGN_OR_RETURN(std::string func, call.String("func"));
  std::optional<double> xff;
  if (call.Has("xFilesFactor")) {
    ASSIGN_OR_RETURN(xff, call.Number("xFilesFactor"));
  }
  return AggregatePairs(call, func, xff);
}

Result<SeriesList> AggregateWithWildcards(Call& call, const SeriesList& inputs,
                                          std::string_view func, const NodeRefs& positions) {
  for (const auto& p : positions) {
    if (p.is_tag) return call.Error("positions must be node numbers");
  }
  auto groups = GroupBy(inputs, [&](const Series& s) {
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
    return AggregateWithWildcards(call, inputs, f, positions);
  };
}

Series CountSeriesOf(const SeriesList& inputs, const functions::Normalized& n) {
  std::string name = "countSeries(" + functions::JoinPathExpressions(inputs) + ")";
  std::vector<double> counts(n.length, static_cast<double>(inputs.size()));
  return NewSeries(name, n.start, n.end, n.step, std::move(counts), RequestXff(inputs));
}

Result<SeriesList> CountSeries(Call& call) {
  if (call.Raw("seriesLists").empty()) {  // countSeries(): constantLine(0)
    const EvalWindow& w = call.window();
    Series s = NewSeries("0", w.from, w.until, (w.until - w.from) / 2, {0, 0, 0}, 0);
    s.path_expression = "countSeries()";
    return SeriesList{std::move(s)};
  }
  ASSIGN_OR_RETURN(SeriesList inputs, call.SeriesConcat("seriesLists"));
  if (inputs.empty()) return SeriesList{};
  ASSIGN_OR_RETURN(functions::Normalized n, functions::Normalize(inputs));
  return SeriesList{CountSeriesOf(inputs, n)};
}

// safe.safePow: null in, or a math.pow error (domain, overflow), gives null.
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

Result<SeriesList> GroupByNodesOf(Call& call, const SeriesList& inputs, const std::string& cb,
                                  const NodeRefs& nodes) {
  SeriesList out;
  for (auto& [key, group] : GroupBy(inputs, [&](const Series& s) { return AggKey(s, nodes); })) {
    ASSIGN_OR_RETURN(Series s, ApplyCallback(call, cb, group));
    s.name = key;
    out.push_back(std::move(s));
  }
  return out;
}

Result<SeriesList> GroupByNode(Call& call) {
  ASSIGN_OR_RETURN(SeriesList inputs, call.Series("seriesList"));
  ASSIGN_OR_RETURN(NodeRefs nodes, call.Nodes("nodeNum"));
  ASSIGN_OR_RETURN(std::string cb, call.String("callback", "average"));
  return GroupByNodesOf(call, inputs, cb, nodes);
}

Result<SeriesList> GroupByNodes(Call& call) {
  ASSIGN_OR_RETURN(SeriesList inputs, call.Series("seriesList"));
  ASSIGN_OR_RETURN(std::string cb, call.String("callback"));
  ASSIGN_OR_RETURN(NodeRefs nodes, call.Nodes("nodes"));
  return GroupByNodesOf(call, inputs, cb, nodes);
}

Result<SeriesList> GroupByTags(Call& call) {
  ASSIGN_OR_RETURN(SeriesList inputs, call.Series("seriesList"));
  ASSIGN_OR_RETURN(std::string cb, call.String("callback"));
  std::vector<std::string> tags;
  for (const Expr* e : call.Raw("tags")) {
    if (e->kind != ExprKind::kString) return call.Error("tags must be quoted tag names");
    tags.push_back(e->text);
  }
  if (tags.empty()) return call.Error("no tags specified");
  bool by_name = std::find(tags.begin(), tags.end(), "name") != tags.end();
  std::set<std::string> names;
  for (const Series& s : inputs) names.insert(s.tags.count("name") ? s.tags.at("name") : "");
  std::string common = names.size() == 1 ? *names.begin() : cb;
  auto key_of = [&](const Series& s) {
    std::vector<std::string> parts;
    for (const std::string& t : tags) {
      if (by_name && t == "name") continue;
      auto it = s.tags.find(t);
      parts.push_back(t + "=" + (it == s.tags.end() ? "" : it->second));
    }
    std::sort(parts.begin(), parts.end());
    auto name = s.tags.find("name");
    std::string key = !by_name ? common : name == s.tags.end() ? "" : name->second;
    for (const std::string& p : parts) key += ";" + p;
    return key;
  };
  SeriesList out;
  for (auto& [key, group] : GroupBy(inputs, key_of)) {
    ASSIGN_OR_RETURN(Series s, ApplyCallback(call, cb, group));
    auto parsed = core::ParseTaggedName(key);
    if (!parsed.ok()) return call.Error(parsed.status().message());
    s.name = key;
    s.path_expression = key;
    s.tags = TagsForName(key);
    out.push_back(std::move(s));
  }
  return out;
}

Result<SeriesList> PercentileOfSeries(Call& call) {
  ASSIGN_OR_RETURN(SeriesList inputs, call.Series("seriesList"));
  ASSIGN_OR_RETURN(double pct, call.Number("n"));
  ASSIGN_OR_RETURN(bool interpolate, call.Bool("interpolate", false));
  if (pct <= 0) return call.Error("The requested percent is required to be greater than 0");
  if (inputs.empty()) return SeriesList{};
  ASSIGN_OR_RETURN(functions::Normalized n, functions::Normalize(inputs));
  std::vector<double> values(n.length), row(inputs.size());
  for (size_t i = 0; i < n.length; ++i) {
    for (size_t k = 0; k < inputs.size(); ++k) {
      row[k] = i < n.values[k].size() ? n.values[k][i] : kNull;
    }
    values[i] = functions::GetPercentile(row, pct, interpolate).value_or(kNull);
  }
  std::string name = fmt::format("percentileOfSeries({},{})", inputs.front().path_expression,
                                 functions::FormatG(pct));
  return SeriesList{NewSeries(name, n.start, n.end, n.step, values, RequestXff(inputs))};
}

Result<SeriesList> MultiplySeries(Call& call) {
  ASSIGN_OR_RETURN(SeriesList inputs, call.SeriesConcat("seriesLists"));
  if (call.Raw("seriesLists").size() == 1 && inputs.size() == 1) return inputs;
  return Aggregate(call, inputs, "multiply", std::nullopt);
}

std::string NodeText(const Call::NodeRef& n) { return n.is_tag ? n.tag : std::to_string(n.index); }

std::string SortedPaths(const SeriesList& list) {
  std::set<std::string> paths;
  for (const Series& s : list) paths.insert(s.path_expression);
  std::string out;
  for (const std::string& p : paths) out += (out.empty() ? "" : ",") + p;
  return out;
}

Result<SeriesList> WeightedAverage(Call& call) {
  ASSIGN_OR_RETURN(SeriesList avgs, call.Series("seriesListAvg"));
  ASSIGN_OR_RETURN(SeriesList weights, call.Series("seriesListWeight"));
  ASSIGN_OR_RETURN(NodeRefs nodes, call.Nodes("nodes"));
  if (avgs.size() != weights.size()) {
    return call.Error(
        fmt::format("weightedAverage must receive the same number of series for seriesListAvg and "
                    "seriesListWeight but received respectively {} and {}",
                    avgs.size(), weights.size()));
  }
  struct Pair {
    std::string key;
    const Series* avg = nullptr;
    const Series* weight = nullptr;
  };
  std::vector<Pair> pairs;  // insertion-ordered dict; a later series of the same key wins
  auto slot = [&](const Series& s) -> Pair& {
    std::string key = AggKey(s, nodes);
    auto it = std::find_if(pairs.begin(), pairs.end(), [&](auto& p) { return p.key == key; });
    return it != pairs.end() ? *it : pairs.emplace_back(Pair{key});
  };
  for (size_t i = 0; i < avgs.size(); ++i) {
    slot(avgs[i]).avg = &avgs[i];
    slot(weights[i]).weight = &weights[i];
  }
  double xff = RequestXff(avgs);
  SeriesList products;
  for (const Pair& p : pairs) {
    if (!p.avg || !p.weight) continue;
    size_t len = std::max(p.avg->values.size(), p.weight->values.size());
    std::vector<double> v(len, kNull);
    for (size_t i = 0; i < len; ++i) {
      double a = i < p.avg->values.size() ? p.avg->values[i] : kNull;
      double w = i < p.weight->values.size() ? p.weight->values[i] : kNull;
      if (!IsNull(a) && !IsNull(w)) v[i] = a * w;
    }
    std::string name = "product(" + p.weight->name + "," + p.avg->name + ")";
    products.push_back(NewSeries(name, p.avg->start, p.avg->end, p.avg->step, std::move(v), xff));
  }
  if (products.empty()) return SeriesList{};
  ASSIGN_OR_RETURN(SeriesList sum_products, Aggregate(call, products, "sum", std::nullopt));
  ASSIGN_OR_RETURN(SeriesList sum_weights, Aggregate(call, weights, "sum", std::nullopt));
  const Series& sp = sum_products.front();
  const Series& sw = sum_weights.front();
  std::vector<double> values(std::max(sp.values.size(), sw.values.size()));
  for (size_t i = 0; i < values.size(); ++i) {
    values[i] = SafeDiv(i < sp.values.size() ? sp.values[i] : kNull,
                        i < sw.values.size() ? sw.values[i] : kNull);
  }
  std::string node_text;
  for (const auto& n : nodes) node_text += (node_text.empty() ? "" : ",") + NodeText(n);
  std::string name = fmt::format("weightedAverage({}, {}, {})", SortedPaths(avgs),
                                 SortedPaths(weights), node_text);
  return SeriesList{NewSeries(name, sp.start, sp.end, sp.step, std::move(values), xff)};
}

Result<SeriesList> AggregateFn(Call& call) {
  ASSIGN_OR_RETURN(SeriesList inputs, call.Series("seriesList"));
  ASSIGN_OR_RETURN(std::string func, call.String("func"));
  std::optional<double> xff;
  if (call.Has("xFilesFactor")) {
    ASSIGN_OR_RETURN(xff, call.Number("xFilesFactor"));
  }
  return Aggregate(call, inputs, func, xff);
}

Result<SeriesList> Group(Call& call) { return call.SeriesConcat("seriesLists"); }

// Parameter builders mirroring graphite-web's Param(name, type, required, default, multiple).
ParamSpec Param(std::string name, ParamType type, bool required = false, bool multiple = false,
                std::optional<std::string> default_json = std::nullopt) {
  ParamSpec p;
  p.name = std::move(name);
  p.type = type;
  p.required = required;
  p.multiple = multiple;
  p.default_json = std::move(default_json);
  if (type == ParamType::kAggFunc) p.options = functions::AggFuncNames();
  if (type == ParamType::kAggOrSeriesFunc) {
    // aggFuncs plus graphite-web's series functions flagged `aggregator`, sorted.
    p.options = functions::AggFuncNames();
    for (const char* f :
         {"asPercent", "averageSeries", "averageSeriesWithWildcards", "countSeries", "diffSeries",
          "diffSeriesLists", "maxSeries", "minSeries", "multiplySeries", "multiplySeriesLists",
          "multiplySeriesWithWildcards", "pct", "powSeries", "rangeOfSeries", "stddevSeries",
          "sumSeries", "sumSeriesLists", "sumSeriesWithWildcards"}) {
      p.options.emplace_back(f);
    }
    std::sort(p.options.begin(), p.options.end());
  }
  return p;
}

ParamSpec List(std::string name) { return Param(std::move(name), ParamType::kSeriesList, true); }
std::vector<ParamSpec> Lists() {
  return {Param("seriesLists", ParamType::kSeriesList, true, true)};
}
std::vector<ParamSpec> TwoLists() {
  return {List("seriesListFirstPos"), List("seriesListSecondPos")};
}
std::vector<ParamSpec> Wildcards() {
  return {List("seriesList"), Param("position", ParamType::kNode, false, true)};
}

void Add(FunctionRegistry& r, std::string name, std::string description,
         std::vector<ParamSpec> params, FunctionImpl impl) {
  r.Add(FunctionSpec{std::move(name), "Combine", std::move(description), std::move(params),
                     std::move(impl)});
}

void AddAggregates(FunctionRegistry& r) {
  const std::pair<const char*, const char*> kSimple[] = {
      {"sumSeries", "sum"},         {"sum", "sum"},
      {"averageSeries", "average"}, {"avg", "average"},
      {"maxSeries", "max"},         {"minSeries", "min"},
      {"diffSeries", "diff"},       {"stddevSeries", "stddev"},
      {"rangeOfSeries", "rangeOf"}};
  for (const auto& [name, func] : kSimple) {
    Add(r, name,
        fmt::format("Combines the series point by point with the ``{}`` aggregation (nulls "
                    "skipped; a point is null when every input is null or fewer than "
                    "xFilesFactor of them are non-null). Series of different steps are "
                    "normalized to the least common multiple of their steps first. The result is "
                    "named ``{}Series(<path expressions>)``; this is an alias for "
                    ":py:func:`aggregate <aggregate>` with aggregation ``{}``.",
                    func, func, func),
        Lists(), AggregateImpl(func));
  }
  Add(r, "multiplySeries",
      "Multiplies the series point by point (a null in any input makes the point null). A single "
      "series passed alone is returned unchanged. This is an alias for :py:func:`aggregate "
      "<aggregate>` with aggregation ``multiply``.",
      Lists(), MultiplySeries);
  Add(r, "aggregate",
      "Aggregates series point by point with the given function: ``average`` (or ``avg``), "
      "``avg_zero``, ``median``, ``sum`` (or ``total``), ``min``, ``max``, ``diff``, ``stddev``, "
      "``count``, ``range`` (or ``rangeOf``), ``multiply`` & ``last`` (or ``current``). "
      "``&target=aggregate(host.cpu-[0-7].cpu-{user,system}.value, \"sum\")`` equals "
      "``sumSeries(...)``.",
      {List("seriesList"), Param("func", ParamType::kAggFunc, true),
       Param("xFilesFactor", ParamType::kFloat)},
      AggregateFn);
  Add(r, "countSeries",
      "Draws a horizontal line with the number of series in the seriesList at each point; with "
      "no argument, a constant 0 line.",
      {Param("seriesLists", ParamType::kSeriesList, false, true)}, CountSeries);
  Add(r, "group",
      "Takes an arbitrary number of seriesLists and adds them to a single seriesList, to pass "
      "several seriesLists to a function that takes one.",
      {Param("seriesLists", ParamType::kSeriesList, false, true)}, Group);
}

void AddListPairs(FunctionRegistry& r) {
  auto params = TwoLists();
  params.push_back(Param("func", ParamType::kAggFunc, true));
  params.push_back(Param("xFilesFactor", ParamType::kFloat));
  Add(r, "aggregateSeriesLists",
      "Aggregates two lists of equal length pairwise with the given function: list1[0] with "
      "list2[0], list1[1] with list2[1], and so on. Each result is named "
      "``<func>Series(<name1>,<name2>)``.",
      params, AggregateSeriesLists);
  for (const char* func : {"sum", "diff", "multiply"}) {
    Add(r, fmt::format("{}SeriesLists", func),
        fmt::format("Iterates over two lists of equal length and combines list1[0] with "
                    "list2[0], list1[1] with list2[1] and so on with ``{}Series``. This is an "
                    "alias for :py:func:`aggregateSeriesLists <aggregateSeriesLists>` with "
                    "aggregation ``{}``.",
                    func, func),
        TwoLists(),
        [f = std::string(func)](Call& call) { return AggregatePairs(call, f, std::nullopt); });
  }
  Add(r, "divideSeries",
      "Divides each series of the dividend list by the single divisor series, point by point "
      "(division by zero or null is null). Names are ``divideSeries(<dividend>,<divisor>)``; an "
      "empty divisor yields the dividends renamed ``divideSeries(<name>,MISSING)`` with null "
      "values.",
      {List("dividendSeriesList"), List("divisorSeries")}, DivideSeries);
  Add(r, "divideSeriesLists",
      "Iterates over two lists of equal length and divides list1[0] by list2[0], list1[1] by "
      "list2[1] and so on.",
      {List("dividendSeriesList"), List("divisorSeriesList")}, DivideSeriesLists);
}

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

void AddRatios(FunctionRegistry& r) {
  std::vector<ParamSpec> pct = {List("seriesList"), Param("total", ParamType::kAny),
                                Param("nodes", ParamType::kNodeOrTag, false, true)};
  const char* kPctDoc =
      "Calculates each series as a percentage of a total: the sum of the list when no total is "
      "given, a number, a single series, or a list of the same length (paired by sorted name). "
      "With nodes, series and totals are matched by those nodes as in groupByNodes; unmatched "
      "ones give ``asPercent(<name>,MISSING)`` / ``asPercent(MISSING,<total>)`` with null values.";
  Add(r, "asPercent", kPctDoc, pct, AsPercent);
  Add(r, "pct", kPctDoc, pct, AsPercent);
  Add(r, "percentileOfSeries",
      "Returns one series made of the n-th percentile of the values of all series at each "
      "point; unless interpolate is true, each value is one of the input values.",
      {List("seriesList"), Param("n", ParamType::kFloat, true),
       Param("interpolate", ParamType::kBoolean, false, false, "false")},
      PercentileOfSeries);
  Add(r, "weightedAverage",
      "Takes a list of average values and a list of weights, matches them by the given nodes "
      "(indexes or tag names) and returns the weighted average of all values.",
      {List("seriesListAvg"), List("seriesListWeight"),
       Param("nodes", ParamType::kNodeOrTag, false, true)},
      WeightedAverage);
}

}  // namespace

void RegisterCombineFunctions(FunctionRegistry& registry) {
  AddAggregates(registry);
  AddListPairs(registry);
  AddGrouping(registry);
  AddRatios(registry);
}

}  // namespace meridian::query
