// graphite-web's metadata endpoints over a SeriesSource: /metrics/find, /metrics/expand,
// /metrics/index.json, the tags API (/tags, /tags/<tag>, /tags/findSeries,
// /tags/autoComplete/{tags,values}, /tags/tagSeries, /tags/tagMultiSeries) and /version.
// Handlers are plain functions from request parameters to a response so they are testable
// without sockets.
//
// Every read handler takes the request's ReadScope (local=1, partial policy, the report of
// missing peers) and its OutputLimits: its deadline (http.query_timeout) bounds
// the source's scans and the formatting; its max_bytes (http.max_response_bytes) bounds the body.
// Past the deadline → 504 (503 when cancelled); past the byte budget → 422 naming the knob.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "query/formats.h"
#include "query/series_source.h"

namespace meridian::query::internal {

// Request parameters, repeated keys kept in order; `key[]` is folded into `key`.
using Params = std::multimap<std::string, std::string>;

struct ApiResponse {
  ApiResponse() = default;
  ApiResponse(int status_code, std::string body_text, std::string type = "application/json")
      : status(status_code), body(std::move(body_text)), content_type(std::move(type)) {}

  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  // Extra response headers (Cache-Control for find).
  std::vector<std::pair<std::string, std::string>> headers;
  // Why the request failed (OK on success), so the server can count limit rejections.
  core::Status error;
};

// Default of settings.TAGDB_AUTOCOMPLETE_LIMIT.
constexpr size_t kAutocompleteLimit = 100;

// What /metrics/find needs beyond its parameters.
struct FindContext {
  OutputLimits limits;
  // Leaves are reported as holding data up to `now` (epoch seconds).
  int64_t now = 0;
  // The request's Accept header is exactly application/json (graphite-web then escapes
  // non-ASCII in json and nodelist).
  bool accept_json = false;
  ReadScope scope;
};

// /metrics/find: `query` (required), `format` treejson (default), completer, json, nodelist,
// pickle, msgpack, `wildcards`, `jsonp`, `position`. Errors are text/plain, "<message>\n".
ApiResponse MetricsFind(SeriesSource& source, const Params& params, const FindContext& context);
ApiResponse MetricsExpand(SeriesSource& source, const Params& params,
                          const OutputLimits& limits = {},
                          const ReadScope& scope = {});
ApiResponse MetricsIndex(SeriesSource& source, const Params& params,
                         const OutputLimits& limits = {},
                          const ReadScope& scope = {});
ApiResponse TagList(SeriesSource& source, const Params& params, const OutputLimits& limits = {},
                          const ReadScope& scope = {});
ApiResponse TagDetails(SeriesSource& source, const std::string& tag, const Params& params,
                       const OutputLimits& limits = {},
                          const ReadScope& scope = {});
ApiResponse TagFindSeries(SeriesSource& source, const Params& params,
                          const OutputLimits& limits = {},
                          const ReadScope& scope = {});
ApiResponse TagAutoCompleteTags(SeriesSource& source, const Params& params,
                                const OutputLimits& limits = {},
                          const ReadScope& scope = {});
ApiResponse TagAutoCompleteValues(SeriesSource& source, const Params& params,
                                  const OutputLimits& limits = {},
                          const ReadScope& scope = {});
// Canonical names of the given paths, as carbon would register them (Meridian creates series
// when their first point arrives, so nothing is stored here).
ApiResponse TagSeries(const Params& params, bool multi);
// /tags/delSeries: `path` (repeatable) removed from the tag index; answers `true`.
ApiResponse TagDelSeries(SeriesSource& source, const Params& params);

}  // namespace meridian::query::internal
