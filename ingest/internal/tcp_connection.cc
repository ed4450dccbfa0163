#include "ingest/internal/tcp_connection.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstring>
#include <string>
#include <utility>

#include "ingest/internal/connection_manager.h"

namespace meridian::ingest::internal {

namespace asio = boost::asio;
using std::chrono::milliseconds;

TcpConnection::TcpConnection(asio::ip::tcp::socket socket, ServerContext& ctx, std::string peer,
                             std::unique_ptr<StreamProtocol> protocol)
    : socket_(std::move(socket)),
      ctx_(ctx),
      peer_(std::move(peer)),
      protocol_(std::move(protocol)),
      flush_timer_(socket_.get_executor()),
      retry_timer_(socket_.get_executor()),
      idle_timer_(socket_.get_executor()),
      buffer_(new char[ctx.options.read_buffer_bytes]),
      capacity_(ctx.options.read_buffer_bytes) {}

void TcpConnection::Start() {
  asio::dispatch(socket_.get_executor(), [self = shared_from_this()] {
    self->last_point_ = Clock::now();
    self->ArmIdleTimer();
    self->DoRead();
  });
}

void TcpConnection::Drain() {
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    if (self->draining_ || self->state_ == State::kClosed) return;
    self->draining_ = true;
    self->drain_deadline_ = Clock::now() + milliseconds(self->ctx_.options.drain_timeout_ms);
    // A pending read completes with operation_aborted and the connection finishes; a paused or
    // finishing one notices draining_ on its next retry.
    boost::system::error_code ignored;
    if (self->state_ == State::kReading) self->socket_.cancel(ignored);
  });
}

void TcpConnection::DoRead() {
  if (draining_) {
    Finish();
    return;
  }
  state_ = State::kReading;
  socket_.async_read_some(asio::buffer(buffer_.get() + end_, capacity_ - end_),
                          [self = shared_from_this()](const boost::system::error_code& ec,
                                                      size_t n) { self->OnRead(ec, n); });
}

void TcpConnection::OnRead(const boost::system::error_code& ec, size_t n) {
  if (state_ == State::kClosed) return;
  if (ec) {
    // EOF, reset or Drain(): an incomplete unit is dropped (lines: silently, as carbon does).
    if (end_ > begin_) protocol_->Abandon(std::string_view(buffer_.get() + begin_, end_ - begin_));
    begin_ = end_ = 0;
    Finish();
    return;
  }
  end_ += n;
  ProcessBuffer();
}

// Turns every complete unit in the buffer into points, stopping early when a full batch cannot be
// handed over; it then resumes exactly there once the sink takes the batch (OnRetryTimer).
void TcpConnection::ProcessBuffer() {
  const int64_t now = ctx_.clock.NowSeconds();
  StreamProtocol::Step step;
  bool sink_full = false;
  while (true) {
    step = protocol_->Next(std::string_view(buffer_.get() + begin_, end_ - begin_), now, &batch_);
    if (step.status != StreamProtocol::Status::kUnit) break;
    begin_ += step.consumed;
    if (BatchFull() && !FlushBatch()) {
      sink_full = true;
      break;
    }
  }
  // As carbon's resetTimeout(): only a valid point proves the sender alive, not bad lines.
  if (protocol_->PublishCounts() > 0) last_point_ = Clock::now();
  if (sink_full) {
    PauseForSink();
    return;
  }
  if (step.status == StreamProtocol::Status::kClose) {
    begin_ = end_ = 0;  // counted and logged by the protocol; not an incomplete unit
    Finish();
    return;
  }
  CompactAndRead(step.need_bytes);
}

// Moves the incomplete unit to the front of the buffer, grows the buffer when the unit needs more
// room than it has (a pickle frame's length prefix, already checked against the limit), and reads.
void TcpConnection::CompactAndRead(size_t need_bytes) {
  const size_t tail = end_ - begin_;
  if (need_bytes > capacity_) {
    // Room for the unit and a read buffer's worth after it, so one read can still take the next
    // units too (pickle frames are usually a little larger than read_buffer_bytes).
    const size_t grown = need_bytes + ctx_.options.read_buffer_bytes;
    std::unique_ptr<char[]> bigger(new char[grown]);
    std::memcpy(bigger.get(), buffer_.get() + begin_, tail);
    buffer_ = std::move(bigger);
    capacity_ = grown;
  } else if (begin_ > 0) {
    std::memmove(buffer_.get(), buffer_.get() + begin_, tail);
  }
  begin_ = 0;
  end_ = tail;
  if (end_ == capacity_) {
    // The protocol neither consumed a unit nor asked for more room: it cannot progress.
    ctx_.log.Log("connection closed: unit larger than the read buffer", peer_, "");
    Finish();
    return;
  }
  if (!batch_.empty()) ArmFlushTimer();
  DoRead();
}

