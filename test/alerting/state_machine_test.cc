#include "alerting/state_machine.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace meridian::alerting {
namespace {

constexpr double kNoData = std::numeric_limits<double>::quiet_NaN();

StatePolicy Policy(int64_t for_s = 0, int64_t keep_s = 0,
                   NoDataPolicy no_data = NoDataPolicy::kUnknown) {
  StatePolicy p;
  p.warning = ThresholdRange{-std::numeric_limits<double>::infinity(), 150, false};
  p.critical = ThresholdRange{-std::numeric_limits<double>::infinity(), 300, false};
  p.for_seconds = for_s;
  p.keep_firing_for_seconds = keep_s;
  p.no_data = no_data;
  return p;
}

// Feeds one value per 10 s evaluation starting at t=1000 and returns the states reported.
std::vector<CheckState> Feed(const StatePolicy& policy, const std::vector<double>& values,
                             SeriesState* final_state = nullptr) {
  SeriesState state;
  std::vector<CheckState> out;
  int64_t t = 1000;
  for (double v : values) {
    Step(policy, t, v, state);
    out.push_back(state.state);
    t += 10;
  }
  if (final_state) *final_state = state;
  return out;
}

using S = CheckState;
constexpr S kOk = S::kOk, kWarn = S::kWarning, kCrit = S::kCritical, kUnk = S::kUnknown;

TEST(StateMachineTest, ClassifiesCriticalBeforeWarning) {
  const StatePolicy p = Policy();
  EXPECT_EQ(Classify(p, 100), kOk);
  EXPECT_EQ(Classify(p, 150), kOk);
  EXPECT_EQ(Classify(p, 151), kWarn);
  EXPECT_EQ(Classify(p, 300), kWarn);
  EXPECT_EQ(Classify(p, 301), kCrit);
  EXPECT_EQ(Classify(p, kNoData), kUnk);
}

TEST(StateMachineTest, WithoutForEveryChangeIsImmediate) {
  EXPECT_EQ(Feed(Policy(), {100, 200, 400, 200, 100}),
            (std::vector<S>{kOk, kWarn, kCrit, kWarn, kOk}));
}

TEST(StateMachineTest, ForDelaysEscalationUntilTheBreachHeld) {
  // for 30s: the breach must be seen at t and still at t+30 (4 evaluations 10 s apart).
  EXPECT_EQ(Feed(Policy(30), {400, 400, 400, 400, 400}),
            (std::vector<S>{kOk, kOk, kOk, kCrit, kCrit}));
}

TEST(StateMachineTest, ForRestartsWhenTheBreachIsBroken) {
  EXPECT_EQ(Feed(Policy(20), {400, 400, 100, 400, 400, 400}),
            (std::vector<S>{kOk, kOk, kOk, kOk, kOk, kCrit}));
}

TEST(StateMachineTest, EscalationWaitsForEachLevelButWarningRunCountsFromItsStart) {
  // WARNING from t0; CRITICAL from t0+20. WARNING is reported at t0+20, CRITICAL at t0+40.
  EXPECT_EQ(Feed(Policy(20), {200, 200, 400, 400, 400, 400}),
            (std::vector<S>{kOk, kOk, kWarn, kWarn, kCrit, kCrit}));
}

TEST(StateMachineTest, DeEscalationAndRecoveryAreImmediateWithoutKeepFiring) {
  EXPECT_EQ(Feed(Policy(10), {400, 400, 200, 100}), (std::vector<S>{kOk, kCrit, kWarn, kOk}));
}

TEST(StateMachineTest, KeepFiringForHoldsTheLevelAfterTheConditionClears) {
  EXPECT_EQ(Feed(Policy(0, 20), {400, 100, 100, 100, 100}),
            (std::vector<S>{kCrit, kCrit, kCrit, kOk, kOk}));
}

TEST(StateMachineTest, KeepFiringForStepsDownThroughWarning) {
  // CRITICAL, then WARNING, then OK values with keep_firing_for 20s: CRITICAL is held 20s after
  // its last CRITICAL value, then WARNING until 20s after the last WARNING-or-worse value.
  EXPECT_EQ(Feed(Policy(0, 20), {400, 200, 100, 100, 100, 100}),
            (std::vector<S>{kCrit, kCrit, kCrit, kWarn, kOk, kOk}));
}

TEST(StateMachineTest, KeepFiringForBridgesFlapping) {
  // A value flapping every evaluation stays CRITICAL with keep_firing_for 10s.
  EXPECT_EQ(Feed(Policy(0, 10), {400, 100, 400, 100, 400, 100, 100, 100}),
            (std::vector<S>{kCrit, kCrit, kCrit, kCrit, kCrit, kCrit, kOk, kOk}));
}

TEST(StateMachineTest, FlappingNeverRaisesTheStateWhileForIsLongerThanTheRuns) {
  EXPECT_EQ(Feed(Policy(15), {400, 100, 400, 100, 400, 100}),
            (std::vector<S>{kOk, kOk, kOk, kOk, kOk, kOk}));
}

TEST(StateMachineTest, NoDataIsUnknownAfterForAndKeepsThePreviousStateWhilePending) {
  EXPECT_EQ(Feed(Policy(20), {400, 400, 400, kNoData, kNoData, kNoData, 100}),
            (std::vector<S>{kOk, kOk, kCrit, kCrit, kCrit, kUnk, kOk}));
  EXPECT_EQ(Feed(Policy(0), {100, kNoData, 100}), (std::vector<S>{kOk, kUnk, kOk}));
}

TEST(StateMachineTest, NoDataPolicies) {
  EXPECT_EQ(Feed(Policy(0, 0, NoDataPolicy::kOk), {400, kNoData}), (std::vector<S>{kCrit, kOk}));
  EXPECT_EQ(Feed(Policy(0, 0, NoDataPolicy::kWarning), {100, kNoData}),
            (std::vector<S>{kOk, kWarn}));
  EXPECT_EQ(Feed(Policy(0, 0, NoDataPolicy::kCritical), {100, kNoData}),
            (std::vector<S>{kOk, kCrit}));
  EXPECT_EQ(Feed(Policy(0, 0, NoDataPolicy::kKeep), {400, kNoData, kNoData, 100}),
            (std::vector<S>{kCrit, kCrit, kCrit, kOk}));
  // no_data: critical goes through `for` like a critical value.
  EXPECT_EQ(Feed(Policy(10, 0, NoDataPolicy::kCritical), {100, kNoData, kNoData}),
            (std::vector<S>{kOk, kOk, kCrit}));
}

TEST(StateMachineTest, KeepTimersAreFrozenDuringNoDataWithKeepPolicy) {
  // for 20s, keep: the run that began at t0 is still the same run after the gap.
  EXPECT_EQ(Feed(Policy(20, 0, NoDataPolicy::kKeep), {400, kNoData, 400}),
            (std::vector<S>{kOk, kOk, kCrit}));
}

TEST(StateMachineTest, InsideRangeAlertsInside) {
  StatePolicy p;
  p.critical = ThresholdRange{10, 20, true};
  EXPECT_EQ(Feed(p, {5, 15, 25}), (std::vector<S>{kOk, kCrit, kOk}));
}

TEST(StateMachineTest, ReportsTransitionsAndTracksTimes) {
  const StatePolicy p = Policy();
  SeriesState s;
  EXPECT_FALSE(Step(p, 100, 50, s));  // first evaluation, OK: nothing to record
  EXPECT_EQ(s.state_since, 100);
  EXPECT_TRUE(Step(p, 110, 400, s));
  EXPECT_EQ(s.state_since, 110);
  EXPECT_FALSE(Step(p, 120, 500, s));
  EXPECT_EQ(s.state_since, 110);
  EXPECT_EQ(s.last_value, 500);
  EXPECT_EQ(s.last_data, 120);
  EXPECT_TRUE(Step(p, 130, kNoData, s));
  EXPECT_EQ(s.state, kUnk);
  EXPECT_EQ(s.last_data, 120);
  EXPECT_TRUE(std::isnan(s.last_value));
  SeriesState first_bad;
  EXPECT_TRUE(Step(p, 100, 400, first_bad));  // first evaluation already CRITICAL: recorded
}

TEST(StateMachineTest, StateSurvivesACopyAsARestartWould) {
  SeriesState mid;
  Feed(Policy(30), {400, 400}, &mid);  // pending for 10 s
  SeriesState restored = mid;
  EXPECT_EQ(restored, mid);
  Step(Policy(30), 1020, 400, restored);
  Step(Policy(30), 1030, 400, restored);
  EXPECT_EQ(restored.state, kCrit);  // the run kept counting from t=1000
}

}  // namespace
}  // namespace meridian::alerting
