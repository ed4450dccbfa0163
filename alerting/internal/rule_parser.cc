#include "alerting/internal/rule_parser.h"

#include <map>
#include <optional>
#include <tuple>

#include "alerting/internal/rule_fields.h"

namespace meridian::alerting::internal {
namespace {

using std::chrono::seconds;

void Threshold(const YamlNode& map, std::string_view key, std::optional<ThresholdRange>* range,
               std::string* text, Reporter& reporter) {
  auto written = Text(map, key, TextKind::kKeyword, /*required=*/false, reporter);
  if (!written) return;
  auto parsed = ParseThresholdRange(*written);
  if (!parsed.ok()) {
    reporter.Error(LineOf(map, key, map.line), std::string(key) + ": " + parsed.status().message());
    return;
  }
  *range = *parsed;
  *text = *written;
}

void ReduceAndPolicy(const YamlNode& map, Rule& rule, Reporter& reporter) {
  if (auto reduce = Text(map, "reduce", TextKind::kKeyword, false, reporter)) {
    auto parsed = ParseReducer(*reduce);
    if (parsed.ok()) {
      rule.reduce = *parsed;
      rule.reduce_text = *reduce;
    } else {
      reporter.Error(LineOf(map, "reduce", map.line), "reduce: " + parsed.status().message());
    }
  }
  if (auto no_data = Text(map, "no_data", TextKind::kKeyword, false, reporter)) {
    auto parsed = ParseNoDataPolicy(*no_data);
    if (parsed.ok()) {
      rule.no_data = *parsed;
    } else {
      reporter.Error(LineOf(map, "no_data", map.line), "no_data: " + parsed.status().message());
    }
  }
}

void Output(const YamlNode& map, Rule& rule, Reporter& reporter) {
  auto text = Text(map, "output", TextKind::kFreeText, false, reporter);
  auto parsed = Template::Parse(text ? *text : kDefaultOutputTemplate, Template::Kind::kOutput);
  if (parsed.ok()) {
    rule.output = std::move(parsed).value();
  } else {
    reporter.Error(LineOf(map, "output", map.line), "output: " + parsed.status().message());
  }
}

std::optional<Rule> ParseRule(const YamlNode& node, Reporter& reporter) {
  reporter.set_rule("");
  if (node.kind != YamlNode::Kind::kMap) {
    if (node.kind != YamlNode::Kind::kInvalid) {
      reporter.Error(node.line, "a rule must be a mapping (name, target, ...), found a " +
                                    std::string(KindName(node.kind)));
    }
    return std::nullopt;
  }
  const size_t errors_before = reporter.count();
  Rule rule;
  rule.line = node.line;
  if (const YamlNode* name = node.Find("name"); name && name->kind == YamlNode::Kind::kScalar) {
    reporter.set_rule(name->value);  // context for every message, also about the name itself
  }
  bool name_valid = false;
  if (auto name = Name(node, "name", reporter, &name_valid)) {
    if (name_valid) rule.name = *name;
  }
  CheckKeys(node,
            {"name", "target", "window", "reduce", "warning", "critical", "for", "keep_firing_for",
             "no_data", "nagios", "output"},
            reporter);
  if (auto target = Text(node, "target", TextKind::kFreeText, /*required=*/true, reporter)) {
    CheckTarget(*target, LineOf(node, "target", node.line), reporter);
    rule.target = *target;
  }
  Duration(node, "window", seconds(1), &rule.window, &rule.window_text, reporter);
  Threshold(node, "warning", &rule.warning, &rule.warning_text, reporter);
  Threshold(node, "critical", &rule.critical, &rule.critical_text, reporter);
  if (node.Find("warning") == nullptr && node.Find("critical") == nullptr) {
    reporter.Error(node.line, "needs a 'warning' or a 'critical' threshold (or both)");
  }
  Duration(node, "for", seconds(0), &rule.for_duration, nullptr, reporter);
  Duration(node, "keep_firing_for", seconds(0), &rule.keep_firing_for, nullptr, reporter);
  ReduceAndPolicy(node, rule, reporter);
  ParseNagios(node, rule, reporter);
  Output(node, rule, reporter);
  if (reporter.count() != errors_before) return std::nullopt;
  return rule;
}

void ParseRules(const YamlNode& root, RuleGroup& group, Reporter& reporter) {
  const YamlNode* rules = root.Find("rules");
  if (rules == nullptr) {
    reporter.Error(root.line, "missing required key 'rules'");
    return;
  }
  if (rules->kind == YamlNode::Kind::kInvalid) return;
  if (rules->kind != YamlNode::Kind::kSequence) {
    reporter.Error(rules->line, "rules: expected a list of rules, found a " +
                                    std::string(KindName(rules->kind)));
    return;
  }
  std::map<std::string, int, std::less<>> name_lines;
  for (const YamlNode& item : rules->items) {
    std::optional<Rule> rule = ParseRule(item, reporter);
    if (!rule) continue;
    auto [it, inserted] = name_lines.emplace(rule->name, rule->line);
    if (!inserted) {
      reporter.Error(rule->line,
                     "duplicate rule name (first at line " + std::to_string(it->second) + ")");
      continue;
    }
    group.rules.push_back(std::move(*rule));
  }
  reporter.set_rule("");
}

}  // namespace

RuleGroup ParseGroup(const YamlNode& root, std::string_view file, Reporter& reporter) {
  RuleGroup group;
  group.file = std::string(file);
  group.line = root.line;
  if (root.kind != YamlNode::Kind::kMap) {
    if (root.kind != YamlNode::Kind::kInvalid) {
      reporter.Error(root.line,
                     "a rule file must be a mapping with keys group, interval and "
                     "rules, found a " +
                         std::string(KindName(root.kind)));
    }
    return group;
  }
  if (const YamlNode* name = root.Find("group"); name && name->kind == YamlNode::Kind::kScalar) {
    reporter.set_group(name->value);
  }
  bool name_valid = false;
  if (auto name = Name(root, "group", reporter, &name_valid)) {
    group.name = *name;
    group.line = LineOf(root, "group", root.line);
  }
  CheckKeys(root, {"group", "interval", "offset", "rules"}, reporter);
  Duration(root, "interval", seconds(1), &group.interval, nullptr, reporter);
  Duration(root, "offset", seconds(0), &group.offset, nullptr, reporter);
  ParseRules(root, group, reporter);
  std::vector<RuleError> collisions;
  CheckStaticNameCollisions(std::span<const RuleGroup>(&group, 1), false, collisions);
  for (RuleError& e : collisions) reporter.Add(std::move(e));
  return group;
}

void CheckStaticNameCollisions(std::span<const RuleGroup> groups, bool across_groups_only,
                               std::vector<RuleError>& errors) {
  struct Place {
    const RuleGroup* group;
    const Rule* rule;
  };
  std::map<std::pair<std::string, std::string>, Place> first;
  for (const RuleGroup& group : groups) {
    for (const Rule& rule : group.rules) {
      if (!rule.host.is_static() || !rule.service.is_static()) continue;
      auto host = rule.host.Render(SeriesRef{});
      auto service = rule.service.Render(SeriesRef{});
      if (!host.ok() || !service.ok()) continue;
      auto [it, inserted] = first.emplace(std::pair(*host, *service), Place{&group, &rule});
      if (inserted) continue;
      const Place& prev = it->second;
      if (across_groups_only && prev.group == &group) continue;
      errors.push_back(RuleError{group.file, rule.line, group.name, rule.name,
                                 "host '" + *host + "' service '" + *service +
                                     "' is already used by rule '" + prev.rule->name +
                                     "' of group '" + prev.group->name + "' (" + prev.group->file +
                                     ":" + std::to_string(prev.rule->line) + ")"});
    }
  }
}

}  // namespace meridian::alerting::internal
