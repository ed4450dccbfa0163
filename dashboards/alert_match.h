// Which alert rules watch a panel.
//
// The rule: a rule watches a panel when the two name a series in common. The series a target
// names are those of its path expressions (every path argument, at any depth — `sumSeries(a.*)`
// names a.*'s leaves) and of its seriesByTag() calls, resolved through the SeriesSource
// (Expand / FindTagged, so federated peers' series count). Two targets whose path expressions
// are textually equal also overlap, so a rule on series not written yet still shows. Functions
// that build names from strings (e.g. aliasQuery) are not followed.
//
// Bounded: each target resolves to at most `max_names` names (dashboards.max_alert_match_series;
// the names past it are ignored and counted). A resolution that fails (deadline, bad pattern)
// counts as no names.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "alerting/rule.h"
#include "core/metrics.h"
#include "query/expression.h"
#include "query/read_options.h"
#include "query/series_source.h"

namespace meridian::dashboards {

struct WatchingRule {
  std::string group;
  std::string rule;
  std::string target;
  bool operator==(const WatchingRule&) const = default;
};

// What a parsed target reads: path expressions and seriesByTag() expression lists.
struct TargetSeries {
  std::vector<std::string> patterns;
  std::vector<std::vector<std::string>> tagged;
};
TargetSeries SeriesOf(const query::Expr& expr);

// Answers RulesWatching for the panels of one request; caches each target's names. Not
// thread-safe (one per request). `rules`, `source` and `read` must outlive it.
class AlertMatcher {
 public:
  AlertMatcher(const alerting::RuleSet& rules, query::SeriesSource& source,
               const query::ReadOptions& read, size_t max_names, core::Counter* truncated);
  // The rules (in rule-set order) whose target overlaps one of `targets` (expanded panel
  // targets; ones that do not parse are ignored).
  std::vector<WatchingRule> RulesWatching(const std::vector<std::string>& targets);

 private:
  struct Resolved {
    std::set<std::string> patterns;  // path expressions as written
    std::set<std::string> names;     // series they name
  };
  const Resolved& Resolve(const std::string& target);

  const alerting::RuleSet& rules_;
  query::SeriesSource& source_;
  const query::ReadOptions& read_;
  const size_t max_names_;
  core::Counter* truncated_;
  std::map<std::string, Resolved> cache_;
};

}  // namespace meridian::dashboards
