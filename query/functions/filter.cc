// Filter and sort functions (graphite-web 1.1 render/functions.py, groups 'Filter Series',
// 'Filter Data', 'Sorting'; plus nPercentile and fallbackSeries which graphite-web files under
// 'Calculate' and 'Special').
//
// graphite-web sorts with Python's stable list.sort (reverse=True keeps ties in input order) and
// ranks a None aggregate as -inf (keyFunc); std::stable_sort with the same keys reproduces both.
// Where Python 3 raises comparing None with a number (averageOutsidePercentile,
// removeBetweenPercentile, useSeriesAbove), nulls follow Python 2's ordering instead.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "query/evaluator.h"
#include "query/function_registry.h"
#include "query/functions/common.h"
#include "query/functions/py_regex.h"

namespace meridian::query {
namespace {

using core::Result;
using functions::IsNull;
using functions::kNull;

constexpr double kNegInf = -HUGE_VAL;

Result<functions::AggFunc> AggFuncArg(Call& call, std::string_view param,
                                      std::optional<std::string> fallback = std::nullopt) {
  ASSIGN_OR_RETURN(std::string name, call.String(param, fallback));
  auto func = functions::GetAggFunc(name);
  if (!func) return call.Error(fmt::format("Unsupported aggregation function: {}", name));
  return *func;
}

// keyFunc(): the aggregate of a series' values, None ranking lowest.
double SortKey(functions::AggFunc func, const Series& s) {
  return func(s.values).value_or(kNegInf);
}

// Sorts by key; descending keeps ties in input order, as Python's sort(reverse=True) does.
void SortByKey(SeriesList& list, const std::vector<double>& keys, bool descending) {
  std::vector<size_t> order(list.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return descending ? keys[a] > keys[b] : keys[a] < keys[b];
  });
  SeriesList sorted;
  sorted.reserve(list.size());
  for (size_t i : order) sorted.push_back(std::move(list[i]));
  list = std::move(sorted);
}

void SortByAgg(SeriesList& list, functions::AggFunc func, bool descending) {
  std::vector<double> keys;
  for (const Series& s : list) keys.push_back(SortKey(func, s));
  SortByKey(list, keys, descending);
}

// Python's seriesList[:n] (a negative n drops from the end).
SeriesList Head(SeriesList list, int64_t n) {
  int64_t size = static_cast<int64_t>(list.size());
  int64_t keep = n < 0 ? std::max<int64_t>(0, size + n) : std::min(n, size);
  list.resize(static_cast<size_t>(keep));
  return list;
}

FunctionImpl Ranked(bool descending, std::optional<std::string> fixed_func) {
  return [descending, fixed_func](Call& call) -> Result<SeriesList> {
    ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
    ASSIGN_OR_RETURN(int64_t n, call.Integer("n", 1));
    functions::AggFunc func;
    if (fixed_func) {
      func = *functions::GetAggFunc(*fixed_func);
    } else {
      ASSIGN_OR_RETURN(func, AggFuncArg(call, "func", "average"));
    }
    SortByAgg(list, func, descending);
    return Head(std::move(list), n);
  };
}

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

Result<SeriesList> SortBy(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(functions::AggFunc func, AggFuncArg(call, "func", "average"));
  ASSIGN_OR_RETURN(bool reverse, call.Bool("reverse", false));
  SortByAgg(list, func, reverse);
  return list;
}

FunctionImpl SortByFixed(std::string func, bool descending) {
  return [func, descending](Call& call) -> Result<SeriesList> {
    ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
    SortByAgg(list, *functions::GetAggFunc(func), descending);
    return list;
  };
}

// sortByName(natural=True): digit runs compare as "{0:010}".format(int(run)).
std::string NaturalKey(const std::string& name) {
  std::string key;
  for (size_t i = 0; i < name.size();) {
    if (!std::isdigit(static_cast<unsigned char>(name[i]))) {
      key.push_back(name[i++]);
      continue;
    }
    size_t j = i;
    while (j < name.size() && std::isdigit(static_cast<unsigned char>(name[j]))) ++j;
    std::string run = name.substr(i, j - i);
    run.erase(0, std::min(run.find_first_not_of('0'), run.size() - 1));  // int() drops zeros
    if (run.size() < 10) run.insert(0, 10 - run.size(), '0');
    key += run;
    i = j;
  }
  return key;
}

Result<SeriesList> SortByName(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(bool natural, call.Bool("natural", false));
  ASSIGN_OR_RETURN(bool reverse, call.Bool("reverse", false));
  std::vector<std::string> keys;
  for (const Series& s : list) keys.push_back(natural ? NaturalKey(s.name) : s.name);
  std::vector<size_t> order(list.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return reverse ? keys[a] > keys[b] : keys[a] < keys[b];
  });
  SeriesList out;
  for (size_t i : order) out.push_back(std::move(list[i]));
  return out;
}

Result<SeriesList> SortByMinima(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  auto max = *functions::GetAggFunc("max");
  std::erase_if(list, [&](const Series& s) { return !(max(s.values).value_or(0) > 0); });
  SortByAgg(list, *functions::GetAggFunc("min"), false);
  return list;
}

