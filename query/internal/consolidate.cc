#include "query/internal/consolidate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "query/formats.h"

namespace meridian::query {
namespace internal {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The bucket's usable values: non-NaN ones, plus a 0 per NaN for avg_zero (as graphite-web
// appends 0 to its buffer), in order.
double Reduce(const std::vector<double>& usable, ConsolidationFunc func) {
  switch (func) {
    case ConsolidationFunc::kFirst:
      return usable.front();
    case ConsolidationFunc::kLast:
      return usable.back();
    case ConsolidationFunc::kMin:
      return *std::min_element(usable.begin(), usable.end());
    case ConsolidationFunc::kMax:
      // Python's max() keeps the first of equal values; only -0.0 vs 0.0 could tell, and
      // max_element keeps the first too.
      return *std::max_element(usable.begin(), usable.end());
    default:
      break;
  }
  double sum = 0;
  for (double v : usable) sum += v;
  if (func == ConsolidationFunc::kSum) return sum;
  return sum / static_cast<double>(usable.size());
}

}  // namespace

std::optional<ConsolidationFunc> ParseConsolidationFunc(std::string_view name) {
  if (name == "sum") return ConsolidationFunc::kSum;
  if (name == "average" || name == "avg") return ConsolidationFunc::kAverage;
  if (name == "avg_zero") return ConsolidationFunc::kAvgZero;
  if (name == "min") return ConsolidationFunc::kMin;
  if (name == "max") return ConsolidationFunc::kMax;
  if (name == "first") return ConsolidationFunc::kFirst;
  if (name == "last") return ConsolidationFunc::kLast;
  return std::nullopt;
}

std::vector<double> ConsolidateValues(const std::vector<double>& values, int64_t values_per_point,
                                      ConsolidationFunc func, double x_files_factor) {
  const auto vpp = static_cast<size_t>(values_per_point);
  std::vector<double> out;
  out.reserve(values.size() / vpp + 1);
  std::vector<double> usable;
  usable.reserve(vpp);
  for (size_t begin = 0; begin < values.size(); begin += vpp) {
    const size_t end = std::min(values.size(), begin + vpp);
    usable.clear();
    size_t non_null = 0;
    for (size_t i = begin; i < end; ++i) {
      if (!std::isnan(values[i])) {
        usable.push_back(values[i]);
        ++non_null;
      } else if (func == ConsolidationFunc::kAvgZero) {
        usable.push_back(0);
      }
    }
    const bool enough =
        non_null > 0 &&
        static_cast<double>(non_null) / static_cast<double>(values_per_point) >= x_files_factor;
    out.push_back(enough ? Reduce(usable, func) : kNaN);
  }
  return out;
}

}  // namespace internal

namespace {

// Python's %: the result takes the sign of the divisor.
int64_t FloorMod(int64_t a, int64_t b) {
  const int64_t r = a % b;
  return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
}

void ConsolidateOne(Series& s, int64_t max_data_points, int64_t time_range,
                    internal::ConsolidationFunc func) {
  if (s.values.empty() || s.step <= 0) return;
  int64_t vpp = 0;
  if (max_data_points == 1) {
    vpp = static_cast<int64_t>(s.values.size());
  } else {
    // Same float arithmetic as graphite-web: n = timeRange / step, vpp = ceil(n / max).
    const double points = static_cast<double>(time_range) / static_cast<double>(s.step);
    if (!(static_cast<double>(max_data_points) < points)) return;
    vpp = static_cast<int64_t>(std::ceil(points / static_cast<double>(max_data_points)));
    const int64_t spp = vpp * s.step;
    const int64_t nudge = spp + FloorMod(s.start, s.step) - FloorMod(s.start, spp);
    s.start += nudge;
    // graphite-web deletes (nudge/step - 1) values, one fewer than the nudge skips, so every
    // value is reported one step later than its own time; identical output needs the same.
    const auto drop = static_cast<size_t>(std::max<int64_t>(nudge / s.step - 1, 0));
    s.values.erase(s.values.begin(),
                   s.values.begin() + static_cast<ptrdiff_t>(std::min(drop, s.values.size())));
  }
  if (vpp <= 1) return;
  s.values = internal::ConsolidateValues(s.values, vpp, func, s.x_files_factor);
  s.step *= vpp;
  s.values_per_point = vpp;
}

}  // namespace

core::Status ConsolidateToMaxDataPoints(SeriesList& series, int64_t max_data_points) {
  if (max_data_points <= 0) {
    return core::InvalidArgument(
        fmt::format("maxDataPoints must be positive, got {}", max_data_points));
  }
  std::vector<internal::ConsolidationFunc> funcs;
  funcs.reserve(series.size());
  bool any_values = false;
  int64_t min_start = 0;
  int64_t max_end = 0;
  for (const Series& s : series) {
    auto func = internal::ParseConsolidationFunc(s.consolidation_func);
    if (!func) {
      return core::InvalidArgument(
          fmt::format("Invalid consolidation function: '{}'", s.consolidation_func));
    }
    funcs.push_back(*func);
    any_values |= !s.values.empty();
    min_start = funcs.size() == 1 ? s.start : std::min(min_start, s.start);
    max_end = funcs.size() == 1 ? s.end : std::max(max_end, s.end);
  }
  if (!any_values) return core::Status::Ok();  // graphite-web: `if any(data)`
  for (size_t i = 0; i < series.size(); ++i) {
    ConsolidateOne(series[i], max_data_points, max_end - min_start, funcs[i]);
  }
  return core::Status::Ok();
}

}  // namespace meridian::query
