// graphite-web's HTTP API as routes on the front door (http::Router): /render, /metrics/find,
// /metrics/expand, /metrics/index.json, /tags/…, /functions, /version, /health, /metrics.
// Handlers are socket-free (they see an http::Request); the transport, TLS, tokens and the
// connection limits belong to http::Server.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"
#include "http/router.h"
#include "query/series_source.h"

namespace meridian::query {

// What one query may cost. The time bound is the request's Deadline (http.query_timeout, set
// by the server).
struct HttpOptions {
  size_t max_series_per_request = 100'000;    // series one /render may fetch; more → 422
  size_t max_points_per_request = 5'000'000;  // values one /render may fetch; more → 422
  // Renders evaluated at once; more → 503 (counted). Default 8.
  size_t max_concurrent_queries = 8;
  // Largest answer body of render, find, expand, index.json and the tags API, bytes; checked
  // while the body is written; past it → 422 naming http.max_response_bytes (counted as
  // limit="response_bytes"). Default 256 MiB.
  size_t max_response_bytes = size_t{256} << 20;
  // Bytes the values fetched by all running renders may hold together (query::kBytesPerPoint a
  // value); a render that would pass it → 503 retry (alone bigger than all of it → 422),
  // counted in meridian_http_memory_refused_total; in use: meridian_http_memory_in_use_bytes.
  // 0 = unbounded. Default 1 GiB.
  uint64_t memory_budget_bytes = uint64_t{1} << 30;
  // What a read does when a federation peer it needs does not answer (federation.partial):
  // kAllow answers from the others and names the missing peers in the X-Meridian-Partial header;
  // kRefuse answers 503 naming them. A request overrides it with partial=allow|deny.
  PartialPolicy partial = PartialPolicy::kAllow;
  // /health: "" = healthy ("ok"); else what is degraded ("degraded: writes paused: …"), still
  // 200 because reads are served. Called on a network thread: must not block. Optional.
  std::function<std::string()> health_problem;
};

// The response header naming the peers a partial answer lacks: "eu-west (timeout), ...".
inline constexpr const char* kPartialHeader = "X-Meridian-Partial";

// Registers every route. `source`, `clock` and `metrics` must outlive the server that serves
// `router`. Handlers are thread-safe (the source is).
core::Status RegisterHttpRoutes(http::Router& router, const HttpOptions& options,
                                SeriesSource& source, const core::Clock& clock,
                                core::MetricsRegistry& metrics);

}  // namespace meridian::query
