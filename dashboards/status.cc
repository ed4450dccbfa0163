#include "dashboards/status.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace meridian::dashboards {
namespace {

using Ordered = nlohmann::ordered_json;

int Severity(alerting::CheckState s) {
  switch (s) {
    case alerting::CheckState::kCritical:
      return 0;
    case alerting::CheckState::kWarning:
      return 1;
    case alerting::CheckState::kUnknown:
      return 2;
    case alerting::CheckState::kOk:
      return 3;
  }
  return 3;
}

}  // namespace

std::string StatusReporter::Json() const {
  Ordered alerts = {{"OK", 0}, {"WARNING", 0}, {"CRITICAL", 0}, {"UNKNOWN", 0}};
  Ordered problems = Ordered::array();
  if (checks_) {
    std::vector<alerting::CheckStatus> checks = checks_();
    std::vector<const alerting::CheckStatus*> bad;
    for (const alerting::CheckStatus& c : checks) {
      const std::string name(alerting::CheckStateName(c.state.state));
      alerts[name] = alerts[name].get<int64_t>() + 1;
      if (c.state.state != alerting::CheckState::kOk) bad.push_back(&c);
    }
    std::sort(bad.begin(), bad.end(), [](const auto* a, const auto* b) {
      if (Severity(a->state.state) != Severity(b->state.state)) {
        return Severity(a->state.state) < Severity(b->state.state);
      }
      return a->state.state_since < b->state.state_since;
    });
    for (const alerting::CheckStatus* c : bad) {
      problems.push_back(
          {{"group", c->group},
           {"rule", c->rule},
           {"host", c->host},
           {"service", c->service},
           {"state", std::string(alerting::CheckStateName(c->state.state))},
           {"state_since", c->state.state_since},
           {"output", c->output},
           {"value",
            std::isfinite(c->state.last_value) ? Ordered(c->state.last_value) : Ordered(nullptr)}});
    }
  }
  const std::string problem = stats_.HealthProblem();
  const double rate = stats_.IngestPointsPerSecond();
  Ordered out = {{"name", info_.name},
                 {"version", info_.version},
                 {"started", info_.started},
                 {"now", clock_.NowSeconds()},
                 {"ingest_points_per_second", std::isfinite(rate) ? rate : 0.0},
                 {"series", stats_.SeriesCount()},
                 {"alerts", std::move(alerts)},
                 {"problems", std::move(problems)},
                 {"health", problem.empty() ? std::string("ok") : "degraded: " + problem},
                 {"alerting", static_cast<bool>(checks_)}};
  return out.dump(-1, ' ', false, Ordered::error_handler_t::replace);
}

double RateWindow::Update(int64_t now_micros, uint64_t count) {
  std::lock_guard lock(mu_);
  constexpr int64_t kSecond = 1'000'000;
  if (samples_.empty() || now_micros - samples_.back().first >= kSecond) {
    samples_.emplace_back(now_micros, count);
  }
  const int64_t horizon = now_micros - window_.count() * kSecond;
  while (samples_.size() >= 2 && samples_[1].first <= horizon) samples_.pop_front();
  const auto [t0, c0] = samples_.front();
  const int64_t elapsed = now_micros - t0;
  if (elapsed < kSecond || count < c0) return 0;
  return static_cast<double>(count - c0) / (static_cast<double>(elapsed) / kSecond);
}

}  // namespace meridian::dashboards
