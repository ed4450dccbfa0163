// graphite-web's metadata endpoints over a SeriesSource: /metrics/expand, /metrics/index.json,
// the tags API (/tags, /tags/<tag>, /tags/findSeries, /tags/autoComplete/{tags,values},
// /tags/tagSeries, /tags/tagMultiSeries) and /version. Handlers are plain functions from request
// parameters to a response so they are testable without sockets.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "query/series_source.h"

namespace meridian::query::internal {

// Request parameters, repeated keys kept in order; `key[]` is folded into `key`.
using Params = std::multimap<std::string, std::string>;

struct ApiResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
};

// Default of settings.TAGDB_AUTOCOMPLETE_LIMIT.
constexpr size_t kAutocompleteLimit = 100;

ApiResponse MetricsExpand(SeriesSource& source, const Params& params);
ApiResponse MetricsIndex(SeriesSource& source, const Params& params);
ApiResponse TagList(SeriesSource& source, const Params& params);
ApiResponse TagDetails(SeriesSource& source, const std::string& tag, const Params& params);
ApiResponse TagFindSeries(SeriesSource& source, const Params& params);
ApiResponse TagAutoCompleteTags(SeriesSource& source, const Params& params);
ApiResponse TagAutoCompleteValues(SeriesSource& source, const Params& params);
// Canonical names of the given paths, as carbon would register them (Meridian creates series
// when their first point arrives, so nothing is stored here).
ApiResponse TagSeries(const Params& params, bool multi);
// /tags/delSeries: `path` (repeatable) removed from the tag index; answers `true`.
ApiResponse TagDelSeries(SeriesSource& source, const Params& params);

}  // namespace meridian::query::internal
