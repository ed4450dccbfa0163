// A rate-limited stderr log for bad input: bad lines arrive by the million when a sender breaks,
// so at most one message per interval is printed and the rest are only counted.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

#include "core/clock.h"

namespace meridian::ingest::internal {

class RejectLog {
 public:
  // REQUIRES: clock outlives this. interval_ms >= 0 (0 logs everything).
  RejectLog(const core::Clock& clock, int interval_ms);

  // Prints "ingest: <what> from <peer>: [<detail>]" (detail cut at 400 bytes and escaped, as carbon
  // does) unless a message was printed less than an interval ago. Thread-safe.
  void Log(std::string_view what, std::string_view peer, std::string_view detail);

  // Messages suppressed so far.
  uint64_t suppressed() const { return suppressed_total_.load(std::memory_order_relaxed); }

 private:
  const core::Clock& clock_;
  const int64_t interval_micros_;
  std::atomic<int64_t> next_allowed_micros_{0};
  std::atomic<uint64_t> suppressed_since_last_{0};
  std::atomic<uint64_t> suppressed_total_{0};
};

}  // namespace meridian::ingest::internal
