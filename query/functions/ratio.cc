// Combine functions relating series to one another (graphite-web 1.1 render/functions.py):
// asPercent/pct, percentileOfSeries and weightedAverage.
//
// graphite-web mutates its inputs (normalize() sets valuesPerPoint on them, and a later
// normalize() of a pair replaces it); here everything works on copies, and where a result depends
// on that mutation (asPercent) the consolidated values are computed explicitly.
#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <unordered_map>

#include "query/function_registry.h"
#include "query/functions/combine_internal.h"
#include "query/functions/common.h"

namespace meridian::query::combine_internal {
namespace {

using core::Result;
using functions::IsNull;
using functions::kNull;

double SafePercent(double a, double b) { return IsNull(SafeDiv(a, b)) ? kNull : a / b * 100.0; }

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
  // Keys in first-seen order (inputs, then totals), each with its group and total if any: maps
  // keep this linear in the number of groups.
  std::vector<std::string> keys;
  std::unordered_map<std::string, size_t> group_of;
  for (size_t i = 0; i < groups.size(); ++i) {
    keys.push_back(groups[i].first);
    group_of.emplace(groups[i].first, i);
  }
  std::vector<std::pair<std::string, Series>> total_by_key;
  std::unordered_map<std::string, size_t> total_of;
  auto total_groups =
      totals ? GroupBy(*totals, [&](const Series& s) { return AggKey(s, nodes); }) : groups;
  for (auto& [key, group] : total_groups) {
    ASSIGN_OR_RETURN(Series total, GroupTotal(group, xff));
    total_of.emplace(key, total_by_key.size());
    total_by_key.emplace_back(key, std::move(total));
    if (group_of.count(key) == 0) keys.push_back(key);  // GroupBy's keys are distinct
  }
  SeriesList out;
  for (const std::string& key : keys) {
    auto gi = group_of.find(key);
    auto ti = total_of.find(key);
    auto g =
        gi == group_of.end() ? groups.end() : groups.begin() + static_cast<ptrdiff_t>(gi->second);
    auto t = ti == total_of.end() ? total_by_key.end()
                                  : total_by_key.begin() + static_cast<ptrdiff_t>(ti->second);
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

}  // namespace

// 100·v/total for each series against one list of totals (consolidated with the inputs at their
// common step); the result keeps each input's own start/end/step, as graphite-web does.
SeriesList PercentOf(const SeriesList& inputs, const functions::Normalized& n,
                     std::span<const double> totals, const std::string& total_text, double xff) {
  SeriesList out;
  for (size_t k = 0; k < inputs.size(); ++k) {
    const std::span<const double> v = n.values[k];
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

namespace {

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
  std::unordered_map<std::string, size_t> index;  // key → position in `pairs`
  auto slot = [&](const Series& s) -> Pair& {
    std::string key = AggKey(s, nodes);
    auto [it, added] = index.try_emplace(key, pairs.size());
    if (added) pairs.push_back(Pair{std::move(key)});
    return pairs[it->second];
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

}  // namespace

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

}  // namespace meridian::query::combine_internal
