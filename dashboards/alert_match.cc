#include "dashboards/alert_match.h"

#include <algorithm>

namespace meridian::dashboards {
namespace {

void Collect(const query::Expr& expr, TargetSeries& out) {
  if (expr.kind == query::ExprKind::kPath) {
    out.patterns.push_back(expr.text);
    return;
  }
  if (expr.kind != query::ExprKind::kCall) return;
  if (expr.text == "seriesByTag") {
    std::vector<std::string> expressions;
    for (const query::Arg& arg : expr.args) {
      if (arg.value.kind == query::ExprKind::kString) expressions.push_back(arg.value.text);
    }
    if (!expressions.empty()) out.tagged.push_back(std::move(expressions));
    return;
  }
  for (const query::Arg& arg : expr.args) Collect(arg.value, out);
}

}  // namespace

TargetSeries SeriesOf(const query::Expr& expr) {
  TargetSeries out;
  Collect(expr, out);
  return out;
}

AlertMatcher::AlertMatcher(const alerting::RuleSet& rules, query::SeriesSource& source,
                           const query::ReadOptions& read, size_t max_names,
                           core::Counter* truncated)
    : rules_(rules), source_(source), read_(read), max_names_(max_names), truncated_(truncated) {}

const AlertMatcher::Resolved& AlertMatcher::Resolve(const std::string& target) {
  auto it = cache_.find(target);
  if (it != cache_.end()) return it->second;
  Resolved& r = cache_[target];
  auto parsed = query::ParseTarget(target);
  if (!parsed.ok()) return r;
  auto expanded = query::ExpandTemplates(*parsed);
  if (!expanded.ok()) return r;
  const TargetSeries series = SeriesOf(*expanded);
  bool cut = false;
  auto add = [&](const std::vector<std::string>& names) {
    for (const std::string& n : names) {
      if (r.names.size() >= max_names_) {
        cut = true;
        return;
      }
      r.names.insert(n);
    }
  };
  for (const std::string& p : series.patterns) {
    r.patterns.insert(p);
    if (auto names = source_.Expand(p, read_); names.ok()) add(*names);
  }
  for (const std::vector<std::string>& e : series.tagged) {
    if (auto names = source_.FindTagged(e, read_); names.ok()) add(*names);
  }
  if (cut && truncated_ != nullptr) truncated_->Add();
  return r;
}

std::vector<WatchingRule> AlertMatcher::RulesWatching(const std::vector<std::string>& targets) {
  // No rules, nothing to resolve: a dashboard costs no reads for matching when alerting is off.
  const bool any_rule = std::any_of(rules_.groups.begin(), rules_.groups.end(),
                                    [](const alerting::RuleGroup& g) { return !g.rules.empty(); });
  if (!any_rule) return {};
  std::vector<const Resolved*> panel;
  for (const std::string& t : targets) panel.push_back(&Resolve(t));
  auto overlap = [](const std::set<std::string>& a, const std::set<std::string>& b) {
    auto i = a.begin(), j = b.begin();
    while (i != a.end() && j != b.end()) {
      if (*i == *j) return true;
      if (*i < *j) {
        ++i;
      } else {
        ++j;
      }
    }
    return false;
  };
  std::vector<WatchingRule> out;
  for (const alerting::RuleGroup& g : rules_.groups) {
    for (const alerting::Rule& rule : g.rules) {
      const Resolved& r = Resolve(rule.target);
      const bool watches = std::any_of(panel.begin(), panel.end(), [&](const Resolved* p) {
        return overlap(p->patterns, r.patterns) || overlap(p->names, r.names);
      });
      if (watches) out.push_back({g.name, rule.name, rule.target});
    }
  }
  return out;
}

}  // namespace meridian::dashboards
