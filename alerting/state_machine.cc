#include "alerting/state_machine.h"

#include <cmath>

namespace meridian::alerting {
namespace {

// Extends or ends the unbroken run of evaluations at a level.
void TrackRun(bool at_level, int64_t now, std::optional<int64_t>& since) {
  if (!at_level) {
    since.reset();
  } else if (!since) {
    since = now;
  }
}

bool RunMet(const std::optional<int64_t>& since, int64_t now, int64_t for_seconds) {
  return since && now - *since >= for_seconds;
}

// A level met at this evaluation stays active for keep_firing_for after its last met time.
bool LevelActive(const std::optional<int64_t>& since, std::optional<int64_t>& last_met, int64_t now,
                 const StatePolicy& policy) {
  if (RunMet(since, now, policy.for_seconds)) last_met = now;
  return last_met && now - *last_met <= policy.keep_firing_for_seconds;
}

}  // namespace

bool SeriesState::operator==(const SeriesState& other) const {
  auto same_value = [](double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); };
  return state == other.state && state_since == other.state_since &&
         warning_since == other.warning_since && critical_since == other.critical_since &&
         unknown_since == other.unknown_since && warning_last_met == other.warning_last_met &&
         critical_last_met == other.critical_last_met && same_value(last_value, other.last_value) &&
         last_data == other.last_data && last_evaluation == other.last_evaluation;
}

StatePolicy PolicyOf(const Rule& rule) {
  return StatePolicy{rule.warning, rule.critical, rule.for_duration.count(),
                     rule.keep_firing_for.count(), rule.no_data};
}

std::optional<CheckState> Classify(const StatePolicy& policy, double value) {
  if (std::isnan(value)) {
    switch (policy.no_data) {
      case NoDataPolicy::kUnknown:
        return CheckState::kUnknown;
      case NoDataPolicy::kOk:
        return CheckState::kOk;
      case NoDataPolicy::kWarning:
        return CheckState::kWarning;
      case NoDataPolicy::kCritical:
        return CheckState::kCritical;
      case NoDataPolicy::kKeep:
        return std::nullopt;
    }
    return CheckState::kUnknown;
  }
  if (policy.critical && Alerts(*policy.critical, value)) return CheckState::kCritical;
  if (policy.warning && Alerts(*policy.warning, value)) return CheckState::kWarning;
  return CheckState::kOk;
}

bool Step(const StatePolicy& policy, int64_t now, double value, SeriesState& state) {
  const bool first = state.state_since == 0;
  state.last_evaluation = now;
  state.last_value = value;
  if (!std::isnan(value)) state.last_data = now;
  const std::optional<CheckState> raw = Classify(policy, value);
  if (!raw) {
    // no_data: keep — the state and its timers stay as they were.
    if (first) state.state_since = now;
    return false;
  }
  TrackRun(*raw == CheckState::kWarning || *raw == CheckState::kCritical, now, state.warning_since);
  TrackRun(*raw == CheckState::kCritical, now, state.critical_since);
  TrackRun(*raw == CheckState::kUnknown, now, state.unknown_since);

  // Both levels are updated before choosing: WARNING's keep_firing_for must count from the last
  // evaluation at or above WARNING even while CRITICAL was the state.
  const bool critical = LevelActive(state.critical_since, state.critical_last_met, now, policy);
  const bool warning = LevelActive(state.warning_since, state.warning_last_met, now, policy);
  CheckState next = state.state;
  if (critical) {
    next = CheckState::kCritical;
  } else if (warning) {
    next = CheckState::kWarning;
  } else if (*raw == CheckState::kUnknown && RunMet(state.unknown_since, now, policy.for_seconds)) {
    next = CheckState::kUnknown;
  } else if (*raw == CheckState::kOk) {
    next = CheckState::kOk;
  }
  // Otherwise a worse state is pending its `for`: the previous state stands.
  if (first) {
    state.state = next;
    state.state_since = now;
    return next != CheckState::kOk;
  }
  if (next == state.state) return false;
  state.state = next;
  state.state_since = now;
  return true;
}

}  // namespace meridian::alerting
