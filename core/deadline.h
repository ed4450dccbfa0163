// Deadline: when a piece of work must stop — a monotonic instant, a cancellation flag (the client
// went away, the server is stopping), or both. Requests carry one through glob expansion,
// fetches, function loops and formatting, so that no input can hold a worker past its bound.
//
// Copying is cheap (a time point and a shared pointer); copies share the cancellation flag.
// Thread-safe: Cancel() and the checks may race freely.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>

#include "core/status.h"

namespace meridian::core {

class Deadline {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  // Never expires and cannot be cancelled.
  Deadline() = default;
  static Deadline Infinite() { return Deadline(); }
  // Expires at `at`; Cancel() ends it earlier.
  static Deadline At(TimePoint at);
  // Expires `d` from now; Cancel() ends it earlier.
  static Deadline After(std::chrono::nanoseconds d) {
    return At(std::chrono::steady_clock::now() + d);
  }
  // Can only be cancelled (no time bound): work owned by a request without a timeout.
  static Deadline Cancellable();

  // This deadline's cancellation without its time bound: cancelled whenever this one is, never
  // expires by itself (an answer already being sent, paced by its client: see http::BodyStream).
  Deadline WithoutTimeLimit() const {
    Deadline d;
    d.flag_ = flag_;
    return d;
  }

  // Ends this deadline and every copy of it now. No-op on Infinite().
  void Cancel() const;
  bool cancelled() const { return flag_ && flag_->load(std::memory_order_relaxed); }
  TimePoint at() const { return at_; }
  bool infinite() const { return !flag_ && at_ == TimePoint::max(); }

  // True once cancelled or past the instant. Reads the clock (~20 ns); see DeadlineCheck for
  // innermost loops.
  bool Expired() const;
  // OK, CANCELLED ("<what>: cancelled") or DEADLINE_EXCEEDED ("<what>: over <knob>").
  // `what` names the work ("glob expansion", "movingAverage"), `knob` the config key that sets
  // the bound, so the error tells the user which knob to turn.
  Status Check(std::string_view what, std::string_view knob = "http.query_timeout") const;

 private:
  TimePoint at_ = TimePoint::max();
  std::shared_ptr<std::atomic<bool>> flag_;
};

// A deadline check for innermost loops: reads the clock once every `stride` calls, so a loop
// over millions of points pays a counter increment per step.
//   DeadlineCheck check(deadline, "movingAverage");
//   for (...) { RETURN_IF_ERROR(check.Step()); ... }
class DeadlineCheck {
 public:
  DeadlineCheck(const Deadline& deadline, std::string_view what, uint32_t stride = 4096)
      : deadline_(deadline), what_(what), stride_(stride == 0 ? 1 : stride) {}
  Status Step() {
    if (++count_ < stride_) return Status::Ok();
    count_ = 0;
    return deadline_.Check(what_);
  }
  // Adds `n` units of work at once (a block of points, a whole row).
  Status Step(uint64_t n) {
    count_ += static_cast<uint32_t>(n > stride_ ? stride_ : n);
    if (count_ < stride_) return Status::Ok();
    count_ = 0;
    return deadline_.Check(what_);
  }

 private:
  const Deadline& deadline_;
  std::string_view what_;
  uint32_t stride_;
  uint32_t count_ = 0;
};

}  // namespace meridian::core
