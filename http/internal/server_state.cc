#include "http/internal/server_state.h"

#include <fmt/format.h>

#include <chrono>
#include <exception>

#include "http/internal/body_stream.h"
#include "http/internal/compress.h"

namespace meridian::http::internal {
namespace {

core::Counter& Limit(core::MetricsRegistry& m, const char* limit) {
  return m.GetCounter("http_limit_rejections_total",
                      "Requests refused by a limit (size, timeout, concurrency, ...).",
                      {{"limit", limit}});
}
core::Counter& Timeout(core::MetricsRegistry& m, const char* phase) {
  return m.GetCounter("http_timeouts_total", "Connections closed by a timeout, by phase.",
                      {{"phase", phase}});
}
core::Counter& AuthFail(core::MetricsRegistry& m, const char* reason) {
  return m.GetCounter("http_auth_failures_total", "Requests refused by authentication.",
                      {{"reason", reason}});
}
core::Counter& Cancel(core::MetricsRegistry& m, const char* reason) {
  return m.GetCounter("http_requests_cancelled_total",
                      "Running requests whose Deadline was cancelled.", {{"reason", reason}});
}

}  // namespace

ServerCounters::ServerCounters(core::MetricsRegistry& m)
    : open(m.GetGauge("http_connections_open", "Open HTTP connections.")),
      accepted(m.GetCounter("http_connections_total", "HTTP connections accepted.")),
      refused_max_connections(Limit(m, "max_connections")),
      requests(m.GetCounter("http_server_requests_total", "HTTP requests read.")),
      errors_4xx(m.GetCounter("http_errors_total", "HTTP error answers.", {{"class", "4xx"}})),
      errors_5xx(m.GetCounter("http_errors_total", "HTTP error answers.", {{"class", "5xx"}})),
      limit_header_bytes(Limit(m, "header_bytes")),
      limit_header_fields(Limit(m, "header_fields")),
      limit_url(Limit(m, "url_bytes")),
      limit_body(Limit(m, "body_bytes")),
      limit_queue(Limit(m, "queued_requests")),
      timeout_header(Timeout(m, "header")),
      timeout_body(Timeout(m, "body")),
      timeout_idle(Timeout(m, "idle")),
      timeout_write(Timeout(m, "write")),
      tls_handshake_failed(m.GetCounter("http_tls_handshake_failures_total",
                                        "TLS handshakes that failed (bad client certificate, "
                                        "protocol error, timeout).")),
      auth_missing(AuthFail(m, "missing")),
      auth_invalid(AuthFail(m, "invalid")),
      auth_scope(AuthFail(m, "scope")),
      cancelled_client_gone(Cancel(m, "client_gone")),
      cancelled_shutdown(Cancel(m, "shutdown")),
      handler_exceptions(
          m.GetCounter("http_handler_exceptions_total", "Handlers that threw (answered 500).")),
      compressed_gzip(m.GetCounter("http_compressed_responses_total",
                                   "Answers sent compressed, by encoding.",
                                   {{"encoding", "gzip"}})),
      compressed_br(m.GetCounter("http_compressed_responses_total",
                                 "Answers sent compressed, by encoding.", {{"encoding", "br"}})),
      compress_bytes_in(m.GetCounter("http_compression_bytes_in_total",
                                     "Body bytes of the answers that were compressed.")),
      compress_bytes_out(m.GetCounter("http_compression_bytes_out_total",
                                      "What those bodies became on the wire.")),
      streamed(m.GetCounter("http_streamed_responses_total",
                            "Answers longer than http.stream_min_bytes, sent chunked as they were "
                            "written.")),
      stream_aborted(m.GetCounter("http_streams_aborted_total",
                                  "Streamed answers cut off by an error after their status was "
                                  "sent (the client sees a truncated body).")),
      queued(m.GetGauge("http_requests_pending", "Requests queued or running on workers.")) {}

ServerState::ServerState(const ServerOptions& o, const Router& r, const TokenStore& t,
                         core::MetricsRegistry& m)
    : options(o), router(r), tokens(t), counters(m) {}

void ServerState::LogThrottled(const std::string& line) {
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  int64_t last = last_log_second_.load(std::memory_order_relaxed);
  if (now <= last || !last_log_second_.compare_exchange_strong(last, now)) return;
  fmt::print(stderr, "{}\n", line);
}

uint64_t ServerState::Register(std::weak_ptr<Connection> c) {
  std::lock_guard lock(mu_);
  const uint64_t id = next_id_++;
  connections_.emplace(id, std::move(c));
  return id;
}

void ServerState::Unregister(uint64_t id) {
  std::lock_guard lock(mu_);
  connections_.erase(id);
}

void ServerState::AbortAll() {
  std::vector<std::shared_ptr<Connection>> live;
  {
    std::lock_guard lock(mu_);
    live.reserve(connections_.size());
    for (auto& [id, weak] : connections_) {
      if (auto c = weak.lock()) live.push_back(std::move(c));
    }
  }
  for (auto& c : live) c->Abort();
}

bool Admit(ServerState& state, Request& request, const Route*& route, Response& response) {
  Router::Match m = state.router.Find(request.method, request.path);
  if (m.route == nullptr) {
    if (m.status == 405) {
      response =
          Response::Text(405, fmt::format("{} is not allowed on {}; use {}",
                                          MethodName(request.method), request.path, m.allow));
      response.headers.emplace_back("Allow", m.allow);
    } else {
      response = Response::Text(404, fmt::format("no such path: {}", request.path));
    }
    return false;
  }
  AuthDecision d = state.tokens.Authorize(request, m.route->scope);
  const bool had_credential = !request.Header("authorization").empty();
  // The credential goes no further than this check.
  std::erase_if(request.headers, [](const auto& h) { return h.first == "authorization"; });
  if (d.status != 200) {
    if (d.status == 403) {
      state.counters.auth_scope.Add();
    } else {
      (had_credential ? state.counters.auth_invalid : state.counters.auth_missing).Add();
    }
    response = Response::Text(d.status, d.message);
    if (d.status == 401) {
      response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"meridian\"");
      if (m.route->basic_challenge) {
        response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"meridian\"");
      }
    }
    return false;
  }
  route = m.route;
  request.path_args = std::move(m.path_args);
  return true;
}

Response RunHandler(ServerState& state, const Route& route, const Request& request) {
  try {
    Response r = route.handler(request);
    if (r.stream != nullptr && BeginStream(request, r, state.options.stream_min_bytes,
                                           state.options.compress_min_bytes, state.counters)) {
      return r;
    }
    const CompressionOutcome c = MaybeCompress(request, r, state.options.compress_min_bytes);
    if (c.encoding != Encoding::kIdentity) {
      (c.encoding == Encoding::kGzip ? state.counters.compressed_gzip
                                     : state.counters.compressed_br)
          .Add();
      state.counters.compress_bytes_in.Add(c.bytes_in);
      state.counters.compress_bytes_out.Add(c.bytes_out);
    }
    return r;
  } catch (const std::exception& e) {
    state.counters.handler_exceptions.Add();
    return Response::Text(500, fmt::format("internal error: {}", e.what()));
  } catch (...) {
    state.counters.handler_exceptions.Add();
    return Response::Text(500, "internal error");
  }
}

bool StartAsync(ServerState& state, const Route& route, const Request& request, Reply reply) {
  try {
    route.async_handler(request, std::move(reply));
    return true;
  } catch (...) {
    state.counters.handler_exceptions.Add();
    return false;
  }
}

}  // namespace meridian::http::internal
