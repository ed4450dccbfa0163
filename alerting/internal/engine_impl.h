// AlertEngine's private state, shared by engine.cc (scheduling, API) and rule_evaluation.cc.
#pragma once

#include <deque>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "alerting/engine.h"

namespace meridian::alerting {

// One check in memory: what is persisted plus the evaluation's bookkeeping.
struct AlertEngine::Check {
  CheckStatus status;
  bool dirty = false;     // evaluated this round: a candidate for persisting
  SeriesState persisted;  // the state as last written to the StateStore
  int64_t persisted_at = 0;
};

struct AlertEngine::Impl {
  Impl(query::SeriesSource& source, const query::FunctionRegistry& functions, StateStore& store,
       const core::Clock& clock, core::MetricsRegistry& metrics, EngineOptions options);

  query::SeriesSource& source;
  const query::FunctionRegistry& functions;
  StateStore& store;
  const core::Clock& clock;
  EngineOptions options;
  std::vector<CheckSink*> sinks;

  // Counters (meridian_alert_*).
  core::Counter& rule_evaluations;
  core::Counter& series_evaluations;
  core::Counter& transitions_total;
  core::Counter& store_errors;
  core::Counter& skipped_evaluations;
  core::Counter& forgotten_quiet;  // no data for forget_after
  core::Counter& forgotten_limit;  // past max_series_per_rule
  core::Counter& restore_errors;
  core::Counter& stale_evaluations;  // rule changed while its evaluation ran: results dropped
  std::map<CheckState, core::Gauge*> checks_by_state;
  std::map<std::string, core::Counter*> rule_errors;  // by reason, created in the constructor

  mutable std::mutex mu;  // guards everything below
  std::shared_ptr<const RuleSet> rules = std::make_shared<RuleSet>();
  std::map<std::string, Check> checks;                  // CheckKey → check
  std::map<std::string, std::string> owners;            // host \0 service → CheckKey
  std::map<std::string, RuleRunStatus> statuses;        // "group/rule"
  std::deque<std::pair<int64_t, std::string>> history;  // (time, key), oldest first
  uint64_t history_sequence = 0;
  struct Schedule {
    int64_t next = 0;      // next evaluation time
    int64_t interval = 0;  // of the group it was computed for
  };
  std::map<std::string, Schedule> next_due;  // by group name

  std::mutex eval_mu;  // one evaluation at a time
  // Under eval_mu: state writes failing (a read-only store, a failing disk) are logged once a
  // minute, and their recovery once, not on every evaluation.
  bool store_failing = false;
  int64_t last_store_error_log = 0;
  std::condition_variable cv;
  bool stopping = false;
  std::thread scheduler;

  void CountError(const std::string& reason);
  std::vector<CheckResult> EvaluateGroup(const RuleGroup& group, int64_t now);
  // Evaluates one rule at `now` and appends its results; caller holds eval_mu, not mu.
  void EvaluateRule(const RuleGroup& group, const Rule& rule, int64_t now,
                    std::vector<CheckResult>& results, StateWrite& write,
                    std::vector<Transition>& transitions);
  // Adds transition records and prunes old ones; caller holds mu.
  void AppendHistory(const std::vector<Transition>& transitions, int64_t now, StateWrite& write);
  void SchedulerLoop();
  // Sets the per-state gauges; caller holds mu.
  void UpdateStateGauges();
};

// The key of `owners`: a Nagios host+service pair belongs to one check.
inline std::string OwnerKey(std::string_view host, std::string_view service) {
  std::string key(host);
  key.push_back('\0');
  key.append(service);
  return key;
}

// What identifies a rule's checks: target and name templates (CheckStatus::definition).
std::string RuleDefinition(const Rule& rule);
const Rule* FindRule(const RuleSet& set, std::string_view group, std::string_view rule);

}  // namespace meridian::alerting