bool TcpConnection::BatchFull() const {
  return batch_.size() >= ctx_.options.batch_points ||
         batch_.ByteSize() >= ctx_.options.batch_bytes;
}

bool TcpConnection::FlushBatch() {
  if (batch_.empty()) return true;
  const size_t n = batch_.size();
  if (!ctx_.sink.TryWrite(batch_)) return false;
  batch_.Clear();  // the sink may have moved from it
  ctx_.metrics.points_delivered.Add(n);
  return true;
}

void TcpConnection::PauseForSink() {
  state_ = State::kPaused;
  ctx_.metrics.backpressure_pauses.Add();
  ArmRetryTimer();
}

void TcpConnection::ArmRetryTimer() {
  retry_timer_.expires_after(milliseconds(ctx_.options.backpressure_retry_ms));
  retry_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec) self->OnRetryTimer();
  });
}

void TcpConnection::OnRetryTimer() {
  if (state_ == State::kClosed) return;
  if (state_ == State::kFinishing) {
    Finish();
    return;
  }
  if (FlushBatch()) {
    ProcessBuffer();
    return;
  }
  if (draining_ && Clock::now() >= drain_deadline_) {
    ctx_.metrics.shutdown_points_dropped.Add(batch_.size());
    batch_.Clear();
    Finish();
    return;
  }
  ArmRetryTimer();
}

void TcpConnection::ArmFlushTimer() {
  if (flush_armed_) return;
  flush_armed_ = true;
  flush_timer_.expires_after(milliseconds(ctx_.options.flush_interval_ms));
  flush_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    self->flush_armed_ = false;
    if (!ec) self->OnFlushTimer();
  });
}

void TcpConnection::OnFlushTimer() {
  // Paused: the retry timer owns the batch. Finishing: Finish() does the last flush.
  if (state_ != State::kReading) return;
  // Sink full: keep reading until the batch is full (then reads pause); try again later.
  if (!FlushBatch()) ArmFlushTimer();
}

// One timer per connection, re-armed only when it fires (not per read): it checks how long ago
// the last point came and sleeps for the rest of the timeout.
void TcpConnection::ArmIdleTimer() {
  if (ctx_.options.idle_timeout.count() <= 0) return;
  idle_timer_.expires_at(last_point_ + ctx_.options.idle_timeout);
  idle_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec) self->OnIdleTimer();
  });
}

void TcpConnection::OnIdleTimer() {
  if (state_ == State::kFinishing || state_ == State::kClosed) return;
  const Clock::time_point now = Clock::now();
  // Paused by a full sink: the sender is waiting for us, not idle.
  if (state_ == State::kPaused) last_point_ = now;
  if (now - last_point_ < ctx_.options.idle_timeout) {
    ArmIdleTimer();
    return;
  }
  ctx_.metrics.connections_idle_closed.Add();
  const int64_t ms = ctx_.options.idle_timeout.count();
  const std::string idle =
      ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
  ctx_.connection_log.Log(
      "connection closed: no valid point for " + idle + " (graphite.idle_timeout)", peer_, "");
  Finish();
}

// The socket closes at once (no more input), but the connection stays registered until its last
// batch reached the sink, so Stop() can wait for it and max_connections still bounds memory.
void TcpConnection::Finish() {
  if (state_ == State::kClosed) return;
  if (state_ != State::kFinishing) {
    state_ = State::kFinishing;
    boost::system::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    flush_timer_.cancel();
    idle_timer_.cancel();
  }
  if (FlushBatch()) {
    Close();
    return;
  }
  if (draining_ && Clock::now() >= drain_deadline_) {
    ctx_.metrics.shutdown_points_dropped.Add(batch_.size());
    batch_.Clear();
    Close();
    return;
  }
  ArmRetryTimer();
}

void TcpConnection::Close() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  flush_timer_.cancel();
  retry_timer_.cancel();
  idle_timer_.cancel();
  ctx_.manager.Remove(shared_from_this());
}

}  // namespace meridian::ingest::internal
