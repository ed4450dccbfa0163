#include "alerting/engine.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "alerting/internal/engine_impl.h"
#include "alerting/internal/state_codec.h"
#include "query/federation/federated_source.h"
#include "support/fake_clock.h"
#include "support/fake_series_source.h"

namespace meridian::alerting {
namespace {

constexpr int64_t kNow = 1'700'000'000;  // multiple of 10
constexpr double kNull = std::numeric_limits<double>::quiet_NaN();

const char* const kRules = R"(group: db
interval: 10s
rules:
  - name: conns
    target: eu.db*.conns
    window: 1min
    reduce: last
    warning: "~:150"
    critical: "~:300"
    for: 20s
    nagios:
      host: "{node:1}"
      service: "pg-conns"
    output: "{name} connections {value}"
)";

class RecordingSink final : public CheckSink {
 public:
  void Submit(std::span<const CheckResult> results) override {
    batches.emplace_back(results.begin(), results.end());
  }
  std::string_view name() const override { return "test"; }
  std::vector<std::vector<CheckResult>> batches;
};

// Counts batches from the scheduler thread; the test waits for the first one.
class RecordingSinkForThreads final : public CheckSink {
 public:
  void Submit(std::span<const CheckResult>) override {
    std::lock_guard lock(mu_);
    ++batches_;
    cv_.notify_all();
  }
  std::string_view name() const override { return "threads"; }
  bool WaitForBatch(std::chrono::seconds deadline) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, deadline, [this] { return batches_ > 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int batches_ = 0;
};

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() {
    LoadedRules loaded = ParseRuleGroup(kRules, "db.yaml");
    EXPECT_TRUE(loaded.errors.empty()) << loaded.errors.front().ToString();
    rules_ = std::make_shared<const RuleSet>(std::move(loaded.rules));
  }

  // Replaces a series by 7 values ending at `end` (the window's last step), step 10.
  void Set(const std::string& name, int64_t end, double last) {
    source_.Add(name, end - 60, 10, {kNull, kNull, kNull, kNull, kNull, kNull, last});
  }

  std::unique_ptr<AlertEngine> MakeEngine() {
    auto engine = std::make_unique<AlertEngine>(source_, query::FunctionRegistry::Default(), store_,
                                                clock_, metrics_);
    EXPECT_TRUE(engine->Restore().ok());
    engine->SetRules(rules_);
    engine->AddSink(sink_);
    return engine;
  }

  const RuleGroup& group() const { return rules_->groups.at(0); }

  testing::FakeSeriesSource source_{{testing::FakeSeriesSource::FetchMode::kWhisperWindow}};
  MemoryStateStore store_;
  testing::FakeClock clock_{kNow};
  core::MetricsRegistry metrics_;
  RecordingSink sink_;
  std::shared_ptr<const RuleSet> rules_;
};

CheckState StateOf(const std::vector<CheckResult>& results, const std::string& host) {
  for (const CheckResult& r : results) {
    if (r.host == host) return r.state;
  }
  ADD_FAILURE() << "no result for host " << host;
  return CheckState::kUnknown;
}

TEST_F(EngineTest, OneResultPerSeriesWithTemplatedNamesOutputAndPerfdata) {
  Set("eu.db1.conns", kNow, 100);
  Set("eu.db2.conns", kNow, 200);
  auto engine = MakeEngine();
  auto results = engine->EvaluateGroup(group(), kNow);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].host, "db1");
  EXPECT_EQ(results[0].service, "pg-conns");
  EXPECT_EQ(results[0].time, kNow);
  EXPECT_EQ(results[0].state, CheckState::kOk);
  EXPECT_EQ(results[0].output, "OK - eu.db1.conns connections 100 | conns=100;~:150;~:300");
  // for 20s: WARNING is pending at the first evaluation.
  EXPECT_EQ(results[1].state, CheckState::kOk);
  ASSERT_EQ(sink_.batches.size(), 1u);
  EXPECT_EQ(sink_.batches[0], results);
}

