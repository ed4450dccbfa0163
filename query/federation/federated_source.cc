#include "query/federation/federated_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <optional>
#include <unordered_set>

#include "core/tagged_name.h"
#include "query/federation/internal/partials_wire.h"
#include "query/federation/merge.h"
#include "query/federation/mount.h"
#include "storage/glob.h"
#include "storage/tag_match.h"

namespace meridian::query::federation {
namespace {

using PeerList = std::vector<std::shared_ptr<Peer>>;

// The reason for a missing peer (ReadReport::AddMissing makes it header-safe).
std::string ReasonOf(const core::Status& st) {
  switch (st.code()) {
    case core::StatusCode::kDeadlineExceeded:
      return "timeout";
    case core::StatusCode::kCancelled:
      return "cancelled";
    default:
      return st.message().empty() ? "error" : st.message();
  }
}

// The deadline of one peer call: the read's, or federation.timeout from now when that is sooner.
core::Deadline PeerDeadline(const core::Deadline& read, std::chrono::milliseconds timeout) {
  const auto bound = std::chrono::steady_clock::now() + timeout;
  return read.at() <= bound ? read : core::Deadline::At(bound);
}

// seriesByTag('a=b','c!=d') with the expressions quoted for graphite's grammar.
std::string SeriesByTagTarget(const std::vector<std::string>& exprs) {
  std::string t = "seriesByTag(";
  for (size_t i = 0; i < exprs.size(); ++i) {
    if (i) t += ',';
    t += '\'';
    for (char c : exprs[i]) {
      if (c == '\'' || c == '\\') t += '\\';
      t += c;
    }
    t += '\'';
  }
  return t + ")";
}

bool IsReplicated(PeerRole role) {
  return role == PeerRole::kReplica || role == PeerRole::kGraphite;
}

// Keeps what a peer answered only where it matches what was asked: a broken or hostile peer
// cannot put series of its choosing into an answer. What it sent beyond that is counted.
core::Counter& Unrequested(core::MetricsRegistry& metrics, const Peer& peer) {
  return metrics.GetCounter("federation_peer_unrequested_total",
                            "Names a peer answered that do not match what it was asked (dropped).",
                            {{"peer", peer.name()}});
}

class AskedFor {
 public:
  AskedFor(std::string_view pattern, core::MetricsRegistry& metrics, const Peer& peer)
      : glob_(storage::GlobPattern::Compile(pattern)), unrequested_(Unrequested(metrics, peer)) {}
  bool operator()(std::string_view name) {
    if (glob_.ok() && storage::GlobMatchFull(*glob_, name)) return true;
    unrequested_.Add();
    return false;
  }

