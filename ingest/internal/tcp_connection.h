// TcpConnection: one Graphite TCP client. Reads into a buffer, lets its StreamProtocol (plaintext
// lines or pickle frames) turn complete units into points in a batch and hands full batches to
// the sink; pauses reading while the sink is full.
//
// Lifecycle: Start() -> reading <-> paused (sink full, retry timer) -> finishing (EOF, error,
// the protocol asks to close (line too long, refused frame), idle_timeout without a valid point,
// or Drain(): final flush, retried while the sink is full) -> closed (removed from the
// ConnectionManager). An incomplete unit at close goes to StreamProtocol::Abandon.
// Memory: the read buffer (read_buffer_bytes, grown to the largest unit the protocol asked for
// plus read_buffer_bytes: a pickle frame) + one batch (<= batch_points / about batch_bytes, plus
// one unit's points).
//
// Thread-safety: all work runs on the connection's strand (the socket's executor); Drain() may
// be called from any thread.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "ingest/internal/server_context.h"
#include "ingest/internal/stream_protocol.h"
#include "storage/types.h"

namespace meridian::ingest::internal {

class TcpConnection : public std::enable_shared_from_this<TcpConnection> {
 public:
  // REQUIRES: `socket` is open and its executor is a strand; ctx outlives this.
  TcpConnection(boost::asio::ip::tcp::socket socket, ServerContext& ctx, std::string peer,
                std::unique_ptr<StreamProtocol> protocol);
  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;

  // Starts reading. REQUIRES: already added to the ConnectionManager.
  void Start();
  // Stop reading, flush what is buffered (complete lines) and close; gives up after
  // drain_timeout_ms, counting dropped points. Thread-safe, idempotent.
  void Drain();

 private:
  enum class State { kReading, kPaused, kFinishing, kClosed };
  using Clock = std::chrono::steady_clock;

  void DoRead();
  void OnRead(const boost::system::error_code& ec, size_t n);
  void ProcessBuffer();
  bool BatchFull() const;
  bool FlushBatch();
  void PauseForSink();
  void ArmRetryTimer();
  void OnRetryTimer();
  void ArmFlushTimer();
  void OnFlushTimer();
  void CompactAndRead(size_t need_bytes);
  void ArmIdleTimer();
  void OnIdleTimer();
  void Finish();
  void Close();

  boost::asio::ip::tcp::socket socket_;
  ServerContext& ctx_;
  const std::string peer_;
  std::unique_ptr<StreamProtocol> protocol_;
  boost::asio::steady_timer flush_timer_;
  boost::asio::steady_timer retry_timer_;
  boost::asio::steady_timer idle_timer_;
  std::unique_ptr<char[]> buffer_;
  size_t capacity_;
  size_t begin_ = 0;  // first unparsed byte
  size_t end_ = 0;    // one past the last received byte
  storage::PointBatch batch_;
  State state_ = State::kReading;
  bool flush_armed_ = false;
  bool draining_ = false;
  Clock::time_point drain_deadline_{};
  Clock::time_point last_point_{};  // when a read last yielded a valid point (or Start())
};

}  // namespace meridian::ingest::internal
