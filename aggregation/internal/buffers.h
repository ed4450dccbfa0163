// Buffers: carbon-aggregator's per-output-metric interval buffers (lib/carbon/aggregator/
// buffers.py), with time passed in. Socket-free, clock-free, not thread-safe (AggregatingSink
// holds its lock around every call).
//
// A buffer per output metric, bound to the frequency and method of the rule that created it (as
// carbon: a second rule yielding the same output feeds the same buffer). A point lands in the
// interval `ts - ts mod frequency`. Collect(now) emits every interval that received points since
// it was last emitted and has ended (interval + frequency <= now), with the aggregate of all its
// points so far, so a point arriving after its interval was emitted re-emits the interval (the
// store keeps the last write). Intervals older than `now`'s interval − max_intervals × frequency
// are forgotten; a point for one of them is refused (kLate) — carbon would start the interval
// afresh and overwrite the full aggregate with one of only the late points.
#pragma once

#include <climits>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "aggregation/rule.h"

namespace meridian::aggregation::internal {

// What one interval has received: running sum (left to right, as Python's sum()), count, min and
// max (the first of equal values, as Python's min()/max()), and the values themselves for the
// percentile methods only.
struct IntervalValues {
  double sum = 0;
  double min = 0;
  double max = 0;
  uint64_t count = 0;
  std::vector<double> values;  // kPercentile only; values[0, sorted) are in order
  size_t sorted = 0;

  void Add(double v, bool keep_value);
};

// carbon's aggregation function of `method` over one interval. REQUIRES: v.count > 0.
// Percentiles sort `v.values` in place (only what arrived since the last call, then a merge: an
// interval re-emitted while it grows is not re-sorted from scratch).
double Aggregate(Method method, double percentile, IntervalValues& v);

struct BufferLimits {
  int64_t max_intervals = 5;              // MAX_AGGREGATION_INTERVALS
  size_t max_intervals_held = 1'000'000;  // (output, interval) buffers across all outputs
  size_t max_values = 10'000'000;         // values held for percentile rules, in all
};

class Buffers {
 public:
  enum class AddResult { kAdded, kLate, kMaxBuffers, kMaxValues };

  struct Emitted {
    std::string name;
    int64_t interval = 0;
    double value = 0;
    uint32_t rule = 0;  // index of the rule that created the buffer
  };

  explicit Buffers(const BufferLimits& limits) : limits_(limits) {}

  // A caller's cached reference to an output's buffer: while valid it saves the name lookup
  // (the hot path: the same outputs every batch). Invalidated whenever a buffer is forgotten.
  struct Handle {
    const void* metric = nullptr;
    uint64_t epoch = 0;
  };

  // Adds a point to `output`'s buffer (created with `rule`'s frequency and method). `handle`
  // (optional) is used when valid and refreshed otherwise.
  AddResult Add(std::string_view output, const AggregationRule& rule, uint32_t rule_index,
                int64_t timestamp, double value, int64_t now, Handle* handle = nullptr);

  // Appends the intervals due at `now` (all active ones when `everything`) to *out, marks them
  // emitted, and forgets expired intervals and empty buffers.
  void Collect(int64_t now, bool everything, std::vector<Emitted>* out);
  // Marks emitted intervals active again (their write was refused): the next Collect retries.
  void Reactivate(const std::vector<Emitted>& emitted);
  // Forgets everything; returns the number of points the forgotten intervals held.
  size_t Clear();

  size_t interval_count() const { return interval_count_; }
  size_t value_count() const { return value_count_; }
  size_t point_count() const { return point_count_; }
  size_t metric_count() const { return metrics_.size(); }

 private:
  struct Interval {
    IntervalValues values;
    bool active = true;
  };
  struct Metric {
    int64_t frequency = 0;
    Method method = Method::kSum;
    double percentile = 0;
    uint32_t rule = 0;
    std::map<int64_t, Interval> intervals;
    // The interval the last point went to (points arrive mostly in order); null when unknown.
    Interval* last = nullptr;
    int64_t last_start = 0;
    // The oldest interval start accepted at `oldest_now` (saves two divisions per point).
    int64_t oldest_now = INT64_MIN;
    int64_t oldest = 0;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };

  BufferLimits limits_;
  std::unordered_map<std::string, Metric, Hash, std::equal_to<>> metrics_;
  uint64_t epoch_ = 0;  // +1 whenever a Metric is erased: Handles older than that are stale
  size_t interval_count_ = 0;
  size_t value_count_ = 0;  // percentile values held
  size_t point_count_ = 0;  // points in the intervals held
};

}  // namespace meridian::aggregation::internal
