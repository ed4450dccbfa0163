// Decoding what a peer answers on graphite-web's cluster protocol (query/federation/peer_client.h):
// the msgpack bodies of /render and /metrics/find (format=msgpack) and the JSON bodies of the
// expand and tag calls. Streaming (SAX) decoders: no document tree, nesting bounded, every
// malformed or unexpected body an INVALID_ARGUMENT saying what and where — a peer's bytes are
// untrusted input like any request.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "storage/store.h"

namespace meridian::query::federation::internal {

// A list of TimeSeries.getInfo() maps {name, start, end, step, values, …}: values null → NaN.
// Unknown keys are skipped. Each series: a name, step > 0 when it has values, and
// end = start + step × len(values) (graphite-web's end may be a step later; it is normalized).
core::Result<std::vector<storage::SeriesData>> DecodeRenderMsgpack(std::string_view body);

// A list of {path, is_leaf[, intervals]} maps. A branch has children; a leaf does not say.
core::Result<std::vector<storage::FindMatch>> DecodeFindMsgpack(std::string_view body);

// JSON: a list of strings ("results" of /metrics/expand when `key` is set, else the whole body:
// /tags/findSeries, /metrics/index.json).
core::Result<std::vector<std::string>> DecodeJsonNames(std::string_view body, const char* key);
// JSON: /tags → [{"tag": "…"}, …].
core::Result<std::vector<std::string>> DecodeJsonTagNames(std::string_view body);
// JSON: /tags/<tag> → {"tag": "…", "values": [{"count": n, "value": "…"}, …]}.
core::Result<std::vector<storage::TagValueCount>> DecodeJsonTagValues(std::string_view body);

}  // namespace meridian::query::federation::internal
