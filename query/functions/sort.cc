// Ranking and sorting functions (graphite-web 1.1 render/functions.py, groups 'Filter Series'
// for highest*/lowest*/limit/mostDeviant and 'Sorting').
//
// graphite-web sorts with Python's stable list.sort (reverse=True keeps ties in input order) and
// ranks a None aggregate as -inf (keyFunc); std::stable_sort with the same keys reproduces both.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "query/function_registry.h"
#include "query/functions/common.h"
#include "query/functions/filter_internal.h"

namespace meridian::query::filter_internal {
namespace {

using core::Result;
using functions::IsNull;
using functions::kNull;

constexpr double kNegInf = -HUGE_VAL;

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

}  // namespace

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

}  // namespace meridian::query::filter_internal
