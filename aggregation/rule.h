// Carbon's aggregation-rules.conf and rewrite-rules.conf, parsed and compiled with carbon
// 1.1.7's semantics (lib/carbon/aggregator/rules.py, lib/carbon/rewrite.py). Socket-free.
//
// Aggregation rule line:  output_template (frequency) = method input_pattern
//   - The line is stripped; blank lines and lines starting with `#` are skipped.
//   - Split at the first `=`; the left side is exactly two whitespace-separated words (the
//     template and `(frequency)`), the right side exactly two (method and pattern). So the
//     template holds no `=` and no whitespace; the pattern may hold `=` (tagged names).
//   - frequency: seconds, a positive integer (parentheses optional, as carbon strips them).
//   - method: sum avg min max count p50 p75 p80 p90 p95 p99 p999.
//   - input_pattern, node by node (split on `.`): `<<name>>` captures one or more characters
//     across dots (`(?P<name>.+?)`), `<name>` one or more characters within a node
//     (`(?P<name>[^.]+?)`), with literal text before and after the field in the same node; a lone
//     `*` is one whole node (`[^.]+`), another `*` is `[^.]*`. Everything else is a Python regex
//     fragment, as carbon does not escape it (so `cpu[0-3]` is a class). Nodes are joined with
//     `\.` and the regex must match the whole name (carbon: re.match(...) with a trailing `$`).
//   - output_template: `<name>` is replaced by the captured field. Carbon fails at run time on a
//     field the pattern does not capture, on `<<name>>` and on `%` in a template; here those are
//     errors when the rule is parsed.
// Errors: INVALID_ARGUMENT "<source>:<line>: <what>: <line text>".
//
// Rewrite rules file:  `[pre]` / `[post]` section headers, then `regex = replacement` lines
// (split at the first `=`, both sides stripped), applied in file order with Python's re.sub
// (core/regex_substitution.h) on core::Regex (RE2: back-references and lookaround are refused).
// Carbon logs and skips a rule it cannot compile and a line that is neither; here both are
// errors, as is a rule before any section. Sections other than pre/post are errors (carbon reads
// them and never uses them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/regex.h"
#include "core/regex_substitution.h"
#include "core/status.h"

namespace meridian::aggregation {

enum class Method : uint8_t { kSum, kAvg, kMin, kMax, kCount, kPercentile };

struct AggregationRule {
  std::string output_template;  // "totals.<dc>.cpu"
  int64_t frequency = 0;        // seconds, > 0
  std::string method_name;      // "sum", "p99", ...
  Method method = Method::kSum;
  double percentile = 0;  // 0.99 for p99 (kPercentile only)
  std::string input_pattern;
  std::string source;  // "aggregation-rules.conf:12", for messages and the `rule` label
};

// Parses one rule line (already known not to be blank or a comment). `source` is "<file>:<line>".
core::Result<AggregationRule> ParseAggregationRule(std::string_view line, std::string_view source);

// Parses a whole aggregation-rules.conf text; `source_name` names it in errors and in
// AggregationRule::source. At most `max_rules` rules (more is an error).
core::Result<std::vector<AggregationRule>> ParseAggregationRules(std::string_view text,
                                                                 std::string_view source_name,
                                                                 size_t max_rules);

// A rule ready to match: the regex carbon builds from the pattern, and the template's pieces.
// Immutable; thread-safe.
class CompiledRule {
 public:
  static core::Result<CompiledRule> Compile(const AggregationRule& rule);

  // The output metric for `name`, or nullopt when the rule does not match it.
  std::optional<std::string> OutputFor(std::string_view name) const;

  const AggregationRule& rule() const { return rule_; }
  // The regex carbon would compile (without the anchoring), e.g. `a\.(?P<x>[^.]+?)\.b$`.
  const std::string& carbon_regex() const { return carbon_regex_; }

 private:
  struct Piece {
    std::string literal;
    int group = -1;  // capture group number, or -1 for literal text
  };
  CompiledRule(AggregationRule rule, std::string carbon_regex, core::Regex regex,
               std::string prefix, std::string suffix, std::vector<Piece> pieces)
      : rule_(std::move(rule)),
        carbon_regex_(std::move(carbon_regex)),
        regex_(std::move(regex)),
        prefix_(std::move(prefix)),
        suffix_(std::move(suffix)),
        pieces_(std::move(pieces)) {}

  AggregationRule rule_;
  std::string carbon_regex_;
  core::Regex regex_;   // `\A(?:carbon_regex)`: re.match semantics
  std::string prefix_;  // literal text every matching name starts with (a cheap pre-check)
  std::string suffix_;  // and ends with
  std::vector<Piece> pieces_;
};

struct RewriteRule {
  std::string pattern;
  std::string replacement;
  std::string source;  // "<file>:<line>"
};

struct RewriteRules {
  std::vector<RewriteRule> pre;   // before aggregation
  std::vector<RewriteRule> post;  // after it (carbon 1.1.7: on the forwarded inputs only)
};

// One `regex = replacement` line (both sides stripped; compiled by CompiledRewrite::Compile).
core::Result<RewriteRule> ParseRewriteRule(std::string_view line, std::string_view source);

// Parses a rewrite-rules.conf text. At most `max_rules` rules in all.
core::Result<RewriteRules> ParseRewriteRules(std::string_view text, std::string_view source_name,
                                             size_t max_rules);

// A compiled rewrite rule: re.sub(pattern, replacement, name).
class CompiledRewrite {
 public:
  static core::Result<CompiledRewrite> Compile(const RewriteRule& rule);
  // The rewritten name; an error only for a pathological match count (never in practice).
  core::Result<std::string> Apply(std::string_view name) const { return sub_.Apply(name); }
  const RewriteRule& rule() const { return rule_; }

 private:
  CompiledRewrite(RewriteRule rule, core::RegexSubstitution sub)
      : rule_(std::move(rule)), sub_(std::move(sub)) {}
  RewriteRule rule_;
  core::RegexSubstitution sub_;
};

}  // namespace meridian::aggregation
