// Alert rules: the model of a rule file (one group per YAML file), its loader and validator, and
// the templates that name Nagios hosts/services and write plugin output. Schema: README.md
// "Alert rules". Everything here is pure except LoadRules/LoadRuleFile (they read files).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "alerting/threshold_range.h"
#include "core/status.h"

namespace meridian::alerting {

// How a rule turns the values of one series in its window into one number.
// `pNN` (p0..p100, decimals allowed: p99.9) is the percentile of the non-null values as
// graphite-web's nPercentile computes it; median is the middle value (the mean of the two middle
// values for an even count).
enum class ReduceKind {
  kLast,
  kFirst,
  kAvg,
  kMin,
  kMax,
  kSum,
  kCount,
  kMedian,
  kPercentile,
  kDiff
};
struct Reducer {
  ReduceKind kind = ReduceKind::kAvg;
  double percentile = 0;  // kPercentile only: 0..100
  bool operator==(const Reducer&) const = default;
};
// "last", "first", "avg" (alias "average", "mean"), "min", "max", "sum", "count", "median",
// "diff" (last - first), "p95"/"p99.9". INVALID_ARGUMENT names the accepted words.
core::Result<Reducer> ParseReducer(std::string_view text);
std::string ToString(const Reducer& reducer);
// Reduces the non-NaN values. NaN when there is none ("no data" — also for count).
double Reduce(const Reducer& reducer, std::span<const double> values);

// What a rule reports for a series with no non-null value in the window (or that vanished from
// the target's result): UNKNOWN, OK, WARNING, CRITICAL, or keep the previous state.
enum class NoDataPolicy { kUnknown, kOk, kWarning, kCritical, kKeep };
core::Result<NoDataPolicy> ParseNoDataPolicy(std::string_view text);
std::string_view ToString(NoDataPolicy policy);

// The series a template is rendered for: graphite's series name and tags (query::Series::tags).
struct SeriesRef {
  std::string_view name;
  const std::map<std::string, std::string>* tags = nullptr;  // nullable: no tags
};

// Values an output template can use besides the series fields.
struct OutputFields {
  double value = 0;        // NaN = no data
  std::string_view state;  // "OK", "WARNING", ...
  std::string_view rule;
  std::string_view host;
  std::string_view service;
  std::string_view warning;  // range text as written, "" when absent
  std::string_view critical;
  std::string_view window;  // as written, e.g. "1min"
  std::string_view reduce;  // as written, e.g. "avg"
};

// A template: literal text with fields in braces; `{{` and `}}` are literal braces.
// Name templates (host/service) accept {node:N} (N-th dot-separated node of the series name,
// 0-based, negative counts from the end; for a tagged series the name part before ';'),
// {tag:NAME} and {name}. Output templates additionally accept {value}, {state}, {rule}, {host},
// {service}, {warning}, {critical}, {window}, {reduce}.
// {value} is written with at most 6 significant digits, without exponent for |v| < 1e15
// ("no data" for NaN). Parse errors name the offending field and its column.
class Template {
 public:
  enum class Kind { kName, kOutput };
  static core::Result<Template> Parse(std::string_view text, Kind kind);
  // NOT_FOUND when a {node:N} is out of range or a {tag:NAME} is absent on this series
  // ({tag:name} falls back to the series name before any ';'). Without `fields`, output fields
  // render as if empty ({value} as "no data").
  core::Result<std::string> Render(const SeriesRef& series,
                                   const OutputFields* fields = nullptr) const;
  // True when the template has no series-dependent field ({node}, {tag}, {name}).
  bool is_static() const;
  const std::string& text() const { return text_; }

 private:
  struct Piece {
    enum class Type {
      kLiteral,
      kNode,
      kTag,
      kName,
      kValue,
      kState,
      kRule,
      kHost,
      kService,
      kWarning,
      kCritical,
      kWindow,
      kReduce
    };
    Type type = Type::kLiteral;
    std::string text;  // literal text or tag name
    int node = 0;
  };
  // One `{...}` field; `column` (1-based) is where its '{' is, for error messages.
  static core::Result<Piece> ParseField(std::string_view field, size_t column, Kind kind);

  std::string text_;
  std::vector<Piece> pieces_;
};

// Default output template when a rule has none.
inline constexpr std::string_view kDefaultOutputTemplate = "{name} {reduce}({window}) = {value}";

struct Rule {
  std::string name;    // [A-Za-z0-9_.-]+, unique in its group
  std::string target;  // a render expression (parsed and checked at load)
  std::chrono::seconds window{300};
  std::string window_text = "5min";
  Reducer reduce;
  std::string reduce_text = "avg";
  std::optional<ThresholdRange> warning;
  std::optional<ThresholdRange> critical;
  std::string warning_text;  // as written
  std::string critical_text;
  std::chrono::seconds for_duration{0};
  std::chrono::seconds keep_firing_for{0};
  NoDataPolicy no_data = NoDataPolicy::kUnknown;
  Template host;     // nagios.host
  Template service;  // nagios.service (default: the rule name)
  Template output;   // default kDefaultOutputTemplate
  int line = 0;      // 1-based line of the rule in its file
};

struct RuleGroup {
  std::string name;  // [A-Za-z0-9_.-]+, unique in the rule set
  std::chrono::seconds interval{60};
  // Evaluations at time t look at [t - offset - window, t - offset]: room for ingest lag, so the
  // newest step is not judged before its point arrived. Default 0.
  std::chrono::seconds offset{0};
  std::vector<Rule> rules;
  std::string file;  // path it was loaded from
  int line = 0;      // line of `group:`
};

// An immutable loaded set; the engine holds it as shared_ptr<const RuleSet>.
struct RuleSet {
  std::vector<RuleGroup> groups;  // sorted by file path
};

// One problem found while loading: "file:line: group G: rule R: message".
struct RuleError {
  std::string file;
  int line = 0;
  std::string group;  // "" when unknown
  std::string rule;   // "" when the error is not inside a rule
  std::string message;
  std::string ToString() const;
};

struct LoadedRules {
  RuleSet rules;                  // valid only when errors is empty
  std::vector<RuleError> errors;  // every error found (loading does not stop at the first)
  size_t files = 0;               // rule files read
};

// Parses one group from YAML text. `file` names it in errors. Every structural error is reported:
// unknown/duplicate keys, wrong types, YAML anchors/aliases/merge keys (rejected), missing
// `group`/`rules`/`name`/`target`/`nagios.host`, bad durations ("10s", "1min", "2h", "1d";
// interval >= 1s), ranges, reducers, policies, templates, a target that does not parse, duplicate
// rule names, host/service that can never be valid Nagios names, and two rules whose static
// host+service are the same.
LoadedRules ParseRuleGroup(std::string_view yaml_text, std::string_view file);

// Loads files and directories (recursively: *.yaml and *.yml, skipping dot-files and dot-dirs),
// in sorted path order, and checks the set: group names unique, static host/service unique across
// groups. A missing path, an unreadable or oversized (> 1 MiB) file is an error.
LoadedRules LoadRules(std::span<const std::string> paths);

// Durations in rule files: a number and a unit: s, sec, m, min, h, d (e.g. "30s", "1min", "2h").
// "0" and "0s" are zero. Whole seconds only.
core::Result<std::chrono::seconds> ParseRuleDuration(std::string_view text);

}  // namespace meridian::alerting
