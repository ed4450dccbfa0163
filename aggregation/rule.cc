#include "aggregation/rule.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <map>
#include <utility>

namespace meridian::aggregation {
namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

std::string_view Strip(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Calls fn(stripped line, "<source_name>:<line number>") for each line that is neither blank
// nor a comment, until fn fails.
core::Status ForEachRuleLine(
    std::string_view text, std::string_view source_name,
    const std::function<core::Status(std::string_view, const std::string&)>& fn) {
  size_t line_no = 0;
  for (size_t start = 0; start <= text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = Strip(text.substr(start, end - start));
    ++line_no;
    start = end + 1;
    if (line.empty() || line.front() == '#') continue;
    RETURN_IF_ERROR(fn(line, fmt::format("{}:{}", source_name, line_no)));
  }
  return core::Status::Ok();
}

// Python's str.split(): runs of whitespace separate, no empty words.
std::vector<std::string_view> SplitWords(std::string_view s) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    size_t j = i;
    while (j < s.size() && !IsSpace(s[j])) ++j;
    if (j > i) words.push_back(s.substr(i, j - i));
    i = j;
  }
  return words;
}

struct MethodInfo {
  std::string_view name;
  Method method;
  double percentile;
};
constexpr MethodInfo kMethods[] = {
    {"sum", Method::kSum, 0},           {"avg", Method::kAvg, 0},
    {"min", Method::kMin, 0},           {"max", Method::kMax, 0},
    {"count", Method::kCount, 0},       {"p50", Method::kPercentile, 0.50},
    {"p75", Method::kPercentile, 0.75}, {"p80", Method::kPercentile, 0.80},
    {"p90", Method::kPercentile, 0.90}, {"p95", Method::kPercentile, 0.95},
    {"p99", Method::kPercentile, 0.99}, {"p999", Method::kPercentile, 0.999},
};

