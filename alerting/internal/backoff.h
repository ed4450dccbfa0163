// Backoff: the delay before the next retry of a failing delivery. Exponential (x2 per failure)
// from `initial` up to `max`, no jitter (one sink per process talks to one receiver, so there is
// no herd to spread, and deterministic delays keep tests simple). Pure; not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>

namespace meridian::alerting::internal {

class Backoff {
 public:
  // REQUIRES: 0 < initial <= max.
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max)
      : initial_(initial), max_(max), next_(initial) {}

  // The delay to wait after one more failure: initial, 2*initial, 4*initial, ... capped at max.
  std::chrono::milliseconds Next() {
    std::chrono::milliseconds delay = next_;
    next_ = next_ >= max_ / 2 ? max_ : next_ * 2;
    ++failures_;
    return delay;
  }
  // After a success: the next failure waits `initial` again.
  void Reset() {
    next_ = initial_;
    failures_ = 0;
  }
  // Failures since the last Reset().
  uint64_t failures() const { return failures_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  std::chrono::milliseconds next_;
  uint64_t failures_ = 0;
};

}  // namespace meridian::alerting::internal