 private:
  core::Result<storage::GlobPattern> glob_;
  core::Counter& unrequested_;
};

core::Counter& SeriesReceived(core::MetricsRegistry& metrics, const Peer& peer, const char* route) {
  return metrics.GetCounter("federation_peer_series_received_total",
                            "Series a peer sent (render), or groups of partials (partials).",
                            {{"peer", peer.name()}, {"route", route}});
}

PartialAnswer Fallback(std::string reason) {
  PartialAnswer a;
  a.fallback = std::move(reason);
  return a;
}

// Why `peer` rules push-down out ("" when it does not).
std::string PushDownObstacle(const Peer& peer) {
  if (peer.role() == PeerRole::kReplica) return "replica peer";
  if (peer.role() == PeerRole::kGraphite) return "graphite peer";
  return "";
}

// Rows a partials answer must hold for `request` (a peer that omits them answered garbage).
bool HasRows(const PartialAnswer& a, const PartialRequest& request) {
  for (const PartialGroup& g : a.groups) {
    const size_t n = g.count.size();
    if ((request.sum && g.sum.size() != n) || (request.min && g.min.size() != n) ||
        (request.max && g.max.size() != n)) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string_view PeerRoleName(PeerRole role) {
  switch (role) {
    case PeerRole::kRegion:
      return "region";
    case PeerRole::kShard:
      return "shard";
    case PeerRole::kReplica:
      return "replica";
    case PeerRole::kGraphite:
      return "graphite";
  }
  return "region";
}

FederatedSource::FederatedSource(SeriesSource& local, std::vector<std::shared_ptr<Peer>> peers,
                                 const FederationOptions& options, core::MetricsRegistry& metrics)
    : local_(local),
      options_(options),
      metrics_(metrics),
      partial_reads_(metrics.GetCounter(
          "federation_partial_reads_total",
          "Federated reads answered without one or more peers (named in X-Meridian-Partial).")),
      refused_reads_(metrics.GetCounter(
          "federation_refused_partial_reads_total",
          "Federated reads failed because a peer was missing and partial answers were refused.")),
      pushdowns_used_(metrics.GetCounter(
          "federation_pushdowns_total",
          "Aggregates computed from the partials of the peers and the local store.",
          {{"outcome", "used"}})),
      peers_(std::make_shared<const PeerList>(std::move(peers))),
      pool_(std::max<size_t>(1, options.fanout_threads),
            std::max<size_t>(1, options.max_pending_calls)) {}

FederatedSource::~FederatedSource() { pool_.Shutdown(options_.timeout + std::chrono::seconds(1)); }

void FederatedSource::SetPeers(std::vector<std::shared_ptr<Peer>> peers) {
  auto list = std::make_shared<const PeerList>(std::move(peers));
  std::lock_guard lock(mu_);
  peers_ = std::move(list);
}

std::vector<std::shared_ptr<Peer>> FederatedSource::peers() const {
  std::lock_guard lock(mu_);
  return *peers_;
}

template <typename T>
core::Result<std::vector<T>> FederatedSource::FanOut(
    const ReadOptions& options, const char* route, const std::function<core::Result<T>()>& local,
    const std::function<core::Result<T>(Peer&, const core::Deadline&)>& remote,
    std::vector<PeerRole>* roles) {
  std::shared_ptr<const PeerList> peers;
  {
    std::lock_guard lock(mu_);
    peers = peers_;
  }
  if (options.scope.local_only || peers->empty()) {
    ASSIGN_OR_RETURN(T mine, local());
    std::vector<T> out;
    out.push_back(std::move(mine));
    if (roles) roles->assign(1, PeerRole::kShard);
    return out;
  }

  struct Gather {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::optional<core::Result<T>>> results;
    size_t outstanding = 0;
    size_t outstanding_probes = 0;  // of `outstanding`: calls to peers in back-off
  };
  auto gather = std::make_shared<Gather>();
  gather->results.resize(peers->size());
  const core::Deadline peer_deadline = PeerDeadline(options.deadline, options_.timeout);
  std::vector<std::string> missing_reason(peers->size());
  std::vector<bool> probe(peers->size(), false);
  for (size_t i = 0; i < peers->size(); ++i) {
    const std::shared_ptr<Peer>& peer = (*peers)[i];
    if (!peer->ShouldTry()) {
      missing_reason[i] = "down";
      continue;
    }
    if (options.scope.report != nullptr && options.scope.report->IsMissing(peer->name())) {
      missing_reason[i] = "missing earlier in this request";  // the report keeps the first reason
      continue;
    }
    probe[i] = peer->InBackOff();
    {
      std::lock_guard lock(gather->mu);
      ++gather->outstanding;
      if (probe[i]) ++gather->outstanding_probes;
    }
    const bool is_probe = probe[i];
    bool queued = pool_.TrySubmit([gather, peer, i, remote, peer_deadline, is_probe] {
      core::Result<T> r = core::Internal("peer call did not run");
      try {
        r = remote(*peer, peer_deadline);
      } catch (const std::exception& e) {
        r = core::Internal(e.what());
      }
      std::lock_guard lock(gather->mu);
      gather->results[i] = std::move(r);
      --gather->outstanding;
      if (is_probe) --gather->outstanding_probes;
      gather->cv.notify_all();
    });
    if (!queued) {
      std::lock_guard lock(gather->mu);
      --gather->outstanding;
      if (probe[i]) --gather->outstanding_probes;
      missing_reason[i] = "overloaded (federation.max_pending_calls)";
    }
  }
  // Probes (calls to peers in back-off) are waited for only until probe_wait: they go on in the
  // background and bring their peer back for later reads if they succeed.
  const auto probe_until =
      std::min(peer_deadline.at(), std::chrono::steady_clock::now() + options_.probe_wait);

  // This store answers on the caller's thread while the peers work.
  core::Result<T> mine = local();

  {
    std::unique_lock lock(gather->mu);
    const auto until = peer_deadline.at();
    // Done when every call answered, or only probes are left and their wait is over.
    auto done = [&] {
      return gather->outstanding == 0 || (gather->outstanding == gather->outstanding_probes &&
                                          std::chrono::steady_clock::now() >= probe_until);
    };
    while (!done() && !options.deadline.cancelled()) {
      const auto step = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
      const auto next = gather->outstanding == gather->outstanding_probes
                            ? std::min({until, step, probe_until})
                            : std::min(until, step);
      if (gather->cv.wait_until(lock, next, done)) break;
      if (std::chrono::steady_clock::now() >= until) break;
    }
  }
  if (!mine.ok()) return mine.status();
  RETURN_IF_ERROR(options.deadline.Check(route));

  std::vector<T> out;
  out.push_back(std::move(mine).value());
  if (roles) roles->assign(1, PeerRole::kShard);
  std::vector<MissingPeer> missing;
  {
    std::lock_guard lock(gather->mu);
    for (size_t i = 0; i < peers->size(); ++i) {
      const Peer& peer = *(*peers)[i];
      if (!missing_reason[i].empty()) {
        missing.push_back({peer.name(), missing_reason[i]});
      } else if (!gather->results[i].has_value() && probe[i] &&
                 std::chrono::steady_clock::now() < peer_deadline.at()) {
        // A probe not waited for any longer: still running, it will bring the peer back.
        missing.push_back({peer.name(), "probing"});
      } else if (!gather->results[i].has_value()) {
        missing.push_back({peer.name(), "timeout"});
        (*peers)[i]->NoAnswerByDeadline();
      } else if (!gather->results[i]->ok()) {
        missing.push_back({peer.name(), ReasonOf(gather->results[i]->status())});
      } else {
        out.push_back(std::move(*gather->results[i]).value());
        if (roles) roles->push_back(peer.role());
      }
    }
  }
  if (!missing.empty()) {
    for (const MissingPeer& m : missing) {
      metrics_
          .GetCounter("federation_peer_missing_total",
                      "Federated reads that went without a peer, by peer and route.",
                      {{"peer", m.peer}, {"route", route}})
          .Add();
      if (options.scope.report != nullptr) options.scope.report->AddMissing(m.peer, m.reason);
    }
    if (options.scope.partial == PartialPolicy::kRefuse) {
      refused_reads_.Add();
      std::string names;
      for (const MissingPeer& m : missing) {
        names += names.empty() ? "" : ", ";
        names += fmt::format("{} ({})", m.peer, m.reason);
      }
      return core::Unavailable(
          fmt::format("peers did not answer and partial answers are refused: {}", names));
    }
    partial_reads_.Add();
  }
  return out;
}

core::Result<std::vector<storage::FindMatch>> FederatedSource::Find(std::string_view pattern,
                                                                    const ReadOptions& options) {
  const std::string pat(pattern);
  using Matches = std::vector<storage::FindMatch>;
  auto answers = FanOut<Matches>(
      options, "find", [&] { return local_.Find(pattern, options); },
      [this, pat](Peer& peer, const core::Deadline& deadline) -> core::Result<Matches> {
        MountedQuery q = MountPattern(peer.mount(), pat);
        Matches out = std::move(q.prefix_nodes);
        if (q.peer_pattern.empty()) return out;
        ASSIGN_OR_RETURN(Matches found, peer.Find(q.peer_pattern, 0, 0, deadline));
        AskedFor asked(pat, metrics_, peer);
        for (storage::FindMatch& m : found) {
          m.path = MountedName(peer.mount(), m.path);
          if (!asked(m.path)) continue;
          out.push_back(std::move(m));
        }
        return out;
      });
  if (!answers.ok()) return answers.status();
  return MergeFind(std::move(answers).value());
}

core::Result<std::vector<std::string>> FederatedSource::Expand(std::string_view pattern,
                                                               const ReadOptions& options) {
  const std::string pat(pattern);
  using Names = std::vector<std::string>;
  auto answers = FanOut<Names>(
      options, "expand", [&] { return local_.Expand(pattern, options); },
      [this, pat](Peer& peer, const core::Deadline& deadline) -> core::Result<Names> {
        MountedQuery q = MountPattern(peer.mount(), pat);
        if (q.peer_pattern.empty()) return Names{};
        ASSIGN_OR_RETURN(Names found, peer.Expand(q.peer_pattern, deadline));
        AskedFor asked(pat, metrics_, peer);
        Names out;
        for (const std::string& n : found) {
          std::string name = MountedName(peer.mount(), n);
          if (!asked(name)) continue;
          out.push_back(std::move(name));
        }
        return out;
      });
  if (!answers.ok()) return answers.status();
  return MergeNames(std::move(answers).value());
}

core::Result<std::vector<std::string>> FederatedSource::FindTagged(
    const std::vector<std::string>& expressions, const ReadOptions& options) {
  using Names = std::vector<std::string>;
  auto answers = FanOut<Names>(
      options, "tags", [&] { return local_.FindTagged(expressions, options); },
      [this, expressions](Peer& peer, const core::Deadline& deadline) -> core::Result<Names> {
        ASSIGN_OR_RETURN(auto exprs, MountTagExpressions(peer.mount(), expressions));
        if (!exprs.has_value()) return Names{};
        ASSIGN_OR_RETURN(Names answered, peer.FindTagged(*exprs, deadline));
        // Only what matches what it was asked, as for path patterns (AskedFor).
        const size_t n = answered.size();
        ASSIGN_OR_RETURN(Names found, storage::MatchTagged(std::move(answered), *exprs));
        if (found.size() < n) Unrequested(metrics_, peer).Add(n - found.size());
        for (std::string& name : found) name = MountedName(peer.mount(), name);
        return found;
      });
  if (!answers.ok()) return answers.status();
  return MergeNames(std::move(answers).value());
}

core::Result<std::vector<std::string>> FederatedSource::TagNames(std::string_view filter,
                                                                 size_t limit,
                                                                 const ReadOptions& options) {
  const std::string f(filter);
  using Names = std::vector<std::string>;
  auto answers = FanOut<Names>(
      options, "tags", [&] { return local_.TagNames(filter, limit, options); },
      [f, limit](Peer& peer, const core::Deadline& deadline) -> core::Result<Names> {
        ASSIGN_OR_RETURN(Names found, peer.TagNames(f, limit, deadline));
        for (const auto& [k, v] : peer.mount().tags) found.push_back(k);
        return found;
      });
  if (!answers.ok()) return answers.status();
  return MergeNames(std::move(answers).value(), limit);
}

core::Result<std::vector<storage::TagValueCount>> FederatedSource::TagValues(
    std::string_view tag, std::string_view filter, size_t limit, const ReadOptions& options) {
  const std::string t(tag), f(filter);
  using Values = std::vector<storage::TagValueCount>;
  std::vector<PeerRole> roles;
  auto answers = FanOut<Values>(
      options, "tags", [&] { return local_.TagValues(tag, filter, limit, options); },
      [t, f, limit](Peer& peer, const core::Deadline& deadline) -> core::Result<Values> {
        auto mounted = peer.mount().tags.find(t);
        if (mounted != peer.mount().tags.end()) {
          // Every tagged series of the peer carries the mount's value; count them.
          ASSIGN_OR_RETURN(std::vector<std::string> all, peer.FindTagged({"name=~.+"}, deadline));
          if (all.empty()) return Values{};
          return Values{{mounted->second, all.size()}};
        }
        return peer.TagValues(t, f, limit, deadline);
      },
      &roles);
  if (!answers.ok()) return answers.status();
  std::vector<bool> replicated;
  for (PeerRole r : roles) replicated.push_back(IsReplicated(r));
  return MergeTagValues(std::move(answers).value(), replicated, limit);
}

core::Result<std::vector<std::string>> FederatedSource::AllLeaves(const ReadOptions& options) {
  using Names = std::vector<std::string>;
  auto answers = FanOut<Names>(
      options, "index", [&] { return local_.AllLeaves(options); },
      [](Peer& peer, const core::Deadline& deadline) -> core::Result<Names> {
        ASSIGN_OR_RETURN(Names found, peer.AllLeaves(deadline));
        for (std::string& n : found) n = MountedName(peer.mount(), n);
        return found;
      });
  if (!answers.ok()) return answers.status();
  return MergeNames(std::move(answers).value());
}

core::Result<storage::SeriesData> FederatedSource::Fetch(std::string_view name, int64_t from,
                                                         int64_t until,
                                                         const ReadOptions& options) {
  ASSIGN_OR_RETURN(auto all,
                   FetchMatching(FetchSpec::Pattern(std::string(name)), from, until, options));
  for (storage::SeriesData& d : all) {
    if (d.name == name) return std::move(d);
  }
  storage::SeriesData none;
  none.name = std::string(name);
  return none;
}

core::Result<std::vector<storage::SeriesData>> FederatedSource::FetchMatching(
    const FetchSpec& spec, int64_t from, int64_t until, const ReadOptions& options) {
  using Batch = std::vector<storage::SeriesData>;
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  auto answers = FanOut<Batch>(
      options, "render", [&] { return local_.FetchMatching(spec, from, until, options); },
      [this, spec, from, until, now](Peer& peer,
                                     const core::Deadline& deadline) -> core::Result<Batch> {
        ASSIGN_OR_RETURN(std::optional<FetchSpec> peer_spec, MountFetchSpec(peer.mount(), spec));
        if (!peer_spec.has_value()) return Batch{};
        std::optional<std::vector<std::string>> exprs;
        if (peer_spec->kind == FetchSpec::Kind::kTagged) exprs = peer_spec->tag_expressions;
        const std::string target =
            exprs.has_value() ? SeriesByTagTarget(*exprs) : peer_spec->pattern;
        ASSIGN_OR_RETURN(Batch got, peer.Render({target}, from, until, now, deadline));
        SeriesReceived(metrics_, peer, "render").Add(got.size());
        // Only what matches what it was asked: the pattern, or the tag expressions (checked on
        // the peer's own names, as it was asked them).
        std::unordered_set<std::string> tagged_ok;
        if (exprs.has_value()) {
          std::vector<std::string> names;
          for (const storage::SeriesData& d : got) names.push_back(d.name);
          ASSIGN_OR_RETURN(std::vector<std::string> kept,
                           storage::MatchTagged(std::move(names), *exprs));
          tagged_ok.insert(kept.begin(), kept.end());
          if (kept.size() < got.size()) Unrequested(metrics_, peer).Add(got.size() - kept.size());
        }
        Batch out;
        out.reserve(got.size());
        std::optional<AskedFor> asked;
        if (spec.kind == FetchSpec::Kind::kPattern) asked.emplace(spec.pattern, metrics_, peer);
        for (storage::SeriesData& d : got) {
          if (exprs.has_value() && !tagged_ok.contains(d.name)) continue;
          d.name = MountedName(peer.mount(), d.name);
          if (asked && !(*asked)(d.name)) continue;
          out.push_back(std::move(d));
        }
        return out;
      });
  if (!answers.ok()) return answers.status();
  Batch merged = MergeSeries(std::move(answers).value());
  if (options.max_series != 0 && merged.size() > options.max_series) {
    return SeriesBudgetExceeded(options.max_series);
  }
  size_t points = 0;
  for (const storage::SeriesData& d : merged) points += d.values.size();
  if (options.max_points != 0 && points > options.max_points) {
    return PointsBudgetExceeded(options.max_points);
  }
  return merged;
}

core::Result<PartialAnswer> FederatedSource::FetchPartials(const PartialRequest& request,
                                                           int64_t from, int64_t until,
                                                           const ReadOptions& options) {
  std::shared_ptr<const PeerList> peers;
  {
    std::lock_guard lock(mu_);
    peers = peers_;
  }
  if (options.scope.local_only || peers->empty()) return Fallback("unsupported");
  auto fall_back = [this](std::string reason) {
    metrics_
        .GetCounter("federation_pushdown_fallbacks_total",
                    "Aggregates that could have been pushed down and were computed from fetched "
                    "series instead, by reason.",
                    {{"reason", reason}})
        .Add();
    return Fallback(std::move(reason));
  };
  if (!options_.push_down) return fall_back("disabled");
  if (!options.scope.push_down) return fall_back("request");
  for (const std::shared_ptr<Peer>& peer : *peers) {
    std::string obstacle = PushDownObstacle(*peer);
    if (!obstacle.empty()) return fall_back(std::move(obstacle));
  }
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  auto answers = FanOut<PartialAnswer>(
      options, "partials",
      [&]() -> core::Result<PartialAnswer> {
        ASSIGN_OR_RETURN(auto mine, local_.FetchMatching(request.spec, from, until, options));
        return ComputePartials(mine, request);
      },
      [this, request, from, until, now](
          Peer& peer, const core::Deadline& deadline) -> core::Result<PartialAnswer> {
        // The peer list may have changed since the check above.
        if (std::string obstacle = PushDownObstacle(peer); !obstacle.empty()) {
          return Fallback(std::move(obstacle));
        }
        // A mounted peer is asked the translated query, and computes its partials on the names
        // as mounted here (the request carries the mount).
        if (!internal::MountFitsRequest(peer.mount())) return Fallback("mounted peer");
        bool filter_after = false;
        ASSIGN_OR_RETURN(std::optional<FetchSpec> asked,
                         MountFetchSpec(peer.mount(), request.spec, &filter_after));
        if (filter_after) return Fallback("mounted peer");  // partials cannot be filtered after
        if (!asked.has_value()) return PartialAnswer{};     // the mount rules this peer out
        PartialRequest asked_peer = request;
        asked_peer.spec = std::move(*asked);
        asked_peer.mount = peer.mount();
        ASSIGN_OR_RETURN(PartialAnswer got,
                         peer.FetchPartials(asked_peer, from, until, now, deadline));
        if (!got.ok()) {
          metrics_
              .GetCounter("federation_peer_pushdown_fallbacks_total",
                          "Push-downs a peer answered with a fallback (it cannot compute partials, "
                          "or its series differ in step or window), by peer and reason.",
                          {{"peer", peer.name()}, {"reason", got.fallback}})
              .Add();
          return got;
        }
        if (!HasRows(got, request)) {
          return core::Unavailable("partials answer without the rows asked for");
        }
        if (request.spec.kind == FetchSpec::Kind::kPattern) {
          AskedFor asked(request.spec.pattern, metrics_, peer);
          for (const PartialGroup& g : got.groups) {
            if (!asked(g.first_name)) return core::Unavailable("partials of series not asked for");
          }
        }
        SeriesReceived(metrics_, peer, "partials").Add(got.groups.size());
        return got;
      });
  if (!answers.ok()) return answers.status();
  PartialAnswer combined = CombinePartials(std::move(answers).value(), request);
  if (!combined.ok()) return fall_back(std::move(combined.fallback));
  pushdowns_used_.Add();
  return combined;
}

core::Status FederatedSource::DeleteTaggedSeries(const std::vector<std::string>& names) {
  return local_.DeleteTaggedSeries(names);
}

}  // namespace meridian::query::federation
