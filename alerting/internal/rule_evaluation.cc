// One rule's evaluation (RuleRun): query, name each series' check, step it, evaluate the checks
// the query no longer returns as no data, keep the rule's checks bounded, persist.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <set>

#include "alerting/internal/engine_impl.h"
#include "alerting/internal/state_codec.h"
#include "query/evaluator.h"

namespace meridian::alerting {
namespace {

constexpr double kNoData = std::numeric_limits<double>::quiet_NaN();
// Informational fields of an unchanged check are rewritten at most this often.
constexpr int64_t kRefreshPersistedSeconds = 60;
// Output text before the perfdata, so that the command line's size cut never reaches the perfdata.
constexpr size_t kMaxOutputTextBytes = 2048;

// The fields whose loss would change a future state: the state, when it began, the level runs.
bool SameDurableState(const SeriesState& a, const SeriesState& b) {
  return a.state == b.state && a.state_since == b.state_since &&
         a.warning_since == b.warning_since && a.critical_since == b.critical_since &&
         a.unknown_since == b.unknown_since && a.warning_last_met == b.warning_last_met &&
         a.critical_last_met == b.critical_last_met;
}

const char* ReasonFor(const core::Status& status) {
  switch (status.code()) {
    case core::StatusCode::kResourceExhausted:
      return "limit";
    case core::StatusCode::kDeadlineExceeded:
      return "timeout";
    default:
      return "query";
  }
}

// At most `max` bytes, never inside a UTF-8 sequence.
std::string CutText(std::string text, size_t max) {
  if (text.size() <= max) return text;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
  return text;
}

class RuleRun {
 public:
  RuleRun(AlertEngine::Impl& engine, const RuleGroup& group, const Rule& rule, int64_t now,
          std::vector<CheckResult>& results, StateWrite& write,
          std::vector<Transition>& transitions)
      : e_(engine),
        group_(group),
        rule_(rule),
        now_(now),
        policy_(PolicyOf(rule)),
        prefix_(internal::RulePrefix(group.name, rule.name)),
        results_(results),
        write_(write),
        transitions_(transitions) {}

  void Run() {
    Query();
    std::lock_guard lock(e_.mu);
    // SetRules waits for evaluations, but a group picked before a reload is evaluated after it.
    const Rule* current = FindRule(*e_.rules, group_.name, rule_.name);
    if (current == nullptr || RuleDefinition(*current) != definition_) {
      e_.stale_evaluations.Add();
      return;
    }
    e_.rule_evaluations.Add();
    if (!query_failed_) {
      for (const query::Series& s : series_) StepReturned(s);
    }
    StepMissing();
    EnforceCheckLimit();
    Persist();
    Finish();
  }

 private:
  void Query() {
    query::EvalLimits limits;
    limits.max_series = e_.options.max_fetched_series_per_rule;
    limits.max_points = e_.options.max_points_per_rule;
    limits.deadline = core::Deadline::At(started_ + e_.options.query_timeout);
    limits.knobs = {"alerting.max_fetched_series_per_rule", "alerting.max_points_per_rule",
                    "alerting.query_timeout"};
    query::ReadReport report;
    limits.scope.report = &report;
    limits.scope.partial = e_.options.partial_is_unknown ? query::PartialPolicy::kRefuse
                                                         : query::PartialPolicy::kAllow;
    query::Evaluator evaluator(e_.source, e_.functions, limits);
    const int64_t until = now_ - group_.offset.count();
    auto series =
        evaluator.EvaluateTarget(rule_.target, {until - rule_.window.count(), until, now_});
    if (!series.ok() && report.partial()) {
      error_ = fmt::format("partial input, peers missing: {}", report.Describe());
      e_.CountError("partial");
    } else if (!series.ok()) {
      error_ = series.status().message();
      e_.CountError(ReasonFor(series.status()));
    } else if (series->size() > e_.options.max_series_per_rule) {
      error_ =
          fmt::format("the target returned {} series, more than alerting.max_series_per_rule ({})",
                      series->size(), e_.options.max_series_per_rule);
      e_.CountError("limit");
    } else {
      series_ = std::move(*series);
    }
    query_failed_ = !error_.empty();
  }

