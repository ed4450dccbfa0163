// RemoteInstance and PeerDirectory: the federation's peers as the overview and the cross-region
// events reach them — app/ implements them on query::federation::PeerClient (its pool, TLS,
// token, response bound and health), tests with fakes.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/deadline.h"
#include "core/status.h"

namespace meridian::dashboards {

// One federation peer (app wraps query::federation::PeerClient).
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

}  // namespace meridian::dashboards
