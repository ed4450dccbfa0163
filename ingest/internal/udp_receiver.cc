#include "ingest/internal/udp_receiver.h"

#include <boost/asio/post.hpp>
#include <string>
#include <string_view>

#include "ingest/line_parser.h"

namespace meridian::ingest::internal {

namespace asio = boost::asio;
using asio::ip::udp;

UdpReceiver::UdpReceiver(asio::io_context& io, ServerContext& ctx)
    : ctx_(ctx),
      strand_(asio::make_strand(io)),
      socket_(strand_),
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
  return core::Status::Ok();
}

void UdpReceiver::Start() {
  asio::post(strand_, [this] { DoReceive(); });
}

void UdpReceiver::Close() {
  asio::post(strand_, [this] {
    closed_ = true;
    boost::system::error_code ignored;
    socket_.close(ignored);
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
  const int64_t now = ctx_.clock.NowSeconds();
  std::string_view rest(buffer_.get(), n);
  std::string_view line;
  while (NextDatagramLine(&rest, &line)) builder_.AddLine(line, now, &batch_);
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