TEST_F(EngineTest, ForDelaysTheStateAndHistoryRecordsTransitions) {
  auto engine = MakeEngine();
  for (int64_t t = kNow; t <= kNow + 20; t += 10) {
    Set("eu.db2.conns", t, 400);
    auto results = engine->EvaluateGroup(group(), t);
    EXPECT_EQ(StateOf(results, "db2"), t < kNow + 20 ? CheckState::kOk : CheckState::kCritical);
  }
  auto history = engine->History(HistoryQuery{});
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].to, CheckState::kCritical);
  EXPECT_EQ(history[0].from, CheckState::kOk);
  EXPECT_EQ(history[0].time, kNow + 20);
  EXPECT_EQ(history[0].host, "db2");
}

TEST_F(EngineTest, ASeriesThatStopsReportingIsNoDataNotForgotten) {
  Set("eu.db1.conns", kNow, 100);
  auto engine = MakeEngine();
  engine->EvaluateGroup(group(), kNow);
  source_.Add("eu.db1.conns", kNow - 1000, 10, {100});  // old data only: nothing in the window
  std::vector<CheckResult> results;
  for (int64_t t = kNow + 10; t <= kNow + 30; t += 10) results = engine->EvaluateGroup(group(), t);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].state, CheckState::kUnknown);
  EXPECT_EQ(results[0].output, "UNKNOWN - eu.db1.conns connections no data | conns=U;~:150;~:300");
}

TEST_F(EngineTest, AVanishedSeriesKeepsItsCheck) {
  Set("eu.db1.conns", kNow, 100);
  Set("eu.db2.conns", kNow, 100);
  auto engine = MakeEngine();
  engine->EvaluateGroup(group(), kNow);
  // db2 disappears from the store entirely (deleted): still evaluated as no data.
  source_ = testing::FakeSeriesSource({testing::FakeSeriesSource::FetchMode::kWhisperWindow});
  Set("eu.db1.conns", kNow + 10, 100);
  auto results = engine->EvaluateGroup(group(), kNow + 10);
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[1].host, "db2");
  EXPECT_TRUE(std::isnan(engine->Checks()[1].state.last_value));
}

TEST_F(EngineTest, StatesSurviveARestartThroughTheStateStore) {
  {
    auto engine = MakeEngine();
    for (int64_t t = kNow; t <= kNow + 10; t += 10) {
      Set("eu.db2.conns", t, 400);
      engine->EvaluateGroup(group(), t);
    }
  }
  // A new engine over the same store continues the pending `for` run.
  auto engine = MakeEngine();
  ASSERT_EQ(engine->Checks().size(), 1u);
  EXPECT_EQ(engine->Checks()[0].state.critical_since, kNow);
  Set("eu.db2.conns", kNow + 20, 400);
  EXPECT_EQ(StateOf(engine->EvaluateGroup(group(), kNow + 20), "db2"), CheckState::kCritical);
}

TEST_F(EngineTest, RemovedRulesLoseTheirStates) {
  Set("eu.db1.conns", kNow, 100);
  auto engine = MakeEngine();
  engine->EvaluateGroup(group(), kNow);
  ASSERT_EQ(engine->Checks().size(), 1u);
  engine->SetRules(std::make_shared<const RuleSet>());
  EXPECT_TRUE(engine->Checks().empty());
  size_t stored = 0;
  ASSERT_TRUE(store_
                  .Scan(internal::kCheckPrefix,
                        [&](std::string_view, std::string_view) {
                          ++stored;
                          return true;
                        })
                  .ok());
  EXPECT_EQ(stored, 0u);
}

TEST_F(EngineTest, QueryFailureReportsUnknownAndLeavesStatesAlone) {
  auto engine = MakeEngine();
  for (int64_t t = kNow; t <= kNow + 20; t += 10) {
    Set("eu.db2.conns", t, 400);
    engine->EvaluateGroup(group(), t);
  }
  // The same states under an engine whose query budget (1 value) every fetch exceeds.
  EngineOptions tight;
  tight.max_points_per_rule = 1;
  AlertEngine limited(source_, query::FunctionRegistry::Default(), store_, clock_, metrics_, tight);
  ASSERT_TRUE(limited.Restore().ok());
  limited.SetRules(rules_);
  auto results = limited.EvaluateGroup(group(), kNow + 30);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].state, CheckState::kUnknown);
  EXPECT_NE(results[0].output.find("could not be evaluated"), std::string::npos);
  EXPECT_EQ(limited.Checks()[0].state.state, CheckState::kCritical);  // not stepped
  EXPECT_FALSE(limited.RuleStatuses().at("db/conns").last_error.empty());
}

