#include "alerting/nagios_pipe_sink.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <utility>

#include "alerting/internal/fd_wait.h"
#include "alerting/internal/retrying_queue.h"

namespace meridian::alerting {

using internal::DeliveryContext;
using internal::DeliveryOutcome;

namespace {

// The writer hands lines to the kernel in groups of this many per delivery call; it only bounds
// how often the queue mutex is taken.
constexpr size_t kLinesPerBatch = 256;

DeliveryOutcome Failure(size_t delivered, std::string reason, std::string detail) {
  return {delivered, std::move(reason), std::move(detail)};
}

std::string OpenReason(int err) {
  switch (err) {
    case ENXIO:
      return "no_reader";
    case ENOENT:
      return "missing";
    case EACCES:
      return "permission";
    default:
      return "open_failed";
  }
}

}  // namespace

core::Status NagiosPipeSinkOptions::Validate() const {
  if (path.empty()) return core::InvalidArgument("nagios command_file (path) must be set");
  if (max_queued_results == 0) return core::InvalidArgument("max_queued_results must be > 0");
  if (max_queued_bytes == 0) return core::InvalidArgument("max_queued_bytes must be > 0");
  if (retry_initial_ms <= 0) return core::InvalidArgument("retry_initial_ms must be > 0");
  if (retry_max_ms < retry_initial_ms) {
    return core::InvalidArgument("retry_max_ms must be >= retry_initial_ms");
  }
  if (write_timeout_ms <= 0) return core::InvalidArgument("write_timeout_ms must be > 0");
  if (stop_timeout_ms < 0) return core::InvalidArgument("stop_timeout_ms must be >= 0");
  return core::Status::Ok();
}

// Owns the FIFO descriptor; used by the queue's thread only.
class NagiosPipeSink::Writer {
 public:
  explicit Writer(NagiosPipeSinkOptions options) : options_(std::move(options)) {}
  ~Writer() { Close(); }

  DeliveryOutcome Deliver(std::span<const CheckResult> batch, const DeliveryContext& ctx) {
    if (fd_ < 0) {
      DeliveryOutcome opened = Open();
      if (!opened.ok()) return opened;
    }
    for (size_t i = 0; i < batch.size(); ++i) {
      const CheckResult& r = batch[i];
      std::string line = FormatServiceCheckResult(r.time, r.host, r.service, r.state, r.output);
      DeliveryOutcome wrote = WriteLine(line, ctx);
      if (!wrote.ok()) {
        if (wrote.error_reason != internal::kCancelledReason) Close();
        wrote.delivered = i;
        return wrote;
      }
    }
    return {batch.size(), "", ""};
  }

 private:
  DeliveryOutcome Open() {
    // stat() first so that a regular file or device is never even opened for writing.
    struct stat st {};
    if (stat(options_.path.c_str(), &st) != 0) return OpenError(errno);
    if (!S_ISFIFO(st.st_mode)) return NotFifo();
    int fd = open(options_.path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return OpenError(errno);
    // The path may have been replaced between stat() and open().
    if (fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode)) {
      close(fd);
      return NotFifo();
    }
    fd_ = fd;
    return {};
  }

  DeliveryOutcome OpenError(int err) const {
    return Failure(0, OpenReason(err), "open " + options_.path + ": " + std::strerror(err));
  }
  DeliveryOutcome NotFifo() const {
    return Failure(0, "not_fifo",
                   options_.path + " is not a FIFO (Nagios creates it; refusing to write)");
  }

  // One write() for the whole line: atomic because the line is shorter than PIPE_BUF.
  DeliveryOutcome WriteLine(const std::string& line, const DeliveryContext& ctx) {
    auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.write_timeout_ms);
    while (true) {
      ssize_t n = write(fd_, line.data(), line.size());
      if (n == static_cast<ssize_t>(line.size())) return {1, "", ""};
      if (n >= 0) {
        // Cannot happen for a FIFO and a line below PIPE_BUF; do not write the tail separately
        // (it could interleave), report it instead.
        return Failure(0, "write_failed", "short write to " + options_.path);
      }
      if (errno == EINTR) continue;
      if (errno == EPIPE) return Failure(0, "reader_gone", options_.path + ": reader closed");
      if (errno != EAGAIN) {
        return Failure(0, "write_failed", "write " + options_.path + ": " + std::strerror(errno));
      }
      switch (internal::WaitFd(fd_, POLLOUT, ctx.cancel_fd, deadline)) {
        case internal::WaitResult::kReady:
          break;
        case internal::WaitResult::kCancelled:
          return Failure(0, std::string(internal::kCancelledReason), "stopping");
        case internal::WaitResult::kTimeout:
          return Failure(0, "pipe_full",
                         options_.path + " stayed full for " +
                             std::to_string(options_.write_timeout_ms) + " ms");
      }
    }
  }

  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  const NagiosPipeSinkOptions options_;
  int fd_ = -1;
};

core::Result<std::unique_ptr<NagiosPipeSink>> NagiosPipeSink::Create(
    NagiosPipeSinkOptions options, core::MetricsRegistry& metrics) {
  RETURN_IF_ERROR(options.Validate());
  internal::RetryingQueueOptions q;
  q.sink = "nagios";
  q.max_queued_results = options.max_queued_results;
  q.max_queued_bytes = options.max_queued_bytes;
  q.batch_size = kLinesPerBatch;
  q.retry_initial = std::chrono::milliseconds(options.retry_initial_ms);
  q.retry_max = std::chrono::milliseconds(options.retry_max_ms);
  q.stop_timeout = std::chrono::milliseconds(options.stop_timeout_ms);
  auto writer = std::make_unique<Writer>(std::move(options));
  Writer* w = writer.get();
  auto queue = std::make_unique<internal::RetryingQueue>(
      std::move(q), metrics, [w](std::span<const CheckResult> batch, const DeliveryContext& ctx) {
        return w->Deliver(batch, ctx);
      });
  return std::unique_ptr<NagiosPipeSink>(new NagiosPipeSink(std::move(writer), std::move(queue)));
}

NagiosPipeSink::NagiosPipeSink(std::unique_ptr<Writer> writer,
                               std::unique_ptr<internal::RetryingQueue> queue)
    : writer_(std::move(writer)), queue_(std::move(queue)) {}

NagiosPipeSink::~NagiosPipeSink() { Stop(); }

void NagiosPipeSink::Submit(std::span<const CheckResult> results) { queue_->Submit(results); }

void NagiosPipeSink::Stop() { queue_->Stop(); }

}  // namespace meridian::alerting
