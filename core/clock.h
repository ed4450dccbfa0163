// Clock: the only source of "now". Tests inject a FakeClock (test/support/fake_clock.h).
#pragma once

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

}  // namespace meridian::core
