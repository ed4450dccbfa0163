#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "alerting/rule.h"

namespace meridian::alerting {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double ReduceWith(std::string_view reducer, std::vector<double> values) {
  auto parsed = ParseReducer(reducer);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return Reduce(*parsed, values);
}

TEST(ParseReducerTest, AcceptsEveryWordAndAliases) {
  EXPECT_EQ(ParseReducer("last")->kind, ReduceKind::kLast);
  EXPECT_EQ(ParseReducer("first")->kind, ReduceKind::kFirst);
  EXPECT_EQ(ParseReducer("avg")->kind, ReduceKind::kAvg);
  EXPECT_EQ(ParseReducer("average")->kind, ReduceKind::kAvg);
  EXPECT_EQ(ParseReducer("mean")->kind, ReduceKind::kAvg);
  EXPECT_EQ(ParseReducer("min")->kind, ReduceKind::kMin);
  EXPECT_EQ(ParseReducer("max")->kind, ReduceKind::kMax);
  EXPECT_EQ(ParseReducer("sum")->kind, ReduceKind::kSum);
  EXPECT_EQ(ParseReducer("count")->kind, ReduceKind::kCount);
  EXPECT_EQ(ParseReducer("median")->kind, ReduceKind::kMedian);
  EXPECT_EQ(ParseReducer("diff")->kind, ReduceKind::kDiff);
}

TEST(ParseReducerTest, PercentilesWithDecimals) {
  EXPECT_EQ(*ParseReducer("p95"), (Reducer{ReduceKind::kPercentile, 95}));
  EXPECT_EQ(*ParseReducer("p99.9"), (Reducer{ReduceKind::kPercentile, 99.9}));
  EXPECT_EQ(*ParseReducer("p0"), (Reducer{ReduceKind::kPercentile, 0}));
  EXPECT_EQ(*ParseReducer("p100"), (Reducer{ReduceKind::kPercentile, 100}));
}

TEST(ParseReducerTest, RejectsUnknownWordsAndBadPercentiles) {
  for (std::string_view bad : {"", "AVG", "p", "p101", "p-1", "p9.", "p.5", "p1e2", "pinf", "p 5",
                               "p5x", "p5.5.5", "percentile", "stddev"}) {
    auto parsed = ParseReducer(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().code(), core::StatusCode::kInvalidArgument);
  }
  EXPECT_NE(ParseReducer("stddev").status().message().find("median"), std::string::npos);
}

TEST(ReducerToStringTest, RoundTrips) {
  for (std::string_view text : {"last", "first", "avg", "min", "max", "sum", "count", "median",
                                "diff", "p95", "p99.9", "p0"}) {
    EXPECT_EQ(ToString(*ParseReducer(text)), text);
  }
  EXPECT_EQ(ToString(*ParseReducer("mean")), "avg");
}

TEST(ReduceTest, IgnoresNaN) {
  const std::vector<double> v = {kNaN, 4, kNaN, 1, 7, kNaN};
  EXPECT_EQ(ReduceWith("last", v), 7);
  EXPECT_EQ(ReduceWith("first", v), 4);
  EXPECT_EQ(ReduceWith("avg", v), 4);
  EXPECT_EQ(ReduceWith("min", v), 1);
  EXPECT_EQ(ReduceWith("max", v), 7);
  EXPECT_EQ(ReduceWith("sum", v), 12);
  EXPECT_EQ(ReduceWith("count", v), 3);
  EXPECT_EQ(ReduceWith("median", v), 4);
  EXPECT_EQ(ReduceWith("diff", v), 3);
}

TEST(ReduceTest, NoValueIsNaNForEveryReducerIncludingCount) {
  for (std::string_view r :
       {"last", "first", "avg", "min", "max", "sum", "count", "median", "diff", "p50"}) {
    EXPECT_TRUE(std::isnan(ReduceWith(r, {}))) << r;
    EXPECT_TRUE(std::isnan(ReduceWith(r, {kNaN, kNaN}))) << r;
  }
}

TEST(ReduceTest, MedianOfEvenCountIsMeanOfMiddleValues) {
  EXPECT_EQ(ReduceWith("median", {4, 1, 3, 2}), 2.5);
  EXPECT_EQ(ReduceWith("median", {5}), 5);
}

// Expected values computed with graphite-web's _getPercentile(points, n) (interpolate=False, as
// nPercentile calls it) on the same lists.
TEST(ReduceTest, PercentileMatchesGraphiteWeb) {
  std::vector<double> one_to_ten(10);
  std::iota(one_to_ten.begin(), one_to_ten.end(), 1);
  EXPECT_EQ(ReduceWith("p50", one_to_ten), 6);
  EXPECT_EQ(ReduceWith("p95", one_to_ten), 10);
  EXPECT_EQ(ReduceWith("p10", one_to_ten), 2);
  EXPECT_EQ(ReduceWith("p9", one_to_ten), 1);
  const std::vector<double> five = {50, 15, kNaN, 40, 20, 35};
  EXPECT_EQ(ReduceWith("p40", five), 35);
  EXPECT_EQ(ReduceWith("p50", five), 35);
  EXPECT_EQ(ReduceWith("p99.9", five), 50);
  EXPECT_EQ(ReduceWith("p0", {3, 1, 2}), 1);
  EXPECT_EQ(ReduceWith("p100", {5}), 5);
  EXPECT_EQ(ReduceWith("p25", {4, 1, 3, 2}), 2);
  // 0.07 * 100 is 7.000000000000001 in doubles: the rank rounds up to 8, as in Python.
  std::vector<double> one_to_99(99);
  std::iota(one_to_99.begin(), one_to_99.end(), 1);
  EXPECT_EQ(ReduceWith("p7", one_to_99), 8);
}

TEST(NoDataPolicyTest, ParsesAndPrintsEveryPolicy) {
  for (std::string_view text : {"unknown", "ok", "warning", "critical", "keep"}) {
    auto parsed = ParseNoDataPolicy(text);
    ASSERT_TRUE(parsed.ok()) << text;
    EXPECT_EQ(ToString(*parsed), text);
  }
  EXPECT_EQ(*ParseNoDataPolicy("keep"), NoDataPolicy::kKeep);
  auto bad = ParseNoDataPolicy("OK");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("unknown, ok, warning, critical or keep"),
            std::string::npos);
}

