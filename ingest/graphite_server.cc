#include "ingest/graphite_server.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ingest/internal/connection_manager.h"
#include "ingest/internal/ingest_metrics.h"
#include "ingest/internal/line_protocol.h"
#include "ingest/internal/pickle_protocol.h"
#include "ingest/internal/reject_log.h"
#include "ingest/internal/server_context.h"
#include "ingest/internal/tcp_listener.h"
#include "ingest/internal/udp_receiver.h"

namespace meridian::ingest {

namespace asio = boost::asio;

namespace {

// No resolver on purpose (a listen address must not depend on DNS); "localhost" is the one name
// everyone writes.
core::Result<asio::ip::address> ListenAddress(const std::string& listen, uint16_t* port) {
  std::string host;
  RETURN_IF_ERROR(SplitHostPort(listen, &host, port));
  if (host.empty()) host = "0.0.0.0";
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  asio::ip::address address = asio::ip::make_address(host, ec);
  if (ec) {
    return core::InvalidArgument("listen host \"" + host + "\" is not an IP address literal");
  }
  return address;
}

}  // namespace

// Member order is destruction order in reverse: the listeners and the connection set go before
// the io_context (their sockets need its services), and the io_context (whose pending handlers
// may still hold connections) goes before the metrics and log those connections point to.
struct GraphiteServer::Impl {
  Impl(const ServerOptions& opts, PointSink& sink, const core::Clock& clock,
       core::MetricsRegistry& registry)
      : options(opts),
        metrics(registry),
        log(clock, opts.reject_log_interval_ms),
        connection_log(clock, opts.reject_log_interval_ms),
        io(opts.io_threads),
        manager(metrics.connections_open, opts.max_connections, opts.max_connections_per_source),
        ctx{options, sink, clock, metrics, log, connection_log, manager},
        listener(io, ctx, "graphite tcp",
                 [this](const std::string& peer) -> std::unique_ptr<internal::StreamProtocol> {
                   return std::make_unique<internal::LineProtocol>(metrics, log, peer,
                                                                   options.max_line_bytes);
                 }),
        work(asio::make_work_guard(io)) {}

  core::Status Open(const asio::ip::address& address, uint16_t port);
  core::Status OpenPickle();
  void Run();

  const ServerOptions options;
  internal::IngestMetrics metrics;
  internal::RejectLog log;
  internal::RejectLog connection_log;
  asio::io_context io;
  internal::ConnectionManager manager;
  internal::ServerContext ctx;
  internal::TcpListener listener;
  std::optional<internal::TcpListener> pickle_listener;
  std::optional<internal::UdpReceiver> udp;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  std::vector<std::thread> threads;
  std::once_flag stop_once;
};

core::Status GraphiteServer::Impl::Open(const asio::ip::address& address, uint16_t port) {
  RETURN_IF_ERROR(listener.Open(asio::ip::tcp::endpoint(address, port)));
  if (!options.udp) return core::Status::Ok();
  udp.emplace(io, ctx);
  // With port 0, UDP tries the port TCP was given first, so both share one number as configured.
  core::Status st = udp->Open(asio::ip::udp::endpoint(address, listener.port()));
  if (!st.ok() && port == 0) {
    udp.emplace(io, ctx);
    st = udp->Open(asio::ip::udp::endpoint(address, 0));
  }
  return st;
}

core::Status GraphiteServer::Impl::OpenPickle() {
  if (options.pickle_listen.empty()) return core::Status::Ok();
  uint16_t port = 0;
  ASSIGN_OR_RETURN(asio::ip::address address, ListenAddress(options.pickle_listen, &port));
  pickle_listener.emplace(
      io, ctx, "graphite pickle",
      [this](const std::string& peer) -> std::unique_ptr<internal::StreamProtocol> {
        return std::make_unique<internal::PickleProtocol>(
            metrics, log, peer, options.max_pickle_frame_bytes, options.max_line_bytes);
      });
  return pickle_listener->Open(asio::ip::tcp::endpoint(address, port));
}

void GraphiteServer::Impl::Run() {
  listener.Start();
  if (pickle_listener) pickle_listener->Start();
  if (udp) udp->Start();
  for (int i = 0; i < options.io_threads; ++i) {
    threads.emplace_back([this] { io.run(); });
  }
}

core::Result<std::unique_ptr<GraphiteServer>> GraphiteServer::Start(
    const ServerOptions& options, PointSink& sink, const core::Clock& clock,
    core::MetricsRegistry& registry) {
  RETURN_IF_ERROR(options.Validate());
  uint16_t port = 0;
  ASSIGN_OR_RETURN(asio::ip::address address, ListenAddress(options.listen, &port));
  auto impl = std::make_unique<Impl>(options, sink, clock, registry);
  RETURN_IF_ERROR(impl->Open(address, port));
  RETURN_IF_ERROR(impl->OpenPickle());
  impl->Run();
  return std::unique_ptr<GraphiteServer>(new GraphiteServer(std::move(impl)));
}

GraphiteServer::GraphiteServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

GraphiteServer::~GraphiteServer() { Stop(); }

uint16_t GraphiteServer::tcp_port() const { return impl_->listener.port(); }

uint16_t GraphiteServer::udp_port() const { return impl_->udp ? impl_->udp->port() : 0; }

uint16_t GraphiteServer::pickle_port() const {
  return impl_->pickle_listener ? impl_->pickle_listener->port() : 0;
}

void GraphiteServer::Stop() {
  std::call_once(impl_->stop_once, [this] {
    Impl& s = *impl_;
    s.listener.Close();
    if (s.pickle_listener) s.pickle_listener->Close();
    if (s.udp) s.udp->Close();
    s.manager.DrainAll();
    // Connections give up on a full sink after drain_timeout_ms; the margin covers the last
    // retry tick. Past it, whatever is left is abandoned with the event loop.
    auto limit = std::chrono::milliseconds(s.options.drain_timeout_ms + 1000);
    if (!s.manager.WaitEmpty(limit)) {
      s.log.Log("stop: connections still open after drain timeout", "server", "");
    }
    s.work.reset();
    s.io.stop();
    for (std::thread& t : s.threads) t.join();
    s.threads.clear();
  });
}

}  // namespace meridian::ingest
