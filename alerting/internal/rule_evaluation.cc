// One rule's evaluation: query, reduce, name, step each check, and the no-data pass over the
// checks the query no longer returns.
#include <fmt/format.h>

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
constexpr int64_t kRefreshPersistedSeconds = 60;

// The fields whose loss would change a future state: the state, when it began, the level runs.
bool SameDurableState(const SeriesState& a, const SeriesState& b) {
  return a.state == b.state && a.state_since == b.state_since &&
         a.warning_since == b.warning_since && a.critical_since == b.critical_since &&
         a.unknown_since == b.unknown_since && a.warning_last_met == b.warning_last_met &&
         a.critical_last_met == b.critical_last_met;
}

std::string OwnerKey(std::string_view host, std::string_view service) {
  std::string key(host);
  key.push_back('\0');
  key.append(service);
  return key;
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

// Steps one check with this evaluation's value and writes its result.
struct CheckStepper {
  const RuleGroup& group;
  const Rule& rule;
  const StatePolicy& policy;
  int64_t now;
  std::vector<CheckResult>& results;
  std::vector<Transition>& transitions;

  // Returns true on a state change.
  bool Step(CheckStatus& c, double value, const std::map<std::string, std::string>& tags) const {
    const std::optional<CheckState> before =
        c.state.state_since == 0 ? std::nullopt : std::optional(c.state.state);
    const bool changed = alerting::Step(policy, now, value, c.state);
    const std::string_view state_name = CheckStateName(c.state.state);
    const OutputFields fields{
        value,           state_name,        rule.name,          c.host,
        c.service,       rule.warning_text, rule.critical_text, rule.window_text,
        rule.reduce_text};
    const SeriesRef ref{c.series, &tags};
    auto text = rule.output.Render(ref, &fields);
    std::string body = text.ok() ? *text
                                 : fmt::format("{} = {} ({})", c.series,
                                               std::isnan(value) ? "no data" : FormatDecimal(value),
                                               text.status().message());
    const PerfDatum perf{rule.name, value, "", rule.warning, rule.critical, {}, {}};
    c.output = FormatPluginOutput(fmt::format("{} - {}", state_name, body), {&perf, 1});
    results.push_back(CheckResult{now, c.host, c.service, c.state.state, c.output});
    if (changed) {
      transitions.push_back(Transition{now, group.name, rule.name, c.host, c.service, c.series,
                                       before, c.state.state, value, c.output});
    }
    return changed;
  }
};

}  // namespace