// A federation peer that never answers (the region is down).
class DownPeer final : public query::federation::Peer {
 public:
  const std::string& name() const override { return name_; }
  query::federation::PeerRole role() const override { return query::federation::PeerRole::kRegion; }
  const query::federation::PeerMount& mount() const override { return mount_; }
  bool ShouldTry() override { return true; }
  core::Result<std::vector<storage::FindMatch>> Find(std::string_view, int64_t, int64_t,
                                                     const core::Deadline&) override {
    return Down();
  }
  core::Result<std::vector<storage::SeriesData>> Render(const std::vector<std::string>&, int64_t,
                                                        int64_t, int64_t,
                                                        const core::Deadline&) override {
    return Down();
  }
  core::Result<std::vector<std::string>> Expand(std::string_view, const core::Deadline&) override {
    return Down();
  }
  core::Result<std::vector<std::string>> FindTagged(const std::vector<std::string>&,
                                                    const core::Deadline&) override {
    return Down();
  }
  core::Result<std::vector<std::string>> TagNames(std::string_view, size_t,
                                                  const core::Deadline&) override {
    return Down();
  }
  core::Result<std::vector<storage::TagValueCount>> TagValues(std::string_view, std::string_view,
                                                              size_t,
                                                              const core::Deadline&) override {
    return Down();
  }
  core::Result<std::vector<std::string>> AllLeaves(const core::Deadline&) override {
    return Down();
  }

 private:
  static core::Status Down() { return core::Unavailable("cannot connect"); }
  std::string name_ = "us-east";
  query::federation::PeerMount mount_;
};

TEST_F(EngineTest, PartialInputIsUnknownByDefaultOrEvaluatedWhenConfigured) {
  {  // The check exists (CRITICAL) from evaluations over the local store alone.
    auto local = MakeEngine();
    for (int64_t t = kNow; t <= kNow + 20; t += 10) {
      Set("eu.db2.conns", t, 400);
      local->EvaluateGroup(group(), t);
    }
  }
  query::federation::FederatedSource federated(source_, {std::make_shared<DownPeer>()},
                                               query::federation::FederationOptions{}, metrics_);
  {
    AlertEngine engine(federated, query::FunctionRegistry::Default(), store_, clock_, metrics_);
    ASSERT_TRUE(engine.Restore().ok());
    engine.SetRules(rules_);
    auto results = engine.EvaluateGroup(group(), kNow + 30);
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].state, CheckState::kUnknown);
    EXPECT_NE(results[0].output.find("could not be evaluated"), std::string::npos);
    EXPECT_NE(engine.RuleStatuses()
                  .at("db/conns")
                  .last_error.find("partial input, peers missing: us-east (cannot connect)"),
              std::string::npos)
        << engine.RuleStatuses().at("db/conns").last_error;
    EXPECT_EQ(metrics_.GetCounter("alert_rule_errors_total", "", {{"reason", "partial"}}).Value(),
              1u);
  }
  EngineOptions evaluate;
  evaluate.partial_is_unknown = false;
  AlertEngine engine(federated, query::FunctionRegistry::Default(), store_, clock_, metrics_,
                     evaluate);
  ASSERT_TRUE(engine.Restore().ok());
  engine.SetRules(rules_);
  auto results = engine.EvaluateGroup(group(), kNow + 30);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].state, CheckState::kCritical);  // 400 > 300 on what answered
}

