#include "alerting/engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <set>

#include "alerting/internal/engine_impl.h"
#include "alerting/internal/state_codec.h"

namespace meridian::alerting {
namespace {

constexpr const char* kErrorReasons[] = {"query", "limit",     "timeout", "template",
                                         "name",  "collision", "partial"};

const RuleGroup* FindGroup(const RuleSet& set, std::string_view name) {
  for (const RuleGroup& g : set.groups) {
    if (g.name == name) return &g;
  }
  return nullptr;
}

}  // namespace

const Rule* FindRule(const RuleSet& set, std::string_view group, std::string_view rule) {
  const RuleGroup* g = FindGroup(set, group);
  if (g == nullptr) return nullptr;
  for (const Rule& r : g->rules) {
    if (r.name == rule) return &r;
  }
  return nullptr;
}

core::Status EngineOptions::Validate() const {
  if (max_series_per_rule == 0) return core::InvalidArgument("max_series_per_rule must be > 0");
  if (max_fetched_series_per_rule == 0 || max_points_per_rule == 0) {
    return core::InvalidArgument("max_fetched_series_per_rule and max_points_per_rule must be > 0");
  }
  if (query_timeout.count() <= 0) return core::InvalidArgument("query_timeout must be > 0");
  if (forget_after.count() < 0 || history_retention.count() <= 0) {
    return core::InvalidArgument("forget_after must be >= 0 and history_retention > 0");
  }
  if (max_history_entries == 0) return core::InvalidArgument("max_history_entries must be > 0");
  return core::Status::Ok();
}

AlertEngine::Impl::Impl(query::SeriesSource& source, const query::FunctionRegistry& functions,
                        StateStore& store, const core::Clock& clock, core::MetricsRegistry& metrics,
                        EngineOptions options)
    : source(source),
      functions(functions),
      store(store),
      clock(clock),
      options(options),
      rule_evaluations(
          metrics.GetCounter("alert_rule_evaluations_total", "Alert rule evaluations.")),
      series_evaluations(metrics.GetCounter("alert_check_evaluations_total",
                                            "Checks (one per series and rule) evaluated.")),
      transitions_total(metrics.GetCounter("alert_transitions_total", "Check state changes.")),
      store_errors(metrics.GetCounter("alert_state_write_errors_total",
                                      "Failed writes of alert state to the store.")),
      skipped_evaluations(metrics.GetCounter(
          "alert_skipped_evaluations_total",
          "Group evaluations skipped because the engine fell a whole interval behind.")),
      forgotten_quiet(metrics.GetCounter("alert_forgotten_checks_total",
                                         "Checks dropped: no data for alerting.forget_after, or "
                                         "past alerting.max_series_per_rule.",
                                         {{"reason", "quiet"}})),
      forgotten_limit(metrics.GetCounter("alert_forgotten_checks_total",
                                         "Checks dropped: no data for alerting.forget_after, or "
                                         "past alerting.max_series_per_rule.",
                                         {{"reason", "limit"}})),
      restore_errors(metrics.GetCounter("alert_state_restore_errors_total",
                                        "Persisted alert records that could not be read "
                                        "(skipped at start-up).")),
      stale_evaluations(metrics.GetCounter(
          "alert_stale_evaluations_total",
          "Rule evaluations dropped because a reload changed the rule meanwhile.")) {
  for (const char* reason : kErrorReasons) {
    rule_errors[reason] = &metrics.GetCounter(
        "alert_rule_errors_total", "Rule evaluation problems by reason.", {{"reason", reason}});
  }
  for (CheckState state :
       {CheckState::kOk, CheckState::kWarning, CheckState::kCritical, CheckState::kUnknown}) {
    checks_by_state[state] = &metrics.GetGauge("alert_checks", "Checks by current state.",
                                               {{"state", std::string(CheckStateName(state))}});
  }
}

void AlertEngine::Impl::UpdateStateGauges() {
  std::map<CheckState, int64_t> counts;
  for (const auto& [key, check] : checks) ++counts[check.status.state.state];
  for (auto& [state, gauge] : checks_by_state) gauge->Set(counts[state]);
}

void AlertEngine::Impl::CountError(const std::string& reason) { rule_errors.at(reason)->Add(); }

void AlertEngine::Impl::AppendHistory(const std::vector<Transition>& transitions, int64_t now,
                                      StateWrite& write) {
  for (const Transition& t : transitions) {
    std::string key =
        std::string(internal::kHistoryPrefix) + internal::HistoryKey(t.time, ++history_sequence);
    write.puts.emplace_back(key, internal::EncodeTransition(t));
    history.emplace_back(t.time, std::move(key));
  }
  const int64_t oldest = now - options.history_retention.count();
  while (!history.empty() &&
         (history.size() > options.max_history_entries || history.front().first < oldest)) {
    write.deletes.push_back(std::move(history.front().second));
    history.pop_front();
  }
}

AlertEngine::AlertEngine(query::SeriesSource& source, const query::FunctionRegistry& functions,
                         StateStore& store, const core::Clock& clock,
                         core::MetricsRegistry& metrics, EngineOptions options)
    : impl_(std::make_unique<Impl>(source, functions, store, clock, metrics, options)) {}

AlertEngine::~AlertEngine() { Stop(); }

core::Status AlertEngine::Restore() {
  std::lock_guard lock(impl_->mu);
  // An unreadable record (a damaged or future format) costs that check its history, not the
  // start-up: it is skipped, counted and logged; the next evaluation recreates the check.
  RETURN_IF_ERROR(
      impl_->store.Scan(internal::kCheckPrefix, [&](std::string_view k, std::string_view v) {
        auto check = internal::DecodeCheck(v);
        if (!check.ok()) {
          impl_->restore_errors.Add();
          fmt::print(stderr, "meridian: alerting: skipping unreadable state record: {}\n",
                     check.status().message());
          return true;
        }
        const std::string key(k.substr(internal::kCheckPrefix.size()));
        impl_->owners[OwnerKey(check->host, check->service)] = key;
        Check& c = impl_->checks[key];
        c.persisted = check->state;
        c.persisted_at = check->state.last_evaluation;
        c.status = std::move(*check);
        return true;
      }));
  impl_->UpdateStateGauges();
  return impl_->store.Scan(internal::kHistoryPrefix, [&](std::string_view k, std::string_view) {
    int64_t time = 0;
    uint64_t sequence = 0;
    if (internal::ParseHistoryKey(k.substr(internal::kHistoryPrefix.size()), &time, &sequence)
            .ok()) {
      impl_->history.emplace_back(time, std::string(k));
      impl_->history_sequence = std::max(impl_->history_sequence, sequence);
    }
    return true;
  });
}

void AlertEngine::SetRules(std::shared_ptr<const RuleSet> rules) {
  StateWrite write;
  {
    std::lock_guard eval_lock(impl_->eval_mu);
    std::lock_guard lock(impl_->mu);
    for (auto it = impl_->checks.begin(); it != impl_->checks.end();) {
      const CheckStatus& c = it->second.status;
      const Rule* rule = FindRule(*rules, c.group, c.rule);
      // Records written before `definition` existed carry none: they are kept.
      if (rule != nullptr && (c.definition.empty() || c.definition == RuleDefinition(*rule))) {
        ++it;
        continue;
      }
      write.deletes.push_back(std::string(internal::kCheckPrefix) + it->first);
      impl_->owners.erase(OwnerKey(c.host, c.service));
      it = impl_->checks.erase(it);
    }
    std::map<std::string, RuleRunStatus> statuses;
    std::map<std::string, Impl::Schedule> next_due;
    for (const RuleGroup& g : rules->groups) {
      for (const Rule& r : g.rules) {
        auto it = impl_->statuses.find(g.name + "/" + r.name);
        if (it != impl_->statuses.end()) statuses.insert(*it);
      }
      auto due = impl_->next_due.find(g.name);
      if (due != impl_->next_due.end() && due->second.interval == g.interval.count()) {
        next_due.insert(*due);
      }
    }
    impl_->statuses = std::move(statuses);
    impl_->next_due = std::move(next_due);
    impl_->rules = std::move(rules);
    impl_->UpdateStateGauges();
  }
  if (auto st = impl_->store.Write(write); !st.ok()) {
    impl_->store_errors.Add();
    fmt::print(stderr, "meridian: alerting: cannot delete states of removed rules: {}\n",
               st.ToString());
  }
  impl_->cv.notify_all();
}

std::shared_ptr<const RuleSet> AlertEngine::rules() const {
  std::lock_guard lock(impl_->mu);
  return impl_->rules;
}

void AlertEngine::AddSink(CheckSink& sink) { impl_->sinks.push_back(&sink); }

std::vector<CheckResult> AlertEngine::EvaluateGroup(const RuleGroup& group, int64_t now) {
  return impl_->EvaluateGroup(group, now);
}

std::vector<CheckResult> AlertEngine::Impl::EvaluateGroup(const RuleGroup& group, int64_t now) {
  std::lock_guard eval_lock(eval_mu);
  std::vector<CheckResult> results;
  std::vector<Transition> transitions;
  StateWrite write;
  for (const Rule& rule : group.rules) EvaluateRule(group, rule, now, results, write, transitions);
  {
    std::lock_guard lock(mu);
    AppendHistory(transitions, now, write);
    UpdateStateGauges();
  }
  if (auto st = store.Write(write); !st.ok()) {
    store_errors.Add();
    // Nothing of this round is on disk: the next evaluation writes every check again.
    std::lock_guard lock(mu);
    for (const auto& [key, value] : write.puts) {
      if (!key.starts_with(internal::kCheckPrefix)) continue;
      auto it = checks.find(key.substr(internal::kCheckPrefix.size()));
      if (it == checks.end()) continue;
      it->second.persisted_at = 0;
      it->second.persisted = SeriesState{};
    }
    if (!store_failing || now - last_store_error_log >= 60) {
      fmt::print(stderr,
                 "meridian: alerting: cannot persist states of group {}: {} (states stay in "
                 "memory and are written again by each evaluation; logged once a minute)\n",
                 group.name, st.ToString());
      last_store_error_log = now;
    }
    store_failing = true;
  } else if (store_failing) {
    store_failing = false;
    fmt::print(stderr, "meridian: alerting: states are persisted again\n");
  }
  for (CheckSink* sink : sinks) sink->Submit(results);
  return results;
}

void AlertEngine::Start() {
  std::lock_guard lock(impl_->mu);
  if (impl_->scheduler.joinable()) return;
  impl_->stopping = false;
  impl_->scheduler = std::thread([this] { impl_->SchedulerLoop(); });
}

void AlertEngine::Stop() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  if (impl_->scheduler.joinable()) impl_->scheduler.join();
}

