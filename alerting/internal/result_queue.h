// ResultQueue: a FIFO of check results bounded by count and by bytes; when a push would exceed
// a bound the OLDEST results are dropped (the newest state of a service matters most).
// Pure; not thread-safe (RetryingQueue guards it with its mutex).
#pragma once

#include <cstddef>
#include <deque>
#include <span>
#include <vector>

#include "alerting/check_sink.h"

namespace meridian::alerting::internal {

class ResultQueue {
 public:
  // REQUIRES: max_results > 0, max_bytes > 0.
  ResultQueue(size_t max_results, size_t max_bytes)
      : max_results_(max_results), max_bytes_(max_bytes) {}

  // Appends `results` in order, then drops from the front until both bounds hold. A single
  // result larger than max_bytes is still kept when it is the only one queued. Returns how many
  // results were dropped (old ones first, possibly some of `results` themselves).
  size_t Push(std::span<const CheckResult> results);
  // Removes and returns up to `n` results from the front.
  std::vector<CheckResult> PopFront(size_t n);
  // Removes everything; returns how many results there were.
  size_t Clear();

  size_t size() const { return items_.size(); }
  size_t bytes() const { return bytes_; }
  bool empty() const { return items_.empty(); }

  // What one queued result is charged against max_bytes: its strings plus the struct itself.
  static size_t Cost(const CheckResult& r);

 private:
  size_t max_results_;
  size_t max_bytes_;
  size_t bytes_ = 0;
  std::deque<CheckResult> items_;
};

}  // namespace meridian::alerting::internal
