// Server: the HTTP(S) front door — one async server (Boost.Beast on Asio) for every route.
//
//   http::Router router;            // routes registered by query, alerting, …
//   http::TokenStore tokens;        // empty: no authentication
//   ASSIGN_OR_RETURN(auto server, http::Server::Start(options, router, tokens, metrics));
//   …
//   server->Stop(std::chrono::seconds(10));
//
// Connections cost memory, not threads: network threads (one per core) do all waiting, with
// per-phase timeouts (TLS handshake and headers, body, keep-alive idle, write progress).
// Request handlers run on a bounded worker pool (one per core by default); a request past
// `max_queued_requests` is answered 503 at once. Cheap routes (Route::inline_io) answer on the
// network thread, so /health answers while every worker is busy.
//
// Every request carries a Deadline (`request_timeout` from arrival) that the server cancels
// when the client closes its connection (plain HTTP) or the server stops.
//
// Limits and what a client sees past them (each counted in http_limit_rejections_total):
//   open connections > max_connections   → 503 and close (the listen backlog is the system's)
//   header bytes > max_header_bytes      → 431; header fields > max_header_fields → 431
//   request target > max_url_bytes       → 414
//   body (Content-Length or chunked) > max_body_bytes → 413
//   headers not complete in header_timeout, body not in body_timeout → 408 and close
//   idle keep-alive past idle_timeout, a reader making no progress for write_timeout → close
//
// Thread-safety: Start/Stop from one thread; port() anytime. The Router and TokenStore must
// outlive the server (handlers run until Stop() returns, or later if Stop() abandons them).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/metrics.h"
#include "core/status.h"
#include "http/auth.h"
#include "http/router.h"

namespace meridian::http {

struct TlsOptions {
  std::string cert_file;       // PEM certificate chain; empty: plain HTTP
  std::string key_file;        // PEM private key
  std::string client_ca_file;  // PEM CA bundle: when set, clients must present a certificate
                               // it signed (mutual TLS)
  bool enabled() const { return !cert_file.empty(); }
};

// Loads the TLS files as Server::Start does (certificate chain, a private key that matches it,
// the client CA) without listening: `meridian serve --check-config`. OK when TLS is off.
// INVALID_ARGUMENT naming the http.tls.* key and the file otherwise.
core::Status CheckTlsFiles(const TlsOptions& options);

struct ServerOptions {
  std::string host = "0.0.0.0";        // address to bind (IPv4/IPv6 literal or name)
  uint16_t port = 8080;                // 0 picks a free port (see port())
  size_t max_connections = 10'000;     // open connections; past it 503. Default 10k.
  size_t max_header_bytes = 64 << 10;  // request line + header fields. Default 64 KiB.
  size_t max_header_fields = 100;      // header fields per request. Default 100.
  size_t max_url_bytes = 32 << 10;     // request target. Default 32 KiB.
  size_t max_body_bytes = 8 << 20;     // body, chunked or not. Default 8 MiB.
  std::chrono::milliseconds header_timeout{10'000};   // TLS handshake + headers. Default 10 s.
  std::chrono::milliseconds body_timeout{30'000};     // the body. Default 30 s.
  std::chrono::milliseconds idle_timeout{60'000};     // keep-alive idle. Default 60 s.
  std::chrono::milliseconds write_timeout{30'000};    // without write progress. Default 30 s.
  std::chrono::milliseconds request_timeout{30'000};  // a handler's Deadline. Default 30 s.
  size_t network_threads = 0;                         // 0: one per core
  size_t worker_threads = 0;                          // 0: one per core (at least 2)
  size_t max_queued_requests = 1024;  // queued or running handlers; past it 503. Default 1024.
  // Answers of at least this many bytes are compressed (br or gzip, as the client accepts);
  // 0 = never. Default 1 KiB.
  size_t compress_min_bytes = 1024;
  // A streamed answer (Response::stream) that is longer than this goes out chunked as it is
  // written; shorter ones are sent whole. 0 = never stream (built whole). Default 1 MiB.
  size_t stream_min_bytes = size_t{1} << 20;
  TlsOptions tls;

  // INVALID_ARGUMENT naming the http.* key of a bad value.
  core::Status Validate() const;
};

class Server {
 public:
  // Binds (listen backlog: the system's maximum) and starts serving. UNAVAILABLE when the
  // address cannot be bound; INVALID_ARGUMENT for bad options or unreadable TLS files.
  static core::Result<std::unique_ptr<Server>> Start(const ServerOptions& options,
                                                     const Router& router, const TokenStore& tokens,
                                                     core::MetricsRegistry& metrics);
  ~Server();  // Stop(infinite) unless stopped
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  uint16_t port() const;
  size_t open_connections() const;

  // Stops accepting, cancels the Deadline of every running request, closes every connection,
  // and waits up to `grace` for running handlers. True when everything stopped; false when some
  // handler ignored its Deadline past `grace`: it is abandoned (keeps running on a detached
  // thread), so the caller must not destroy what handlers use — it should exit.
  bool Stop(std::chrono::milliseconds grace);

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace meridian::http