Result<SeriesList> Limit(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(int64_t n, call.Integer("n"));
  return Head(std::move(list), n);
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

Result<SeriesList> MostDeviant(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(int64_t n, call.Integer("n"));
  SeriesList deviants;
  std::vector<double> sigmas;
  for (Series& s : list) {
    std::optional<double> mean = (*functions::GetAggFunc("average"))(s.values);
    if (!mean) continue;
    double square_sum = 0;
    size_t count = 0;
    for (double v : s.values) {
      if (IsNull(v)) continue;
      square_sum += (v - *mean) * (v - *mean);
      ++count;
    }
    sigmas.push_back(square_sum / static_cast<double>(count));
    deviants.push_back(std::move(s));
  }
  SortByKey(deviants, sigmas, true);
  return Head(std::move(deviants), n);
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

ParamSpec Param(std::string name, ParamType type, bool required = true,
                std::optional<std::string> default_json = std::nullopt) {
  ParamSpec p;
  p.name = std::move(name);
  p.type = type;
  p.required = required;
  p.default_json = std::move(default_json);
  if (type == ParamType::kAggFunc) p.options = functions::AggFuncNames();
  return p;
}

ParamSpec List() { return Param("seriesList", ParamType::kSeriesList); }
ParamSpec Multiple(std::string name) {
  ParamSpec p = Param(std::move(name), ParamType::kSeriesList);
  p.multiple = true;
  return p;
}
std::vector<ParamSpec> ListAnd(std::string name, ParamType type) {
  return {List(), Param(std::move(name), type)};
}

void Add(FunctionRegistry& r, std::string name, std::string group, std::string description,
         std::vector<ParamSpec> params, FunctionImpl impl) {
  r.Add(FunctionSpec{std::move(name), std::move(group), std::move(description), std::move(params),
                     std::move(impl)});
}

void AddRanking(FunctionRegistry& r) {
  struct Ranking {
    const char* name;
    bool highest;
    const char* func;
    const char* what;
  };
  const Ranking kRankings[] = {
      {"highestCurrent", true, "current", "the highest value at the end of the time period"},
      {"highestMax", true, "max", "the highest maximum value in the time period"},
      {"highestAverage", true, "average", "the highest average value over the time period"},
      {"lowestCurrent", false, "current", "the lowest value at the end of the time period"},
      {"lowestAverage", false, "average", "the lowest average value over the time period"}};
  for (const Ranking& k : kRankings) {
    Add(r, k.name, "Filter Series",
        fmt::format("Out of all metrics passed, draws only the N metrics with {}. This is an "
                    "alias for :py:func:`{} <{}>` with aggregation ``{}``.",
                    k.what, k.highest ? "highest" : "lowest", k.highest ? "highest" : "lowest",
                    k.func),
        ListAnd("n", ParamType::kInteger), Ranked(k.highest, k.func));
  }
  for (bool highest : {true, false}) {
    Add(r, highest ? "highest" : "lowest", "Filter Series",
        fmt::format("Out of all metrics passed, draws only the N metrics with the {} aggregated "
                    "value (by the given aggregation function) over the time period; a null "
                    "aggregate ranks lowest.",
                    highest ? "highest" : "lowest"),
        {List(), Param("n", ParamType::kInteger),
         Param("func", ParamType::kAggFunc, false, "\"average\"")},
        Ranked(highest, std::nullopt));
  }
  Add(r, "limit", "Filter Series",
      "Only draws the first N metrics of the list. Useful when testing a wildcard.",
      ListAnd("n", ParamType::kInteger), Limit);
  Add(r, "mostDeviant", "Filter Series",
      "Draws the N metrics with the highest standard deviation of their non-null values.",
      ListAnd("n", ParamType::kInteger), MostDeviant);
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

void AddSorting(FunctionRegistry& r) {
  Add(r, "sortBy", "Sorting",
      "Sorts the metrics by their value aggregated over the time period with the given "
      "function, ascending unless reverse; a null aggregate sorts lowest.",
      {List(), Param("func", ParamType::kAggFunc, false, "\"average\""),
       Param("reverse", ParamType::kBoolean, false, "false")},
      SortBy);
  Add(r, "sortByName", "Sorting",
      "Sorts the metrics by name, alphabetically or naturally (numbers by value: server1, "
      "server2, server11), optionally reversed.",
      {List(), Param("natural", ParamType::kBoolean, false, "false"),
       Param("reverse", ParamType::kBoolean, false, "false")},
      SortByName);
  Add(r, "sortByTotal", "Sorting",
      "Sorts the metrics in descending order by the sum of their values over the time period.",
      {List()}, SortByFixed("sum", true));
  Add(r, "sortByMaxima", "Sorting",
      "Sorts the metrics in descending order by their maximum value over the time period.",
      {List()}, SortByFixed("max", true));
  Add(r, "sortByMinima", "Sorting",
      "Sorts the metrics in ascending order by their minimum value over the time period, "
      "keeping only metrics whose maximum is greater than 0.",
      {List()}, SortByMinima);
}

}  // namespace

void RegisterFilterFunctions(FunctionRegistry& registry) {
  AddRanking(registry);
  AddThresholds(registry);
  AddDataFilters(registry);
  AddSorting(registry);
}

}  // namespace meridian::query
