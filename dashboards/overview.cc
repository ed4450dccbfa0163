#include "dashboards/overview.h"

#include <fmt/format.h>

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

Overview::Overview(const StatusReporter& self, PeerFanout& peers, const core::Clock& clock,
                   core::MetricsRegistry& metrics)
    : self_(self), peers_(peers), clock_(clock), metrics_(metrics) {}

std::string Overview::Json(const core::Deadline& deadline) {
  const auto replies = peers_.Ask<Answer>(
      peers_.directory().Peers(),
      [](RemoteInstance& peer, const core::Deadline& d) { return Ask(peer, d); }, deadline);
  // (This instance's status is read after the peers answered: it is cheap, and the peers' calls
  // ran on the fan-out threads meanwhile.)
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
  const int64_t timeout_ms = peers_.options().timeout.count();
  for (const auto& reply : replies) {
    const RemoteInstance& peer = *reply.peer;
    Answer a;
    if (!reply.not_asked.empty()) {
      a.error = reply.not_asked;
    } else if (!reply.answer) {
      a.error = fmt::format("no answer within {} ms (federation.timeout)", timeout_ms);
      a.latency_ms = timeout_ms;
    } else {
      a = *reply.answer;
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
