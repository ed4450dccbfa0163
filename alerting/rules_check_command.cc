// `meridian rules check PATH…` (commands.h): validates rule files for the rules repo's CI.
#include <fmt/format.h>

#include <cstdio>

#include "alerting/commands.h"
#include "alerting/rule.h"

namespace meridian::alerting {
namespace {

constexpr std::string_view kUsage =
    "usage: meridian rules check PATH...\n"
    "Validates alert rule files (*.yaml, *.yml; directories are searched recursively, dot-files\n"
    "skipped). Prints one 'file:line: group G: rule R: message' line per error on stderr.\n"
    "Exit status: 0 all valid, 1 errors (or no rule file found), 2 usage error.\n";

}  // namespace

int RulesCheckCommand(std::span<const std::string> args) {
  if (!args.empty() && (args[0] == "-h" || args[0] == "--help")) {
    fmt::print(stdout, "{}", kUsage);
    return 0;
  }
  for (const std::string& arg : args) {
    if (arg.size() > 1 && arg.front() == '-') {
      fmt::print(stderr, "meridian rules check: unknown option '{}'\n{}", arg, kUsage);
      return 2;
    }
  }
  if (args.empty()) {
    fmt::print(stderr, "meridian rules check: no PATH given\n{}", kUsage);
    return 2;
  }
  const LoadedRules loaded = LoadRules(args);
  for (const RuleError& error : loaded.errors) fmt::print(stderr, "{}\n", error.ToString());
  if (!loaded.errors.empty()) {
    fmt::print(stderr, "{} error{} in {} rule file{}\n", loaded.errors.size(),
               loaded.errors.size() == 1 ? "" : "s", loaded.files, loaded.files == 1 ? "" : "s");
    return 1;
  }
  if (loaded.files == 0) {
    fmt::print(stderr, "meridian rules check: no rule files (*.yaml, *.yml) found\n");
    return 1;
  }
  size_t rules = 0;
  for (const RuleGroup& group : loaded.rules.groups) rules += group.rules.size();
  fmt::print(stdout, "{} rule file{}, {} group{}, {} rule{}: OK\n", loaded.files,
             loaded.files == 1 ? "" : "s", loaded.rules.groups.size(),
             loaded.rules.groups.size() == 1 ? "" : "s", rules, rules == 1 ? "" : "s");
  return 0;
}

}  // namespace meridian::alerting
