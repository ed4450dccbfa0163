// Clock: the only source of "now". Tests inject a FakeClock (test/support/fake_clock.h).
#pragma once

#include <atomic>
#include <cstdint>

namespace meridian::core {

class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the Unix epoch. Thread-safe.
  virtual int64_t NowMicros() const = 0;
  int64_t NowSeconds() const { return NowMicros() / 1'000'000; }
  double NowSecondsDouble() const { return static_cast<double>(NowMicros()) / 1e6; }
};

// The system clock. Thread-safe, stateless.
class RealClock final : public Clock {
 public:
  int64_t NowMicros() const override;
  // A process-wide instance.
  static const Clock& Get();
};

// A clock that moves only when told to: tests, and `meridian rules test`'s simulated time.
// Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t now_seconds = 1'700'000'000) : micros_(now_seconds * 1'000'000) {}
  int64_t NowMicros() const override { return micros_.load(); }
  void SetSeconds(int64_t s) { micros_.store(s * 1'000'000); }
  void AdvanceSeconds(int64_t s) { micros_.fetch_add(s * 1'000'000); }
  void AdvanceMicros(int64_t us) { micros_.fetch_add(us); }

 private:
  std::atomic<int64_t> micros_;
};

}  // namespace meridian::core
