// Filter functions (graphite-web 1.1 render/functions.py, groups 'Filter Series' and 'Filter
// Data'; plus nPercentile and fallbackSeries which graphite-web files under 'Calculate' and
// 'Special'). Ranking (highest*, lowest*, limit, mostDeviant) and sorting live in sort.cc; the
// helpers both files use are declared in filter_internal.h.
//
// Where Python 3 raises comparing None with a number (averageOutsidePercentile,
// removeBetweenPercentile, useSeriesAbove), nulls follow Python 2's ordering instead.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "query/evaluator.h"
#include "query/function_registry.h"
#include "query/functions/common.h"
#include "query/functions/filter_internal.h"
#include "query/functions/py_regex.h"

namespace meridian::query::filter_internal {

using core::Result;
using functions::IsNull;
using functions::kNull;

Result<functions::AggFunc> AggFuncArg(Call& call, std::string_view param,
                                      std::optional<std::string> fallback) {
  ASSIGN_OR_RETURN(std::string name, call.String(param, fallback));
  auto func = functions::GetAggFunc(name);
  if (!func) return call.Error(fmt::format("Unsupported aggregation function: {}", name));
  return *func;
}

ParamSpec Param(std::string name, ParamType type, bool required,
                std::optional<std::string> default_json) {
  ParamSpec p;
  p.name = std::move(name);
  p.type = type;
  p.required = required;
  p.default_json = std::move(default_json);
  if (type == ParamType::kAggFunc) p.options = functions::AggFuncNames();
  return p;
}

ParamSpec List() { return Param("seriesList", ParamType::kSeriesList); }
std::vector<ParamSpec> ListAnd(std::string name, ParamType type) {
  return {List(), Param(std::move(name), type)};
}

void Add(FunctionRegistry& r, std::string name, std::string group, std::string description,
         std::vector<ParamSpec> params, FunctionImpl impl) {
  r.Add(FunctionSpec{std::move(name), std::move(group), std::move(description), std::move(params),
                     std::move(impl)});
}

namespace {

// filterSeries' operators, with graphite-web's None handling: = > >= never hold for None;
// != < <= always do.
std::optional<bool (*)(double, double)> Operator(std::string_view op) {
  if (op == "=") return [](double v, double t) { return !IsNull(v) && v == t; };
  if (op == "!=") return [](double v, double t) { return IsNull(v) || v != t; };
  if (op == ">") return [](double v, double t) { return !IsNull(v) && v > t; };
  if (op == ">=") return [](double v, double t) { return !IsNull(v) && v >= t; };
  if (op == "<") return [](double v, double t) { return IsNull(v) || v < t; };
  if (op == "<=") return [](double v, double t) { return IsNull(v) || v <= t; };
  return std::nullopt;
}

Result<SeriesList> FilterBy(Call& call, functions::AggFunc func, std::string_view op,
                            double threshold) {
  auto pred = Operator(op);
  if (!pred) return call.Error(fmt::format("Unsupported operator: {}", op));
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  SeriesList out;
  for (Series& s : list) {
    if ((*pred)(func(s.values).value_or(kNull), threshold)) out.push_back(std::move(s));
  }
  return out;
}

FunctionImpl Threshold(std::string func, std::string op) {
  return [func, op](Call& call) -> Result<SeriesList> {
    ASSIGN_OR_RETURN(double n, call.Number("n"));
    return FilterBy(call, *functions::GetAggFunc(func), op, n);
  };
}

Result<SeriesList> FilterSeries(Call& call) {
  ASSIGN_OR_RETURN(functions::AggFunc func, AggFuncArg(call, "func"));
  ASSIGN_OR_RETURN(std::string op, call.String("operator"));
  ASSIGN_OR_RETURN(double threshold, call.Number("threshold"));
  return FilterBy(call, func, op, threshold);
}

FunctionImpl RegexFilter(bool keep_matches) {
  return [keep_matches](Call& call) -> Result<SeriesList> {
    ASSIGN_OR_RETURN(std::string pattern, call.String("pattern"));
    auto regex = functions::PyRegex::Compile(pattern);
    if (!regex.ok()) return call.Error(regex.status().message());
    ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
    SeriesList out;
    for (Series& s : list) {
      if (regex->Search(s.name) == keep_matches) out.push_back(std::move(s));
    }
    return out;
  };
}

Result<SeriesList> RemoveEmptySeries(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(double xff, call.Number("xFilesFactor", 0.0));
  std::erase_if(list, [&](const Series& s) {
    size_t non_null =
        std::count_if(s.values.begin(), s.values.end(), [](double v) { return !IsNull(v); });
    return non_null == 0 ||
           static_cast<double>(non_null) / static_cast<double>(s.values.size()) < xff;
  });
  return list;
}

// removeAboveValue / removeBelowValue: renamed in place; the tags are left as they were.
FunctionImpl RemoveByValue(bool above) {
  return [above](Call& call) -> Result<SeriesList> {
    ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
    ASSIGN_OR_RETURN(double n, call.Number("n"));
    for (Series& s : list) {
      s.name = fmt::format("{}({}, {})", call.name(), s.name, functions::FormatG(n));
      s.path_expression = s.name;
      for (double& v : s.values) {
        if (above ? (!IsNull(v) && v > n) : (IsNull(v) || v < n)) v = kNull;
      }
    }
    return list;
  };
}

// nPercentile()'s value for one series, or nullopt when graphite-web's nPercentile(...)[0][0]
// raises IndexError (no non-null value, or a window shorter than one step). Like graphite-web,
// computing it tags the series nPercentile=<n> (the copy shares the original's tags).
std::optional<double> SeriesPercentile(Series& s, double n) {
  std::optional<double> p = functions::GetPercentile(s.values, n, false);
  if (!p) return std::nullopt;
  s.tags["nPercentile"] = functions::FormatNumberArg(n, false);
  if (s.step <= 0 || (s.end - s.start) / s.step <= 0) return std::nullopt;
  return p;
}

FunctionImpl RemoveByPercentile(bool above) {
  return [above](Call& call) -> Result<SeriesList> {
    ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
    ASSIGN_OR_RETURN(double n, call.Number("n"));
    if (n == 0) return call.Error("The requested percent is required to be greater than 0");
    for (Series& s : list) {
      s.name = fmt::format("{}({}, {})", call.name(), s.name, functions::FormatG(n));
      s.path_expression = s.name;
      std::optional<double> p = SeriesPercentile(s, n);
      if (!p) continue;
      for (double& v : s.values) {
        if (above ? (!IsNull(v) && v > *p) : (IsNull(v) || v < *p)) v = kNull;
      }
    }
    return list;
  };
}

Result<SeriesList> NPercentile(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(double n, call.Number("n"));
  if (n == 0) return call.Error("The requested percent is required to be greater than 0");
  SeriesList out;
  for (Series& s : list) {
    std::optional<double> p = functions::GetPercentile(s.values, n, false);
    if (!p) continue;
    s.tags["nPercentile"] = functions::FormatNumberArg(n, false);
    s.name = fmt::format("nPercentile({}, {})", s.name, functions::FormatG(n));
    s.path_expression = s.name;
    int64_t points = s.step > 0 ? std::max<int64_t>(0, (s.end - s.start) / s.step) : 0;
    s.values.assign(static_cast<size_t>(points), *p);
    out.push_back(std::move(s));
  }
  return out;
}

Result<SeriesList> Unique(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.SeriesConcat("seriesLists"));
  std::set<std::string> seen;
  std::erase_if(list, [&](const Series& s) { return !seen.insert(s.name).second; });
  return list;
}

Result<SeriesList> FallbackSeries(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  if (!list.empty()) return list;
  return call.Series("fallback");
}

// useSeriesAbove: for each series whose maximum exceeds `value`, the target named by
// re.sub(search, replace, name) is evaluated (graphite-web evaluates group(<names>)).
Result<SeriesList> UseSeriesAbove(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(double value, call.Number("value"));
  ASSIGN_OR_RETURN(std::string search, call.String("search"));
  ASSIGN_OR_RETURN(std::string replace, call.String("replace"));
  auto regex = functions::PyRegex::Compile(search);
  if (!regex.ok()) return call.Error(regex.status().message());
  auto max = *functions::GetAggFunc("max");
  SeriesList out;
  for (const Series& s : list) {
    auto name = regex->Sub(replace, s.name);
    if (!name.ok()) return call.Error(name.status().message());
    std::optional<double> m = max(s.values);
    if (!m || !(*m > value)) continue;
    ASSIGN_OR_RETURN(SeriesList found, call.evaluator().EvaluateTarget(*name, call.window()));
    for (Series& f : found) {
      if (!f.values.empty()) out.push_back(std::move(f));
    }
  }
  return out;
}

// The percentile bounds graphite-web uses for "inside": n below 50 is mirrored to 100-n.
std::pair<double, double> Band(std::span<const double> values, double n) {
  if (n < 50) n = 100 - n;
  return {functions::GetPercentile(values, 100 - n, false).value_or(kNull),
          functions::GetPercentile(values, n, false).value_or(kNull)};
}

// low < v < high, with a null anywhere making it false (Python 2's ordering of None).
bool Inside(double low, double v, double high) {
  return !IsNull(low) && !IsNull(v) && !IsNull(high) && low < v && v < high;
}

Result<SeriesList> AverageOutsidePercentile(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(double n, call.Number("n"));
  auto avg = *functions::GetAggFunc("average");
  std::vector<double> averages;
  for (const Series& s : list) averages.push_back(avg(s.values).value_or(kNull));
  auto [low, high] = Band(averages, n);
  SeriesList out;
  for (size_t i = 0; i < list.size(); ++i) {
    if (!Inside(low, averages[i], high)) out.push_back(std::move(list[i]));
  }
  return out;
}

Result<SeriesList> RemoveBetweenPercentile(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(double n, call.Number("n"));
  if (list.empty()) return list;
  size_t columns = list.front().values.size();  // zip() stops at the shortest series
  for (const Series& s : list) columns = std::min(columns, s.values.size());
  std::vector<std::pair<double, double>> bands;
  std::vector<double> column(list.size());
  for (size_t i = 0; i < columns; ++i) {
    for (size_t k = 0; k < list.size(); ++k) column[k] = list[k].values[i];
    bands.push_back(Band(column, n));
  }
  SeriesList out;
  for (Series& s : list) {
    bool outside = false;
    for (size_t i = 0; i < columns && !outside; ++i) {
      outside = !Inside(bands[i].first, s.values[i], bands[i].second);
    }
    if (outside) out.push_back(std::move(s));
  }
  return out;
}

ParamSpec Multiple(std::string name) {
  ParamSpec p = Param(std::move(name), ParamType::kSeriesList);
  p.multiple = true;
  return p;
}

void AddThresholds(FunctionRegistry& r) {
  struct Filter {
    const char* name;
    const char* func;
    const char* op;
    const char* what;
  };
  const Filter kFilters[] = {
      {"currentAbove", "last", ">", "whose last value is above N"},
      {"currentBelow", "last", "<=", "whose last value is at most N (or null)"},
      {"averageAbove", "average", ">", "whose average value is above N"},
      {"averageBelow", "average", "<=", "whose average value is at most N (or null)"},
      {"maximumAbove", "max", ">", "whose maximum value is above N"},
      {"maximumBelow", "max", "<=", "whose maximum value is at most N (or null)"},
      {"minimumAbove", "min", ">", "whose minimum value is above N"},
      {"minimumBelow", "min", "<=", "whose minimum value is at most N (or null)"}};
  for (const Filter& f : kFilters) {
    Add(r, f.name, "Filter Series",
        fmt::format("Draws only the metrics {} over the time period. This is "
                    ":py:func:`filterSeries <filterSeries>` with ``{}`` and ``{}``.",
                    f.what, f.func, f.op),
        ListAnd("n", ParamType::kFloat), Threshold(f.func, f.op));
  }
  ParamSpec op = Param("operator", ParamType::kString);
  op.options = {"!=", "<", "<=", "=", ">", ">="};
  Add(r, "filterSeries", "Filter Series",
      "Draws only the metrics whose value, aggregated over the time period by the given "
      "function, compares with the threshold by the operator (``=``, ``!=``, ``>``, ``>=``, "
      "``<``, ``<=``); a null aggregate passes only ``!=``, ``<`` and ``<=``.",
      {List(), Param("func", ParamType::kAggFunc), op, Param("threshold", ParamType::kFloat)},
      FilterSeries);
  Add(r, "exclude", "Filter Series",
      "Excludes the metrics whose name matches the regular expression (Python re.search).",
      ListAnd("pattern", ParamType::kString), RegexFilter(false));
  Add(r, "grep", "Filter Series",
      "Draws only the metrics whose name matches the regular expression (Python re.search).",
      ListAnd("pattern", ParamType::kString), RegexFilter(true));
  Add(r, "removeEmptySeries", "Filter Series",
      "Removes the metrics without data: a metric is kept when it has a non-null value and the "
      "share of non-null values reaches xFilesFactor (default 0).",
      {List(), Param("xFilesFactor", ParamType::kFloat, false)}, RemoveEmptySeries);
  Add(r, "unique", "Filter Series",
      "Takes any number of seriesLists and returns the series with distinct names, first one "
      "wins.",
      {Multiple("seriesLists")}, Unique);
}

void AddDataFilters(FunctionRegistry& r) {
  for (bool above : {true, false}) {
    Add(r, above ? "removeAboveValue" : "removeBelowValue", "Filter Data",
        fmt::format("Sets the values {} N to null; the series is renamed "
                    "``{}(<name>, <N>)``.",
                    above ? "above" : "below (and null ones)",
                    above ? "removeAboveValue" : "removeBelowValue"),
        ListAnd("n", ParamType::kFloat), RemoveByValue(above));
    Add(r, above ? "removeAbovePercentile" : "removeBelowPercentile", "Filter Data",
        fmt::format("Sets the values {} the n-th percentile of each series to null; the series "
                    "is renamed ``{}(<name>, <n>)``.",
                    above ? "above" : "below",
                    above ? "removeAbovePercentile" : "removeBelowPercentile"),
        ListAnd("n", ParamType::kFloat), RemoveByPercentile(above));
  }
  Add(r, "removeBetweenPercentile", "Filter Series",
      "Removes the series whose every value lies strictly between the (100-n)-th and n-th "
      "percentiles of all values at that point (n below 50 is mirrored).",
      ListAnd("n", ParamType::kFloat), RemoveBetweenPercentile);
  Add(r, "averageOutsidePercentile", "Filter Series",
      "Removes the series whose average lies strictly between the (100-n)-th and n-th "
      "percentiles of all averages (n below 50 is mirrored).",
      ListAnd("n", ParamType::kFloat), AverageOutsidePercentile);
  Add(r, "nPercentile", "Calculate",
      "Returns, for each series, a flat line at its n-th percentile value, named "
      "``nPercentile(<name>, <n>)``.",
      ListAnd("n", ParamType::kFloat), NPercentile);
  Add(r, "useSeriesAbove", "Filter Series",
      "For each series whose maximum is greater than value, the regular expression search and "
      "replace is applied to its name and the resulting metric is drawn instead.",
      {List(), Param("value", ParamType::kFloat), Param("search", ParamType::kString),
       Param("replace", ParamType::kString)},
      UseSeriesAbove);
  Add(r, "fallbackSeries", "Special",
      "Draws the seriesList, or the fallback metric when the seriesList matches no series.",
      {List(), Param("fallback", ParamType::kSeriesList)}, FallbackSeries);
}

}  // namespace
}  // namespace meridian::query::filter_internal

namespace meridian::query {

void RegisterFilterFunctions(FunctionRegistry& registry) {
  filter_internal::AddRanking(registry);
  filter_internal::AddThresholds(registry);
  filter_internal::AddDataFilters(registry);
  filter_internal::AddSorting(registry);
}

}  // namespace meridian::query
