// UdpReceiver: Graphite plaintext over UDP, as carbon's MetricDatagramReceiver. Each datagram is
// split like str.splitlines() (a final line without '\n' counts; nothing is buffered across
// datagrams; a line over max_line_bytes is rejected and counted, the others kept), parsed into one
// batch and offered to the sink once; a refused batch is dropped and counted (UDP cannot push
// back). The socket's receive buffer is set from udp_receive_buffer_bytes, and the kernel's drop
// count is read every udp_drops_poll_interval into ingest_udp_kernel_drops_total.
// Thread-safety: Open/port before the io_context runs; Close() from any thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cstdint>
#include <memory>

#include "core/status.h"
#include "ingest/internal/batch_builder.h"
#include "ingest/internal/server_context.h"
#include "storage/types.h"

namespace meridian::ingest::internal {

class UdpReceiver {
 public:
  // REQUIRES: io and ctx outlive this.
  UdpReceiver(boost::asio::io_context& io, ServerContext& ctx);

  // Binds and sizes the receive buffer (logging what the kernel granted). Unavailable when the
  // address is taken.
  core::Status Open(const boost::asio::ip::udp::endpoint& endpoint);
  uint16_t port() const { return port_; }
  // REQUIRES: Open() succeeded.
  void Start();
  // Reads the drop count a last time, then closes. Idempotent.
  void Close();

 private:
  void DoReceive();
  void OnReceive(const boost::system::error_code& ec, size_t n);
  void PollDrops();
  void ArmDropsTimer();

  static constexpr size_t kMaxDatagram = 65536;

  ServerContext& ctx_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::udp::socket socket_;
  boost::asio::steady_timer drops_timer_;
  BatchBuilder builder_;
  std::unique_ptr<char[]> buffer_;
  boost::asio::ip::udp::endpoint sender_;
  boost::asio::ip::udp::endpoint last_sender_;
  storage::PointBatch batch_;
  uint64_t drops_seen_ = 0;  // kernel drops already added to the counter
  uint16_t port_ = 0;
  bool closed_ = false;
};

}  // namespace meridian::ingest::internal