// The regex carbon's AggregationRule.build_regex makes of an input pattern.
std::string CarbonRegex(std::string_view pattern) {
  std::string regex;
  size_t start = 0;
  while (true) {
    const size_t dot = pattern.find('.', start);
    const std::string_view part =
        pattern.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (start > 0) regex += "\\.";
    const size_t ii = part.find("<<");
    const size_t jj = part.find(">>");
    const size_t i = part.find('<');
    const size_t j = part.find('>');
    if (ii != std::string_view::npos && jj != std::string_view::npos && jj >= ii + 2) {
      regex += fmt::format("{}(?P<{}>.+?){}", part.substr(0, ii), part.substr(ii + 2, jj - ii - 2),
                           part.substr(jj + 2));
    } else if (ii != std::string_view::npos && jj != std::string_view::npos) {
      regex += "(?P<>";  // carbon's slice is garbage here; the compile error reports it
    } else if (i != std::string_view::npos && j != std::string_view::npos && j > i) {
      regex += fmt::format("{}(?P<{}>[^.]+?){}", part.substr(0, i), part.substr(i + 1, j - i - 1),
                           part.substr(j + 1));
    } else if (part == "*") {
      regex += "[^.]+";
    } else {
      for (char c : part) {
        if (c == '*') {
          regex += "[^.]*";
        } else {
          regex.push_back(c);
        }
      }
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  regex += '$';
  return regex;
}

// Literal text every name the pattern matches starts with: stops at the first field or regex
// operator; a quantifier takes back the character it applies to; any `|` voids it.
std::string LiteralPrefix(std::string_view pattern) {
  if (pattern.find('|') != std::string_view::npos) return "";
  std::string prefix;
  for (char c : pattern) {
    if (c == '?' || c == '*' || c == '+' || c == '{') {
      if (!prefix.empty()) prefix.pop_back();
      break;
    }
    if (c == '<' || c == '\\' || c == '[' || c == ']' || c == '(' || c == ')' || c == '^' ||
        c == '$' || c == '}') {
      break;
    }
    prefix.push_back(c);
  }
  return prefix;
}

// Literal text every name the pattern matches ends with (the regex ends in `$`): the characters
// after the last field, wildcard or regex operator; none after an escape; any `|` voids it.
std::string LiteralSuffix(std::string_view pattern) {
  if (pattern.find('|') != std::string_view::npos) return "";
  size_t start = pattern.size();
  while (start > 0) {
    const char c = pattern[start - 1];
    if (c == '>' || c == '*' || c == '?' || c == '+' || c == '}' || c == '{' || c == ']' ||
        c == '[' || c == ')' || c == '(' || c == '\\' || c == '^' || c == '$') {
      break;
    }
    --start;
  }
  if (start > 0 && pattern[start - 1] == '\\' && start < pattern.size()) ++start;
  return std::string(pattern.substr(start));
}

core::Status RuleError(std::string_view source, std::string_view what, std::string_view line) {
  return core::InvalidArgument(fmt::format("{}: {}: {}", source, what, line));
}

}  // namespace

core::Result<AggregationRule> ParseAggregationRule(std::string_view line, std::string_view source) {
  line = Strip(line);
  const size_t eq = line.find('=');
  constexpr std::string_view kShape =
      "expected 'output_template (frequency) = method input_pattern'";
  if (eq == std::string_view::npos) return RuleError(source, kShape, line);
  const std::vector<std::string_view> left = SplitWords(line.substr(0, eq));
  const std::vector<std::string_view> right = SplitWords(line.substr(eq + 1));
  if (left.size() != 2 || right.size() != 2) return RuleError(source, kShape, line);

  AggregationRule rule;
  rule.source = std::string(source);
  rule.output_template = std::string(left[0]);
  std::string_view freq = left[1];
  while (!freq.empty() && freq.front() == '(') freq.remove_prefix(1);
  while (!freq.empty() && freq.back() == ')') freq.remove_suffix(1);
  int64_t seconds = 0;
  auto [ptr, ec] = std::from_chars(freq.data(), freq.data() + freq.size(), seconds);
  if (freq.empty() || ec != std::errc() || ptr != freq.data() + freq.size() || seconds <= 0 ||
      seconds > int64_t{366} * 86400) {
    return RuleError(
        source,
        fmt::format("frequency '{}' is not a whole number of seconds in 1..31622400", left[1]),
        line);
  }
  rule.frequency = seconds;
  rule.method_name = std::string(right[0]);
  bool known = false;
  for (const MethodInfo& m : kMethods) {
    if (m.name == right[0]) {
      rule.method = m.method;
      rule.percentile = m.percentile;
      known = true;
    }
  }
  if (!known) {
    return RuleError(
        source,
        fmt::format("unknown method '{}' (expected sum, avg, min, max, count, p50, p75, p80, "
                    "p90, p95, p99 or p999)",
                    right[0]),
        line);
  }
  rule.input_pattern = std::string(right[1]);
  // Compiling checks the pattern and the template's fields now rather than at the first point.
  auto compiled = CompiledRule::Compile(rule);
  if (!compiled.ok()) return RuleError(source, compiled.status().message(), line);
  return rule;
}

core::Result<std::vector<AggregationRule>> ParseAggregationRules(std::string_view text,
                                                                 std::string_view source_name,
                                                                 size_t max_rules) {
  std::vector<AggregationRule> rules;
  RETURN_IF_ERROR(ForEachRuleLine(
      text, source_name, [&](std::string_view line, const std::string& source) -> core::Status {
        if (rules.size() == max_rules) {
          return core::InvalidArgument(fmt::format(
              "{}: more than {} aggregation rules (aggregation.max_rules)", source, max_rules));
        }
        ASSIGN_OR_RETURN(AggregationRule rule, ParseAggregationRule(line, source));
        rules.push_back(std::move(rule));
        return core::Status::Ok();
      }));
  return rules;
}

core::Result<CompiledRule> CompiledRule::Compile(const AggregationRule& rule) {
  std::string carbon_regex = CarbonRegex(rule.input_pattern);
  // Python refuses a group name defined twice ("redefinition of group name"); RE2 may not.
  std::vector<std::string_view> fields;
  for (size_t at = carbon_regex.find("(?P<"); at != std::string::npos;
       at = carbon_regex.find("(?P<", at + 4)) {
    const size_t close = carbon_regex.find('>', at + 4);
    if (close == std::string::npos) break;
    const std::string_view field = std::string_view(carbon_regex).substr(at + 4, close - at - 4);
    if (std::find(fields.begin(), fields.end(), field) != fields.end()) {
      return core::InvalidArgument(
          fmt::format("input pattern '{}' captures <{}> twice", rule.input_pattern, field));
    }
    fields.push_back(field);
  }
  auto regex = core::Regex::Compile("\\A(?:" + carbon_regex + ")");
  if (!regex.ok()) {
    return core::InvalidArgument(fmt::format("input pattern '{}' makes the regex '{}': {}",
                                             rule.input_pattern, carbon_regex,
                                             regex.status().message()));
  }
  std::vector<Piece> pieces;
  std::string_view t = rule.output_template;
  size_t i = 0;
  while (i < t.size()) {
    const size_t open = t.find_first_of("<>%", i);
    if (open == std::string_view::npos) {
      pieces.push_back({std::string(t.substr(i)), -1});
      break;
    }
    if (open > i) pieces.push_back({std::string(t.substr(i, open - i)), -1});
    if (t[open] == '%') {
      return core::InvalidArgument(
          fmt::format("output template '{}' holds '%' (carbon cannot format it)", t));
    }
    const size_t close = t.find('>', open);
    if (t[open] == '>' || close == std::string_view::npos) {
      return core::InvalidArgument(
          fmt::format("output template '{}' has an unbalanced '<' or '>'", t));
    }
    const std::string_view name = t.substr(open + 1, close - open - 1);
    if (name.empty() || name.find('<') != std::string_view::npos) {
      return core::InvalidArgument(fmt::format(
          "output template '{}': write a field as <name> (also a <<name>> field of the pattern)",
          t));
    }
    const auto it = regex->group_names().find(name);
    if (it == regex->group_names().end()) {
      return core::InvalidArgument(fmt::format(
          "output template '{}' uses <{}>, which the input pattern '{}' does not capture", t, name,
          rule.input_pattern));
    }
    pieces.push_back({"", static_cast<int>(it->second)});
    i = close + 1;
  }
  return CompiledRule(rule, std::move(carbon_regex), *std::move(regex),
                      LiteralPrefix(rule.input_pattern), LiteralSuffix(rule.input_pattern),
                      std::move(pieces));
}

std::optional<std::string> CompiledRule::OutputFor(std::string_view name) const {
  if (name.size() < prefix_.size() + suffix_.size() || name.substr(0, prefix_.size()) != prefix_ ||
      name.substr(name.size() - suffix_.size()) != suffix_) {
    return std::nullopt;
  }
  std::optional<std::string> out;
  regex_.ForEachMatch(name, [&](const core::RegexMatch& m) {
    if (m.begin != 0) return false;
    std::string s;
    for (const Piece& p : pieces_) {
      if (p.group < 0) {
        s += p.literal;
      } else if (const auto& g = m.groups[static_cast<size_t>(p.group)]) {
        s += *g;
      }
    }
    out = std::move(s);
    return false;
  });
  return out;
}

core::Result<RewriteRule> ParseRewriteRule(std::string_view line, std::string_view source) {
  const size_t eq = line.find('=');
  if (eq == std::string_view::npos) {
    return RuleError(source, "expected 'regex = replacement'", line);
  }
  return RewriteRule{std::string(Strip(line.substr(0, eq))),
                     std::string(Strip(line.substr(eq + 1))), std::string(source)};
}

core::Result<RewriteRules> ParseRewriteRules(std::string_view text, std::string_view source_name,
                                             size_t max_rules) {
  RewriteRules rules;
  std::vector<RewriteRule>* section = nullptr;
  bool seen_pre = false, seen_post = false;
  size_t count = 0;
  RETURN_IF_ERROR(ForEachRuleLine(
      text, source_name, [&](std::string_view line, const std::string& source) -> core::Status {
        if (line.front() == '[' && line.back() == ']') {
          std::string name(line.substr(1, line.size() - 2));
          for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          bool& seen = name == "pre" ? seen_pre : seen_post;
          if (name != "pre" && name != "post") {
            return RuleError(source, "unknown section (expected [pre] or [post])", line);
          }
          if (seen) {
            return RuleError(source, "section repeated (carbon would drop the rules above it)",
                             line);
          }
          seen = true;
          section = name == "pre" ? &rules.pre : &rules.post;
          return core::Status::Ok();
        }
        const size_t eq = line.find('=');
        if (eq == std::string_view::npos) {
          return RuleError(source, "neither a [section] nor a 'regex = replacement' rule", line);
        }
        if (section == nullptr) return RuleError(source, "rule before any [pre] or [post]", line);
        if (++count > max_rules) {
          return RuleError(source, fmt::format("more than {} rewrite rules", max_rules), line);
        }
        ASSIGN_OR_RETURN(RewriteRule rule, ParseRewriteRule(line, source));
        auto compiled = CompiledRewrite::Compile(rule);
        if (!compiled.ok()) return RuleError(source, compiled.status().message(), line);
        section->push_back(std::move(rule));
        return core::Status::Ok();
      }));
  return rules;
}

core::Result<CompiledRewrite> CompiledRewrite::Compile(const RewriteRule& rule) {
  ASSIGN_OR_RETURN(core::Regex regex, core::Regex::Compile(rule.pattern));
  auto sub = core::RegexSubstitution::Compile(regex, rule.replacement);
  if (!sub.ok()) {
    return core::InvalidArgument(
        fmt::format("replacement '{}': {}", rule.replacement, sub.status().message()));
  }
  return CompiledRewrite(rule, *std::move(sub));
}

}  // namespace meridian::aggregation
