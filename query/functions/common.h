// Shared maths and naming helpers of the function library, with graphite-web's exact semantics
// (render/functions.py, functions/aggfuncs.py, render/datalib.py).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "query/function_registry.h"
#include "query/series.h"

namespace meridian::query::functions {

inline bool IsNull(double v) { return v != v; }  // NaN marks None
constexpr double kNull = __builtin_nan("");

// Python's "%g" (6 significant digits), as graphite-web formats numbers in series names.
std::string FormatG(double v);
// Python's str()/repr() of a float or int-valued float: "2" for ints given as int, "2.0" for
// floats; graphite-web uses both (`str(n)` of an int argument prints without ".0").
std::string FormatNumberArg(double v, bool is_integer);
// Python's str() of the numeric argument `param` as a graphite-web function receives it after
// validateParams (functions/params.py): float(x) for a kFloat parameter ("2" → "2.0"), the
// literal's own type for any other ("2" → "2", "2.0" → "2.0"; graphite-web rejects a float for an
// integer parameter). `fallback` (str() of the Python default, which is never validated) when the
// argument is absent or not a number.
std::string NumberArgText(const Call& call, std::string_view param, ParamType type,
                          std::string_view fallback);

// Python's round(x, ndigits) for floats: correctly rounded through the decimal representation.
double PyRound(double x, int64_t ndigits);
// Python's // and % on ints (floor division; the remainder has the divisor's sign).
// REQUIRES: b != 0.
int64_t FloorDiv(int64_t a, int64_t b);
int64_t FloorMod(int64_t a, int64_t b);
// parseTimeOffset(text) in signed seconds; INVALID_ARGUMENT naming the call's function.
core::Result<int64_t> IntervalArg(const Call& call, std::string_view text);

// Registration helpers: a parameter as graphite-web's Param(name, type, required, default,
// multiple, options), and a function added to a registry.
ParamSpec MakeParam(std::string name, ParamType type, bool required = false, bool multiple = false,
                    std::optional<std::string> default_json = std::nullopt,
                    std::vector<std::string> options = {});
void AddFunction(FunctionRegistry& registry, std::string name, std::string group,
                 std::string description, std::vector<ParamSpec> params, FunctionImpl impl);
// graphite-web's aggFunc options (valid names and aliases, sorted) as /functions shows them.
std::vector<std::string> AggFuncOptions();

// graphite-web's aggregation functions by name (functions/aggfuncs.py getAggFunc): average/avg,
// avg_zero, median, sum/total, min, max, diff, stddev, count, range/rangeOf, multiply,
// last/current. Names with a "Series" suffix are accepted (sumSeries → sum). nullopt for an
// unknown name.
using AggFunc = std::optional<double> (*)(std::span<const double> values_with_nulls);
std::optional<AggFunc> GetAggFunc(std::string_view name);
// The canonical name graphite-web uses when naming results ("avg" → "average").
std::string CanonicalAggName(std::string_view name);
std::vector<std::string> AggFuncNames();

// TimeSeries consolidation (datalib.py __consolidatingGenerator): buckets of `values_per_point`
// values reduced by `func` (sum, average/avg, avg_zero, min, max, first, last) when the share of
// non-null values ≥ xff, else null; a partial last bucket is kept. An unknown function name
// consolidates as average (graphite-web raises; consolidateBy validates names up front).
std::vector<double> Consolidate(std::span<const double> values, int64_t values_per_point,
                                std::string_view func, double xff);

// graphite-web's normalize(): step = LCM of steps, every series consolidated to it (its own
// consolidation function and xFilesFactor), start = min start, end = max end trimmed to a whole
// number of steps. The values are NOT realigned: graphite-web combines by index (zip_longest).
// Per input series, `values` views its values consolidated to `step`: the series' own values
// when its step already is `step` (no copy — the list given to Normalize must outlive the
// result, which is why a temporary list is refused), else a consolidated copy kept in `owned`.
struct Normalized {
  std::vector<std::span<const double>> values;
  std::vector<std::vector<double>> owned;
  int64_t start = 0;
  int64_t end = 0;
  int64_t step = 0;
  size_t length = 0;  // longest consolidated series (zip_longest)

  Normalized() = default;
  Normalized(Normalized&&) = default;
  Normalized& operator=(Normalized&&) = default;
  Normalized(const Normalized&) = delete;  // the views would point into the original
  Normalized& operator=(const Normalized&) = delete;
};
core::Result<Normalized> Normalize(const SeriesList& series);
core::Result<Normalized> Normalize(SeriesList&& series) = delete;  // the views would dangle

// Applies an aggregation point by point across normalized series (zip_longest; missing = null),
// with graphite-web's xFilesFactor rule for aggregates (nonNull/total < xff → null).
std::vector<double> AggregateAcross(const Normalized& n, AggFunc func, double xff);

// ",".join of unique pathExpressions in first-seen order (formatPathExpressions).
std::string JoinPathExpressions(const SeriesList& series);

// The tags (key and value) every series of the list carries; {} for an empty list.
std::map<std::string, std::string> CommonTags(const SeriesList& series);
// The tags an aggregate result carries (graphite-web's aggregate()): CommonTags, name = `name`
// unless every input shares one name tag, and aggregatedBy = `func`.
std::map<std::string, std::string> AggregateTags(const SeriesList& series, const std::string& name,
                                                 std::string_view func);
// The same from the inputs' common tags (CommonTags), when the inputs themselves are not at hand
// (aggregate push-down).
std::map<std::string, std::string> AggregateTags(std::map<std::string, std::string> common_tags,
                                                 const std::string& name, std::string_view func);

// graphite-web's _getPercentile (NIST method): the n-th percentile of the non-null points, an
// actual point unless `interpolate`; nullopt when every point is null. Ranks past the end give
// the largest point (graphite-web raises IndexError there).
std::optional<double> GetPercentile(std::span<const double> points, double n, bool interpolate);

// True for names TimeSeries does not parse tags from: ^[a-z]+[(].+[)]$, case-insensitive.
bool LooksLikeCall(std::string_view name);

// A new series shaped like `like` (window, step, consolidation, xff) with a name, values,
// path_expression = name, and tags derived from the name as TimeSeries() does: {"name": name}
// for a function-wrapped name (LooksLikeCall), else TagsForName(name).
Series MakeSeries(const Series& like, std::string name, std::vector<double> values);

// The metric path inside a (possibly function-wrapped) series name, as aliasByNode and friends
// find it: the first path-like token (graphite-web's `_getFirstPathExpression` /
// `re.search('[^(,]+', ...)` logic for names like "sumSeries(a.b.c,d)"), before any ';' tags.
// Precisely: a name not ending in ')' is returned as is; otherwise calls are descended through
// their first argument as graphite-web's grammar would, and when that argument is not a path (a
// number or string: "sumSeries(seriesByTag('name=x'))") the whole name is returned, as
// graphite-web falls back to series.name. Either way cut at the first ';'.
std::string FirstPathExpression(std::string_view name);
// Dot-split nodes of a path.
std::vector<std::string> SplitNodes(std::string_view path);

}  // namespace meridian::query::functions
