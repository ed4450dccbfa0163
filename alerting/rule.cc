// Rule files: parsing one group, durations and error text (rule.h). Loading from disk is in
// rule_loader.cc, the per-key readers in internal/rule_fields.cc.
#include "alerting/rule.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

#include "alerting/internal/rule_parser.h"
#include "alerting/internal/yaml_tree.h"

namespace meridian::alerting {
namespace {

// Ten years: longer durations are typos, and keep every product of seconds far from overflow.
constexpr int64_t kMaxDurationSeconds = int64_t{10} * 366 * 24 * 3600;

struct Unit {
  std::string_view name;
  int64_t seconds;
};
constexpr Unit kUnits[] = {{"s", 1}, {"sec", 1}, {"m", 60}, {"min", 60}, {"h", 3600}, {"d", 86400}};

}  // namespace

core::Result<std::chrono::seconds> ParseRuleDuration(std::string_view text) {
  auto error = [&](std::string_view why) {
    return core::InvalidArgument("invalid duration '" + std::string(text) +
                                 "': " + std::string(why));
  };
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (text.starts_with('-')) return error("must not be negative");
  if (digits == 0) {
    return error("expected a whole number and a unit s, sec, m, min, h or d (e.g. 30s, 1min, 2h)");
  }
  int64_t number = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + digits, number);
  if (ec != std::errc() || number > kMaxDurationSeconds)
    return error("too long (at most 10 years)");
  const std::string_view unit = text.substr(digits);
  if (unit.empty()) {
    if (number == 0) return std::chrono::seconds(0);
    return error("missing unit: write e.g. " + std::to_string(number) + "s or " +
                 std::to_string(number) + "min");
  }
  for (const Unit& u : kUnits) {
    if (u.name != unit) continue;
    if (number > kMaxDurationSeconds / u.seconds) return error("too long (at most 10 years)");
    return std::chrono::seconds(number * u.seconds);
  }
  return error("unknown unit '" + std::string(unit) + "' (expected s, sec, m, min, h or d)");
}

std::string RuleError::ToString() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  out += ": ";
  if (!group.empty()) out += "group " + group + ": ";
  if (!rule.empty()) out += "rule " + rule + ": ";
  return out + message;
}

LoadedRules ParseRuleGroup(std::string_view yaml_text, std::string_view file) {
  LoadedRules loaded;
  loaded.files = 1;
  internal::YamlDocument doc = internal::ParseYamlDocument(yaml_text);
  for (internal::YamlError& e : doc.errors) {
    loaded.errors.push_back(RuleError{std::string(file), e.line, "", "", std::move(e.message)});
  }
  if (!doc.root) {
    if (doc.errors.empty()) {
      loaded.errors.push_back(RuleError{std::string(file), 0, "", "",
                                        "empty file: expected a mapping with group and rules"});
    }
    return loaded;
  }
  internal::Reporter reporter(file, loaded.errors);
  RuleGroup group = internal::ParseGroup(*doc.root, file, reporter);
  if (!group.name.empty()) loaded.rules.groups.push_back(std::move(group));
  std::stable_sort(loaded.errors.begin(), loaded.errors.end(),
                   [](const RuleError& a, const RuleError& b) { return a.line < b.line; });
  return loaded;
}

}  // namespace meridian::alerting