TEST(ParseRuleDurationTest, UnitsAndZero) {
  using std::chrono::seconds;
  EXPECT_EQ(*ParseRuleDuration("30s"), seconds(30));
  EXPECT_EQ(*ParseRuleDuration("30sec"), seconds(30));
  EXPECT_EQ(*ParseRuleDuration("5m"), seconds(300));
  EXPECT_EQ(*ParseRuleDuration("1min"), seconds(60));
  EXPECT_EQ(*ParseRuleDuration("2h"), seconds(7200));
  EXPECT_EQ(*ParseRuleDuration("1d"), seconds(86400));
  EXPECT_EQ(*ParseRuleDuration("0"), seconds(0));
  EXPECT_EQ(*ParseRuleDuration("0s"), seconds(0));
}

TEST(ParseRuleDurationTest, RejectsMalformedNegativeAndHuge) {
  for (std::string_view bad : {"", "s", "10", "1.5min", "-1s", "+1s", " 1s", "1s ", "1 s", "1w",
                               "1mins", "1hour", "99999999999999999999s", "4000d"}) {
    auto parsed = ParseRuleDuration(bad);
    EXPECT_FALSE(parsed.ok()) << bad;
  }
  EXPECT_NE(ParseRuleDuration("10").status().message().find("missing unit"), std::string::npos);
  EXPECT_NE(ParseRuleDuration("-1s").status().message().find("negative"), std::string::npos);
}

}  // namespace
}  // namespace meridian::alerting
