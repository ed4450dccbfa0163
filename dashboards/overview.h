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
#include "core/worker_pool.h"
#include "dashboards/status.h"

namespace meridian::dashboards {

// One federation peer as the overview reaches it (app wraps query::federation::PeerClient).
// Called from the overview's threads at once: thread-safe.
class RemoteInstance {
 public:
  virtual ~RemoteInstance() = default;
  virtual const std::string& name() const = 0;
  virtual std::string_view role() const = 0;  // "region", "shard", "replica" or "graphite"
  // The body of a 200 answer to GET `path_and_query`; otherwise an error saying why (cannot
  // connect, timeout, HTTP 404: …). Returns by `deadline`.
  virtual core::Result<std::string> GetJson(const std::string& path_and_query,
                                            const core::Deadline& deadline) = 0;
  // A graphite-web's liveness: a /metrics/find that answered. Returns by `deadline`.
  virtual core::Status Probe(const core::Deadline& deadline) = 0;
};

// The current peers, in config order. Thread-safe.
class PeerDirectory {
 public:
  virtual ~PeerDirectory() = default;
  virtual std::vector<std::shared_ptr<RemoteInstance>> Peers() const = 0;
};

struct OverviewOptions {
  std::chrono::milliseconds timeout{5000};  // federation.timeout
  size_t threads = 16;                      // federation.fanout_threads
  size_t max_pending = 1024;                // federation.max_pending_calls
};

class Overview {
 public:
  // References must outlive the object.
  Overview(const StatusReporter& self, PeerDirectory& peers, const core::Clock& clock,
           core::MetricsRegistry& metrics, const OverviewOptions& options);
  ~Overview();
  Overview(const Overview&) = delete;
  Overview& operator=(const Overview&) = delete;

  // The JSON above. Returns by min(deadline, now + timeout) plus bookkeeping.
  std::string Json(const core::Deadline& deadline);

 private:
  const StatusReporter& self_;
  PeerDirectory& peers_;
  const core::Clock& clock_;
  core::MetricsRegistry& metrics_;
  const OverviewOptions options_;
  core::WorkerPool pool_;
};

}  // namespace meridian::dashboards