void AlertEngine::Impl::SchedulerLoop() {
  std::unique_lock lock(mu);
  while (!stopping) {
    const int64_t now = clock.NowSeconds();
    const RuleGroup* due_group = nullptr;
    int64_t due_time = INT64_MAX;
    std::shared_ptr<const RuleSet> set = rules;
    for (const RuleGroup& g : set->groups) {
      const int64_t interval = g.interval.count();
      // A new group runs at once, then on its grid.
      auto it = next_due.emplace(g.name, Schedule{now, interval}).first;
      if (it->second.next < due_time) {
        due_time = it->second.next;
        due_group = &g;
      }
    }
    if (due_group == nullptr || due_time > now) {
      // Until the due instant itself (not the next whole second), at most 1 s at a time so that
      // a clock step or new rules are noticed.
      const int64_t wait_ms =
          due_group == nullptr ? 1000 : due_time * 1000 - clock.NowMicros() / 1000 + 1;
      cv.wait_for(lock, std::chrono::milliseconds(std::clamp<int64_t>(wait_ms, 1, 1000)));
      continue;
    }
    const int64_t interval = due_group->interval.count();
    int64_t next = (due_time / interval + 1) * interval;
    if (next <= now) {
      skipped_evaluations.Add((now - next) / interval + 1);
      next = (now / interval + 1) * interval;
    }
    next_due[due_group->name] = Schedule{next, interval};
    lock.unlock();
    // `set` keeps the group alive while it is evaluated, even if SetRules replaces it.
    EvaluateGroup(*due_group, due_time);
    lock.lock();
  }
}

