#include "core/clock.h"

#include <chrono>

namespace meridian::core {

int64_t RealClock::NowMicros() const {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

const Clock& RealClock::Get() {
  static const RealClock clock;
  return clock;
}

}  // namespace meridian::core
