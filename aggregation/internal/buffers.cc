#include "aggregation/internal/buffers.h"

#include <algorithm>
#include <cmath>

namespace meridian::aggregation::internal {
namespace {

// Python's `%` for a positive divisor: never negative.
int64_t FloorMod(int64_t a, int64_t b) {
  const int64_t r = a % b;
  return r < 0 ? r + b : r;
}

}  // namespace

void IntervalValues::Add(double v, bool keep_value) {
  if (count == 0) {
    sum = v;  // Python: 0 + v == v, also for -0.0
    min = v;
    max = v;
  } else {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  ++count;
  if (keep_value) values.push_back(v);
}

double Aggregate(Method method, double percentile, const IntervalValues& v) {
  switch (method) {
    case Method::kSum:
      return v.sum;
    case Method::kAvg:
      return v.sum / static_cast<double>(v.count);
    case Method::kMin:
      return v.min;
    case Method::kMax:
      return v.max;
    case Method::kCount:
      return static_cast<double>(v.count);
    case Method::kPercentile: {
      std::vector<double> sorted = v.values;
      std::sort(sorted.begin(), sorted.end());
      const double rank = percentile * static_cast<double>(sorted.size() - 1);
      const auto left = static_cast<size_t>(std::floor(rank));
      const auto right = static_cast<size_t>(std::ceil(rank));
      if (left == right) return sorted[left];
      return sorted[left] * (static_cast<double>(right) - rank) +
             sorted[right] * (rank - static_cast<double>(left));
    }
  }
  return 0;
}

Buffers::AddResult Buffers::Add(std::string_view output, const AggregationRule& rule,
                                uint32_t rule_index, int64_t timestamp, double value, int64_t now) {
  auto it = metrics_.find(output);
  const int64_t frequency = it == metrics_.end() ? rule.frequency : it->second.frequency;
  const int64_t interval = timestamp - FloorMod(timestamp, frequency);
  const int64_t current = now - FloorMod(now, frequency);
  if (interval < current - limits_.max_intervals * frequency) return AddResult::kLate;
  const bool keep_value =
      (it == metrics_.end() ? rule.method : it->second.method) == Method::kPercentile;
  if (keep_value && value_count_ >= limits_.max_values) return AddResult::kMaxValues;
  if (it == metrics_.end()) {
    if (interval_count_ >= limits_.max_intervals_held) return AddResult::kMaxBuffers;
    Metric m;
    m.frequency = rule.frequency;
    m.method = rule.method;
    m.percentile = rule.percentile;
    m.rule = rule_index;
    it = metrics_.emplace(std::string(output), std::move(m)).first;
  }
  auto [slot, inserted] = it->second.intervals.try_emplace(interval);
  if (inserted) {
    if (interval_count_ >= limits_.max_intervals_held) {
      it->second.intervals.erase(slot);
      if (it->second.intervals.empty()) metrics_.erase(it);
      return AddResult::kMaxBuffers;
    }
    ++interval_count_;
  }
  slot->second.values.Add(value, keep_value);
  slot->second.active = true;
  if (keep_value) ++value_count_;
  ++point_count_;
  return AddResult::kAdded;
}

void Buffers::Collect(int64_t now, bool everything, std::vector<Emitted>* out) {
  for (auto it = metrics_.begin(); it != metrics_.end();) {
    Metric& m = it->second;
    const int64_t current = now - FloorMod(now, m.frequency);
    const int64_t oldest = current - limits_.max_intervals * m.frequency;
    for (auto iv = m.intervals.begin(); iv != m.intervals.end();) {
      Interval& interval = iv->second;
      bool emitted_now = false;
      if (interval.active && (everything || iv->first + m.frequency <= now)) {
        out->push_back(
            {it->first, iv->first, Aggregate(m.method, m.percentile, interval.values), m.rule});
        interval.active = false;
        emitted_now = true;  // kept until the next Collect, in case the write is refused
      }
      if (iv->first < oldest && !interval.active && !emitted_now) {
        value_count_ -= interval.values.values.size();
        point_count_ -= interval.values.count;
        --interval_count_;
        iv = m.intervals.erase(iv);
      } else {
        ++iv;
      }
    }
    if (m.intervals.empty()) {
      it = metrics_.erase(it);
    } else {
      ++it;
    }
  }
}

void Buffers::Reactivate(const std::vector<Emitted>& emitted) {
  for (const Emitted& e : emitted) {
    auto it = metrics_.find(e.name);
    if (it == metrics_.end()) continue;
    auto iv = it->second.intervals.find(e.interval);
    if (iv != it->second.intervals.end()) iv->second.active = true;
  }
}

size_t Buffers::Clear() {
  const size_t dropped = point_count_;
  metrics_.clear();
  interval_count_ = 0;
  value_count_ = 0;
  point_count_ = 0;
  return dropped;
}

}  // namespace meridian::aggregation::internal
