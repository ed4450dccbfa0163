// FederatedSource: this instance's store plus its peers (other regions, shards, replicas, a
// graphite-web) as one SeriesSource. Every read asks the local store and every peer in parallel,
// each peer once per read (a batch fetch is one round trip), waits at most until the read's
// deadline or federation.timeout, and merges what answered (merge.h) in config order.
//
// Partial answers are never silent: a peer that did not answer (down, timed out, failed,
// backing off, or refused because the fan-out is saturated) is recorded in the read's
// ReadReport and counted; under PartialPolicy::kRefuse the read fails with UNAVAILABLE naming
// the missing peers. A read with scope.local_only (graphite-web's local=1: a peer asking us)
// reads the local store only, so regions that list each other never loop.
//
//   FederatedSource source(local, peers, options, metrics);
//   auto series = source.FetchMatching(FetchSpec::Pattern("*.web*.requests"), from, until, read);
//
// Thread-safe. SetPeers() swaps the peer list while reads run (calls in flight finish on the old
// list, which stays alive until they do).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "core/worker_pool.h"
#include "query/federation/peer.h"
#include "query/series_source.h"

namespace meridian::query::federation {

struct FederationOptions {
  // A federated read waits for its peers at most this long (and never past its own deadline);
  // the peers that have not answered by then are missing. federation.timeout, default 5 s.
  std::chrono::milliseconds timeout{5000};
  // Threads that talk to peers, shared by every read. federation.fanout_threads, default 16.
  size_t fanout_threads = 16;
  // Peer calls queued or running at once; past it a peer call is not made and the peer is
  // missing ("overloaded"). federation.max_pending_calls, default 1024.
  size_t max_pending_calls = 1024;
  // Aggregates over region/shard peers are computed at each peer and combined when that is
  // provably exact (FetchPartials). federation.push_down, default true.
  bool push_down = true;
  // A read that probes a peer in back-off (its real call is the probe) waits for it at most this
  // long, then answers without it ("probing"); the call goes on in the background until its own
  // deadline and brings the peer back if it succeeds. So a dead peer costs the request that
  // probes it this much, not `timeout`. federation.probe_wait, default 250 ms.
  std::chrono::milliseconds probe_wait{250};
};

class FederatedSource final : public SeriesSource {
 public:
  // `local` and `metrics` must outlive this object.
  FederatedSource(SeriesSource& local, std::vector<std::shared_ptr<Peer>> peers,
                  const FederationOptions& options, core::MetricsRegistry& metrics);
  ~FederatedSource() override;
  FederatedSource(const FederatedSource&) = delete;
  FederatedSource& operator=(const FederatedSource&) = delete;

  void SetPeers(std::vector<std::shared_ptr<Peer>> peers);
  std::vector<std::shared_ptr<Peer>> peers() const;

  core::Result<std::vector<storage::FindMatch>> Find(std::string_view pattern,
                                                     const ReadOptions& options) override;
  core::Result<std::vector<std::string>> Expand(std::string_view pattern,
                                                const ReadOptions& options) override;
  core::Result<std::vector<std::string>> FindTagged(const std::vector<std::string>& expressions,
                                                    const ReadOptions& options) override;
  core::Result<std::vector<std::string>> TagNames(std::string_view filter, size_t limit,
                                                  const ReadOptions& options) override;
  core::Result<std::vector<storage::TagValueCount>> TagValues(std::string_view tag,
                                                              std::string_view filter, size_t limit,
                                                              const ReadOptions& options) override;
  core::Result<std::vector<std::string>> AllLeaves(const ReadOptions& options) override;
  // One name: the batch fetch of that exact name.
  core::Result<storage::SeriesData> Fetch(std::string_view name, int64_t from, int64_t until,
                                          const ReadOptions& options) override;
  core::Result<std::vector<storage::SeriesData>> FetchMatching(const FetchSpec& spec, int64_t from,
                                                               int64_t until,
                                                               const ReadOptions& options) override;
  // Push-down (query/partials.h): when every peer is a region or shard without a mount, each
  // peer (one round trip, fanned out like FetchMatching: the same deadline, back-off, missing
  // peers and refuse policy) and the local store compute their partials, combined here exactly
  // or refused with a reason: "disabled" (federation.push_down), "request" (pushDown=0),
  // "replica peer", "graphite peer", "mounted peer", "peer cannot compute partials",
  // "heterogeneous" (different windows or steps), "inexact" (a sum that may round), "signed
  // zero". Counted: federation_pushdowns_total{outcome="used"} and
  // federation_pushdown_fallbacks_total{reason}. Local-only reads and a source without peers
  // answer "unsupported" (not counted: there is nothing to push down).
  core::Result<PartialAnswer> FetchPartials(const PartialRequest& request, int64_t from,
                                            int64_t until, const ReadOptions& options) override;
  // Local only: tag deletion is an admin write on this instance's own index.
  core::Status DeleteTaggedSeries(const std::vector<std::string>& names) override;

 private:
  template <typename T>
  core::Result<std::vector<T>> FanOut(
      const ReadOptions& options, const char* route, const std::function<core::Result<T>()>& local,
      const std::function<core::Result<T>(Peer&, const core::Deadline&)>& remote,
      std::vector<PeerRole>* roles = nullptr);

  SeriesSource& local_;
  const FederationOptions options_;
  core::MetricsRegistry& metrics_;
  core::Counter& partial_reads_;
  core::Counter& refused_reads_;
  core::Counter& pushdowns_used_;
  mutable std::mutex mu_;
  std::shared_ptr<const std::vector<std::shared_ptr<Peer>>> peers_;  // guarded by mu_
  core::WorkerPool pool_;
};

}  // namespace meridian::query::federation
