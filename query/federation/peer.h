// Peer: another Meridian (or a graphite-web) as the federated source sees it — the seam between
// the fan-out/merge (federated_source.h) and the wire (peer_client.h). Every call asks the peer
// for its own series only (graphite-web's local=1), so two regions listing each other never loop.
//
// Thread-safety: implementations are called from many fan-out threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/deadline.h"
#include "core/status.h"
#include "query/federation/peer_mount.h"
#include "query/partials.h"
#include "storage/store.h"

namespace meridian::query::federation {

enum class PeerRole {
  kRegion,    // another site: series disjoint from ours (aggregates may be pushed down)
  kShard,     // another shard of this site: disjoint series (aggregates may be pushed down)
  kReplica,   // the same series again: merged, never counted twice, never pushed down
  kGraphite,  // a graphite-web, spoken to with its cluster protocol; merged like a replica
};
std::string_view PeerRoleName(PeerRole role);

class Peer {
 public:
  virtual ~Peer() = default;

  virtual const std::string& name() const = 0;
  virtual PeerRole role() const = 0;
  virtual const PeerMount& mount() const = 0;

  // False while the peer is known to be down and it is not yet time to probe it again: the
  // fan-out then records it missing ("down") without waiting for it.
  virtual bool ShouldTry() = 0;
  // The fan-out stopped waiting for this peer at a call's deadline. The call itself ends a moment
  // later (and is counted then); until it does, reads arriving now should skip the peer rather
  // than wait out a deadline again. Default: nothing.
  virtual void NoAnswerByDeadline() {}
  // True while the peer is in back-off (its last call failed): a call ShouldTry lets through
  // then is a probe, which the fan-out waits for only briefly (FederationOptions::probe_wait).
  virtual bool InBackOff() const { return false; }

  // graphite-web's remote find (local=1): nodes at the pattern's depth.
  virtual core::Result<std::vector<storage::FindMatch>> Find(std::string_view pattern, int64_t from,
                                                             int64_t until,
                                                             const core::Deadline& deadline) = 0;
  // graphite-web's remote render (local=1): every series of every target, one round trip.
  // Targets are path expressions or seriesByTag(...) calls.
  virtual core::Result<std::vector<storage::SeriesData>> Render(
      const std::vector<std::string>& targets, int64_t from, int64_t until, int64_t now,
      const core::Deadline& deadline) = 0;
  virtual core::Result<std::vector<std::string>> Expand(std::string_view pattern,
                                                        const core::Deadline& deadline) = 0;
  virtual core::Result<std::vector<std::string>> FindTagged(
      const std::vector<std::string>& expressions, const core::Deadline& deadline) = 0;
  virtual core::Result<std::vector<std::string>> TagNames(std::string_view filter, size_t limit,
                                                          const core::Deadline& deadline) = 0;
  virtual core::Result<std::vector<storage::TagValueCount>> TagValues(
      std::string_view tag, std::string_view filter, size_t limit,
      const core::Deadline& deadline) = 0;
  virtual core::Result<std::vector<std::string>> AllLeaves(const core::Deadline& deadline) = 0;
  // Aggregate push-down: the peer's own partials (local=1) for `request` over (from, until]. A
  // peer that cannot compute them (a graphite-web, an older Meridian) answers a PartialAnswer with
  // `fallback` set — the default — rather than an error; errors make the peer missing as for
  // any other read.
  virtual core::Result<PartialAnswer> FetchPartials(const PartialRequest& request, int64_t from,
                                                    int64_t until, int64_t now,
                                                    const core::Deadline& deadline) {
    (void)request, (void)from, (void)until, (void)now, (void)deadline;
    PartialAnswer none;
    none.fallback = "peer cannot compute partials";
    return none;
  }
};

}  // namespace meridian::query::federation
