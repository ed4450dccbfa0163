// Combine functions (graphite-web 1.1 render/functions.py, group 'Combine'): aggregates across
// series and pairwise list arithmetic. Grouping lives in group_by.cc, asPercent and the other
// ratios in ratio.cc; the helpers they share with this file are declared in combine_internal.h.
//
// graphite-web mutates its inputs (normalize() sets valuesPerPoint on them); here everything
// works on copies.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "query/function_registry.h"
#include "query/functions/combine_internal.h"
#include "query/functions/common.h"

namespace meridian::query::combine_internal {

using core::Result;
using functions::IsNull;
using functions::kNull;

double RequestXff(const SeriesList& inputs) {
  return inputs.empty() ? 0.0 : inputs.front().x_files_factor;
}

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

Result<Series> Pairwise(const Series& a, const Series& b, std::string name, double xff,
                        double (*op)(double, double)) {
  const SeriesList pair = {a, b};
  ASSIGN_OR_RETURN(functions::Normalized n, functions::Normalize(pair));
  std::vector<double> out(n.length);
  for (size_t i = 0; i < n.length; ++i) {
    double x = i < n.values[0].size() ? n.values[0][i] : kNull;
    double y = i < n.values[1].size() ? n.values[1][i] : kNull;
    out[i] = op(x, y);
  }
  return NewSeries(std::move(name), n.start, n.end, n.step, std::move(out), xff);
}

namespace {

std::string StripSeries(std::string_view func) {
  std::string f(func);
  if (f.ends_with("Series")) f.resize(f.size() - 6);
  return f;
}

}  // namespace

Series AggregateSeries(std::string_view func, const std::string& path_expressions,
                       std::map<std::string, std::string> common_tags, int64_t start, int64_t end,
                       int64_t step, std::vector<double> values, double xff) {
  std::string name = fmt::format("{}Series({})", func, path_expressions);
  Series out = NewSeries(name, start, end, step, std::move(values), xff);
  out.tags = functions::AggregateTags(std::move(common_tags), name, func);
  return out;
}

Result<SeriesList> Aggregate(Call& call, const SeriesList& inputs, std::string_view raw_func,
                             std::optional<double> xff) {
  std::string func = StripSeries(raw_func);
  auto agg = functions::GetAggFunc(func);
  if (!agg) return call.Error(fmt::format("Unsupported aggregation function: {}", raw_func));
  if (inputs.empty()) return SeriesList{};
  ASSIGN_OR_RETURN(functions::Normalized n, functions::Normalize(inputs));
  double x = xff.value_or(RequestXff(inputs));
  return SeriesList{AggregateSeries(func, functions::JoinPathExpressions(inputs),
                                    functions::CommonTags(inputs), n.start, n.end, n.step,
                                    functions::AggregateAcross(n, *agg, x), x)};
}

std::optional<PartialOp> PushableOp(std::string_view func) {
  const std::string canonical = functions::CanonicalAggName(func);
  if (canonical == "sum") return PartialOp::kSum;
  if (canonical == "average") return PartialOp::kAverage;
  if (canonical == "min") return PartialOp::kMin;
  if (canonical == "max") return PartialOp::kMax;
  if (canonical == "count") return PartialOp::kCount;
  if (canonical == "multiply") return PartialOp::kMultiply;  // certified like sums
  return std::nullopt;  // median, stddev, diff, range, last, …: not decomposed
}

PartialRequest RequestFor(PartialOp op, const NodeRefs& group_by) {
  PartialRequest r;
  r.sum = op == PartialOp::kSum || op == PartialOp::kAverage;
  r.min = op == PartialOp::kMin;
  r.max = op == PartialOp::kMax;
  r.product = op == PartialOp::kMultiply;
  for (const Call::NodeRef& n : group_by) r.group_by.push_back({n.is_tag, n.index, n.tag});
  return r;
}

Result<std::optional<SeriesList>> PushedAggregate(Call& call, std::string_view param,
                                                  std::string_view raw_func,
                                                  std::optional<double> xff, uint64_t min_members) {
  const std::string func = StripSeries(raw_func);
  if (!functions::GetAggFunc(func))
    return std::optional<SeriesList>();  // the usual path names the error
  const std::optional<PartialOp> op = PushableOp(func);
  if (!op) return std::optional<SeriesList>();
  PartialRequest request = RequestFor(*op, {});
  request.min_members = min_members;
  ASSIGN_OR_RETURN(std::optional<PushedDown> p, call.PushDown(param, std::move(request)));
  if (!p) return std::optional<SeriesList>();
  SeriesList out;
  for (const PartialGroup& g : p->groups) {  // one group at most: nothing is grouped
    const double x = xff.value_or(p->x_files_factor);
    out.push_back(AggregateSeries(func, p->path_expression, g.tags, g.start, g.end, g.step,
                                  PartialValues(g, *op, x), x));
  }
  return std::optional<SeriesList>(std::move(out));
}

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

std::string TagsKey(const std::map<std::string, std::string>& series_tags,
                    const std::vector<std::string>& tags, const std::string& common) {
  const bool by_name = std::find(tags.begin(), tags.end(), "name") != tags.end();
  std::vector<std::string> parts;
  for (const std::string& t : tags) {
    if (by_name && t == "name") continue;
    auto it = series_tags.find(t);
    parts.push_back(t + "=" + (it == series_tags.end() ? "" : it->second));
  }
  std::sort(parts.begin(), parts.end());
  auto name = series_tags.find("name");
  std::string key = !by_name ? common : name == series_tags.end() ? "" : name->second;
  for (const std::string& p : parts) key += ";" + p;
  return key;
}

Series CountSeriesOf(const SeriesList& inputs, const functions::Normalized& n) {
  return CountSeriesNamed(functions::JoinPathExpressions(inputs), inputs.size(), n.start, n.end,
                          n.step, n.length, RequestXff(inputs));
}

Series CountSeriesNamed(const std::string& path_expressions, size_t count, int64_t start,
                        int64_t end, int64_t step, size_t length, double xff) {
  std::vector<double> counts(length, static_cast<double>(count));
  return NewSeries("countSeries(" + path_expressions + ")", start, end, step, std::move(counts),
                   xff);
}

ParamSpec Param(std::string name, ParamType type, bool required, bool multiple,
                std::optional<std::string> default_json) {
  ParamSpec p =
      functions::MakeParam(std::move(name), type, required, multiple, std::move(default_json));
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

void Add(FunctionRegistry& r, std::string name, std::string description,
         std::vector<ParamSpec> params, FunctionImpl impl) {
  r.Add(FunctionSpec{std::move(name), "Combine", std::move(description), std::move(params),
                     std::move(impl)});
}

namespace {

FunctionImpl AggregateImpl(std::string func) {
  return [func](Call& call) -> Result<SeriesList> {
    ASSIGN_OR_RETURN(auto pushed, PushedAggregate(call, "seriesLists", func, std::nullopt));
    if (pushed) return std::move(*pushed);
    ASSIGN_OR_RETURN(SeriesList inputs, call.SeriesConcat("seriesLists"));
    return Aggregate(call, inputs, func, std::nullopt);
  };
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

Result<SeriesList> CountSeries(Call& call) {
  if (call.Raw("seriesLists").empty()) {  // countSeries(): constantLine(0)
    const EvalWindow& w = call.window();
    Series s = NewSeries("0", w.from, w.until, (w.until - w.from) / 2, {0, 0, 0}, 0);
    s.path_expression = "countSeries()";
    return SeriesList{std::move(s)};
  }
  ASSIGN_OR_RETURN(std::optional<PushedDown> p,
                   call.PushDown("seriesLists", RequestFor(PartialOp::kCount, {})));
  if (p) {
    SeriesList out;
    for (const PartialGroup& g : p->groups) {
      out.push_back(CountSeriesNamed(p->path_expression, g.members, g.start, g.end, g.step,
                                     g.count.size(), p->x_files_factor));
    }
    return out;
  }
  ASSIGN_OR_RETURN(SeriesList inputs, call.SeriesConcat("seriesLists"));
  if (inputs.empty()) return SeriesList{};
  ASSIGN_OR_RETURN(functions::Normalized n, functions::Normalize(inputs));
  return SeriesList{CountSeriesOf(inputs, n)};
}

// safe.safePow: null in, or a math.pow error (domain, overflow), gives null.
Result<SeriesList> MultiplySeries(Call& call) {
  // One series alone passes through as it is: only a product of two or more is pushed down.
  ASSIGN_OR_RETURN(auto pushed, PushedAggregate(call, "seriesLists", "multiply", std::nullopt, 2));
  if (pushed) return std::move(*pushed);
  ASSIGN_OR_RETURN(SeriesList inputs, call.SeriesConcat("seriesLists"));
  if (call.Raw("seriesLists").size() == 1 && inputs.size() == 1) return inputs;
  return Aggregate(call, inputs, "multiply", std::nullopt);
}

Result<SeriesList> AggregateFn(Call& call) {
  ASSIGN_OR_RETURN(std::string func, call.String("func"));
  std::optional<double> xff;
  if (call.Has("xFilesFactor")) {
    ASSIGN_OR_RETURN(xff, call.Number("xFilesFactor"));
  }
  ASSIGN_OR_RETURN(auto pushed, PushedAggregate(call, "seriesList", func, xff));
  if (pushed) return std::move(*pushed);
  ASSIGN_OR_RETURN(SeriesList inputs, call.Series("seriesList"));
  return Aggregate(call, inputs, func, xff);
}

Result<SeriesList> Group(Call& call) { return call.SeriesConcat("seriesLists"); }

std::vector<ParamSpec> Lists() {
  return {Param("seriesLists", ParamType::kSeriesList, true, true)};
}
std::vector<ParamSpec> TwoLists() {
  return {List("seriesListFirstPos"), List("seriesListSecondPos")};
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

}  // namespace
}  // namespace meridian::query::combine_internal

namespace meridian::query {

void RegisterCombineFunctions(FunctionRegistry& registry) {
  combine_internal::AddAggregates(registry);
  combine_internal::AddListPairs(registry);
  combine_internal::AddGrouping(registry);
  combine_internal::AddRatios(registry);
}

}  // namespace meridian::query
