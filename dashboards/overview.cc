#include "dashboards/overview.h"

#include <fmt/format.h>

#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>

namespace meridian::dashboards {
namespace {

using Ordered = nlohmann::ordered_json;
using SteadyClock = std::chrono::steady_clock;

// One peer's answer: what the region entry shows.
struct Answer {
  bool up = false;
  std::string error;
  int64_t latency_ms = 0;
  std::optional<Ordered> status;  // Meridian peers that answered
};

Answer Ask(RemoteInstance& peer, const core::Deadline& deadline) {
  Answer a;
  const auto started = SteadyClock::now();
  auto done = [&] {
    a.latency_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started).count();
  };
  if (peer.role() == "graphite") {
    core::Status st = peer.Probe(deadline);
    done();
    a.up = st.ok();
    a.error = st.ok() ? "" : st.message();
    return a;
  }
  auto body = peer.GetJson("/api/status?local=1", deadline);
  done();
  if (!body.ok()) {
    a.error = body.status().message();
    return a;
  }
  Ordered j = Ordered::parse(*body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    a.error = "/api/status answer is not a JSON object";
    return a;
  }
  a.up = true;
  a.status = std::move(j);
  return a;
}

}  // namespace

Overview::Overview(const StatusReporter& self, PeerDirectory& peers, const core::Clock& clock,
                   core::MetricsRegistry& metrics, const OverviewOptions& options)
    : self_(self),
      peers_(peers),
      clock_(clock),
      metrics_(metrics),
      options_(options),
      pool_(std::max<size_t>(1, options.threads), std::max<size_t>(1, options.max_pending)) {}

Overview::~Overview() { pool_.Shutdown(options_.timeout + std::chrono::seconds(1)); }

std::string Overview::Json(const core::Deadline& deadline) {
  const std::vector<std::shared_ptr<RemoteInstance>> peers = peers_.Peers();
  struct Gather {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::optional<Answer>> answers;
    size_t outstanding = 0;
  };
  auto gather = std::make_shared<Gather>();
  gather->answers.resize(peers.size());
  const auto bound = std::min(deadline.at(), SteadyClock::now() + options_.timeout);
  const core::Deadline peer_deadline = core::Deadline::At(bound);
  std::vector<std::string> refused(peers.size());
  for (size_t i = 0; i < peers.size(); ++i) {
    {
      std::lock_guard lock(gather->mu);
      ++gather->outstanding;
    }
    const bool queued = pool_.TrySubmit([gather, peer = peers[i], i, peer_deadline] {
      Answer a;
      try {
        a = Ask(*peer, peer_deadline);
      } catch (const std::exception& e) {
        a.error = e.what();
      }
      std::lock_guard lock(gather->mu);
      gather->answers[i] = std::move(a);
      --gather->outstanding;
      gather->cv.notify_all();
    });
    if (!queued) {
      std::lock_guard lock(gather->mu);
      --gather->outstanding;
      refused[i] = "not asked: too many peer calls at once (federation.max_pending_calls)";
    }
  }

  // This instance's own status while the peers work.
  Ordered self = Ordered::parse(self_.Json(), nullptr, false);
  Ordered regions = Ordered::array();
  Ordered me = {{"name", self.value("name", "")},
                {"role", "self"},
                {"up", true},
                {"error", ""},
                {"latency_ms", 0}};
  for (auto& [k, v] : self.items()) {
    if (k != "name") me[k] = v;
  }
  regions.push_back(std::move(me));

  {
    std::unique_lock lock(gather->mu);
    while (gather->outstanding > 0 && !deadline.cancelled()) {
      const auto step = SteadyClock::now() + std::chrono::milliseconds(50);
      if (gather->cv.wait_until(lock, std::min(bound, step),
                                [&] { return gather->outstanding == 0; })) {
        break;
      }
      if (SteadyClock::now() >= bound) break;
    }
  }
  std::lock_guard lock(gather->mu);
  for (size_t i = 0; i < peers.size(); ++i) {
    const RemoteInstance& peer = *peers[i];
    Answer a;
    if (!refused[i].empty()) {
      a.error = refused[i];
    } else if (!gather->answers[i]) {
      a.error =
          fmt::format("no answer within {} ms (federation.timeout)", options_.timeout.count());
      a.latency_ms = options_.timeout.count();
    } else {
      a = *gather->answers[i];
    }
    if (!a.up) {
      metrics_
          .GetCounter("overview_peer_failures_total",
                      "Peers that did not answer an /api/overview request, by peer.",
                      {{"peer", peer.name()}})
          .Add();
    }
    Ordered r = {{"name", peer.name()},
                 {"role", std::string(peer.role())},
                 {"up", a.up},
                 {"error", a.error},
                 {"latency_ms", a.latency_ms}};
    if (a.status) {
      for (auto& [k, v] : a.status->items()) {
        if (k == "name") {
          r["instance"] = v;
        } else if (!r.contains(k)) {
          r[k] = v;
        }
      }
    }
    regions.push_back(std::move(r));
  }
  Ordered out = {{"now", clock_.NowSeconds()}, {"regions", std::move(regions)}};
  return out.dump(-1, ' ', false, Ordered::error_handler_t::replace);
}

}  // namespace meridian::dashboards
