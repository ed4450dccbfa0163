// The parsed form of a `rules test` file (see alerting/rule_test_runner.h for the format).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "alerting/check_result.h"
#include "core/status.h"

namespace meridian::alerting::internal {

struct ExpectedCheck {
  std::string host;
  std::string service;
  CheckState state = CheckState::kOk;
  std::optional<std::string> output;
  int line = 0;
};

struct ExpectedAt {
  int64_t at = 0;  // seconds after the first input value
  std::string at_text;
  std::vector<ExpectedCheck> checks;
};

struct InputSeries {
  std::string name;
  std::vector<double> values;  // NaN = no value
};

struct RuleTestCase {
  std::string name;
  int64_t interval = 10;
  std::vector<InputSeries> inputs;
  std::vector<ExpectedAt> expected;
  int line = 0;
};

struct RuleTestFile {
  std::string path;
  std::vector<std::string> rule_files;  // resolved against the test file's directory
  std::vector<RuleTestCase> tests;
};

// Errors read "file:line: message".
core::Result<RuleTestFile> ParseRuleTestFile(std::string_view yaml_text, const std::string& path);

}  // namespace meridian::alerting::internal
