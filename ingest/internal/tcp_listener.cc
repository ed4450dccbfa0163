#include "ingest/internal/tcp_listener.h"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "ingest/internal/connection_manager.h"
#include "ingest/internal/tcp_connection.h"

namespace meridian::ingest::internal {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

std::string PeerName(const tcp::socket& socket) {
  boost::system::error_code ec;
  tcp::endpoint ep = socket.remote_endpoint(ec);
  if (ec) return "unknown peer";
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

}  // namespace

TcpListener::TcpListener(asio::io_context& io, ServerContext& ctx)
    : io_(io),
      ctx_(ctx),
      strand_(asio::make_strand(io)),
      acceptor_(strand_),
      retry_timer_(strand_) {}

core::Status TcpListener::Open(const tcp::endpoint& endpoint) {
  boost::system::error_code ec;
  auto fail = [&](const char* step) {
    return core::Unavailable(std::string("graphite tcp ") + step + " " +
                             endpoint.address().to_string() + ":" +
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
  std::string peer = PeerName(socket);
  // Only this strand adds connections, so checking before constructing one is race-free.
  if (ctx_.manager.size() >= ctx_.options.max_connections) {
    ctx_.metrics.connections_rejected.Add();
    ctx_.log.Log("connection rejected (max_connections)", peer, "");
    boost::system::error_code ignored;
    socket.close(ignored);
  } else {
    auto connection = std::make_shared<TcpConnection>(std::move(socket), ctx_, std::move(peer));
    // Refused only when Stop() began; the socket closes with `connection`.
    if (ctx_.manager.TryAdd(connection, ctx_.options.max_connections)) {
      ctx_.metrics.connections.Add();
      connection->Start();
    }
  }
  DoAccept();
}

}  // namespace meridian::ingest::internal
