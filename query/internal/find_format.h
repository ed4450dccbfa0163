// /metrics/find output formats as graphite-web writes them: treejson, completer, json.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "query/formats.h"
#include "storage/store.h"

namespace meridian::query::internal {

// `matches` sorted by path. INVALID_ARGUMENT for an unknown format; RESOURCE_EXHAUSTED
// (ResponseTooLarge) once the body passes limits.max_bytes; DEADLINE_EXCEEDED or CANCELLED past
// limits.deadline.
core::Result<std::string> FormatFind(std::string_view query,
                                     const std::vector<storage::FindMatch>& matches,
                                     std::string_view format, bool wildcards,
                                     const OutputLimits& limits = {});

}  // namespace meridian::query::internal