TEST_F(EngineTest, TwoSeriesOnOneHostAndServiceIsACollisionError) {
  const char* rules = R"(group: g
interval: 10s
rules:
  - name: r
    target: eu.*.conns
    critical: "~:300"
    nagios: { host: "{node:0}", service: "conns" }
)";
  LoadedRules loaded = ParseRuleGroup(rules, "g.yaml");
  ASSERT_TRUE(loaded.errors.empty());
  Set("eu.db1.conns", kNow, 1);
  Set("eu.db2.conns", kNow, 1);
  AlertEngine engine(source_, query::FunctionRegistry::Default(), store_, clock_, metrics_);
  engine.SetRules(std::make_shared<const RuleSet>(loaded.rules));
  auto results = engine.EvaluateGroup(loaded.rules.groups[0], kNow);
  ASSERT_EQ(results.size(), 1u);  // the first series keeps the name, the second is refused
  EXPECT_EQ(results[0].host, "eu");
  EXPECT_NE(engine.RuleStatuses().at("g/r").last_error.find("another series"), std::string::npos);
}

TEST_F(EngineTest, HistoryIsBoundedAndFiltered) {
  EngineOptions small;
  small.max_history_entries = 3;
  AlertEngine engine(source_, query::FunctionRegistry::Default(), store_, clock_, metrics_, small);
  const char* rules = R"(group: g
interval: 10s
rules:
  - name: r
    target: eu.db1.conns
    window: 10s
    reduce: last
    critical: "~:300"
    nagios: { host: "{node:1}", service: "conns" }
)";
  LoadedRules loaded = ParseRuleGroup(rules, "g.yaml");
  ASSERT_TRUE(loaded.errors.empty());
  engine.SetRules(std::make_shared<const RuleSet>(loaded.rules));
  for (int i = 0; i < 6; ++i) {
    const int64_t t = kNow + 10 * i;
    Set("eu.db1.conns", t, i % 2 == 0 ? 400 : 100);
    engine.EvaluateGroup(loaded.rules.groups[0], t);
  }
  auto history = engine.History(HistoryQuery{});
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].time, kNow + 50);  // newest first
  HistoryQuery only_critical_times;
  only_critical_times.from = kNow + 35;
  only_critical_times.until = kNow + 45;
  auto window = engine.History(only_critical_times);
  ASSERT_EQ(window.size(), 1u);
  EXPECT_EQ(window[0].to, CheckState::kCritical);
}

RuleSet Parse(const std::string& yaml) {
  LoadedRules loaded = ParseRuleGroup(yaml, "g.yaml");
  EXPECT_TRUE(loaded.errors.empty()) << loaded.errors.at(0).ToString();
  return loaded.rules;
}

TEST_F(EngineTest, AnEvaluationOfARuleThatAReloadReplacedIsDropped) {
  Set("eu.db1.conns", kNow, 100);
  auto engine = MakeEngine();
  const RuleSet old_rules = *rules_;  // the scheduler may hold a group of the old set
  std::string renamed(kRules);
  renamed.replace(renamed.find("name: conns"), 11, "name: conns2");
  engine->SetRules(std::make_shared<const RuleSet>(Parse(renamed)));
  EXPECT_TRUE(engine->EvaluateGroup(old_rules.groups[0], kNow).empty());
  EXPECT_TRUE(engine->Checks().empty());
  EXPECT_EQ(metrics_.GetCounter("alert_stale_evaluations_total", "").Value(), 1u);
}

TEST_F(EngineTest, KeptChecksAreBoundedAndTheLongestQuietGoFirst) {
  EngineOptions small;
  small.max_series_per_rule = 2;
  AlertEngine engine(source_, query::FunctionRegistry::Default(), store_, clock_, metrics_, small);
  engine.SetRules(rules_);
  // One new series per evaluation; each vanishes after it: 5 series over 5 evaluations.
  for (int i = 0; i < 5; ++i) {
    source_ = testing::FakeSeriesSource({testing::FakeSeriesSource::FetchMode::kWhisperWindow});
    Set("eu.db" + std::to_string(i) + ".conns", kNow + 10 * i, 100);
    engine.EvaluateGroup(group(), kNow + 10 * i);
  }
  auto checks = engine.Checks();
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0].host, "db3");  // the most recently quiet one stays
  EXPECT_EQ(checks[1].host, "db4");  // the one with data
  EXPECT_EQ(metrics_.GetCounter("alert_forgotten_checks_total", "", {{"reason", "limit"}}).Value(),
            3u);
}

