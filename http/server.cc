#include "http/server.h"

#include <fmt/format.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "http/internal/session.h"

namespace meridian::http {
namespace {

using internal::beast::error_code;
namespace net = internal::net;
using tcp = net::ip::tcp;

size_t Cores() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 2 : n;
}

}  // namespace

core::Status ServerOptions::Validate() const {
  auto positive = [](auto v, const char* key) -> core::Status {
    if (v <= decltype(v){}) return core::InvalidArgument(fmt::format("{} must be positive", key));
    return core::Status::Ok();
  };
  RETURN_IF_ERROR(positive(max_connections, "http.max_connections"));
  RETURN_IF_ERROR(positive(max_header_fields, "http.max_header_fields"));
  RETURN_IF_ERROR(positive(max_url_bytes, "http.max_url_bytes"));
  RETURN_IF_ERROR(positive(max_queued_requests, "http.max_queued_requests"));
  RETURN_IF_ERROR(positive(header_timeout.count(), "http.header_timeout"));
  RETURN_IF_ERROR(positive(body_timeout.count(), "http.body_timeout"));
  RETURN_IF_ERROR(positive(idle_timeout.count(), "http.idle_timeout"));
  RETURN_IF_ERROR(positive(write_timeout.count(), "http.write_timeout"));
  RETURN_IF_ERROR(positive(request_timeout.count(), "http.query_timeout"));
  if (max_header_bytes < 1024 || max_header_bytes > (64u << 20)) {
    return core::InvalidArgument("http.max_header_bytes must be between 1 KiB and 64 MiB");
  }
  if (tls.enabled() != !tls.key_file.empty()) {
    return core::InvalidArgument("http.tls: cert_file and key_file go together");
  }
  if (!tls.client_ca_file.empty() && !tls.enabled()) {
    return core::InvalidArgument("http.tls.client_ca_file needs cert_file and key_file");
  }
  return core::Status::Ok();
}

namespace {

// The server's TLS context from the PEM files: the chain, the key (OpenSSL checks that it matches
// the certificate), and the client CA for mutual TLS.
core::Status LoadTls(const TlsOptions& o, net::ssl::context& tls) {
  // OpenSSL reports a missing or unreadable file as a bare "asio.ssl error": say why first.
  const std::pair<const char*, const std::string*> files[] = {
      {"cert_file", &o.cert_file},
      {"key_file", &o.key_file},
      {"client_ca_file", &o.client_ca_file}};
  for (const auto& [key, path] : files) {
    if (path->empty()) continue;
    if (std::FILE* f = std::fopen(path->c_str(), "rb")) {
      std::fclose(f);
    } else {
      return core::InvalidArgument(
          fmt::format("http.tls.{} {}: cannot read: {}", key, *path, std::strerror(errno)));
    }
  }
  tls.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                  net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                  net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use);
  error_code ec;
  tls.use_certificate_chain_file(o.cert_file, ec);
  if (ec) {
    return core::InvalidArgument(
        fmt::format("http.tls.cert_file {}: {}", o.cert_file, ec.message()));
  }
  tls.use_private_key_file(o.key_file, net::ssl::context::pem, ec);
  if (ec) {
    return core::InvalidArgument(fmt::format("http.tls.key_file {}: {}", o.key_file, ec.message()));
  }
  if (!o.client_ca_file.empty()) {
    tls.load_verify_file(o.client_ca_file, ec);
    if (ec) {
      return core::InvalidArgument(
          fmt::format("http.tls.client_ca_file {}: {}", o.client_ca_file, ec.message()));
    }
    tls.set_verify_mode(net::ssl::verify_peer | net::ssl::verify_fail_if_no_peer_cert);
  }
  return core::Status::Ok();
}

}  // namespace

core::Status CheckTlsFiles(const TlsOptions& options) {
  if (!options.enabled()) return core::Status::Ok();
  net::ssl::context tls(net::ssl::context::tls_server);
  return LoadTls(options, tls);
}

struct Server::Impl {
  // Destroyed last: sessions (owned by pending handlers of io) refer to it.
  std::unique_ptr<internal::ServerState> state;
  net::io_context ioc;
  std::optional<net::ssl::context> tls;
  tcp::acceptor acceptor{ioc};
  net::steady_timer accept_retry{ioc};
  std::vector<std::thread> threads;
  uint16_t port = 0;
  bool stopped = false;
  bool abandoned = false;

