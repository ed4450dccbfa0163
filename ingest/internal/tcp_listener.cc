#include "ingest/internal/tcp_listener.h"

#include <fmt/format.h>

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "ingest/internal/tcp_connection.h"

namespace meridian::ingest::internal {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Connections are counted per IP address; an IPv4 sender reaching a dual-stack listener shows up
// as ::ffff:a.b.c.d and counts as a.b.c.d.
std::string SourceKey(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  }
  return address.to_string();
}

}  // namespace

TcpListener::TcpListener(asio::io_context& io, ServerContext& ctx, std::string name,
                         StreamProtocolFactory factory)
    : io_(io),
      ctx_(ctx),
      name_(std::move(name)),
      factory_(std::move(factory)),
      strand_(asio::make_strand(io)),
      acceptor_(strand_),
      retry_timer_(strand_) {}

core::Status TcpListener::Open(const tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  auto fail = [&](const char* step) {
    return core::Unavailable(name_ + " " + step + " " + endpoint.address().to_string() + ":" +
                             std::to_string(endpoint.port()) + ": " + ec.message());
  };
  if (acceptor_.open(endpoint.protocol(), ec)) return fail("open");
  if (acceptor_.set_option(tcp::acceptor::reuse_address(true), ec)) return fail("setsockopt");
  if (acceptor_.bind(endpoint, ec)) return fail("bind");
  if (acceptor_.listen(asio::socket_base::max_listen_connections, ec)) return fail("listen");
  tcp::endpoint local = acceptor_.local_endpoint(ec);
  if (ec) return fail("getsockname");
  port_ = local.port();
  return core::Status::Ok();
}

void TcpListener::Start() {
  asio::post(strand_, [this] { DoAccept(); });
}

void TcpListener::Close() {
  asio::post(strand_, [this] {
    closed_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    retry_timer_.cancel();
  });
}

void TcpListener::DoAccept() {
  if (closed_) return;
  // Each connection gets its own strand, so io_threads > 1 never runs one connection's
  // handlers concurrently.
  acceptor_.async_accept(asio::make_strand(io_),
                         [this](const boost::system::error_code& ec, tcp::socket socket) {
                           OnAccept(ec, std::move(socket));
                         });
}

void TcpListener::Refused(ConnectionManager::Admission why, const std::string& source,
                          const std::string& peer) {
  const ServerOptions& o = ctx_.options;
  if (why == ConnectionManager::Admission::kMaxConnections) {
    ctx_.metrics.rejected_max_connections.Add();
    ctx_.connection_log.Log(
        fmt::format("connection refused: graphite.max_connections ({}) reached ({} of them "
                    "from this address)",
                    o.max_connections, ctx_.manager.CountFrom(source)),
        peer, "");
  } else if (why == ConnectionManager::Admission::kMaxPerSource) {
    ctx_.metrics.rejected_per_source.Add();
    ctx_.connection_log.Log(
        fmt::format("connection refused: graphite.max_connections_per_source ({}) reached",
                    o.max_connections_per_source),
        peer, "");
  }
  // kDraining: Stop() began; refusing is the point and not worth a message.
}

void TcpListener::OnAccept(const boost::system::error_code& ec, tcp::socket socket) {
  if (closed_ || ec == asio::error::operation_aborted) return;
  if (ec) {
    // Typically EMFILE: retry shortly instead of spinning on the same error.
    ctx_.log.Log("accept failed", "listener", ec.message());
    retry_timer_.expires_after(std::chrono::milliseconds(50));
    retry_timer_.async_wait([this](const boost::system::error_code& tec) {
      if (!tec) DoAccept();
    });
    return;
  }
  boost::system::error_code peer_ec;
  const tcp::endpoint remote = socket.remote_endpoint(peer_ec);
  // A sender that reset before we looked has no address; it is counted as "unknown".
  const std::string source = peer_ec ? "unknown" : SourceKey(remote.address());
  std::string peer = source + ":" + std::to_string(peer_ec ? 0 : remote.port());
  // Only this strand adds connections, so checking before allocating one is race-free.
  ConnectionManager::Admission admission = ctx_.manager.Check(source);
  if (admission == ConnectionManager::Admission::kAdded) {
    auto connection =
        std::make_shared<TcpConnection>(std::move(socket), ctx_, peer, factory_(peer));
    admission = ctx_.manager.TryAdd(connection, source);
    if (admission == ConnectionManager::Admission::kAdded) {
      ctx_.metrics.connections.Add();
      connection->Start();
    } else {
      Refused(admission, source, peer);  // counted before the sender can see the close
    }
    // Refused: the socket closes with `connection`.
  } else {
    Refused(admission, source, peer);
    boost::system::error_code ignored;
    socket.close(ignored);
  }
  DoAccept();
}

}  // namespace meridian::ingest::internal
