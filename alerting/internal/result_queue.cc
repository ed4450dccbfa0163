#include "alerting/internal/result_queue.h"

#include <algorithm>

namespace meridian::alerting::internal {

size_t ResultQueue::Cost(const CheckResult& r) {
  return sizeof(CheckResult) + r.host.size() + r.service.size() + r.output.size();
}

size_t ResultQueue::Push(std::span<const CheckResult> results) {
  size_t dropped = 0;
  // Results that would be dropped at once anyway are never copied.
  if (results.size() > max_results_) {
    dropped = results.size() - max_results_;
    results = results.subspan(dropped);
  }
  for (const CheckResult& r : results) {
    bytes_ += Cost(r);
    items_.push_back(r);
  }
  while (items_.size() > max_results_ || (bytes_ > max_bytes_ && items_.size() > 1)) {
    bytes_ -= Cost(items_.front());
    items_.pop_front();
    ++dropped;
  }
  return dropped;
}

std::vector<CheckResult> ResultQueue::PopFront(size_t n) {
  n = std::min(n, items_.size());
  std::vector<CheckResult> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    bytes_ -= Cost(items_.front());
    out.push_back(std::move(items_.front()));
    items_.pop_front();
  }
  return out;
}

size_t ResultQueue::Clear() {
  size_t n = items_.size();
  items_.clear();
  bytes_ = 0;
  return n;
}

}  // namespace meridian::alerting::internal
