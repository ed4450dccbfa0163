// GET /api/overview: this instance and every federation peer on one page:
//
//   {"now": epoch, "regions": [{"name", "role": "self"|"region"|"shard"|"replica"|"graphite",
//     "up": bool, "error": "", "latency_ms": n, ...the peer's /api/status fields when up}]}
//
// Self first, then the peers in config order. Meridian peers are asked for /api/status?local=1
// (status is always about the answering instance: no loops) — their own "name" is shown as
// "instance", "name" being the peer's name in this config. A graphite-web peer gets a
// /metrics/find probe: up and latency, no status fields. Peers are asked in parallel on a fixed
// set of threads, each bounded by federation.timeout (and the request's deadline): a peer that
// fails, answers garbage or has not answered by then is `up: false` with the reason, never a
// hang. Failures are counted in meridian_overview_peer_failures_total{peer}.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/deadline.h"
#include "core/metrics.h"
#include "core/status.h"
#include "dashboards/peer_fanout.h"
#include "dashboards/remote_instance.h"
#include "dashboards/status.h"

namespace meridian::dashboards {

class Overview {
 public:
  // References must outlive the object.
  Overview(const StatusReporter& self, PeerFanout& peers, const core::Clock& clock,
           core::MetricsRegistry& metrics);
  Overview(const Overview&) = delete;
  Overview& operator=(const Overview&) = delete;

  // The JSON above. Returns by min(deadline, now + timeout) plus bookkeeping.
  std::string Json(const core::Deadline& deadline);

 private:
  const StatusReporter& self_;
  PeerFanout& peers_;
  const core::Clock& clock_;
  core::MetricsRegistry& metrics_;
};

}  // namespace meridian::dashboards
