// A Clock that moves only when told to. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>

#include "core/clock.h"

namespace meridian::testing {

class FakeClock final : public core::Clock {
 public:
  explicit FakeClock(int64_t now_seconds = 1'700'000'000) : micros_(now_seconds * 1'000'000) {}
  int64_t NowMicros() const override { return micros_.load(); }
  void SetSeconds(int64_t s) { micros_.store(s * 1'000'000); }
  void AdvanceSeconds(int64_t s) { micros_.fetch_add(s * 1'000'000); }
  void AdvanceMicros(int64_t us) { micros_.fetch_add(us); }

 private:
  std::atomic<int64_t> micros_;
};

}  // namespace meridian::testing