TEST_F(EngineTest, ARuleChangedWhileMeridianWasDownLosesItsOldChecks) {
  Set("eu.db1.conns", kNow, 100);
  MakeEngine()->EvaluateGroup(group(), kNow);
  std::string changed(kRules);
  changed.replace(changed.find("{node:1}"), 8, "{node:1}.eu");
  AlertEngine restarted(source_, query::FunctionRegistry::Default(), store_, clock_, metrics_);
  ASSERT_TRUE(restarted.Restore().ok());
  ASSERT_EQ(restarted.Checks().size(), 1u);
  restarted.SetRules(std::make_shared<const RuleSet>(Parse(changed)));
  EXPECT_TRUE(restarted.Checks().empty());
  auto results = restarted.EvaluateGroup(restarted.rules()->groups[0], kNow + 10);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].host, "db1.eu");
}

TEST_F(EngineTest, UnreadableStateRecordsAreSkippedAndCounted) {
  StateWrite junk;
  junk.puts = {{std::string(internal::kCheckPrefix) + "g\0r\0h\0s", "{not json"},
               {std::string(internal::kCheckPrefix) + "x", R"({"v":9})"}};
  ASSERT_TRUE(store_.Write(junk).ok());
  Set("eu.db1.conns", kNow, 100);
  auto engine = MakeEngine();  // Restore() succeeds
  EXPECT_EQ(metrics_.GetCounter("alert_state_restore_errors_total", "").Value(), 2u);
  EXPECT_EQ(engine->EvaluateGroup(group(), kNow).size(), 1u);
}

TEST_F(EngineTest, OffsetShiftsTheWindowBackForIngestLag) {
  std::string with_offset(kRules);
  with_offset.replace(with_offset.find("interval: 10s"), 13, "interval: 10s\noffset: 60s");
  std::string short_window = with_offset;
  short_window.replace(short_window.find("window: 1min"), 12, "window: 10s");
  AlertEngine engine(source_, query::FunctionRegistry::Default(), store_, clock_, metrics_);
  engine.SetRules(std::make_shared<const RuleSet>(Parse(short_window)));
  // The only point is 60 s old: a 10 s window reaches it only through the offset.
  source_.Add("eu.db1.conns", kNow - 60, 10, {100});
  auto results = engine.EvaluateGroup(engine.rules()->groups[0], kNow);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].output, "OK - eu.db1.conns connections 100 | conns=100;~:150;~:300");
}

// A store that fails every read with a message that holds a '|'.
class FailingSource final : public query::SeriesSource {
 public:
  core::Status Fail() const { return core::Unavailable("disk | gone"); }
  core::Result<std::vector<storage::FindMatch>> Find(std::string_view,
                                                     const query::ReadOptions&) override {
    return Fail();
  }
  core::Result<std::vector<std::string>> Expand(std::string_view,
                                                const query::ReadOptions&) override {
    return Fail();
  }
  core::Result<std::vector<std::string>> FindTagged(const std::vector<std::string>&,
                                                    const query::ReadOptions&) override {
    return Fail();
  }
  core::Result<std::vector<std::string>> TagNames(std::string_view, size_t,
                                                  const query::ReadOptions&) override {
    return Fail();
  }
  core::Result<std::vector<storage::TagValueCount>> TagValues(std::string_view, std::string_view,
                                                              size_t,
                                                              const query::ReadOptions&) override {
    return Fail();
  }
  core::Result<std::vector<std::string>> AllLeaves(const query::ReadOptions&) override {
    return Fail();
  }
  core::Result<storage::SeriesData> Fetch(std::string_view, int64_t, int64_t,
                                          const query::ReadOptions&) override {
    return Fail();
  }
};