  void Note(const char* reason, std::string message) {
    e_.CountError(reason);
    if (error_.empty()) error_ = std::move(message);
  }

  // The check key of a returned series, or nullopt (error noted) when it cannot have one.
  std::optional<std::string> Admit(const query::Series& s, std::string* host,
                                   std::string* service) {
    const SeriesRef ref{s.name, &s.tags};
    auto h = rule_.host.Render(ref);
    auto v = rule_.service.Render(ref);
    if (!h.ok() || !v.ok()) {
      Note("template", fmt::format("series '{}': {}", s.name, (h.ok() ? v : h).status().message()));
      return std::nullopt;
    }
    for (auto [what, name] : {std::pair{"host", &*h}, std::pair{"service", &*v}}) {
      if (auto st = ValidateObjectName(*name); !st.ok()) {
        Note("name", fmt::format("series '{}': {}: {}", s.name, what, st.message()));
        return std::nullopt;
      }
    }
    std::string key = internal::CheckKey(group_.name, rule_.name, *h, *v);
    auto [owner, inserted] = e_.owners.emplace(OwnerKey(*h, *v), key);
    if (!seen_.insert(key).second || (!inserted && owner->second != key)) {
      Note("collision", fmt::format("series '{}' maps to host '{}' service '{}', which another "
                                    "series already uses",
                                    s.name, *h, *v));
      return std::nullopt;
    }
    *host = std::move(*h);
    *service = std::move(*v);
    return key;
  }

  void StepReturned(const query::Series& s) {
    std::string host, service;
    auto key = Admit(s, &host, &service);
    if (!key) return;
    AlertEngine::Check& check = e_.checks[*key];
    CheckStatus& c = check.status;
    if (c.group.empty()) {
      c.group = group_.name;
      c.rule = rule_.name;
      c.host = std::move(host);
      c.service = std::move(service);
    }
    c.series = s.name;
    c.definition = definition_;
    check.dirty = true;
    Step(c, Reduce(rule_.reduce, s.values), s.tags);
  }

  // Checks of this rule that the query did not return: no data — or, when the query itself
  // failed, UNKNOWN with the error and the state left as it was.
  void StepMissing() {
    auto& checks = e_.checks;
    for (auto it = checks.lower_bound(prefix_);
         it != checks.end() && it->first.starts_with(prefix_);) {
      CheckStatus& c = it->second.status;
      if (seen_.contains(it->first)) {
        ++it;
      } else if (query_failed_) {
        c.output = FormatPluginOutput(
            fmt::format("UNKNOWN - rule {} could not be evaluated: {}", rule_.name, error_), {});
        results_.push_back(CheckResult{now_, c.host, c.service, CheckState::kUnknown, c.output});
        ++it;
      } else if (e_.options.forget_after.count() > 0 &&
                 now_ - QuietSince(c) > e_.options.forget_after.count()) {
        e_.forgotten_quiet.Add();
        it = Forget(it);
      } else {
        it->second.dirty = true;
        Step(c, kNoData, query::TagsForName(c.series));
        ++it;
      }
    }
  }

  // More checks than max_series_per_rule (series come and go): the longest quiet ones go.
  void EnforceCheckLimit() {
    std::vector<std::pair<int64_t, std::string>> quiet;
    size_t count = 0;
    for (auto it = e_.checks.lower_bound(prefix_);
         it != e_.checks.end() && it->first.starts_with(prefix_); ++it, ++count) {
      if (!seen_.contains(it->first)) quiet.emplace_back(QuietSince(it->second.status), it->first);
    }
    if (count <= e_.options.max_series_per_rule) return;
    std::sort(quiet.begin(), quiet.end());
    for (size_t i = 0; i < quiet.size() && count > e_.options.max_series_per_rule; ++i, --count) {
      // Its result was already sent this round; Nagios's freshness check takes it from here.
      e_.forgotten_limit.Add();
      Forget(e_.checks.find(quiet[i].second));
    }
  }

  static int64_t QuietSince(const CheckStatus& c) {
    return c.state.last_data != 0 ? c.state.last_data : c.state.state_since;
  }

