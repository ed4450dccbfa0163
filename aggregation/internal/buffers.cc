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

double Aggregate(Method method, double percentile, IntervalValues& v) {
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
      std::vector<double>& sorted = v.values;
      const auto tail = sorted.begin() + static_cast<std::ptrdiff_t>(v.sorted);
      std::sort(tail, sorted.end());
      std::inplace_merge(sorted.begin(), tail, sorted.end());
      v.sorted = sorted.size();
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
                                uint32_t rule_index, int64_t timestamp, double value, int64_t now,
                                Handle* handle) {
  Metric* m = nullptr;
  if (handle != nullptr && handle->metric != nullptr && handle->epoch == epoch_) {
    m = static_cast<Metric*>(const_cast<void*>(handle->metric));
  } else if (auto it = metrics_.find(output); it != metrics_.end()) {
    m = &it->second;
    if (handle != nullptr) *handle = {m, epoch_};
  }
  const int64_t frequency = m == nullptr ? rule.frequency : m->frequency;
  int64_t interval;
  if (m != nullptr && m->last != nullptr && timestamp >= m->last_start &&
      timestamp - m->last_start < frequency) {
    interval = m->last_start;
  } else {
    interval = timestamp - FloorMod(timestamp, frequency);
  }
  int64_t oldest;
  if (m != nullptr && m->oldest_now == now) {
    oldest = m->oldest;
  } else {
    oldest = now - FloorMod(now, frequency) - limits_.max_intervals * frequency;
    if (m != nullptr) {
      m->oldest_now = now;
      m->oldest = oldest;
    }
  }
  if (interval < oldest) return AddResult::kLate;
  const bool keep_value = (m == nullptr ? rule.method : m->method) == Method::kPercentile;
  if (keep_value && value_count_ >= limits_.max_values) return AddResult::kMaxValues;
  Interval* slot = nullptr;
  if (m == nullptr) {
    if (interval_count_ >= limits_.max_intervals_held) return AddResult::kMaxBuffers;
    Metric fresh;
    fresh.frequency = rule.frequency;
    fresh.method = rule.method;
    fresh.percentile = rule.percentile;
    fresh.rule = rule_index;
    m = &metrics_.emplace(std::string(output), std::move(fresh)).first->second;
    if (handle != nullptr) *handle = {m, epoch_};
  } else if (m->last != nullptr && m->last_start == interval) {
    slot = m->last;
  }
  if (slot == nullptr) {
    auto [it, inserted] = m->intervals.try_emplace(interval);
    if (inserted) {
      if (interval_count_ >= limits_.max_intervals_held) {
        m->intervals.erase(it);
        if (m->intervals.empty()) {
          metrics_.erase(metrics_.find(output));
          ++epoch_;
        }
        return AddResult::kMaxBuffers;
      }
      ++interval_count_;
    }
    slot = &it->second;
    m->last = slot;
    m->last_start = interval;
  }
  slot->values.Add(value, keep_value);
  slot->active = true;
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
        if (m.last == &iv->second) m.last = nullptr;
        iv = m.intervals.erase(iv);
      } else {
        ++iv;
      }
    }
    if (m.intervals.empty()) {
      it = metrics_.erase(it);
      ++epoch_;
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
  ++epoch_;
  interval_count_ = 0;
  value_count_ = 0;
  point_count_ = 0;
  return dropped;
}

}  // namespace meridian::aggregation::internal