  void Accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](error_code ec, tcp::socket socket) {
      OnAccept(ec, std::move(socket));
    });
  }

  void OnAccept(error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || state->stopping) return;
    if (ec) {
      // EMFILE/ENFILE/ENOBUFS: the connection stays in the backlog; retry shortly instead of
      // spinning on the same error.
      accept_retry.expires_after(std::chrono::milliseconds(50));
      accept_retry.async_wait([this](error_code e) {
        if (!e && !state->stopping) Accept();
      });
      return;
    }
    if (state->open_connections.load() >= state->options.max_connections) {
      Refuse(std::move(socket));
    } else {
      // Answers are written in pieces (headers, then the body as the serializer produces it):
      // without TCP_NODELAY, Nagle holds each next piece until the client's delayed ACK (~40 ms
      // on Linux) on a keep-alive connection.
      error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      state->open_connections.fetch_add(1);
      state->counters.open.Add(1);
      state->counters.accepted.Add();
      if (tls) {
        std::make_shared<internal::Session<internal::TlsStream>>(
            *state, internal::TlsStream(internal::beast::tcp_stream(std::move(socket)), *tls))
            ->Start();
      } else {
        std::make_shared<internal::Session<internal::PlainStream>>(
            *state, internal::PlainStream(std::move(socket)))
            ->Start();
      }
    }
    Accept();
  }

  // Past max_connections: a canned 503 written without blocking, then close. Plain HTTP only
  // gets the text; a TLS client sees the connection closed.
  void Refuse(tcp::socket socket) {
    state->counters.refused_max_connections.Add();
    if (!tls) {
      const std::string body =
          fmt::format("more than {} connections are open (http.max_connections)\n",
                      state->options.max_connections);
      const std::string msg = fmt::format(
          "HTTP/1.1 503 Service Unavailable\r\nServer: Meridian\r\nContent-Type: text/plain\r\n"
          "Content-Length: {}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{}",
          body.size(), body);
      ::send(socket.native_handle(), msg.data(), msg.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    }
    error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    socket.close(ignored);
  }

  core::Status SetUpTls(const TlsOptions& o) {
    tls.emplace(net::ssl::context::tls_server);
    return LoadTls(o, *tls);
  }

  core::Status Listen(const ServerOptions& o) {
    error_code ec;
    tcp::resolver resolver(ioc);
    auto endpoints = resolver.resolve(o.host, std::to_string(o.port), tcp::resolver::passive, ec);
    if (ec || endpoints.empty()) {
      return core::Unavailable(fmt::format("cannot resolve {} for HTTP: {}", o.host, ec.message()));
    }
    const tcp::endpoint ep = endpoints.begin()->endpoint();
    auto fail = [&](const char* what) {
      return core::Unavailable(fmt::format("cannot listen on {}:{} for HTTP ({}): {}", o.host,
                                           o.port, what, ec.message()));
    };
    acceptor.open(ep.protocol(), ec);
    if (ec) return fail("open");
    acceptor.set_option(net::socket_base::reuse_address(true), ec);
    acceptor.bind(ep, ec);
    if (ec) return fail("bind");
    acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return fail("listen");
    port = acceptor.local_endpoint(ec).port();
    return core::Status::Ok();
  }
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  if (!impl_->stopped) Stop(std::chrono::milliseconds::max());
  // Abandoned handlers still run on detached threads and post to this io_context: keep it.
  if (impl_->abandoned) (void)impl_.release();
}

uint16_t Server::port() const { return impl_->port; }
size_t Server::open_connections() const { return impl_->state->open_connections.load(); }

core::Result<std::unique_ptr<Server>> Server::Start(const ServerOptions& options,
                                                    const Router& router, const TokenStore& tokens,
                                                    core::MetricsRegistry& metrics) {
  RETURN_IF_ERROR(options.Validate());
  auto impl = std::make_unique<Impl>();
  impl->state = std::make_unique<internal::ServerState>(options, router, tokens, metrics);
  const size_t workers =
      options.worker_threads != 0 ? options.worker_threads : std::max<size_t>(2, Cores());
  impl->state->pool = std::make_unique<core::WorkerPool>(workers, options.max_queued_requests,
                                                         &impl->state->counters.queued);
  if (options.tls.enabled()) RETURN_IF_ERROR(impl->SetUpTls(options.tls));
  RETURN_IF_ERROR(impl->Listen(options));
  impl->Accept();
  const size_t network = options.network_threads != 0 ? options.network_threads : Cores();
  Impl* raw = impl.get();
  for (size_t i = 0; i < network; ++i) impl->threads.emplace_back([raw] { raw->ioc.run(); });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

bool Server::Stop(std::chrono::milliseconds grace) {
  Impl& m = *impl_;
  if (m.stopped) return !m.abandoned;
  m.stopped = true;
  m.state->stopping = true;
  net::post(m.ioc, [&m] {
    error_code ignored;
    m.acceptor.close(ignored);
    m.accept_retry.cancel();
  });
  m.state->AbortAll();
  const bool done = m.state->pool->Shutdown(grace);
  // Let the aborted connections finish closing (bounded), then stop the network threads.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (m.state->open_connections.load() > 0 && std::chrono::steady_clock::now() < until) {
    m.state->AbortAll();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  m.ioc.stop();
  for (std::thread& t : m.threads) t.join();
  m.threads.clear();
  m.abandoned = !done;
  return done;
}

}  // namespace meridian::http
