// What every connection of one server shares: options, routes, tokens, the worker pool,
// counters, and the registry of open connections (for Stop()).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/metrics.h"
#include "core/worker_pool.h"
#include "http/auth.h"
#include "http/router.h"
#include "http/server.h"

namespace meridian::http::internal {

// A connection as Stop() sees it.
class Connection {
 public:
  virtual ~Connection() = default;
  // Cancels the running request's Deadline and closes the socket. Runs on any thread: the
  // implementation posts to the connection's strand.
  virtual void Abort() = 0;
};

struct ServerCounters {
  explicit ServerCounters(core::MetricsRegistry& m);
  core::Gauge& open;
  core::Counter& accepted;
  core::Counter& refused_max_connections;
  core::Counter& requests;
  core::Counter& errors_4xx;
  core::Counter& errors_5xx;
  core::Counter& limit_header_bytes;
  core::Counter& limit_header_fields;
  core::Counter& limit_url;
  core::Counter& limit_body;
  core::Counter& limit_queue;
  core::Counter& timeout_header;
  core::Counter& timeout_body;
  core::Counter& timeout_idle;
  core::Counter& timeout_write;
  core::Counter& tls_handshake_failed;
  core::Counter& auth_missing;
  core::Counter& auth_invalid;
  core::Counter& auth_scope;
  core::Counter& cancelled_client_gone;
  core::Counter& cancelled_shutdown;
  core::Counter& handler_exceptions;
  core::Counter& compressed_gzip;
  core::Counter& compressed_br;
  core::Counter& compress_bytes_in;
  core::Counter& compress_bytes_out;
  core::Counter& streamed;
  core::Counter& stream_aborted;
  core::Gauge& queued;
};

struct ServerState {
  ServerState(const ServerOptions& o, const Router& r, const TokenStore& t,
              core::MetricsRegistry& m);
  const ServerOptions options;
  const Router& router;
  const TokenStore& tokens;
  ServerCounters counters;
  std::unique_ptr<core::WorkerPool> pool;
  std::atomic<bool> stopping{false};
  std::atomic<size_t> open_connections{0};

  uint64_t Register(std::weak_ptr<Connection> c);
  void Unregister(uint64_t id);
  // Abort() on every registered connection.
  void AbortAll();
  // Writes `line` to stderr unless another line was written in the last second.
  void LogThrottled(const std::string& line);

 private:
  std::atomic<int64_t> last_log_second_{0};
  std::mutex mu_;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, std::weak_ptr<Connection>> connections_;
};

// Routes, authorizes and prepares a parsed request. Fills `response` and returns false when
// the request is answered without a handler (400/401/403/404/405); returns true with `route`
// set otherwise. Socket-free (unit-tested in test/http/).
bool Admit(ServerState& state, Request& request, const Route*& route, Response& response);

// Runs a handler: an exception (a bug) becomes a 500 with a body, never a crash.
Response RunHandler(ServerState& state, const Route& route, const Request& request);

// Starts an async handler; false (counted) when it threw before taking the reply.
bool StartAsync(ServerState& state, const Route& route, const Request& request, Reply reply);

}  // namespace meridian::http::internal
