// MemoryBudget: bytes that concurrent work (the renders' fetched values) may hold at once across
// the process, with a gauge of what is held. Work that would pass the budget is told to retry
// rather than growing the process past what the operator allowed; work that alone needs more
// than the whole budget is refused for good.
//
//   core::MemoryBudget budget(1 << 30, metrics, "http_memory", "http.memory_budget_bytes");
//   core::MemoryReservation held(&budget);
//   RETURN_IF_ERROR(held.Grow(points * 16));  // released when `held` goes out of scope
//
// Thread-safe (MemoryBudget); a MemoryReservation belongs to one piece of work.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "core/metrics.h"
#include "core/status.h"

namespace meridian::core {

class MemoryBudget {
 public:
  // `limit_bytes` 0 = unbounded (still measured). Metrics: <name>_in_use_bytes (gauge),
  // <name>_budget_bytes (gauge) and <name>_refused_total (counter); `knob` names the config key
  // in refusals.
  MemoryBudget(uint64_t limit_bytes, MetricsRegistry& metrics, std::string_view name,
               std::string knob);

  // Reserves `bytes` more: OK, or UNAVAILABLE (others hold the budget: retry) /
  // RESOURCE_EXHAUSTED (`held_after` alone would pass it) with nothing reserved.
  Status Reserve(uint64_t bytes, uint64_t held_after);
  void Release(uint64_t bytes);
  uint64_t in_use() const { return in_use_.load(std::memory_order_relaxed); }
  uint64_t limit() const { return limit_; }

 private:
  const uint64_t limit_;
  const std::string knob_;
  std::atomic<uint64_t> in_use_{0};
  Gauge& gauge_;
  Counter& refused_;
};

// What one piece of work holds of a budget; everything is released on destruction. A null
// budget makes every Grow succeed.
class MemoryReservation {
 public:
  explicit MemoryReservation(MemoryBudget* budget) : budget_(budget) {}
  ~MemoryReservation() {
    if (budget_ != nullptr && held_ > 0) budget_->Release(held_);
  }
  MemoryReservation(const MemoryReservation&) = delete;
  MemoryReservation& operator=(const MemoryReservation&) = delete;
  // The reservation changes hands (to the answer that keeps the values); `other` holds nothing.
  MemoryReservation(MemoryReservation&& other) noexcept
      : budget_(other.budget_), held_(std::exchange(other.held_, 0)) {}
  MemoryReservation& operator=(MemoryReservation&&) = delete;

  Status Grow(uint64_t bytes) {
    if (budget_ == nullptr || bytes == 0) return Status::Ok();
    RETURN_IF_ERROR(budget_->Reserve(bytes, held_ + bytes));
    held_ += bytes;
    return Status::Ok();
  }
  uint64_t held() const { return held_; }

 private:
  MemoryBudget* budget_;
  uint64_t held_ = 0;
};

}  // namespace meridian::core
