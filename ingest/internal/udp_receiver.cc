#include "ingest/internal/udp_receiver.h"

#include <fmt/format.h>
#include <sys/socket.h>

#include <boost/asio/post.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "ingest/internal/udp_socket_stats.h"

namespace meridian::ingest::internal {

namespace asio = boost::asio;
using asio::ip::udp;

UdpReceiver::UdpReceiver(asio::io_context& io, ServerContext& ctx)
    : ctx_(ctx),
      strand_(asio::make_strand(io)),
      socket_(strand_),
      drops_timer_(strand_),
      builder_(ctx.metrics, ctx.log, "udp"),
      buffer_(new char[kMaxDatagram]) {}

core::Status UdpReceiver::Open(const udp::endpoint& endpoint) {
  boost::system::error_code ec;
  auto fail = [&](const char* step) {
    return core::Unavailable(std::string("graphite udp ") + step + " " +
                             endpoint.address().to_string() + ":" +
                             std::to_string(endpoint.port()) + ": " + ec.message());
  };
  if (socket_.open(endpoint.protocol(), ec)) return fail("open");
  if (socket_.bind(endpoint, ec)) return fail("bind");
  udp::endpoint local = socket_.local_endpoint(ec);
  if (ec) return fail("getsockname");
  port_ = local.port();
  // The default buffer (~208 KiB) overflows within milliseconds of a burst; bigger costs only
  // memory actually queued.
  if (ctx_.options.udp_receive_buffer_bytes > 0) {
    ReceiveBuffer rb =
        SetReceiveBuffer(socket_.native_handle(), ctx_.options.udp_receive_buffer_bytes);
    ctx_.metrics.udp_receive_buffer.Set(static_cast<int64_t>(rb.granted));
    fmt::print(stderr, "ingest: udp {}:{}: {}\n", local.address().to_string(), port_,
               DescribeReceiveBuffer(rb));
  } else {
    int value = 0;
    socklen_t len = sizeof(value);
    if (getsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVBUF, &value, &len) == 0) {
      ctx_.metrics.udp_receive_buffer.Set(value);
    }
  }
  if (!ReadSocketDrops(socket_.native_handle())) {
    fmt::print(stderr,
               "ingest: udp: the kernel drop count cannot be read (no SO_MEMINFO, no "
               "/proc/self/net/udp); ingest_udp_kernel_drops_total stays 0\n");
  }
  return core::Status::Ok();
}

void UdpReceiver::Start() {
  asio::post(strand_, [this] {
    DoReceive();
    ArmDropsTimer();
  });
}

void UdpReceiver::Close() {
  asio::post(strand_, [this] {
    if (closed_) return;
    PollDrops();
    closed_ = true;
    drops_timer_.cancel();
    boost::system::error_code ignored;
    socket_.close(ignored);
  });
}

// The kernel's count only grows while the socket lives; the counter gets the increments.
void UdpReceiver::PollDrops() {
  std::optional<uint64_t> drops = ReadSocketDrops(socket_.native_handle());
  if (!drops || *drops <= drops_seen_) return;
  ctx_.metrics.udp_kernel_drops.Add(*drops - drops_seen_);
  drops_seen_ = *drops;
}

void UdpReceiver::ArmDropsTimer() {
  if (closed_) return;
  drops_timer_.expires_after(ctx_.options.udp_drops_poll_interval);
  drops_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || closed_) return;
    PollDrops();
    ArmDropsTimer();
  });
}

void UdpReceiver::DoReceive() {
  if (closed_) return;
  socket_.async_receive_from(
      asio::buffer(buffer_.get(), kMaxDatagram), sender_,
      [this](const boost::system::error_code& ec, size_t n) { OnReceive(ec, n); });
}

void UdpReceiver::OnReceive(const boost::system::error_code& ec, size_t n) {
  if (closed_ || ec == asio::error::operation_aborted) return;
  if (ec) {  // e.g. ICMP errors surfacing on Linux; the socket stays usable
    DoReceive();
    return;
  }
  ctx_.metrics.udp_datagrams.Add();
  if (sender_ != last_sender_) {  // the peer is formatted only when it changes
    last_sender_ = sender_;
    builder_.set_peer(sender_.address().to_string() + ":" + std::to_string(sender_.port()));
  }
  builder_.AddDatagram(std::string_view(buffer_.get(), n), ctx_.options.max_line_bytes,
                       ctx_.clock.NowSeconds(), &batch_);
  builder_.PublishCounts();
  if (!batch_.empty()) {
    const size_t points = batch_.size();
    if (ctx_.sink.TryWrite(batch_)) {
      ctx_.metrics.points_delivered.Add(points);
    } else {
      ctx_.metrics.udp_points_dropped.Add(points);
    }
    batch_.Clear();
  }
  DoReceive();
}

}  // namespace meridian::ingest::internal
