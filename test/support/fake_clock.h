// The tests' name for core::ManualClock (a Clock that moves only when told to).
#pragma once

#include "core/clock.h"

namespace meridian::testing {

using FakeClock = core::ManualClock;

}  // namespace meridian::testing