void AlertEngine::Impl::EvaluateRule(const RuleGroup& group, const Rule& rule, int64_t now,
                                     std::vector<CheckResult>& results, StateWrite& write,
                                     std::vector<Transition>& transitions) {
  const auto started = std::chrono::steady_clock::now();
  query::EvalLimits limits;
  limits.max_series = options.max_fetched_series_per_rule;
  limits.max_points = options.max_points_per_rule;
  limits.deadline = started + options.query_timeout;
  query::Evaluator evaluator(source, functions, limits);
  auto series = evaluator.EvaluateTarget(rule.target, {now - rule.window.count(), now, now});
  std::string error;
  if (!series.ok()) {
    error = series.status().message();
    CountError(ReasonFor(series.status()));
  } else if (series->size() > options.max_series_per_rule) {
    error =
        fmt::format("the target returned {} series, more than alerting.max_series_per_rule ({})",
                    series->size(), options.max_series_per_rule);
    CountError("limit");
  }
  const bool query_failed = !error.empty();
  const StatePolicy policy = PolicyOf(rule);
  const CheckStepper stepper{group, rule, policy, now, results, transitions};
  const std::string prefix = internal::RulePrefix(group.name, rule.name);
  rule_evaluations.Add();

  std::lock_guard lock(mu);
  std::set<std::string> seen;
  auto note = [&](const char* reason, std::string message) {
    CountError(reason);
    if (error.empty()) error = std::move(message);
  };
  for (const query::Series& s : query_failed ? query::SeriesList{} : *series) {
    const SeriesRef ref{s.name, &s.tags};
    auto host = rule.host.Render(ref);
    auto service = rule.service.Render(ref);
    if (!host.ok() || !service.ok()) {
      note("template",
           fmt::format("series '{}': {}", s.name, (host.ok() ? service : host).status().message()));
      continue;
    }
    if (auto st = ValidateObjectName(*host); !st.ok()) {
      note("name", fmt::format("series '{}': host: {}", s.name, st.message()));
      continue;
    }
    if (auto st = ValidateObjectName(*service); !st.ok()) {
      note("name", fmt::format("series '{}': service: {}", s.name, st.message()));
      continue;
    }
    const std::string key = internal::CheckKey(group.name, rule.name, *host, *service);
    auto [owner, inserted] = owners.emplace(OwnerKey(*host, *service), key);
    if (!seen.insert(key).second || (!inserted && owner->second != key)) {
      note("collision", fmt::format("series '{}' maps to host '{}' service '{}', which another "
                                    "series already uses",
                                    s.name, *host, *service));
      continue;
    }
    Check& check = checks[key];
    if (check.status.group.empty()) {
      check.status.group = group.name;
      check.status.rule = rule.name;
      check.status.host = *host;
      check.status.service = *service;
    }
    check.status.series = s.name;
    check.dirty = true;
    series_evaluations.Add();
    if (stepper.Step(check.status, Reduce(rule.reduce, s.values), s.tags)) {
      transitions_total.Add();
    }
  }

  // Checks of this rule that the query did not return: no data — or, when the query itself
  // failed, UNKNOWN with the error and the state left as it was.
  for (auto it = checks.lower_bound(prefix); it != checks.end() && it->first.starts_with(prefix);) {
    Check& check = it->second;
    CheckStatus& c = check.status;
    if (seen.contains(it->first)) {
      ++it;
      continue;
    }
    if (query_failed) {
      c.output = fmt::format("UNKNOWN - rule {} could not be evaluated: {}", rule.name, error);
      results.push_back(CheckResult{now, c.host, c.service, CheckState::kUnknown, c.output});
      ++it;
      continue;
    }
    const int64_t quiet_since = c.state.last_data != 0 ? c.state.last_data : c.state.state_since;
    if (options.forget_after.count() > 0 && now - quiet_since > options.forget_after.count()) {
      write.deletes.push_back(std::string(internal::kCheckPrefix) + it->first);
      owners.erase(OwnerKey(c.host, c.service));
      forgotten.Add();
      it = checks.erase(it);
      continue;
    }
    check.dirty = true;
    series_evaluations.Add();
    if (stepper.Step(c, kNoData, query::TagsForName(c.series))) transitions_total.Add();
    ++it;
  }

  size_t count = 0;
  for (auto it = checks.lower_bound(prefix); it != checks.end() && it->first.starts_with(prefix);
       ++it, ++count) {
    Check& check = it->second;
    if (!check.dirty) continue;
    check.dirty = false;
    // What a restart needs (state, its timers) is written at once; the informational fields
    // (value, last evaluation, output) at most every kRefreshPersistedSeconds.
    if (SameDurableState(check.persisted, check.status.state) &&
        now - check.persisted_at < kRefreshPersistedSeconds) {
      continue;
    }
    check.persisted = check.status.state;
    check.persisted_at = now;
    write.puts.emplace_back(std::string(internal::kCheckPrefix) + it->first,
                            internal::EncodeCheck(check.status));
  }
  RuleRunStatus& status = statuses[group.name + "/" + rule.name];
  if (error != status.last_error && !error.empty()) {
    fmt::print(stderr, "meridian: alert rule {}/{} ({}:{}): {}\n", group.name, rule.name,
               group.file, rule.line, error);
  }
  status.last_evaluation = now;
  status.last_duration_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  status.last_error = std::move(error);
  status.series = count;
}

}  // namespace meridian::alerting
