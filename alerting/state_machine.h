// The per-series alert state machine: threshold ranges, `for`, `keep_firing_for` and the no-data
// policy turn one reduced value per evaluation into the state reported to Nagios. Pure; time is
// passed in, so tests drive it with any clock.
//
// Levels. WARNING and CRITICAL are nested levels: a value that breaches `critical` is also at
// least WARNING. For each level the machine keeps `since` (start of the current unbroken run of
// evaluations at or above the level) and `last_met` (last evaluation at which the run had lasted
// `for`). A level is *active* while now - last_met <= keep_firing_for. The state is:
//   CRITICAL if CRITICAL is active, else WARNING if WARNING is active,
//   else UNKNOWN if the no-data run has lasted `for` (no_data: unknown),
//   else OK if the value is OK,
//   else (a worse state still pending its `for`) the previous state.
// So escalation waits `for` at each level, de-escalation and recovery are immediate unless
// keep_firing_for holds the level, and a flapping value never raises the state while `for` > 0.
// No data (NaN) maps through the policy: ok/warning/critical act as that value would; unknown
// acts as a separate UNKNOWN level; keep leaves the whole state untouched.
#pragma once

#include <cstdint>
#include <optional>

#include "alerting/check_result.h"
#include "alerting/rule.h"

namespace meridian::alerting {

// Everything persisted per series between evaluations.
struct SeriesState {
  CheckState state = CheckState::kOk;  // reported state
  int64_t state_since = 0;             // when `state` was entered (0 = never evaluated)
  std::optional<int64_t> warning_since, critical_since, unknown_since;
  std::optional<int64_t> warning_last_met, critical_last_met;
  double last_value = 0;  // last reduced value (NaN = no data)
  int64_t last_data = 0;  // last evaluation with data (0 = never)
  int64_t last_evaluation = 0;
  bool operator==(const SeriesState&) const;
};

// The thresholds and timing of one rule, as the machine needs them.
struct StatePolicy {
  std::optional<ThresholdRange> warning;
  std::optional<ThresholdRange> critical;
  int64_t for_seconds = 0;
  int64_t keep_firing_for_seconds = 0;
  NoDataPolicy no_data = NoDataPolicy::kUnknown;
};
StatePolicy PolicyOf(const Rule& rule);

// The state a value alone would give (CRITICAL checked first). NaN → the no-data mapping;
// nullopt for NaN with NoDataPolicy::kKeep.
std::optional<CheckState> Classify(const StatePolicy& policy, double value);

// Advances `state` to evaluation time `now` with reduced value `value` (NaN = no data).
// Returns true when the reported state changed (a transition to record). REQUIRES: now is not
// before state.last_evaluation.
bool Step(const StatePolicy& policy, int64_t now, double value, SeriesState& state);

}  // namespace meridian::alerting
