// AlertEngine: runs rule groups on their intervals over the query engine, keeps one state machine
// per (group, rule, host, service) check, persists states and transitions in a StateStore, and
// sends one result per check per evaluation to every CheckSink.
//
// Threading: Start() runs one scheduler thread that evaluates due groups in turn; SetRules,
// Checks, History and RuleStatuses may be called from any thread. EvaluateGroup is what the
// scheduler calls; `rules test`, benchmarks and tests call it directly with their own times
// (then do not Start()).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "alerting/check_sink.h"
#include "alerting/rule.h"
#include "alerting/state_machine.h"
#include "alerting/state_store.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"
#include "query/function_registry.h"
#include "query/series_source.h"

namespace meridian::alerting {

struct EngineOptions {
  // Series one rule may produce; past it the evaluation fails: its checks report UNKNOWN and
  // `meridian_alert_rule_errors_total{reason="limit"}` counts it. Also the checks a rule keeps:
  // past it the checks without data for longest are forgotten
  // (`meridian_alert_forgotten_checks_total{reason="limit"}`). Default 10,000.
  size_t max_series_per_rule = 10'000;
  // Series one rule's query may fetch (sumSeries over many counts them all). Default 100,000.
  size_t max_fetched_series_per_rule = 100'000;
  // Values one rule evaluation may fetch. Default 5,000,000.
  size_t max_points_per_rule = 5'000'000;
  // Wall time one rule's query may take. Default 10 s.
  std::chrono::milliseconds query_timeout{10'000};
  // A query that lacks a federation peer it needs (down, slow, failing) makes the rule's checks
  // UNKNOWN naming the peers (alerting.on_partial_input: unknown), never OK on part of the data;
  // false evaluates what did answer (on_partial_input: evaluate). Counted as
  // meridian_alert_rule_errors_total{reason="partial"}. Default true.
  bool partial_is_unknown = true;
  // A check whose series has had no data this long is forgotten (state deleted, no more results;
  // Nagios's freshness check then reports it stale). 0 = never. Default 7 days.
  std::chrono::seconds forget_after{7 * 86'400};
  // Transition history kept: entries older than this are deleted. Default 30 days.
  std::chrono::seconds history_retention{30 * 86'400};
  // And at most this many entries (oldest deleted first). Default 100,000.
  size_t max_history_entries = 100'000;
  core::Status Validate() const;
};

// One check's current state, for /api/alerts.
struct CheckStatus {
  std::string group;
  std::string rule;
  std::string host;
  std::string service;
  std::string series;  // series name last seen
  SeriesState state;
  std::string output;  // plugin output last sent
  // The rule's target and name templates when the check was last evaluated: a check whose rule
  // changed them (also while Meridian was down) is dropped at the next SetRules.
  std::string definition;
};

// One state change, for /api/alerts/history.
struct Transition {
  int64_t time = 0;
  std::string group;
  std::string rule;
  std::string host;
  std::string service;
  std::string series;
  std::optional<CheckState> from;  // nullopt: first evaluation of the check
  CheckState to = CheckState::kOk;
  double value = 0;  // NaN = no data
  std::string output;
};

struct HistoryQuery {
  int64_t from = 0;                        // epoch seconds, inclusive
  int64_t until = INT64_MAX;               // inclusive
  size_t limit = 1000;                     // newest first
  std::string group, rule, host, service;  // "" = any
};

// The last evaluation of a rule, for /api/rules.
struct RuleRunStatus {
  int64_t last_evaluation = 0;
  double last_duration_seconds = 0;
  std::string last_error;  // "" = OK
  size_t series = 0;       // checks it produced
};

class AlertEngine {
 public:
  // All references must outlive the engine.
  AlertEngine(query::SeriesSource& source, const query::FunctionRegistry& functions,
              StateStore& store, const core::Clock& clock, core::MetricsRegistry& metrics,
              EngineOptions options = {});
  ~AlertEngine();

  // Loads persisted states and history bookkeeping. Call once, before SetRules and Start.
  core::Status Restore();
  // Replaces the rule set; checks of rules that no longer exist, or whose target or name
  // templates changed, are deleted. Groups keep their schedule when their interval is unchanged.
  // Waits for a running group evaluation to finish, so no evaluation straddles two rule sets.
  void SetRules(std::shared_ptr<const RuleSet> rules);
  std::shared_ptr<const RuleSet> rules() const;
  // `sink` must outlive the engine. Call before Start.
  void AddSink(CheckSink& sink);

  // Evaluates every rule of `group` at `now` (epoch seconds): queries
  // [now - offset - window, now - offset],
  // steps each check, persists, submits the results to the sinks, and returns them.
  std::vector<CheckResult> EvaluateGroup(const RuleGroup& group, int64_t now);

  // Scheduler: each group runs at multiples of its interval (wall clock), one group at a time.
  void Start();
  void Stop();  // idempotent; waits for a running evaluation

  std::vector<CheckStatus> Checks() const;
  std::vector<Transition> History(const HistoryQuery& query) const;
  std::map<std::string, RuleRunStatus> RuleStatuses() const;  // key "group/rule"

  // Implementation (alerting/internal/engine_impl.h); named here so that internal code can use it.
  struct Check;
  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace meridian::alerting
