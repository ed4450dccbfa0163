// Output formats of /render and /metrics/find (everything except images), as pure functions
// producing graphite-web 1.1.8's bytes (render/views.py, metrics/views.py, render/datalib.py).
//
// Deliberate differences from graphite-web (README "deliberate differences"):
//   - json and rickshaw write ±inf as null (graphite-web writes 1e9999 / Infinity, which Grafana's
//     Go JSON decoder rejects). dygraph keeps graphite-web's Infinity (a JavaScript literal).
//   - pickle is protocol 2 without memo (graphite-web: protocol 5 with memo and framing); both
//     decode to the same Python structure, and protocol 2 is also readable by Python 2 peers.
//   - Inputs on which graphite-web raises (a 500) produce a best-effort body instead: maxDataPoints
//     dropping more values than a short series holds, series of different lengths in dygraph.
//   - find pickle writes leaf intervals as (start, end) tuples, not IntervalSet objects; graphite-
//     web's RemoteFinder accepts both.
//
// All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/deadline.h"
#include "core/status.h"
#include "query/series.h"
#include "storage/store.h"

namespace meridian::query {

// The config key that bounds answer sizes, named in ResponseTooLarge errors.
inline constexpr std::string_view kMaxResponseBytesKnob = "http.max_response_bytes";

// Bounds on writing one answer (render, find, expand, index.json, tags). Writers check them as
// the body grows, so an answer past max_bytes fails once it passes the bound (after at most one
// more row, point or node), never after building a multi-GB string.
struct OutputLimits {
  // Largest body, bytes; 0 = unbounded. Past it → RESOURCE_EXHAUSTED (ResponseTooLarge).
  size_t max_bytes = 0;
  // Formatting loops stop with DEADLINE_EXCEEDED or CANCELLED once it has passed.
  core::Deadline deadline;
};

// RESOURCE_EXHAUSTED: "the answer is larger than <max_bytes> bytes (http.max_response_bytes)".
core::Status ResponseTooLarge(size_t max_bytes);
// True for a ResponseTooLarge status (counted as limit="response_bytes").
bool IsResponseTooLarge(const core::Status& status);

struct FormatOptions {
  // json csv raw pickle msgpack dygraph rickshaw (graphite-web's `format`; `rawData` → raw,
  // `pickle` → pickle are the caller's job).
  std::string format;
  // JSONP callback: json, dygraph and rickshaw become `cb(body)` as text/javascript. "" = none.
  std::string jsonp;
  // noNullPoints (json only, as graphite-web): drop null points; a series left empty is omitted.
  bool no_null_points = false;
  // maxDataPoints (json only, as graphite-web). REQUIRES: > 0 when set.
  std::optional<int64_t> max_data_points;
  // IANA time zone of csv timestamps (`tz`); "" or a name the tz database lacks = the server
  // default (internal::DefaultTimeZone(), as graphite-web falls back to TIME_ZONE).
  std::string tz;
  // pretty=1: json and rickshaw indented by 2, as Python's json.dumps(indent=2).
  bool pretty = false;
  // Byte budget and deadline of the answer. Default: unbounded.
  OutputLimits limits;
};

struct FormattedBody {
  std::string body;
  std::string content_type;
};

// Applies maxDataPoints and noNullPoints (json only), then writes the body with graphite-web's
// content type (application/json, text/javascript, text/csv, text/plain, application/pickle,
// application/x-msgpack). INVALID_ARGUMENT for an unknown format or consolidation function,
// or max_data_points <= 0; RESOURCE_EXHAUSTED (ResponseTooLarge) once the body passes
// options.limits.max_bytes; DEADLINE_EXCEEDED or CANCELLED past options.limits.deadline.
core::Result<FormattedBody> FormatRender(SeriesList series, const FormatOptions& options);

// graphite-web's maxDataPoints consolidation (renderViewJson). Over all series T = max(end) -
// min(start); nothing happens when every series is empty. Per non-empty series with step > 0:
// max_data_points == 1 → the whole series becomes one value; else with n = T/step, if
// max_data_points < n: vpp = ceil(n / max_data_points), spp = vpp*step, nudge = spp + start%step -
// start%spp (Python modulo), start += nudge, nudge/step - 1 leading values dropped (graphite-web's
// off-by-one, kept for identical output), buckets of vpp reduced by consolidation_func with
// x_files_factor, partial last bucket kept. Afterwards values are the consolidated values, step
// is their spacing (spp) and values_per_point is vpp; end is unchanged.
// INVALID_ARGUMENT (series untouched) for max_data_points <= 0 or an unknown consolidation_func.
core::Status ConsolidateToMaxDataPoints(SeriesList& series, int64_t max_data_points);

// The time range a leaf holds data for (graphite-web's node.intervals), in epoch seconds.
struct FindInterval {
  double start = 0;
  double end = 0;
};

struct FindFormatOptions {
  // nodelist, pickle, msgpack, json.
  std::string format;
  // nodelist: which dot-separated component to list (`position`; negative counts from the end).
  int64_t node_position = -1;
  // JSONP callback for nodelist and json. "" = none.
  std::string jsonp;
  bool pretty = false;
  // graphite-web escapes non-ASCII (\uXXXX) only when the request's Accept header is exactly
  // application/json; otherwise it writes UTF-8 and adds ";charset=utf-8" to the content type.
  bool ensure_ascii = true;
  // The intervals of a leaf (graphite-web's whisper finder: [now - max retention, last write]).
  // Null = every leaf has an empty interval list.
  std::function<std::vector<FindInterval>(std::string_view path)> leaf_intervals;
  // Byte budget and deadline of the answer. Default: unbounded.
  OutputLimits limits;
};

// /metrics/find formats that query/internal/find_format.h does not write: nodelist
// ({"nodes": sorted unique components}), pickle and msgpack (the cluster protocol: list of
// {path, is_leaf[, intervals]}) and json ([{"path", "is_leaf"[, "intervals": [{"start","end"}]]}]).
// `matches` sorted by path; a match that is both leaf and branch becomes two nodes (branch first),
// as graphite-web's STORE.find yields them. INVALID_ARGUMENT for an unknown format, or a
// node_position outside some path (graphite-web: IndexError, a 500); RESOURCE_EXHAUSTED and
// DEADLINE_EXCEEDED/CANCELLED past options.limits, as FormatRender.
core::Result<FormattedBody> FormatFindExtra(std::string_view query,
                                            const std::vector<storage::FindMatch>& matches,
                                            const FindFormatOptions& options);

}  // namespace meridian::query
