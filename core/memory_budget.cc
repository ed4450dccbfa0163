#include "core/memory_budget.h"

#include <fmt/format.h>

namespace meridian::core {

MemoryBudget::MemoryBudget(uint64_t limit_bytes, MetricsRegistry& metrics, std::string_view name,
                           std::string knob)
    : limit_(limit_bytes),
      knob_(std::move(knob)),
      gauge_(metrics.GetGauge(fmt::format("{}_in_use_bytes", name),
                              "Bytes reserved by running work against the memory budget.")),
      refused_(metrics.GetCounter(fmt::format("{}_refused_total", name),
                                  "Work refused because the memory budget was held.")) {
  metrics.GetGauge(fmt::format("{}_budget_bytes", name), "The memory budget (0 = unbounded).")
      .Set(static_cast<int64_t>(limit_bytes));
}

Status MemoryBudget::Reserve(uint64_t bytes, uint64_t held_after) {
  if (limit_ != 0 && held_after > limit_) {
    refused_.Add();
    return ResourceExhausted(fmt::format(
        "the request needs more than the whole memory budget ({} MiB, {})", limit_ >> 20, knob_));
  }
  uint64_t now = in_use_.load(std::memory_order_relaxed);
  for (;;) {
    if (limit_ != 0 && now + bytes > limit_) {
      refused_.Add();
      return Unavailable(fmt::format(
          "other requests hold the memory budget ({} of {} MiB in use, {}); retry shortly",
          now >> 20, limit_ >> 20, knob_));
    }
    if (in_use_.compare_exchange_weak(now, now + bytes, std::memory_order_relaxed)) break;
  }
  gauge_.Add(static_cast<int64_t>(bytes));
  return Status::Ok();
}

void MemoryBudget::Release(uint64_t bytes) {
  in_use_.fetch_sub(bytes, std::memory_order_relaxed);
  gauge_.Add(-static_cast<int64_t>(bytes));
}

}  // namespace meridian::core
