#include "alerting/threshold_range.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace meridian::alerting {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct ParseCase {
  std::string text;
  ThresholdRange want;
};

TEST(ThresholdRangeTest, ParsesEveryGuidelineForm) {
  const ParseCase cases[] = {
      {"10", {0, 10, false}},
      {"10:", {10, kInf, false}},
      {"~:10", {-kInf, 10, false}},
      {"10:20", {10, 20, false}},
      {"@10:20", {10, 20, true}},
      {"@10", {0, 10, true}},
      {"@~:10", {-kInf, 10, true}},
      {"@10:", {10, kInf, true}},
      {"0", {0, 0, false}},
      {":10", {0, 10, false}},
      {"~:", {-kInf, kInf, false}},
      {"-10:-5", {-10, -5, false}},
      {"~:-5", {-kInf, -5, false}},
      {"-5:", {-5, kInf, false}},
      {"-1.5:2.25", {-1.5, 2.25, false}},
      {"0.5", {0, 0.5, false}},
      {"1e3", {0, 1000, false}},
      {"5:5", {5, 5, false}},
  };
  for (const ParseCase& c : cases) {
    SCOPED_TRACE(c.text);
    auto r = ParseThresholdRange(c.text);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, c.want);
  }
}

TEST(ThresholdRangeTest, RejectsMalformedRanges) {
  const std::string bad[] = {
      "",     "@",     ":",     "@:",     "20:10", "@20:10", "-5",   "abc",  "10:abc", "abc:10",
      "1x",   " 10",   "10 ",   "+10",    "inf",   "nan",    "~",    "10:~", "1:2:3",  "@@10",
      "0x10", "1e999", "~:inf", "10:nan", "--1",   "1..2",   "10::", "@ 10", "~10",
  };
  for (const std::string& text : bad) {
    SCOPED_TRACE(text);
    auto r = ParseThresholdRange(text);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
  }
}

struct AlertCase {
  std::string range;
  double value;
  bool alerts;
};

TEST(ThresholdRangeTest, AlertsOutsideOrInsideWithAtPerGuidelineTable) {
  const AlertCase cases[] = {
      // `10`: alert if x < 0 or x > 10.
      {"10", -0.1, true},
      {"10", 0, false},
      {"10", 10, false},
      {"10", 10.1, true},
      // `10:`: alert if x < 10.
      {"10:", 9.9, true},
      {"10:", 10, false},
      {"10:", 1e300, false},
      // `~:10`: alert if x > 10.
      {"~:10", -1e300, false},
      {"~:10", 10, false},
      {"~:10", 10.5, true},
      // `10:20`: alert if x < 10 or x > 20.
      {"10:20", 9, true},
      {"10:20", 10, false},
      {"10:20", 20, false},
      {"10:20", 21, true},
      // `@10:20`: alert if 10 <= x <= 20.
      {"@10:20", 9, false},
      {"@10:20", 10, true},
      {"@10:20", 15, true},
      {"@10:20", 20, true},
      {"@10:20", 20.01, false},
      // Negative ranges.
      {"-10:-5", -7, false},
      {"-10:-5", -4, true},
      {"-10:-5", -11, true},
      // Infinite values compare like numbers.
      {"10", kInf, true},
      {"~:10", -kInf, false},
      {"~:", kInf, false},
      {"@~:", -kInf, true},
  };
  for (const AlertCase& c : cases) {
    SCOPED_TRACE(c.range + " value " + std::to_string(c.value));
    auto r = ParseThresholdRange(c.range);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(Alerts(*r, c.value), c.alerts);
  }
}

TEST(ThresholdRangeTest, NaNNeverAlertsSoCallerDecides) {
  for (const char* text : {"10", "@10:20", "~:", "@~:"}) {
    auto r = ParseThresholdRange(text);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(Alerts(*r, std::nan("")));
  }
}

TEST(ThresholdRangeTest, ToStringIsCanonicalAndRoundTrips) {
  const std::pair<std::string, std::string> cases[] = {
      {"10", "10"},          {"10:", "10:"},
      {"~:10", "~:10"},      {"10:20", "10:20"},
      {"@10:20", "@10:20"},  {":10", "10"},
      {"0:10", "10"},        {"~:", "~:"},
      {"@~:", "@~:"},        {"0:", "0:"},
      {"-0", "0"},           {"-1.5:2.25", "-1.5:2.25"},
      {"1e3", "1000"},       {"0.1:0.3", "0.1:0.3"},
      {"1e-7", "0.0000001"}, {"@-10:-5", "@-10:-5"},
  };
  for (const auto& [text, want] : cases) {
    SCOPED_TRACE(text);
    auto r = ParseThresholdRange(text);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(ToString(*r), want);
    auto again = ParseThresholdRange(ToString(*r));
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *r);
  }
}

TEST(ThresholdRangeTest, ToStringRoundTripsExtremeValuesExactly) {
  const double values[] = {0.1 + 0.2, 1.0 / 3, 5e-324, 1.7976931348623157e308, -123456.789};
  for (double v : values) {
    SCOPED_TRACE(v);
    const ThresholdRange range{-kInf, v, false};
    auto r = ParseThresholdRange(ToString(range));
    ASSERT_TRUE(r.ok()) << ToString(range);
    EXPECT_EQ(r->end, v);
  }
}

TEST(FormatDecimalTest, WritesShortestFixedNotation) {
  EXPECT_EQ(FormatDecimal(0), "0");
  EXPECT_EQ(FormatDecimal(-0.0), "0");
  EXPECT_EQ(FormatDecimal(1.5), "1.5");
  EXPECT_EQ(FormatDecimal(-2), "-2");
  EXPECT_EQ(FormatDecimal(0.1), "0.1");
  EXPECT_EQ(FormatDecimal(1e20), "100000000000000000000");
  EXPECT_EQ(FormatDecimal(0.000123), "0.000123");
  EXPECT_EQ(FormatDecimal(kInf), "");
  EXPECT_EQ(FormatDecimal(std::nan("")), "");
}

}  // namespace
}  // namespace meridian::alerting
