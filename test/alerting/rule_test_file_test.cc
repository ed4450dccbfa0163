#include "alerting/internal/rule_test_file.h"

#include <gtest/gtest.h>

#include <cmath>

#include "alerting/rule_test_runner.h"

namespace meridian::alerting {
namespace {

std::vector<double> Expand(std::string_view text) {
  auto v = ExpandTestValues(text);
  EXPECT_TRUE(v.ok()) << text << ": " << v.status().ToString();
  return v.ok() ? *v : std::vector<double>{};
}

TEST(ExpandTestValuesTest, PromtoolNotation) {
  EXPECT_EQ(Expand("1 2.5 -3"), (std::vector<double>{1, 2.5, -3}));
  EXPECT_EQ(Expand("7x2"), (std::vector<double>{7, 7, 7}));
  EXPECT_EQ(Expand("1+2x3"), (std::vector<double>{1, 3, 5, 7}));
  EXPECT_EQ(Expand("10-5x2"), (std::vector<double>{10, 5, 0}));
  EXPECT_EQ(Expand("-1+1x2"), (std::vector<double>{-1, 0, 1}));
  EXPECT_EQ(Expand("1e3+1e1x1"), (std::vector<double>{1000, 1010}));
  auto gaps = Expand("_ 1 _x2");
  ASSERT_EQ(gaps.size(), 4u);
  EXPECT_TRUE(std::isnan(gaps[0]));
  EXPECT_EQ(gaps[1], 1);
  EXPECT_TRUE(std::isnan(gaps[2]) && std::isnan(gaps[3]));
  EXPECT_TRUE(Expand("  ").empty());
}

TEST(ExpandTestValuesTest, ErrorsNameTheItem) {
  for (const char* bad :
       {"x3", "1x", "1xa", "abc", "1+x2", "1x99999999999", "_x18446744073709551615",
        "1x18446744073709551615", "1x18446744073709551616"}) {
    auto v = ExpandTestValues(std::string("5 ") + bad);
    ASSERT_FALSE(v.ok()) << bad;
    EXPECT_NE(v.status().message().find(std::string("'") + bad + "'"), std::string::npos)
        << v.status().message();
  }
}

TEST(ParseRuleTestFileTest, ParsesCasesRelativeRuleFilesAndExpectations) {
  auto f = internal::ParseRuleTestFile(R"(rule_files: [db.yaml, /abs/x.yaml]
tests:
  - name: t1
    interval: 1min
    input_series:
      - { series: a.b, values: "1 2" }
    expected:
      - at: 2min
        checks:
          - { host: h, service: s, state: CRITICAL, output: "CRITICAL - x" }
)",
                                       "/repo/tests/db_test.yaml");
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->rule_files, (std::vector<std::string>{"/repo/tests/db.yaml", "/abs/x.yaml"}));
  ASSERT_EQ(f->tests.size(), 1u);
  const auto& t = f->tests[0];
  EXPECT_EQ(t.name, "t1");
  EXPECT_EQ(t.interval, 60);
  EXPECT_EQ(t.line, 3);
  ASSERT_EQ(t.inputs.size(), 1u);
  EXPECT_EQ(t.inputs[0].values, (std::vector<double>{1, 2}));
  ASSERT_EQ(t.expected.size(), 1u);
  EXPECT_EQ(t.expected[0].at, 120);
  ASSERT_EQ(t.expected[0].checks.size(), 1u);
  EXPECT_EQ(t.expected[0].checks[0].state, CheckState::kCritical);
  EXPECT_EQ(t.expected[0].checks[0].output, "CRITICAL - x");
}

TEST(ParseRuleTestFileTest, ErrorsNameFileAndLine) {
  struct Case {
    const char* text;
    const char* error;
  } cases[] = {
      {"tests: []\n", "t.yaml:1: 'rule_files' must be a non-empty list"},
      {"rule_files: [a]\ntests: []\nextra: 1\n", "t.yaml:3: unknown key 'extra'"},
      {"rule_files: [a]\ntests:\n  - expected: []\n", "'input_series' must be a list"},
      {"rule_files: [a]\ntests:\n  - input_series: []\n    expected:\n      - at: 1s\n        "
       "checks:\n          - { host: h, service: s, state: BAD }\n",
       "t.yaml:7: state must be OK, WARNING, CRITICAL or UNKNOWN"},
      {"rule_files: [a]\ntests:\n  - input_series: []\n    interval: 5x\n    expected: []\n",
       "t.yaml:4: interval:"},
      {"rule_files: [a\n", "t.yaml:"},
  };
  for (const Case& c : cases) {
    auto f = internal::ParseRuleTestFile(c.text, "t.yaml");
    ASSERT_FALSE(f.ok()) << c.text;
    EXPECT_NE(f.status().message().find(c.error), std::string::npos)
        << c.text << "\n→ " << f.status().message();
  }
}

}  // namespace
}  // namespace meridian::alerting
