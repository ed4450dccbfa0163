// GET /api/status: this instance at a glance — what the regions overview shows per region, and
// what peers ask each other for (always about this instance only, so regions listing each other
// never loop):
//
//   {"name": instance, "version", "started": epoch, "now": epoch,
//    "ingest_points_per_second": float (over the last ~60 s), "series": N,
//    "alerts": {"OK": n, "WARNING": n, "CRITICAL": n, "UNKNOWN": n},
//    "problems": [{"group","rule","host","service","state","state_since","output","value"}],
//    "health": "ok" | "degraded: <why>" (as /health), "alerting": true|false}
//
// problems: the checks not OK now, CRITICAL first, then WARNING, then UNKNOWN, each oldest
// first. Alert fields are zero/empty when alerting is off.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "alerting/engine.h"
#include "core/clock.h"

namespace meridian::dashboards {

// What app/ knows of this instance (the store, ingest, health). Called from HTTP worker threads
// at once: implementations must be thread-safe and answer without blocking on I/O.
class InstanceStats {
 public:
  virtual ~InstanceStats() = default;
  // Series in this instance's store.
  virtual uint64_t SeriesCount() const = 0;
  // Points received by ingest per second, over about the last minute.
  virtual double IngestPointsPerSecond() const = 0;
  // "" when healthy; else what is degraded (as /health says after "degraded: ").
  virtual std::string HealthProblem() const = 0;
};

// AlertEngine::Checks, or a fake; empty function = alerting off.
using CheckLister = std::function<std::vector<alerting::CheckStatus>()>;

struct StatusInfo {
  std::string name;     // the `instance` config key
  std::string version;  // meridian's version
  int64_t started = 0;  // epoch seconds
};

// Builds /api/status answers. Thread-safe; references must outlive it.
class StatusReporter {
 public:
  StatusReporter(StatusInfo info, const InstanceStats& stats, CheckLister checks,
                 const core::Clock& clock)
      : info_(std::move(info)), stats_(stats), checks_(std::move(checks)), clock_(clock) {}
  // The JSON object above.
  std::string Json() const;

 private:
  const StatusInfo info_;
  const InstanceStats& stats_;
  const CheckLister checks_;
  const core::Clock& clock_;
};

// A counter's rate over a sliding window, from samples taken whenever it is asked (and by a
// periodic sampler): at most one sample per second is kept, and the oldest sample at least
// `window` old serves as the baseline, so memory is bounded by the window. Time is passed in
// (the injected clock's). Thread-safe.
class RateWindow {
 public:
  explicit RateWindow(std::chrono::seconds window = std::chrono::seconds(60)) : window_(window) {}
  // Records (now, count) and returns the per-second rate since the baseline; 0 with less than a
  // second of history or when the counter went backwards.
  double Update(int64_t now_micros, uint64_t count);

 private:
  const std::chrono::seconds window_;
  mutable std::mutex mu_;
  std::deque<std::pair<int64_t, uint64_t>> samples_;  // (micros, count), oldest first
};

}  // namespace meridian::dashboards
