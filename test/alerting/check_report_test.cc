#include "alerting/internal/check_report.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace meridian::alerting::internal {
namespace {

const double kNull = std::nan("");

RenderedSeries Series(std::string name, std::vector<double> values) {
  RenderedSeries s;
  s.name = std::move(name);
  s.values = std::move(values);
  for (size_t i = 0; i < s.values.size(); ++i) s.timestamps.push_back(100 + 10 * i);
  return s;
}

// -w 100 -c 300: alert outside 0..100 / 0..300.
CheckSpec Spec(std::string warn = "100", std::string crit = "300") {
  CheckSpec spec;
  spec.target = "eu.*.conns";
  if (!warn.empty()) spec.warning = *ParseThresholdRange(warn);
  if (!crit.empty()) spec.critical = *ParseThresholdRange(crit);
  spec.reducer = Reducer{.kind = ReduceKind::kAvg};
  return spec;
}

TEST(CheckReportTest, SingleSeriesOk) {
  std::vector<RenderedSeries> s{Series("eu.db1.conns", {10, kNull, 20})};
  auto r = EvaluateCheck(Spec(), s);
  EXPECT_EQ(r.state, CheckState::kOk);
  EXPECT_EQ(r.output, "METRIC OK - eu.db1.conns=15 (avg 5min) | eu.db1.conns=15;100;300");
}

TEST(CheckReportTest, CriticalIsTestedBeforeWarning) {
  std::vector<RenderedSeries> s{Series("eu.db1.conns", {350})};
  auto r = EvaluateCheck(Spec(), s);
  EXPECT_EQ(r.state, CheckState::kCritical);
  EXPECT_EQ(r.output, "METRIC CRITICAL - eu.db1.conns=350 (avg 5min) | eu.db1.conns=350;100;300");
}

TEST(CheckReportTest, WorstSeriesWinsAndOffendersAreNamed) {
  std::vector<RenderedSeries> s{Series("eu.db3.conns", {150}), Series("eu.db1.conns", {12}),
                                Series("eu.db2.conns", {350})};
  auto r = EvaluateCheck(Spec(), s);
  EXPECT_EQ(r.state, CheckState::kCritical);
  EXPECT_EQ(r.output,
            "METRIC CRITICAL - 1 of 3 series critical: eu.db2.conns=350; 1 warning: "
            "eu.db3.conns=150 (avg 5min) | eu.db1.conns=12;100;300 eu.db2.conns=350;100;300 "
            "eu.db3.conns=150;100;300\n"
            "CRITICAL: eu.db2.conns=350\n"
            "WARNING: eu.db3.conns=150\n"
            "OK: eu.db1.conns=12");
}

TEST(CheckReportTest, WarningOnly) {
  std::vector<RenderedSeries> s{Series("a", {150}), Series("b", {1})};
  auto r = EvaluateCheck(Spec(), s);
  EXPECT_EQ(r.state, CheckState::kWarning);
  EXPECT_TRUE(r.output.starts_with("METRIC WARNING - 1 of 2 series warning: a=150 (avg 5min) | "))
      << r.output;
}

TEST(CheckReportTest, AllOkCountsSeries) {
  std::vector<RenderedSeries> s{Series("a", {1}), Series("b", {2})};
  auto r = EvaluateCheck(Spec(), s);
  EXPECT_EQ(r.state, CheckState::kOk);
  EXPECT_TRUE(r.output.starts_with("METRIC OK - 2 of 2 series OK (avg 5min) | a=1;100;300 b=2;"))
      << r.output;
}

TEST(CheckReportTest, InsideRangeAlerts) {
  std::vector<RenderedSeries> s{Series("x", {15})};
  auto r = EvaluateCheck(Spec("", "@10:20"), s);
  EXPECT_EQ(r.state, CheckState::kCritical);
  EXPECT_EQ(r.output, "METRIC CRITICAL - x=15 (avg 5min) | x=15;;@10:20");
  std::vector<RenderedSeries> outside{Series("x", {25})};
  EXPECT_EQ(EvaluateCheck(Spec("", "@10:20"), outside).state, CheckState::kOk);
}

TEST(CheckReportTest, SeriesWithoutDataAreCountedNotJudged) {
  std::vector<RenderedSeries> s{Series("a", {500}), Series("b", {kNull, kNull})};
  auto r = EvaluateCheck(Spec(), s);
  EXPECT_EQ(r.state, CheckState::kCritical);
  EXPECT_TRUE(r.output.starts_with(
      "METRIC CRITICAL - 1 of 2 series critical: a=500; 1 without data: b (avg 5min) | "
      "a=500;100;300 b=U;100;300\n"))
      << r.output;
  EXPECT_NE(r.output.find("\nNO DATA: b=no data"), std::string::npos) << r.output;
}

TEST(CheckReportTest, NoDataAnywhereIsUnknown) {
  std::vector<RenderedSeries> one{Series("a", {kNull})};
  auto r = EvaluateCheck(Spec(), one);
  EXPECT_EQ(r.state, CheckState::kUnknown);
  EXPECT_EQ(r.output, "METRIC UNKNOWN - no data for a in the last 5min | a=U;100;300");
  std::vector<RenderedSeries> two{Series("a", {}), Series("b", {kNull})};
  auto r2 = EvaluateCheck(Spec(), two);
  EXPECT_EQ(r2.state, CheckState::kUnknown);
  EXPECT_TRUE(
      r2.output.starts_with("METRIC UNKNOWN - no data for any of 2 series in the last "
                            "5min: a, b | "))
      << r2.output;
}

TEST(CheckReportTest, NoSeriesIsUnknown) {
  auto r = EvaluateCheck(Spec(), {});
  EXPECT_EQ(r.state, CheckState::kUnknown);
  EXPECT_EQ(r.output, "METRIC UNKNOWN - target 'eu.*.conns' matched no series in the last 5min");
}

TEST(CheckReportTest, OffenderListAndPerfDataAreBounded) {
  std::vector<RenderedSeries> s;
  for (int i = 0; i < 120; ++i) s.push_back(Series("s" + std::to_string(1000 + i), {400}));
  auto r = EvaluateCheck(Spec(), s);
  EXPECT_EQ(r.state, CheckState::kCritical);
  EXPECT_TRUE(r.output.starts_with(
      "METRIC CRITICAL - 120 of 120 series critical: s1000=400, s1001=400, s1002=400, "
      "s1003=400, s1004=400 and 115 more (avg 5min) | "))
      << r.output.substr(0, 300);
  const std::string first_line = r.output.substr(0, r.output.find('\n'));
  EXPECT_NE(first_line.find("s1099=400;"), std::string::npos);
  EXPECT_EQ(first_line.find("s1100="), std::string::npos);
  EXPECT_NE(r.output.find("\n... and 70 more series"), std::string::npos);
  EXPECT_NE(r.output.find("\nperfdata for the first 100 of 120 series (by name)"),
            std::string::npos);
}

TEST(CheckReportTest, LabelAndReducerTextAppear) {
  CheckSpec spec = Spec();
  spec.label = "CONNS";
  spec.reduce_text = "max";
  spec.reducer = Reducer{.kind = ReduceKind::kMax};
  spec.window_text = "10min";
  std::vector<RenderedSeries> s{Series("a", {1, 7, 3})};
  EXPECT_EQ(EvaluateCheck(spec, s).output, "CONNS OK - a=7 (max 10min) | a=7;100;300");
}

TEST(CheckReportTest, UnknownReportIsOneLine) {
  auto r = UnknownReport("METRIC", "cannot render 'x': HTTP 400\nbad | thing");
  EXPECT_EQ(r.state, CheckState::kUnknown);
  EXPECT_EQ(r.output, "METRIC UNKNOWN - cannot render 'x': HTTP 400 bad / thing");
}

TEST(FormatValueTest, SixSignificantDigitsWithoutExponent) {
  EXPECT_EQ(FormatValue(15), "15");
  EXPECT_EQ(FormatValue(12.3456789), "12.3457");
  EXPECT_EQ(FormatValue(0.1 + 0.2), "0.3");
  EXPECT_EQ(FormatValue(-2.5), "-2.5");
  EXPECT_EQ(FormatValue(1234567.8), "1234568");
  EXPECT_EQ(FormatValue(0.000123456), "0.000123456");
  EXPECT_EQ(FormatValue(0.00012345678), "0.000123457");
  EXPECT_EQ(FormatValue(-0.0), "0");
  EXPECT_EQ(FormatValue(kNull), "no data");
  EXPECT_EQ(FormatValue(INFINITY), "inf");
  EXPECT_EQ(FormatValue(2e-7), "2e-07");
}

}  // namespace
}  // namespace meridian::alerting::internal
