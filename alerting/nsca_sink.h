// NscaSink: sends check results to a remote Nagios through its NSCA daemon (send_nsca protocol v3,
// reference/alerting.md §2; packets from alerting/nsca_packet.h), encryption none or XOR.
//
// Delivery, on a background thread, one TCP connection per batch of up to batch_size results:
// resolve host, connect (connect_timeout_ms), read the 132-byte init packet, write one data
// packet per result, half-close, and wait until the daemon closes too (it has then read every
// packet; io_timeout_ms bounds each read/write wait). Any failure retries the whole batch with
// backoff, in order, before newer results.
//
// At-least-once: NSCA never acknowledges packets, so a batch that failed after some packets were
// written (connection reset, timeout waiting for the daemon's close) is sent again in full and
// those results may reach Nagios twice. A repeated passive result with the same state is
// harmless to Nagios apart from the duplicate log line.
// A wrong password or encryption method is not reported by the daemon either (it logs to syslog
// and closes): with two or more results per connection the sink sees the connection reset and
// keeps the batch queued (errors_total{reason=reset} grows); a lone result is lost.
// NSCA limits: the daemon stamps results with its own receive time (CheckResult::time is lost);
// host names over 63 bytes and service names over 127 bytes cannot be sent and are dropped at
// Submit (outcome dropped_invalid, logged at most once a minute); output over 4095 bytes (511 for
// the 2.7 format) is truncated. getaddrinfo() is not interruptible: a hanging DNS lookup can
// delay Stop(); use an IP literal or /etc/hosts name where that matters.
//
// Metrics (sink="nsca"): see alerting/internal/retrying_queue.h. Error reasons: resolve, connect,
// connect_timeout, closed (daemon closed before/while sending the init packet, e.g. allowed_hosts),
// init_timeout, bad_init, reset (daemon closed mid-batch), write_timeout, write_failed,
// close_timeout; for dropped results also
// the NscaUnsendableReason values and encode.
//
// Thread-safety: Submit() and Stop() are thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>

#include "alerting/check_sink.h"
#include "alerting/nsca_packet.h"
#include "core/metrics.h"
#include "core/status.h"

namespace meridian::alerting {

namespace internal {
class RetryingQueue;
}

struct NscaSinkOptions {
  // NSCA daemon host name or IP literal. REQUIRED.
  std::string host;
  // NSCA daemon TCP port. Default 5667.
  uint16_t port = 5667;
  // Shared secret for XOR (nsca.cfg `password`); at most 511 bytes, no NUL. Ignored for kNone.
  std::string password;
  // Must match nsca.cfg `decryption_method` (0 = kNone, 1 = kXor). Default kXor, as Debian's
  // sample nsca.cfg.
  NscaEncryption encryption = NscaEncryption::kXor;
  // kV3 (4304-byte packets, nsca >= 2.9, default) or kLegacy27 (720 bytes, nsca 2.7.x). With
  // kLegacy27 every result gets its own connection (batch_size is ignored): a 2.9+ daemon
  // accepts a short packet only when the connection ends right after it.
  NscaPacketFormat format = NscaPacketFormat::kV3;
  // TCP connect timeout, milliseconds. Default 5 s.
  int connect_timeout_ms = 5000;
  // Longest wait for the init packet, for the socket to accept more data, and for the daemon's
  // close after our last packet, milliseconds. Default 5 s.
  int io_timeout_ms = 5000;
  // Results per connection at most. Default 100 (430 KB of v3 packets).
  size_t batch_size = 100;
  // Results waiting for delivery at most; when full, the OLDEST are dropped and counted
  // (outcome dropped_queue_full). Default 100000.
  size_t max_queued_results = 100000;
  // Bytes of queued results at most (host + service + output + ~100 bytes each). Default 64 MiB.
  size_t max_queued_bytes = size_t{64} << 20;
  // Delay before the first retry after a failure, milliseconds; doubles per failure. Default 1 s.
  int retry_initial_ms = 1000;
  // Longest delay between retries, milliseconds. Default 30 s.
  int retry_max_ms = 30000;
  // Stop() keeps sending for at most this long, then drops what is left (dropped_shutdown),
  // milliseconds. Default 2 s.
  int stop_timeout_ms = 2000;

  // InvalidArgument naming the first bad field.
  core::Status Validate() const;
};

// Why `result` cannot be sent over NSCA: "empty_host", "host_too_long" (> 63 bytes),
// "empty_service" (NSCA would make it a host check), "service_too_long" (> 127 bytes),
// "nul_byte" (in host, service or output); empty when it can be sent.
std::string_view NscaUnsendableReason(const CheckResult& result);

class NscaSink final : public CheckSink {
 public:
  // Validates `options` and starts the sender thread; connects only when results arrive.
  // `metrics` must outlive the sink.
  static core::Result<std::unique_ptr<NscaSink>> Create(NscaSinkOptions options,
                                                        core::MetricsRegistry& metrics);
  ~NscaSink() override;  // Stop()

  // Results NscaUnsendableReason rejects are dropped here (counted, logged); the rest queue.
  void Submit(std::span<const CheckResult> results) override;
  std::string_view name() const override { return "nsca"; }
  // Sends for at most stop_timeout_ms, drops the rest. Idempotent.
  void Stop();

 private:
  class Sender;
  NscaSink(std::unique_ptr<Sender> sender, std::unique_ptr<internal::RetryingQueue> queue);
  void DropUnsendable(const CheckResult& result, std::string_view reason);

  std::mutex log_mu_;
  std::chrono::steady_clock::time_point next_log_;  // guarded by log_mu_
  uint64_t suppressed_logs_ = 0;                    // guarded by log_mu_
  std::unique_ptr<Sender> sender_;
  std::unique_ptr<internal::RetryingQueue> queue_;  // after sender_: destroyed (joined) first
};

}  // namespace meridian::alerting
