// A render's answer as a stream of pieces (internal::BodyChunks): what the front door streams
// for large answers (http::BodyStream) and FormatRender drains into one string.
#pragma once

#include <string>

#include "core/status.h"
#include "query/formats.h"
#include "query/internal/body_chunks.h"

namespace meridian::query::internal {

struct RenderStream {
  std::string content_type;
  BodyChunks chunks;  // owns the series it formats
};

// FormatRender (formats.h) as a stream: the same checks up front (INVALID_ARGUMENT for an unknown
// format, maxDataPoints consolidation), then the body's pieces; RESOURCE_EXHAUSTED
// (ResponseTooLarge) or DEADLINE_EXCEEDED/CANCELLED end the stream early (chunks.status()).
core::Result<RenderStream> StreamRender(SeriesList series, FormatOptions options);

}  // namespace meridian::query::internal
