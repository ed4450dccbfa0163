// Turns the YAML tree of one rule file into a RuleGroup, reporting every problem it finds
// (rule.h ParseRuleGroup). Split from rule.cc to keep files small; not a public API.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "alerting/internal/yaml_tree.h"
#include "alerting/rule.h"

namespace meridian::alerting::internal {

// Collects RuleErrors with the current file/group/rule as context.
class Reporter {
 public:
  Reporter(std::string_view file, std::vector<RuleError>& errors) : file_(file), errors_(errors) {}
  void set_group(std::string group) { group_ = std::move(group); }
  void set_rule(std::string rule) { rule_ = std::move(rule); }
  void Error(int line, std::string message) {
    errors_.push_back(RuleError{file_, line, group_, rule_, std::move(message)});
  }
  void Add(RuleError error) { errors_.push_back(std::move(error)); }
  size_t count() const { return errors_.size(); }

 private:
  std::string file_;
  std::string group_;
  std::string rule_;
  std::vector<RuleError>& errors_;
};

// Parses the root mapping of a rule file. The group holds the rules that parsed without error
// (all of them when the reporter got no new error).
RuleGroup ParseGroup(const YamlNode& root, std::string_view file, Reporter& reporter);

// Reports rules whose static host+service pair was already used by an earlier rule. With
// `across_groups_only`, pairs repeated inside one group are not reported again (ParseGroup did).
void CheckStaticNameCollisions(std::span<const RuleGroup> groups, bool across_groups_only,
                               std::vector<RuleError>& errors);

}  // namespace meridian::alerting::internal
