// graphite-web's value consolidation (TimeSeries.__consolidatingGenerator in render/datalib.py):
// the reduction maxDataPoints applies to buckets of consecutive values.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace meridian::query::internal {

enum class ConsolidationFunc { kSum, kAverage, kAvgZero, kMin, kMax, kFirst, kLast };

// "sum", "average" (alias "avg"), "avg_zero", "min", "max", "first", "last"; nullopt otherwise.
std::optional<ConsolidationFunc> ParseConsolidationFunc(std::string_view name);

// Reduces each run of `values_per_point` values (NaN = None) to one value; a partial last run is
// kept. A bucket is NaN when it holds no non-NaN value, or when non-NaN count / values_per_point
// (the full bucket size, also for the partial last bucket) is below `x_files_factor`. avg_zero
// counts NaN as 0 in the mean; average divides by the non-NaN count. Sums add in order from 0, as
// Python 3.11's sum() does. REQUIRES: values_per_point >= 1.
std::vector<double> ConsolidateValues(const std::vector<double>& values, int64_t values_per_point,
                                      ConsolidationFunc func, double x_files_factor);

}  // namespace meridian::query::internal
