// Reducers and no-data policies of alert rules (rule.h).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <vector>

#include "alerting/rule.h"

namespace meridian::alerting {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct NamedKind {
  std::string_view name;
  ReduceKind kind;
};
constexpr NamedKind kReducerNames[] = {
    {"last", ReduceKind::kLast},     {"first", ReduceKind::kFirst}, {"avg", ReduceKind::kAvg},
    {"average", ReduceKind::kAvg},   {"mean", ReduceKind::kAvg},    {"min", ReduceKind::kMin},
    {"max", ReduceKind::kMax},       {"sum", ReduceKind::kSum},     {"count", ReduceKind::kCount},
    {"median", ReduceKind::kMedian}, {"diff", ReduceKind::kDiff},
};

core::Result<double> ParsePercentile(std::string_view digits) {
  // Digits with an optional fraction only: from_chars would also take "1e2", "inf" or "-1".
  const bool well_formed =
      !digits.empty() && std::isdigit(static_cast<unsigned char>(digits.front())) &&
      std::isdigit(static_cast<unsigned char>(digits.back())) &&
      std::all_of(digits.begin(), digits.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; }) &&
      std::count(digits.begin(), digits.end(), '.') <= 1;
  double value = 0;
  if (well_formed) {
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec == std::errc() && ptr == digits.data() + digits.size() && value <= 100) return value;
  }
  return core::InvalidArgument("bad percentile 'p" + std::string(digits) +
                               "': expected p0 to p100, e.g. p95 or p99.9");
}

// graphite-web's _getPercentile(points, n) without interpolation (what nPercentile uses): the
// NIST rank (n/100)·(N+1) rounded up, clamped to the first and last value. REQUIRES: sorted,
// non-empty.
double GraphitePercentile(const std::vector<double>& sorted, double n) {
  const double fractional_rank = (n / 100.0) * static_cast<double>(sorted.size() + 1);
  auto rank = static_cast<size_t>(fractional_rank);
  if (fractional_rank - static_cast<double>(rank) > 0) ++rank;
  if (rank == 0) return sorted.front();
  if (rank - 1 >= sorted.size()) return sorted.back();
  return sorted[rank - 1];
}

double Median(const std::vector<double>& sorted) {
  const size_t mid = sorted.size() / 2;
  if (sorted.size() % 2 == 1) return sorted[mid];
  return (sorted[mid - 1] + sorted[mid]) / 2;
}

}  // namespace

core::Result<Reducer> ParseReducer(std::string_view text) {
  for (const NamedKind& named : kReducerNames) {
    if (text == named.name) return Reducer{named.kind, 0};
  }
  if (text.size() > 1 && text.front() == 'p') {
    ASSIGN_OR_RETURN(double percentile, ParsePercentile(text.substr(1)));
    return Reducer{ReduceKind::kPercentile, percentile};
  }
  return core::InvalidArgument("unknown reducer '" + std::string(text) +
                               "': expected last, first, avg (average, mean), min, max, sum, "
                               "count, median, diff or pNN (e.g. p95, p99.9)");
}

std::string ToString(const Reducer& reducer) {
  if (reducer.kind == ReduceKind::kPercentile) return "p" + FormatDecimal(reducer.percentile);
  for (const NamedKind& named : kReducerNames) {
    if (named.kind == reducer.kind) return std::string(named.name);
  }
  return "?";
}

double Reduce(const Reducer& reducer, std::span<const double> values) {
  std::vector<double> present;
  present.reserve(values.size());
  for (double v : values) {
    if (!std::isnan(v)) present.push_back(v);
  }
  if (present.empty()) return kNaN;
  switch (reducer.kind) {
    case ReduceKind::kLast:
      return present.back();
    case ReduceKind::kFirst:
      return present.front();
    case ReduceKind::kDiff:
      return present.back() - present.front();
    case ReduceKind::kCount:
      return static_cast<double>(present.size());
    case ReduceKind::kMin:
      return *std::min_element(present.begin(), present.end());
    case ReduceKind::kMax:
      return *std::max_element(present.begin(), present.end());
    case ReduceKind::kSum:
    case ReduceKind::kAvg: {
      double sum = 0;
      for (double v : present) sum += v;
      if (reducer.kind == ReduceKind::kSum) return sum;
      return sum / static_cast<double>(present.size());
    }
    case ReduceKind::kMedian:
    case ReduceKind::kPercentile:
      std::sort(present.begin(), present.end());
      if (reducer.kind == ReduceKind::kMedian) return Median(present);
      return GraphitePercentile(present, reducer.percentile);
  }
  return kNaN;
}

core::Result<NoDataPolicy> ParseNoDataPolicy(std::string_view text) {
  for (NoDataPolicy policy : {NoDataPolicy::kUnknown, NoDataPolicy::kOk, NoDataPolicy::kWarning,
                              NoDataPolicy::kCritical, NoDataPolicy::kKeep}) {
    if (text == ToString(policy)) return policy;
  }
  return core::InvalidArgument("unknown no_data policy '" + std::string(text) +
                               "': expected unknown, ok, warning, critical or keep");
}

std::string_view ToString(NoDataPolicy policy) {
  switch (policy) {
    case NoDataPolicy::kUnknown:
      return "unknown";
    case NoDataPolicy::kOk:
      return "ok";
    case NoDataPolicy::kWarning:
      return "warning";
    case NoDataPolicy::kCritical:
      return "critical";
    case NoDataPolicy::kKeep:
      return "keep";
  }
  return "unknown";
}

}  // namespace meridian::alerting
