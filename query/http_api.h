// HttpApi: graphite-web's HTTP API over a SeriesSource (cpp-httplib), plus /health and /metrics.
// Routes: /render, /metrics/find, /metrics/index.json, /health, /metrics, plus ExtraRoutes.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"
#include "query/series_source.h"

namespace meridian::query {

struct HttpOptions {
  std::string host = "0.0.0.0";               // address to bind (IPv4/IPv6 literal or name)
  uint16_t port = 8080;                       // 0 picks a free port (see HttpApi::port())
  size_t max_series_per_request = 100'000;    // series one /render may fetch; more → 422
  size_t max_points_per_request = 5'000'000;  // values one /render may fetch; more → 422
  size_t max_request_bytes = 8 << 20;         // body size limit (form POSTs), bytes. Default 8 MiB.
  int read_timeout_seconds = 30;              // per request. Default 30.
  // Renders evaluated at once; more → 503 (counted). Default 8.
  size_t max_concurrent_queries = 8;
  // Wall time one render, find, expand, index.json or tags request may take, glob expansion,
  // fetches, functions and formatting included; past it → 504 (counted). Default 30 s.
  int64_t query_timeout_ms = 30'000;
  // Largest answer body of render (every format), find (every format), expand, index.json and
  // the tags API, bytes; checked while the body is written, past it → 422 naming
  // http.max_response_bytes (counted as limit="response_bytes"). Default 256 MiB.
  size_t max_response_bytes = size_t{256} << 20;
};

// A route served beside graphite's API by another module (the alerting API), without exposing
// the HTTP library. Handlers run on the server's threads, concurrently: they must be thread-safe.
struct HttpRequestView {
  std::multimap<std::string, std::string> params;  // query string and url-encoded form fields
  std::string body;
};
struct HttpReply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};
struct ExtraRoute {
  enum class Method { kGet, kPost };
  Method method = Method::kGet;
  std::string path;  // exact path, e.g. "/api/alerts"
  std::function<HttpReply(const HttpRequestView&)> handler;
};

class HttpApi {
 public:
  // Binds and starts serving on its own threads. `source`, `clock` and `metrics` must outlive it,
  // and so must whatever `extra_routes` handlers refer to.
  static core::Result<std::unique_ptr<HttpApi>> Start(const HttpOptions& options,
                                                      SeriesSource& source,
                                                      const core::Clock& clock,
                                                      core::MetricsRegistry& metrics,
                                                      std::vector<ExtraRoute> extra_routes = {});
  ~HttpApi();
  uint16_t port() const { return port_; }
  void Stop();

 private:
  struct Impl;
  explicit HttpApi(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

}  // namespace meridian::query