  std::map<std::string, AlertEngine::Check>::iterator Forget(
      std::map<std::string, AlertEngine::Check>::iterator it) {
    write_.deletes.push_back(std::string(internal::kCheckPrefix) + it->first);
    e_.owners.erase(OwnerKey(it->second.status.host, it->second.status.service));
    return e_.checks.erase(it);
  }

  void Step(CheckStatus& c, double value, const std::map<std::string, std::string>& tags) {
    const std::optional<CheckState> before =
        c.state.state_since == 0 ? std::nullopt : std::optional(c.state.state);
    const bool changed = alerting::Step(policy_, now_, value, c.state);
    const std::string_view state_name = CheckStateName(c.state.state);
    const OutputFields fields{value,
                              state_name,
                              rule_.name,
                              c.host,
                              c.service,
                              rule_.warning_text,
                              rule_.critical_text,
                              rule_.window_text,
                              rule_.reduce_text};
    auto text = rule_.output.Render(SeriesRef{c.series, &tags}, &fields);
    std::string body = text.ok() ? *text
                                 : fmt::format("{} = {} ({})", c.series,
                                               std::isnan(value) ? "no data" : FormatDecimal(value),
                                               text.status().message());
    const PerfDatum perf{rule_.name, value, "", rule_.warning, rule_.critical, {}, {}};
    c.output = FormatPluginOutput(
        CutText(fmt::format("{} - {}", state_name, body), kMaxOutputTextBytes), {&perf, 1});
    results_.push_back(CheckResult{now_, c.host, c.service, c.state.state, c.output});
    e_.series_evaluations.Add();
    if (!changed) return;
    e_.transitions_total.Add();
    transitions_.push_back(Transition{now_, group_.name, rule_.name, c.host, c.service, c.series,
                                      before, c.state.state, value, c.output});
  }

  // What a restart needs (state, timers) is written at once; the informational fields (value,
  // last evaluation, output) at most every kRefreshPersistedSeconds.
  void Persist() {
    for (auto it = e_.checks.lower_bound(prefix_);
         it != e_.checks.end() && it->first.starts_with(prefix_); ++it, ++checks_) {
      AlertEngine::Check& check = it->second;
      if (!check.dirty) continue;
      check.dirty = false;
      if (SameDurableState(check.persisted, check.status.state) &&
          now_ - check.persisted_at < kRefreshPersistedSeconds) {
        continue;
      }
      check.persisted = check.status.state;
      check.persisted_at = now_;
      write_.puts.emplace_back(std::string(internal::kCheckPrefix) + it->first,
                               internal::EncodeCheck(check.status));
    }
  }

  void Finish() {
    RuleRunStatus& status = e_.statuses[group_.name + "/" + rule_.name];
    if (error_ != status.last_error && !error_.empty()) {
      fmt::print(stderr, "meridian: alert rule {}/{} ({}:{}): {}\n", group_.name, rule_.name,
                 group_.file, rule_.line, error_);
    }
    status.last_evaluation = now_;
    status.last_duration_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    status.last_error = std::move(error_);
    status.series = checks_;
  }

  AlertEngine::Impl& e_;
  const RuleGroup& group_;
  const Rule& rule_;
  const int64_t now_;
  const StatePolicy policy_;
  const std::string prefix_;
  const std::string definition_ = RuleDefinition(rule_);
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::vector<CheckResult>& results_;
  StateWrite& write_;
  std::vector<Transition>& transitions_;
  query::SeriesList series_;
  std::string error_;
  bool query_failed_ = false;
  std::set<std::string> seen_;
  size_t checks_ = 0;
};

}  // namespace

std::string RuleDefinition(const Rule& rule) {
  return rule.target + '\n' + rule.host.text() + '\n' + rule.service.text();
}

void AlertEngine::Impl::EvaluateRule(const RuleGroup& group, const Rule& rule, int64_t now,
                                     std::vector<CheckResult>& results, StateWrite& write,
                                     std::vector<Transition>& transitions) {
  RuleRun(*this, group, rule, now, results, write, transitions).Run();
}

}  // namespace meridian::alerting
