// NagiosPipeSink: writes check results to the Nagios external command FIFO (`command_file` in
// nagios.cfg, Debian: /var/lib/nagios4/rw/nagios.cmd) as
// `[epoch] PROCESS_SERVICE_CHECK_RESULT;host;service;rc;output\n` lines (FormatServiceCheckResult;
// reference/alerting.md §1.1-1.2).
//
// Delivery, on a background thread:
//   - The FIFO is opened O_WRONLY|O_NONBLOCK and kept open. ENXIO (no reader: Nagios is down) and
//     ENOENT (no FIFO yet: Nagios creates it) are retried with backoff; results stay queued.
//   - A path that exists but is not a FIFO (regular file, directory, device) is refused: nothing is
//     ever written to it and nothing is created (error reason "not_fifo", retried with backoff in
//     case Nagios replaces it).
//   - One write() per line. Lines are < PIPE_BUF, so each write is atomic: lines never interleave
//     with other writers (CGIs, nsca). EAGAIN (pipe full) waits for POLLOUT up to
//     write_timeout_ms and then retries the same line after a backoff; EPIPE (reader gone) closes
//     the FIFO and reopens it with backoff. A line is dequeued only after its write succeeded, so
//     nothing is lost except by the queue bounds and at Stop().
//
// Metrics (sink="nagios"): see alerting/internal/retrying_queue.h. Error reasons: no_reader
// (ENXIO), missing (ENOENT), not_fifo, permission (EACCES), open_failed, pipe_full (EAGAIN past
// write_timeout_ms), reader_gone (EPIPE), write_failed.
//
// Thread-safety: Submit() and Stop() are thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "alerting/check_sink.h"
#include "core/metrics.h"
#include "core/status.h"

namespace meridian::alerting {

namespace internal {
class RetryingQueue;
}

struct NagiosPipeSinkOptions {
  // The Nagios external command FIFO. REQUIRED. Never created by Meridian.
  std::string path;
  // Results waiting for delivery at most; when full, the OLDEST are dropped and counted
  // (outcome dropped_queue_full). Default 100000.
  size_t max_queued_results = 100000;
  // Bytes of queued results at most (host + service + output + ~100 bytes each), same policy.
  // Default 64 MiB.
  size_t max_queued_bytes = size_t{64} << 20;
  // Delay before the first retry after a failure, milliseconds; doubles per failure. Default 1 s.
  int retry_initial_ms = 1000;
  // Longest delay between retries, milliseconds. Default 30 s.
  int retry_max_ms = 30000;
  // How long a full pipe (EAGAIN) is waited on before backing off, milliseconds. Default 10 s.
  int write_timeout_ms = 10000;
  // Stop() keeps writing for at most this long, then drops what is left (dropped_shutdown),
  // milliseconds. Default 2 s.
  int stop_timeout_ms = 2000;

  // InvalidArgument naming the first bad field.
  core::Status Validate() const;
};

class NagiosPipeSink final : public CheckSink {
 public:
  // Validates `options` and starts the writer thread. Does not touch the FIFO yet: a missing
  // reader is not an error here. `metrics` must outlive the sink.
  static core::Result<std::unique_ptr<NagiosPipeSink>> Create(NagiosPipeSinkOptions options,
                                                              core::MetricsRegistry& metrics);
  ~NagiosPipeSink() override;  // Stop()

  void Submit(std::span<const CheckResult> results) override;
  std::string_view name() const override { return "nagios"; }
  // Flushes for at most stop_timeout_ms, drops the rest, closes the FIFO. Idempotent.
  void Stop();

 private:
  class Writer;
  NagiosPipeSink(std::unique_ptr<Writer> writer, std::unique_ptr<internal::RetryingQueue> queue);

  std::unique_ptr<Writer> writer_;
  std::unique_ptr<internal::RetryingQueue> queue_;  // after writer_: destroyed (joined) first
};

}  // namespace meridian::alerting
