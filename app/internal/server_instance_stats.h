// /api/status's view of this `meridian serve`: series from the store, the ingest rate from the
// ingest counter (sampled by the self-metrics loop and on each ask), health as /health says it.
// Thread-safe.
#pragma once

#include <string>

#include "core/clock.h"
#include "core/metrics.h"
#include "dashboards/status.h"
#include "storage/store.h"

namespace meridian::app::internal {

class ServerInstanceStats final : public dashboards::InstanceStats {
 public:
  // References must outlive this object. Takes the first rate sample now.
  ServerInstanceStats(const storage::Store& store, core::MetricsRegistry& metrics,
                      const core::Clock& clock)
      : store_(store),
        points_(metrics.GetCounter("ingest_points_received_total",
                                   "Graphite lines parsed into a point.")),
        clock_(clock) {
    Sample();
  }
  uint64_t SeriesCount() const override { return store_.Stats().series; }
  double IngestPointsPerSecond() const override {
    return rate_.Update(clock_.NowMicros(), points_.Value());
  }
  std::string HealthProblem() const override { return store_.HealthProblem(); }
  // Called periodically so the window has a baseline about a minute old.
  void Sample() const { rate_.Update(clock_.NowMicros(), points_.Value()); }

 private:
  const storage::Store& store_;
  core::Counter& points_;
  const core::Clock& clock_;
  mutable dashboards::RateWindow rate_;
};

}  // namespace meridian::app::internal
