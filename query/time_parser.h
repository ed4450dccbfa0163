// Graphite's from/until grammar (graphite-web render/attime.py parseATTime), the subset this
// release supports: epoch seconds, "now", relative offsets ("-1h", "-5min", "now-2d", "+1d")
// with units s/sec/second(s), min/minute(s), h/hour(s), d/day(s), w/week(s), mon/month(s),
// y/year(s); a bare "m" is an error, as in graphite-web.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/status.h"

namespace meridian::query {

// Returns epoch seconds. INVALID_ARGUMENT names the offending text.
core::Result<int64_t> ParseTime(std::string_view text, int64_t now);

// Parses an offset like "-1h", "5min", "1d2h" into signed seconds (unsigned = positive).
core::Result<int64_t> ParseOffset(std::string_view text);

}  // namespace meridian::query