std::vector<CheckStatus> AlertEngine::Checks() const {
  std::lock_guard lock(impl_->mu);
  std::vector<CheckStatus> out;
  out.reserve(impl_->checks.size());
  for (const auto& [key, check] : impl_->checks) out.push_back(check.status);
  return out;
}

std::vector<Transition> AlertEngine::History(const HistoryQuery& query) const {
  // Keys sort by time: skip keys before `from` undecoded, stop past `until`, keep the newest
  // `limit` matches.
  std::deque<Transition> newest;
  const std::string begin = std::string(internal::kHistoryPrefix) +
                            internal::HistoryKey(std::max<int64_t>(query.from, 0), 0);
  auto matches = [&](const std::string& want, const std::string& have) {
    return want.empty() || want == have;
  };
  auto st =
      impl_->store.Scan(internal::kHistoryPrefix, [&](std::string_view k, std::string_view v) {
        if (k < begin) return true;
        int64_t time = 0;
        uint64_t sequence = 0;
        if (!internal::ParseHistoryKey(k.substr(internal::kHistoryPrefix.size()), &time, &sequence)
                 .ok()) {
          return true;
        }
        if (time > query.until) return false;
        auto t = internal::DecodeTransition(v);
        if (!t.ok() || !matches(query.group, t->group) || !matches(query.rule, t->rule) ||
            !matches(query.host, t->host) || !matches(query.service, t->service)) {
          return true;
        }
        newest.push_back(std::move(*t));
        if (newest.size() > query.limit) newest.pop_front();
        return true;
      });
  st.IgnoreError();  // a failed scan returns what was read; the store counts its own errors
  return std::vector<Transition>(newest.rbegin(), newest.rend());
}

std::map<std::string, RuleRunStatus> AlertEngine::RuleStatuses() const {
  std::lock_guard lock(impl_->mu);
  return impl_->statuses;
}

}  // namespace meridian::alerting
