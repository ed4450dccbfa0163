#include "alerting/internal/retrying_queue.h"

#include <fmt/format.h>
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <utility>
#include <vector>

namespace meridian::alerting::internal {
namespace {

using Clock = std::chrono::steady_clock;

void Log(std::string_view sink, const std::string& message) {
  fmt::print(stderr, "alerting: {} sink: {}\n", sink, message);
}

// A write to a FIFO or socket whose reader is gone raises SIGPIPE. The process normally ignores
// it (app/main.cc), but a library thread must not depend on that: blocking it in this thread
// keeps it pending here (discarded when the thread exits) instead of killing the process.
void BlockSigpipe() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

}  // namespace

SinkMetrics::SinkMetrics(core::MetricsRegistry& registry, std::string sink)
    : registry_(registry),
      sink_(std::move(sink)),
      sent_(registry.GetCounter("alert_sink_results_total", "Check results by sink and outcome",
                                {{"sink", sink_}, {"outcome", "sent"}})),
      retries_(registry.GetCounter("alert_sink_retries_total",
                                   "Failed delivery attempts followed by a backoff wait",
                                   {{"sink", sink_}})),
      queued_(registry.GetGauge("alert_sink_queued", "Check results waiting for delivery",
                                {{"sink", sink_}})) {}

void SinkMetrics::Dropped(std::string_view reason, size_t n) {
  registry_
      .GetCounter("alert_sink_results_total", "Check results by sink and outcome",
                  {{"sink", sink_}, {"outcome", fmt::format("dropped_{}", reason)}})
      .Add(n);
}

void SinkMetrics::Error(std::string_view reason) {
  registry_
      .GetCounter("alert_sink_errors_total", "Failed delivery attempts by sink and reason",
                  {{"sink", sink_}, {"reason", std::string(reason)}})
      .Add();
}

RetryingQueue::RetryingQueue(RetryingQueueOptions options, core::MetricsRegistry& registry,
                             DeliverFn deliver)
    : options_(std::move(options)),
      deliver_(std::move(deliver)),
      metrics_(registry, options_.sink),
      queue_(options_.max_queued_results, options_.max_queued_bytes),
      backoff_(options_.retry_initial, options_.retry_max),
      thread_([this] { Run(); }) {}

RetryingQueue::~RetryingQueue() { Stop(); }

void RetryingQueue::Submit(std::span<const CheckResult> results) {
  if (results.empty()) return;
  std::lock_guard lock(mu_);
  if (stopping_) {
    metrics_.Dropped("shutdown", results.size());
    return;
  }
  size_t dropped = queue_.Push(results);
  metrics_.SetQueued(queue_.size() + inflight_);
  if (dropped > 0) {
    metrics_.Dropped("queue_full", dropped);
    // Logged once per episode; the total follows when delivery recovers.
    if (dropped_since_logged_ == 0) {
      Log(options_.sink, fmt::format("queue full ({} results / {} bytes): dropping the oldest",
                                     options_.max_queued_results, options_.max_queued_bytes));
    }
    dropped_since_logged_ += dropped;
  }
  cv_.notify_all();
}

void RetryingQueue::Stop() {
  std::call_once(stop_once_, [this] {
    std::unique_lock lock(mu_);
    stopping_ = true;
    cv_.notify_all();
    if (!cv_.wait_for(lock, options_.stop_timeout, [this] { return finished_; })) {
      cancel_.Notify();  // the delivery in flight gives up; Run() then drops the rest
    }
    lock.unlock();
    thread_.join();
  });
}

void RetryingQueue::Run() {
  BlockSigpipe();
  std::vector<CheckResult> batch;
  size_t done = 0;  // batch[done..] is still to deliver
  std::unique_lock lock(mu_);
  while (true) {
    if (!stopping_ && retry_pending_) {
      cv_.wait_until(lock, retry_at_, [this] { return stopping_; });
    } else if (!stopping_) {
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty() || done < batch.size(); });
    }
    if (done == batch.size()) {
      batch = queue_.PopFront(options_.batch_size);
      done = 0;
      inflight_ = batch.size();
    }
    if (batch.empty()) {
      if (stopping_) break;
      continue;
    }
    bool stopping = stopping_;
    lock.unlock();
    DeliveryOutcome out =
        deliver_(std::span<const CheckResult>(batch).subspan(done), {.cancel_fd = cancel_.fd()});
    lock.lock();
    done += std::min(out.delivered, batch.size() - done);
    inflight_ = batch.size() - done;
    metrics_.Sent(out.delivered);
    metrics_.SetQueued(queue_.size() + inflight_);
    OnOutcome(out, stopping);
    if (!out.ok() && stopping) break;  // shutting down: no retries
  }
  size_t left = (batch.size() - done) + queue_.Clear();
  inflight_ = 0;
  metrics_.SetQueued(0);
  if (left > 0) {
    metrics_.Dropped("shutdown", left);
    Log(options_.sink, fmt::format("stopped with {} undelivered results (dropped)", left));
  }
  finished_ = true;
  cv_.notify_all();
}

void RetryingQueue::OnOutcome(const DeliveryOutcome& out, bool stopping) {
  if (out.ok()) {
    retry_pending_ = false;
    if (!failing_reason_.empty()) {
      auto secs = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - failing_since_);
      Log(options_.sink,
          fmt::format("delivering again after {} failed attempts in {} s{}", backoff_.failures(),
                      secs.count(),
                      dropped_since_logged_ > 0
                          ? fmt::format("; {} results dropped (queue full)", dropped_since_logged_)
                          : ""));
      failing_reason_.clear();
      dropped_since_logged_ = 0;
    }
    backoff_.Reset();
    return;
  }
  if (out.error_reason == kCancelledReason) return;
  metrics_.Error(out.error_reason);
  if (stopping) return;
  metrics_.Retry();
  std::chrono::milliseconds delay = backoff_.Next();
  retry_at_ = Clock::now() + delay;
  retry_pending_ = true;
  // First failure of an episode, and any change of reason; never every retry.
  if (out.error_reason != failing_reason_) {
    if (failing_reason_.empty()) failing_since_ = Clock::now();
    Log(options_.sink, fmt::format("delivery failed ({}: {}); {} results queued, retrying with "
                                   "backoff ({} ms, up to {} ms)",
                                   out.error_reason, out.error_detail, queue_.size() + inflight_,
                                   delay.count(), options_.retry_max.count()));
    failing_reason_ = out.error_reason;
  }
}

}  // namespace meridian::alerting::internal