TEST_F(EngineTest, QueryErrorsCannotInjectPerfdata) {
  Set("eu.db1.conns", kNow, 100);
  MakeEngine()->EvaluateGroup(group(), kNow);
  FailingSource failing;
  AlertEngine engine(failing, query::FunctionRegistry::Default(), store_, clock_, metrics_);
  ASSERT_TRUE(engine.Restore().ok());
  engine.SetRules(rules_);
  auto results = engine.EvaluateGroup(group(), kNow + 10);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].state, CheckState::kUnknown);
  EXPECT_EQ(results[0].output, "UNKNOWN - rule conns could not be evaluated: disk / gone");
  EXPECT_EQ(engine.Checks()[0].state.state, CheckState::kOk);  // the state is left alone
}

TEST(StateCodecTest, CheckAndTransitionRoundTrip) {
  CheckStatus c{"g", "r", "h", "s", "a.b", {}, "CRITICAL - x | r=1", "a.b\n{node:0}\ns"};
  c.state.state = CheckState::kCritical;
  c.state.state_since = 5;
  c.state.critical_since = 4;
  c.state.warning_last_met = 3;
  c.state.last_value = std::numeric_limits<double>::quiet_NaN();
  c.state.last_data = 2;
  c.state.last_evaluation = 6;
  auto back = internal::DecodeCheck(internal::EncodeCheck(c));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->state, c.state);
  EXPECT_EQ(back->output, c.output);
  EXPECT_EQ(back->definition, c.definition);
  EXPECT_FALSE(internal::DecodeCheck(R"({"v":2,"group":"g","rule":"r","host":"h","service":"s",)"
                                     R"("state":"OK"})")
                   .ok());
  EXPECT_FALSE(internal::DecodeCheck("{").ok());
  EXPECT_FALSE(internal::DecodeCheck(R"({"state":"BAD"})").ok());
  int64_t time = 0;
  uint64_t seq = 0;
  ASSERT_TRUE(internal::ParseHistoryKey(internal::HistoryKey(123, 7), &time, &seq).ok());
  EXPECT_EQ(time, 123);
  EXPECT_EQ(seq, 7u);
  EXPECT_FALSE(internal::ParseHistoryKey("x", &time, &seq).ok());
}

}  // namespace
}  // namespace meridian::alerting

namespace meridian::alerting {
namespace {

// The scheduler thread, reloads and API reads at once (run under ThreadSanitizer too): every
// evaluation sees one rule set, and Stop() returns.
TEST(EngineConcurrencyTest, SchedulerReloadsAndReadsRunTogether) {
  testing::FakeSeriesSource source({testing::FakeSeriesSource::FetchMode::kWhisperWindow});
  for (int i = 0; i < 20; ++i) {
    source.Add("eu.db" + std::to_string(i) + ".conns", 1'700'000'000 - 60, 10,
               std::vector<double>(7, 100.0 * i));
  }
  MemoryStateStore store;
  testing::FakeClock clock(1'700'000'000);
  core::MetricsRegistry metrics;
  RecordingSinkForThreads sink;
  AlertEngine engine(source, query::FunctionRegistry::Default(), store, clock, metrics);
  engine.AddSink(sink);
  auto rules_a = std::make_shared<const RuleSet>(ParseRuleGroup(kRules, "a.yaml").rules);
  std::string other(kRules);
  other.replace(other.find("name: conns"), 11, "name: other");
  auto rules_b = std::make_shared<const RuleSet>(ParseRuleGroup(other, "b.yaml").rules);
  engine.SetRules(rules_a);
  engine.Start();
  std::thread reloader([&] {
    for (int i = 0; i < 200; ++i) engine.SetRules(i % 2 ? rules_a : rules_b);
  });
  std::thread reader([&] {
    for (int i = 0; i < 200; ++i) {
      (void)engine.Checks();
      (void)engine.History(HistoryQuery{});
      (void)engine.RuleStatuses();
    }
  });
  std::thread ticker([&] {
    for (int i = 0; i < 50; ++i) clock.AdvanceSeconds(10);
  });
  reloader.join();
  reader.join();
  ticker.join();
  ASSERT_TRUE(sink.WaitForBatch(std::chrono::seconds(10)));
  engine.Stop();
  // Whatever ran last, every kept check belongs to a rule of the final set.
  for (const CheckStatus& c : engine.Checks()) EXPECT_EQ(c.rule, "conns");
}

}  // namespace
}  // namespace meridian::alerting
