// RetryingQueue: what both result sinks share — a bounded queue (drop-oldest), one background
// thread that hands batches to a delivery function, exponential backoff while delivery fails,
// the meridian_alert_sink_* metrics and rate-limited stderr logging.
//
// Delivery is in order: a failed batch is retried (its undelivered tail) before anything newer.
// Submit() never blocks on delivery: it only takes the queue mutex.
//
// Metrics (labels sink=<options.sink>):
//   alert_sink_results_total{outcome}  sent | dropped_queue_full | dropped_shutdown |
//                                      dropped_invalid (counted by the sink itself)
//   alert_sink_retries_total           failed attempts followed by a backoff wait
//   alert_sink_errors_total{reason}    failed attempts by reason (the delivery function's label)
//   alert_sink_queued                  results waiting, including the batch in flight
//
// Thread-safety: Submit(), Stop() and metrics() are thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>

#include "alerting/check_sink.h"
#include "alerting/internal/backoff.h"
#include "alerting/internal/fd_wait.h"
#include "alerting/internal/result_queue.h"
#include "core/metrics.h"

namespace meridian::alerting::internal {

struct RetryingQueueOptions {
  std::string sink;  // metric label and log prefix: "nagios", "nsca"
  size_t max_queued_results = 100000;
  size_t max_queued_bytes = size_t{64} << 20;
  size_t batch_size = 100;  // results handed to one delivery call at most
  std::chrono::milliseconds retry_initial{1000};
  std::chrono::milliseconds retry_max{30000};
  // Stop() keeps delivering for at most this long, then cancels and drops the rest.
  std::chrono::milliseconds stop_timeout{2000};
};

// The delivery function's view of the queue's shutdown: `cancel_fd` becomes readable when the
// function must give up at once (pass it to WaitFd in every blocking wait).
struct DeliveryContext {
  int cancel_fd = -1;
};

struct DeliveryOutcome {
  size_t delivered = 0;      // how many results from the front of the batch were delivered
  std::string error_reason;  // empty: all delivered; else a metric label ("no_reader", ...)
  std::string error_detail;  // for the log: "open /x: No such device or address"
  bool ok() const { return error_reason.empty(); }
};

// The error_reason a delivery function returns when it gave up because cancel_fd fired; not
// counted as an error.
inline constexpr std::string_view kCancelledReason = "cancelled";

class SinkMetrics {
 public:
  SinkMetrics(core::MetricsRegistry& registry, std::string sink);
  void Sent(size_t n) { sent_.Add(n); }
  // outcome "dropped_<reason>"
  void Dropped(std::string_view reason, size_t n);
  void Error(std::string_view reason);
  void Retry() { retries_.Add(); }
  void SetQueued(size_t n) { queued_.Set(static_cast<int64_t>(n)); }

 private:
  core::MetricsRegistry& registry_;
  std::string sink_;
  core::Counter& sent_;
  core::Counter& retries_;
  core::Gauge& queued_;
};

class RetryingQueue {
 public:
  using DeliverFn =
      std::function<DeliveryOutcome(std::span<const CheckResult>, const DeliveryContext&)>;

  // Starts the thread. `deliver` runs on it only; it must return after a bounded time and at
  // once after ctx.cancel_fd fires. REQUIRES: options valid (positive bounds and delays).
  RetryingQueue(RetryingQueueOptions options, core::MetricsRegistry& registry, DeliverFn deliver);
  ~RetryingQueue();  // Stop()
  RetryingQueue(const RetryingQueue&) = delete;
  RetryingQueue& operator=(const RetryingQueue&) = delete;

  void Submit(std::span<const CheckResult> results);
  // Delivers what it can until the first failure or options.stop_timeout, drops and counts the
  // rest (dropped_shutdown), joins the thread. Later Submit()s are dropped the same way.
  // Idempotent.
  void Stop();

  SinkMetrics& metrics() { return metrics_; }

 private:
  void Run();
  // Delivery attempt bookkeeping; called with mu_ held.
  void OnOutcome(const DeliveryOutcome& out, bool stopping);

  const RetryingQueueOptions options_;
  const DeliverFn deliver_;
  SinkMetrics metrics_;
  CancelEvent cancel_;
  std::once_flag stop_once_;

  std::mutex mu_;
  std::condition_variable cv_;
  ResultQueue queue_;      // guarded by mu_
  size_t inflight_ = 0;    // undelivered results taken from queue_; guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  bool finished_ = false;  // guarded by mu_
  bool retry_pending_ = false;
  std::chrono::steady_clock::time_point retry_at_;
  Backoff backoff_;
  std::string failing_reason_;         // empty while healthy
  uint64_t dropped_since_logged_ = 0;  // queue-full drops not yet reported in the log
  std::chrono::steady_clock::time_point failing_since_;
  std::thread thread_;  // last: starts after everything above is initialised
};

}  // namespace meridian::alerting::internal
