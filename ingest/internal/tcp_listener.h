// TcpListener: accepts Graphite TCP clients (plaintext or pickle: the StreamProtocolFactory
// decides), enforces max_connections and max_connections_per_source over every listener of the
// server (a refused connection is closed at once, counted by reason and logged at a rate limit,
// naming the knob), and hands each accepted socket (on a strand of its own) to a new
// TcpConnection running the factory's protocol.
// Thread-safety: Open/port before the io_context runs; Close() from any thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cstdint>
#include <string>

#include "core/status.h"
#include "ingest/internal/connection_manager.h"
#include "ingest/internal/server_context.h"
#include "ingest/internal/stream_protocol.h"

namespace meridian::ingest::internal {

class TcpListener {
 public:
  // `name` names the listener in errors ("graphite tcp", "graphite pickle").
  // REQUIRES: io and ctx outlive this.
  TcpListener(boost::asio::io_context& io, ServerContext& ctx, std::string name,
              StreamProtocolFactory factory);

  // Binds and listens (SO_REUSEADDR). Unavailable when the address is taken.
  core::Status Open(const boost::asio::ip::tcp::endpoint& endpoint);
  // The bound port (the chosen one after binding port 0).
  uint16_t port() const { return port_; }
  // Starts accepting. REQUIRES: Open() succeeded.
  void Start();
  // Stops accepting; connections already open are not touched. Idempotent.
  void Close();

 private:
  void DoAccept();
  void OnAccept(const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket);
  void Refused(ConnectionManager::Admission why, const std::string& source,
               const std::string& peer);

  boost::asio::io_context& io_;
  ServerContext& ctx_;
  const std::string name_;
  const StreamProtocolFactory factory_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  uint16_t port_ = 0;
  bool closed_ = false;
};

}  // namespace meridian::ingest::internal
