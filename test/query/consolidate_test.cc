// maxDataPoints consolidation against Debian graphite-web 1.1.8. Expected datapoints come from
//   json.loads(rv.renderViewJson({'maxDataPoints': M}, [TimeSeries('s', start, end, step, values,
//              consolidate=func, xFilesFactor=xff), ...]).content)[i]['datapoints']
// (from graphite.render import views as rv; Django set up with graphite.settings).
#include "query/internal/consolidate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "query/formats.h"

namespace meridian::query {
namespace {

constexpr double kNull = std::numeric_limits<double>::quiet_NaN();

struct Point {
  double value;
  int64_t time;
};

struct SeriesCase {
  int64_t start, end, step;
  std::vector<double> values;
  std::string func;
  double xff;
  std::vector<Point> expected;
};

struct Case {
  std::string name;
  int64_t max_data_points;
  std::vector<SeriesCase> series;
};

const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {
      // AverageWithStartNudge
      {"AverageWithStartNudge",
       6,
       {
           {1000,
            1200,
            10,
            {0.0,  1.0,  2.0,  3.0,  4.0,  5.0,  6.0,  7.0,  8.0,  9.0,
             10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0},
            "average",
            0.0,
            {{4.5, 1040}, {8.5, 1080}, {12.5, 1120}, {16.5, 1160}, {19.0, 1200}}},
       }},
      // SumWithXffAndOffsetStart
      {"SumWithXffAndOffsetStart",
       3,
       {
           {1010,
            1110,
            10,
            {1.0, kNull, kNull, 4.0, 5.0, kNull, 7.0, 8.0, kNull, kNull},
            "sum",
            0.5,
            {{9.0, 1040}, {15.0, 1080}}},
       }},
      // AvgZeroCountsNullsAsZero
      {"AvgZeroCountsNullsAsZero",
       3,
       {
           {1000,
            1080,
            10,
            {1.0, kNull, 3.0, kNull, 5.0, 6.0, kNull, kNull},
            "avg_zero",
            0.0,
            {{1.0, 1020}, {3.6666666666666665, 1050}, {kNull, 1080}}},
       }},
      // AvgAlias
      {"AvgAlias",
       3,
       {
           {1000,
            1080,
            10,
            {1.0, kNull, 3.0, kNull, 5.0, 6.0, kNull, kNull},
            "avg",
            0.0,
            {{3.0, 1020}, {5.5, 1050}, {kNull, 1080}}},
       }},
      // Min
      {"Min",
       3,
       {
           {1000,
            1080,
            10,
            {4.0, kNull, -3.0, kNull, 5.0, 6.0, kNull, 2.0},
            "min",
            0.0,
            {{-3.0, 1020}, {5.0, 1050}, {2.0, 1080}}},
       }},
      // Max
      {"Max",
       3,
       {
           {1000,
            1080,
            10,
            {4.0, kNull, -3.0, kNull, 5.0, 6.0, kNull, 2.0},
            "max",
            0.0,
            {{-3.0, 1020}, {6.0, 1050}, {2.0, 1080}}},
       }},
      // First
      {"First",
       3,
       {
           {1000,
            1080,
            10,
            {kNull, 4.0, -3.0, kNull, 5.0, 6.0, kNull, 2.0},
            "first",
            0.0,
            {{4.0, 1020}, {5.0, 1050}, {2.0, 1080}}},
       }},
      // Last
      {"Last",
       3,
       {
           {1000,
            1080,
            10,
            {kNull, 4.0, -3.0, kNull, 5.0, 6.0, 2.0, kNull},
            "last",
            0.0,
            {{-3.0, 1020}, {2.0, 1050}, {kNull, 1080}}},
       }},
      // MaxDataPointsOneCollapsesWholeSeries
      {"MaxDataPointsOneCollapsesWholeSeries",
       1,
       {
           {1000, 1060, 10, {1.0, 2.0, kNull, 4.0, 9.0, kNull}, "max", 0.0, {{9.0, 1000}}},
       }},
      // EnoughPointsLeavesSeriesAlone
      {"EnoughPointsLeavesSeriesAlone",
       5,
       {
           {1000,
            1050,
            10,
            {1.0, 2.0, 3.0, 4.0, 5.0},
            "average",
            0.0,
            {{1.0, 1000}, {2.0, 1010}, {3.0, 1020}, {4.0, 1030}, {5.0, 1040}}},
       }},
      // PartialLastBucketUsesFullBucketForXff
      {"PartialLastBucketUsesFullBucketForXff",
       3,
       {
           {960,
            1030,
            10,
            {1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0},
            "sum",
            0.5,
            {{12.0, 990}, {13.0, 1020}}},
       }},
      // TimeRangeSpansAllSeries
      {"TimeRangeSpansAllSeries",
       4,
       {
           {1000,
            1120,
            10,
            {0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0},
            "average",
            0.0,
            {{2.0, 1020}, {5.0, 1050}, {8.0, 1080}, {10.5, 1110}}},
           {1000, 1120, 60, {1.0, 2.0}, "average", 0.0, {{1.0, 1000}, {2.0, 1060}}},
       }},
      // AllNullBucketIsNull
      {"AllNullBucketIsNull",
       2,
       {
           {1000,
            1060,
            10,
            {kNull, kNull, kNull, 1.0, kNull, kNull},
            "sum",
            0.0,
            {{1.0, 1020}, {kNull, 1050}}},
       }},
  };
  return cases;
}

class GraphiteWebTableTest : public testing::TestWithParam<Case> {};

TEST_P(GraphiteWebTableTest, ConsolidatesLikeRenderViewJson) {
  const Case& c = GetParam();
  SeriesList list;
  for (const SeriesCase& sc : c.series) {
    Series s;
    s.name = "s";
    s.start = sc.start;
    s.end = sc.end;
    s.step = sc.step;
    s.values = sc.values;
    s.consolidation_func = sc.func;
    s.x_files_factor = sc.xff;
    list.push_back(s);
  }
  ASSERT_TRUE(ConsolidateToMaxDataPoints(list, c.max_data_points).ok());
  for (size_t i = 0; i < list.size(); ++i) {
    const Series& s = list[i];
    const auto& expected = c.series[i].expected;
    ASSERT_EQ(s.values.size(), expected.size()) << "series " << i;
    for (size_t j = 0; j < expected.size(); ++j) {
      EXPECT_EQ(s.TimeAt(j), expected[j].time) << "series " << i << " point " << j;
      if (std::isnan(expected[j].value)) {
        EXPECT_TRUE(std::isnan(s.values[j])) << "series " << i << " point " << j;
      } else {
        EXPECT_EQ(s.values[j], expected[j].value) << "series " << i << " point " << j;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Oracle, GraphiteWebTableTest, testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param.name; });

Series Ramp(int64_t start, int64_t step, int n) {
  Series s;
  s.start = start;
  s.step = step;
  s.end = start + step * n;
  for (int i = 0; i < n; ++i) s.values.push_back(i);
  return s;
}

TEST(MaxDataPointsTest, RecordsStepAndValuesPerPoint) {
  SeriesList list = {Ramp(1000, 10, 20)};
  ASSERT_TRUE(ConsolidateToMaxDataPoints(list, 6).ok());
  EXPECT_EQ(list[0].step, 40);
  EXPECT_EQ(list[0].values_per_point, 4);
  EXPECT_EQ(list[0].start, 1040);
  EXPECT_EQ(list[0].end, 1200);
}

TEST(MaxDataPointsTest, MaxDataPointsOneLeavesSingleValueSeriesAlone) {
  SeriesList list = {Ramp(1000, 10, 1)};
  ASSERT_TRUE(ConsolidateToMaxDataPoints(list, 1).ok());
  EXPECT_EQ(list[0].values, std::vector<double>{0});
  EXPECT_EQ(list[0].step, 10);
  EXPECT_EQ(list[0].values_per_point, 1);
}

TEST(MaxDataPointsTest, ShortSeriesLosesAllValuesInsteadOfFailing) {
  // graphite-web: `del series[0]` on an emptied list raises IndexError (a 500).
  SeriesList list = {Ramp(0, 1, 100), Ramp(0, 1, 2)};
  ASSERT_TRUE(ConsolidateToMaxDataPoints(list, 10).ok());
  EXPECT_EQ(list[0].values.size(), 10u);
  EXPECT_TRUE(list[1].values.empty());
  EXPECT_EQ(list[1].start, 10);
}

TEST(MaxDataPointsTest, AllEmptySeriesAreUntouched) {
  Series empty;
  empty.start = 0;
  empty.end = 100;
  empty.step = 1;
  SeriesList list = {empty};
  ASSERT_TRUE(ConsolidateToMaxDataPoints(list, 5).ok());
  EXPECT_EQ(list[0].start, 0);
  EXPECT_EQ(list[0].values_per_point, 1);
}

TEST(MaxDataPointsTest, NegativeStartUsesPythonModulo) {
  // Python: -25 % 10 == 5, -25 % 40 == 15 → nudge = 40 + 5 - 15 = 30.
  SeriesList list = {Ramp(-25, 10, 20)};
  ASSERT_TRUE(ConsolidateToMaxDataPoints(list, 6).ok());
  EXPECT_EQ(list[0].start, 5);
  EXPECT_EQ(list[0].values.front(), (2.0 + 3 + 4 + 5) / 4);
}

TEST(MaxDataPointsTest, RejectsNonPositiveMaxAndUnknownFunctionWithoutChanges) {
  SeriesList list = {Ramp(0, 10, 20), Ramp(0, 10, 20)};
  list[1].consolidation_func = "median";
  EXPECT_EQ(ConsolidateToMaxDataPoints(list, 0).code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(ConsolidateToMaxDataPoints(list, 2).code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(list[0].values.size(), 20u);
  EXPECT_EQ(list[0].values_per_point, 1);
}

TEST(ConsolidateValuesTest, PartialLastBucketBelowXffIsNull) {
  auto out = internal::ConsolidateValues({1, 2, 3, 4}, 3, internal::ConsolidationFunc::kSum, 0.5);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], 6);
  EXPECT_TRUE(std::isnan(out[1]));
}

TEST(ConsolidateValuesTest, XffCountsNonNullAgainstFullBucket) {
  using internal::ConsolidationFunc;
  const std::vector<double> values = {1, kNull, kNull, kNull};
  EXPECT_EQ(internal::ConsolidateValues(values, 4, ConsolidationFunc::kMax, 0.25)[0], 1);
  EXPECT_TRUE(std::isnan(internal::ConsolidateValues(values, 4, ConsolidationFunc::kMax, 0.26)[0]));
  EXPECT_EQ(internal::ConsolidateValues(values, 4, ConsolidationFunc::kAvgZero, 0)[0], 0.25);
}

TEST(ConsolidateValuesTest, ParsesGraphiteFunctionNames) {
  using internal::ConsolidationFunc;
  EXPECT_EQ(internal::ParseConsolidationFunc("avg"), ConsolidationFunc::kAverage);
  EXPECT_EQ(internal::ParseConsolidationFunc("average"), ConsolidationFunc::kAverage);
  EXPECT_EQ(internal::ParseConsolidationFunc("avg_zero"), ConsolidationFunc::kAvgZero);
  EXPECT_EQ(internal::ParseConsolidationFunc("last"), ConsolidationFunc::kLast);
  EXPECT_FALSE(internal::ParseConsolidationFunc("median").has_value());
  EXPECT_FALSE(internal::ParseConsolidationFunc("Sum").has_value());
}

}  // namespace
}  // namespace meridian::query
