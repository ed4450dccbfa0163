// Helpers shared by the Combine function files (combine.cc, group_by.cc, ratio.cc): graphite-web's
// TimeSeries construction, aggregate(), aggKey() grouping and the Combine group's parameter
// builders. Not thread-affine; every function is a pure function of its arguments.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/status.h"
#include "query/function_registry.h"
#include "query/functions/common.h"
#include "query/partials.h"
#include "query/series.h"

namespace meridian::query::combine_internal {

using NodeRefs = std::vector<Call::NodeRef>;

// The request's xFilesFactor. graphite-web reads requestContext['xFilesFactor']; the evaluator
// stamps it on every fetched series, so the first input carries it.
double RequestXff(const SeriesList& inputs);

// graphite-web's TimeSeries(name, start, end, step, values): fresh tags, default consolidation.
Series NewSeries(std::string name, int64_t start, int64_t end, int64_t step,
                 std::vector<double> values, double xff);

// a / b, null when either is null or b is 0.
double SafeDiv(double a, double b);

// Pointwise `op` over two series normalized as a pair (divideSeries, asPercent).
core::Result<Series> Pairwise(const Series& a, const Series& b, std::string name, double xff,
                              double (*op)(double, double));

// aggregate()'s result: "<func>Series(<path_expressions>)" with the inputs' common tags, name
// and aggregatedBy (the Series suffix already stripped from `func`).
Series AggregateSeries(std::string_view func, const std::string& path_expressions,
                       std::map<std::string, std::string> common_tags, int64_t start, int64_t end,
                       int64_t step, std::vector<double> values, double xff);

// graphite-web's aggregate(): `func` may carry a "Series" suffix, which names the result
// ("sumSeries(<pathExpressions>)") without it. Empty input → empty output; an unknown `func` is
// the call's error.
core::Result<SeriesList> Aggregate(Call& call, const SeriesList& inputs, std::string_view raw_func,
                                   std::optional<double> xff);

// Aggregate push-down (query/partials.h). The partial aggregation aggregate()'s `func` maps to
// (sum/total, average/avg, min, max, count, multiply), or nullopt for one that does not
// decompose.
std::optional<PartialOp> PushableOp(std::string_view func);
// What to ask the sources for `op`, grouped by `group_by` (none: one group).
PartialRequest RequestFor(PartialOp op, const NodeRefs& group_by);
// aggregate(<param>, raw_func, xff) from partials when the call can be pushed down (equal to
// Aggregate() over the fetched series), else nullopt: evaluate the argument as usual — also when
// fewer than `min_members` series were aggregated (multiplySeries passes one series through).
core::Result<std::optional<SeriesList>> PushedAggregate(Call& call, std::string_view param,
                                                        std::string_view raw_func,
                                                        std::optional<double> xff,
                                                        uint64_t min_members = 0);

// graphite-web's getNodeOrTag()/aggKey(): nodes of the first path inside the name (Python
// indexing, negative allowed); a node out of range or a tag name reads a tag ('' if absent).
std::string AggKey(const Series& s, const NodeRefs& nodes);

// groupByTags' key: the name tag when `tags` holds "name", else `common`; then ";tag=value" for
// each other tag in `tags` (sorted; '' for a tag the series lacks).
std::string TagsKey(const std::map<std::string, std::string>& series_tags,
                    const std::vector<std::string>& tags, const std::string& common);

// Groups in first-seen key order. The series are moved into their groups (a group of 10k series
// of a day of 10 s points would otherwise copy ~700 MB); pass a copy to keep the inputs.
template <typename KeyFn>
std::vector<std::pair<std::string, SeriesList>> GroupBy(SeriesList inputs, KeyFn key_fn) {
  std::vector<std::pair<std::string, SeriesList>> groups;
  // Key → position in `groups`: linear in the inputs however many groups there are.
  std::unordered_map<std::string, size_t> index;
  for (Series& s : inputs) {
    std::string key = key_fn(s);
    auto [it, added] = index.try_emplace(key, groups.size());
    if (added) groups.emplace_back(std::move(key), SeriesList{});
    groups[it->second].second.push_back(std::move(s));
  }
  return groups;
}

// countSeries() of `inputs`, already normalized as `n`.
Series CountSeriesOf(const SeriesList& inputs, const functions::Normalized& n);
// The same from what it needs of the inputs: their joined path expressions, how many there are
// and the normalized window (a push-down has no inputs at hand).
Series CountSeriesNamed(const std::string& path_expressions, size_t count, int64_t start,
                        int64_t end, int64_t step, size_t length, double xff);

// 100·v/total for each series against one list of totals (consolidated with the inputs at their
// common step); the result keeps each input's own start/end/step, as graphite-web does.
// REQUIRES: n normalizes `inputs` (one values row per input). Defined in ratio.cc.
SeriesList PercentOf(const SeriesList& inputs, const functions::Normalized& n,
                     std::span<const double> totals, const std::string& total_text, double xff);

// Parameter builders mirroring graphite-web's Param(name, type, required, default, multiple).
ParamSpec Param(std::string name, ParamType type, bool required = false, bool multiple = false,
                std::optional<std::string> default_json = std::nullopt);
ParamSpec List(std::string name);  // a required seriesList parameter
// Registers `name` in the "Combine" group.
void Add(FunctionRegistry& r, std::string name, std::string description,
         std::vector<ParamSpec> params, FunctionImpl impl);

// The *WithWildcards, groupByNode(s) and groupByTags functions (group_by.cc).
void AddGrouping(FunctionRegistry& r);
// asPercent/pct, percentileOfSeries and weightedAverage (ratio.cc).
void AddRatios(FunctionRegistry& r);

}  // namespace meridian::query::combine_internal
