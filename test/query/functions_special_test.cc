// Window, generator and graph functions end to end over a whisper-like fake source (it honours
// the fetch window, so timeShift and moving* see their extra history as graphite-web does).
// Expected values come from graphite-web 1.1.10's render/functions.py loaded into Debian's
// graphite-web 1.1.8 (/usr/bin/python3) with evaluateTarget replaced by the same whisper-style
// fetch, e.g. F.movingAverage(ctx(300, 900, args=['g.x']), [fetch('g.x', 300, 900)], 3); the
// call is quoted above each expectation (N = None).
#include <gtest/gtest.h>

#include "query/function_registry.h"
#include "query/functions/common.h"
#include "support/query_test_util.h"

namespace meridian::query {
namespace {

constexpr double N = functions::kNull;
using testing::ExpectNear;
using testing::NameOf;
using testing::Tags;

// The oracle fixture plus the functions the extras and Holt-Winters tests need.
class FunctionsTest : public testing::OracleFunctionTest {
 protected:
  FunctionsTest() {
    RegisterExtraFunctions(registry_);
    RegisterCombineFunctions(registry_);  // group(), divideSeries() for the extras
    RegisterHoltWintersFunctions(registry_);
  }
};

using WindowTest = FunctionsTest;
using SpecialTest = FunctionsTest;

void ExpectShape(const Series& s, const std::string& name, const std::string& path, int64_t start,
                 int64_t end, int64_t step) {
  EXPECT_EQ(s.name, name);
  EXPECT_EQ(s.path_expression, path) << name;
  EXPECT_EQ(s.start, start) << name;
  EXPECT_EQ(s.end, end) << name;
  EXPECT_EQ(s.step, step) << name;
}

TEST_F(WindowTest, SummarizeAlignsBucketsToTheEpochOrToFrom) {
  // F.summarize(ctx(0, 1200), [g.x], '3min')
  Series s = One("summarize(g.x, '3min')", 0, 1200);
  ExpectShape(s, "summarize(g.x, \"3min\", \"sum\")", s.name, 0, 1440, 180);
  ExpectNear(s.values, {-2, 7.25, 7, 3, 11, 9, 7, N}, s.name);
  EXPECT_EQ(s.tags, (Tags{{"name", "g.x"}, {"summarize", "3min"}, {"summarizeFunction", "sum"}}));
  // F.summarize(ctx(0, 1200), [g.x], '3min', 'avg', True)
  Series a = One("summarize(g.x, '3min', 'avg', true)", 0, 1200);
  ExpectShape(a, "summarize(g.x, \"3min\", \"avg\", true)", a.name, 60, 1320, 180);
  ExpectNear(a.values, {1.0, 1.625, 3.0, 2.0, 6.333333333333333, 2.0, 4.0}, a.name);
  // F.summarize(ctx(130, 1200), [g.x], '5min', 'max'): a bucket starts from the last point at or
  // before its start
  Series m = One("summarize(g.x, '5min', 'max')", 130, 1200);
  ExpectShape(m, "summarize(g.x, \"5min\", \"max\")", m.name, 0, 1500, 300);
  ExpectNear(m.values, {4, 7, 6, 8, N}, m.name);
}

TEST_F(WindowTest, HitcountSpreadsRatesOverBuckets) {
  // F.hitcount(ctx(0, 1200), [g.y], '5min')
  Series s = One("hitcount(g.y, '5min')", 0, 1200);
  ExpectShape(s, "hitcount(g.y, \"5min\")", s.name, 60, 1260, 300);
  ExpectNear(s.values, {600, 60, 1200, 960}, s.name);
  // F.hitcount(ctx(0, 1100), [g.y], '7min')
  Series u = One("hitcount(g.y, '7min')", 0, 1100);
  ExpectShape(u, "hitcount(g.y, \"7min\")", u.name, -120, 1140, 420);
  ExpectNear(u.values, {420, 480, 1680}, u.name);
}

TEST_F(WindowTest, TimeShiftReevaluatesTheArgumentOnTheShiftedWindow) {
  // F.timeShift(ctx(300, 900), [g.x], '3min'): an unsigned shift goes back
  Series s = One("timeShift(g.x, '3min')", 300, 900);
  ExpectShape(s, "timeShift(g.x, \"-3min\")", "g.x", 360, 960, 60);
  ExpectNear(s.values, {4, 0, 3.25, N, N, 7, -1, 2, 2, N}, s.name);
  EXPECT_EQ(s.tags.at("timeShift"), "-3min");
  // F.timeShift(ctx(300, 900), [g.x], '+2min', False)
  Series f = One("timeShift(g.x, '+2min', false)", 300, 900);
  ExpectShape(f, "timeShift(g.x, \"+2min\")", "g.x", 360, 960, 60);
  ExpectNear(f.values, {7, -1, 2, 2, N, 5, 6, 8, 1, N}, f.name);
  // The argument is itself re-evaluated: functions inside see the shifted window.
  ExpectNear(One("timeShift(scale(g.x, 2), '3min')", 300, 900).values,
             {8, 0, 6.5, N, N, 14, -2, 4, 4, N}, "scaled");
  EXPECT_TRUE(Eval("timeShift(nothing.here, '1d')").empty());
}

TEST_F(WindowTest, TimeStackReturnsOneSeriesPerShift) {
  // F.timeStack(ctx(300, 900), [g.x], '2min', 0, 3)
  SeriesList list = Eval("timeStack(g.x, '2min', 0, 3)", 300, 900);
  ASSERT_EQ(list.size(), 3u);
  ExpectShape(list[0], "timeShift(g.x, -2min, 0)", "timeShift(g.x, -2min, 0)", 360, 960, 60);
  ExpectNear(list[0].values, {N, N, 7, -1, 2, 2, N, 5, 6, 8}, "0");
  ExpectNear(list[1].values, {0, 3.25, N, N, 7, -1, 2, 2, N, 5}, "1");
  ExpectNear(list[2].values, {N, 4, 0, 3.25, N, N, 7, -1, 2, 2}, "2");
  EXPECT_EQ(list[2].tags, (Tags{{"name", "g.x"}, {"timeShiftUnit", "-2min"}, {"timeShift", "2"}}));
}

TEST_F(WindowTest, TimeSliceNullsOutsideTheSlice) {
  // F.timeSlice(ctx(0, 600), [g.x], '180', '420')
  Series s = One("timeSlice(g.x, '180', '420')");
  EXPECT_EQ(s.name, "timeSlice(g.x, 180, 420)");
  ExpectNear(s.values, {N, N, N, 0, 3.25, N, N, 7, N, N}, s.name);
  EXPECT_EQ(s.tags.at("timeSliceEnd"), "420");
}

TEST_F(WindowTest, MovingFunctionsIncludeTheCurrentPointAndFetchHistory) {
  // F.movingAverage(ctx(300, 900), [g.x], 3) — 1.1.10's window ends at the current point
  Series avg = One("movingAverage(g.x, 3)", 300, 900);
  ExpectShape(avg, "movingAverage(g.x,3)", "movingAverage(g.x,3)", 360, 960, 60);
  ExpectNear(avg.values,
             {1.625, 3.25, 7.0, 3.0, 2.6666666666666665, 1.0, 2.0, 3.5, 5.5, 6.333333333333333},
             avg.name);
  EXPECT_EQ(avg.tags, (Tags{{"name", "g.x"}, {"movingAverage", "3"}}));
  // F.movingSum(ctx(300, 900), [g.x], '3min')
  Series sum = One("movingSum(g.x, '3min')", 300, 900);
  ExpectShape(sum, "movingSum(g.x,\"3min\")", sum.name, 360, 960, 60);
  ExpectNear(sum.values, {3.25, 3.25, 7, 6, 8, 3, 4, 7, 11, 19}, sum.name);
  // F.movingMax(ctx(300, 900), [g.x], 2, 0.9)
  ExpectNear(One("movingMax(g.x, 2, 0.9)", 300, 900).values, {N, N, N, 7, 2, 2, N, N, 6, 8},
             "movingMax");
  // F.movingMedian(ctx(300, 1140), [g.y], 4)
  ExpectNear(One("movingMedian(g.y, 4)", 300, 1140).values,
             {3, 3, 2, 1, N, 4, 4, 4, 4, 4, 4, 4, 4, 4}, "movingMedian");
  // F.movingWindow(ctx(300, 900), [g.x], 3, 'avg_zero'): names after 'moving' + func.capitalize()
  EXPECT_EQ(One("movingWindow(g.x, 3, 'avg_zero')", 300, 900).name, "movingAvg_zero(g.x,3)");
  // F.movingMin(ctx(300, 900), [g.x], '150s'): 2 points, start shifted by 150 s (sic)
  Series min = One("movingMin(g.x, '150s')", 300, 900);
  ExpectShape(min, "movingMin(g.x,\"150s\")", min.name, 330, 960, 60);
  ExpectNear(min.values, {0, 3.25, N, 7, -1, -1, 2, 2, 5, 5, 6}, min.name);
}

TEST_F(WindowTest, ExponentialMovingAverageSeedsWithTheFirstWindowAverage) {
  // F.exponentialMovingAverage(ctx(300, 900), [g.x], 3)
  Series s = One("exponentialMovingAverage(g.x, 3)", 300, 900);
  ExpectShape(s, "exponentialMovingAverage(g.x,3)", s.name, 360, 960, 60);
  ExpectNear(
      s.values,
      {2.416667, N, N, 4.708333, 1.854167, 1.927083, 1.963542, N, 3.481771, 4.740885, 6.370443},
      s.name);
  // F.exponentialMovingAverage(ctx(300, 1140), [g.y], '2min'): constant from 120 *seconds*
  ExpectNear(One("exponentialMovingAverage(g.y, '2min')", 300, 1140).values,
             {3.0, 2.966942, N, N, N, N, 2.984017, 3.000811, 3.017326, 3.033569, 3.049543, 3.065253,
              3.080703, 3.095898, 3.110842},
             "ema interval");
}

TEST_F(WindowTest, LinearRegressionFitsTheSourceWindow) {
  // F.linearRegression(ctx(0, 1200), [g.y])
  Series s = One("linearRegression(g.y)", 0, 1200);
  ExpectShape(s, "linearRegression(g.y, 0, 1200)", s.name, 60, 1260, 60);
  ASSERT_EQ(s.values.size(), 20u);
  EXPECT_NEAR(s.values[0], 2.0460383893779768, 1e-12);
  EXPECT_NEAR(s.values[19], 4.555058449992783, 1e-12);
  EXPECT_EQ(s.tags.at("linearRegressions"), "0, 1200");
}

TEST_F(SpecialTest, ConstantLineHasThreePointsNamedByTheValue) {
  // F.constantLine(ctx(0, 600), 100.0) and 1.5: value is a float parameter, so graphite-web's
  // validateParams turns the int 100 into 100.0 before str() names the series.
  Series s = One("constantLine(100)");
  ExpectShape(s, "100.0", "constantLine(100.0)", 0, 600, 300);
  ExpectNear(s.values, {100, 100, 100}, s.name);
  EXPECT_EQ(s.tags, (Tags{{"name", "100.0"}}));
  EXPECT_EQ(One("constantLine(1.5)").name, "1.5");
  // F.threshold(ctx, 3.0, 'warn')
  Series t = One("threshold(3, 'warn')");
  ExpectShape(t, "warn", "constantLine(3.0)", 0, 600, 300);
  EXPECT_EQ(t.tags, (Tags{{"name", "3.0"}}));
}

TEST_F(SpecialTest, AggregateLineDrawsTheAggregate) {
  // F.aggregateLine(ctx(0, 600), [g.x], 'average')
  Series s = One("aggregateLine(g.x)");
  ExpectShape(s, "aggregateLine(g.x, 1.89286)", s.name, 0, 600, 300);
  ExpectNear(s.values, {1.8928571428571428, 1.8928571428571428, 1.8928571428571428}, s.name);
  EXPECT_EQ(s.tags, (Tags{{"name", "1.8928571428571428"}}));
  // F.aggregateLine(ctx(0, 600), [g.x], 'max', True)
  Series k = One("aggregateLine(g.x, 'max', true)");
  ExpectShape(k, "aggregateLine(g.x, 7)", k.name, 60, 660, 60);
  ExpectNear(k.values, std::vector<double>(10, 7.0), k.name);
}

TEST_F(SpecialTest, GeneratorsFollowTheRequestWindow) {
  // F.identity(ctx(0, 300), 't')
  Series id = One("identity('t')", 0, 300);
  ExpectShape(id, "t", "identity(\"t\")", 0, 300, 60);
  ExpectNear(id.values, {0, 60, 120, 180, 240}, "identity");
  // F.timeFunction(ctx(0, 600), 't', 120); F.sinFunction(ctx(0, 600), 's', 2, 120)
  ExpectNear(One("time('t', 120)").values, {0, 120, 240, 360, 480}, "time");
  ExpectNear(One("sin('s', 2, 120)").values,
             {0.0, 1.1612223684246286, 1.8908903098422336, 1.917831446828613, 1.2320334275283271},
             "sin");
  // randomWalk: random values (as graphite-web), so only the shape is checked.
  Series walk = One("randomWalk('w')");
  ExpectShape(walk, "w", "w", 0, 600, 60);
  ASSERT_EQ(walk.values.size(), 10u);
  EXPECT_EQ(walk.values[0], 0);
  for (size_t i = 1; i < walk.values.size(); ++i) {
    EXPECT_LE(std::fabs(walk.values[i] - walk.values[i - 1]), 0.5);
  }
  EXPECT_FALSE(TryEval("time('t', 0)").ok());
}

TEST_F(SpecialTest, GraphFunctionsOnlyRenameWhereGraphiteWebDoes) {
  // F.dashed(ctx, [g.x], 2.5); F.secondYAxis; F.drawAsInfinite: pathExpression unchanged
  Series d = One("dashed(g.x, 2.5)");
  ExpectShape(d, "dashed(g.x, 2.5)", "g.x", 60, 660, 60);
  EXPECT_EQ(d.tags.at("dashed"), "2.5");
  EXPECT_EQ(One("dashed(g.x)").name, "dashed(g.x, 5)");
  EXPECT_EQ(One("secondYAxis(g.x)").name, "secondYAxis(g.x)");
  EXPECT_EQ(One("drawAsInfinite(g.x)").tags.at("drawAsInfinite"), "1");
  for (const char* target : {"color(g.x, 'red')", "alpha(g.x, 0.5)", "lineWidth(g.x, 3)"}) {
    Series s = One(target);
    EXPECT_EQ(s.name, "g.x") << target;
    ExpectNear(s.values, {-2, N, 4, 0, 3.25, N, N, 7, -1, 2}, target);
  }
}

TEST_F(SpecialTest, AreaBetweenNamesBothAfterTheUpperPath) {
  // F.areaBetween(ctx, [g.x, g.y]) with both pathExpressions 'g.*' (as fetched from the glob)
  SeriesList list = Eval("areaBetween(g.*)");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].name, "areaBetween(g.*)");
  EXPECT_EQ(list[1].name, "areaBetween(g.*)");
  EXPECT_EQ(list[0].tags, (Tags{{"name", "g.y"}, {"areaBetween", "1"}}));
  EXPECT_FALSE(TryEval("areaBetween(g.x)").ok());
}

TEST_F(SpecialTest, StackedAccumulatesAcrossTheList) {
  // F.stacked(ctx, [g.x, g.y]); with a stack name the names stay
  SeriesList list = Eval("stacked(g.*)");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].name, "stacked(g.y)");
  ExpectNear(list[1].values, {0, 2, N, 3, 6.25, 1, N, N, N, N}, "stacked");
  EXPECT_EQ(list[1].tags.at("stacked"), "__DEFAULT__");
  EXPECT_EQ(NameOf(Eval("stacked(g.*, 'tx')"), 1), "g.y");
}

TEST_F(SpecialTest, VerticalLineNeedsATimeInsideTheWindow) {
  Series s = One("verticalLine('300', 'deploy')");
  ExpectShape(s, "deploy", "deploy", 300, 300, 1);
  EXPECT_FALSE(TryEval("verticalLine('9000')").ok());
}

// The functions below were checked against Debian's graphite-web 1.1.8 directly: arguments go
// through validateParams, evaluateTarget is the whisper-style fetch above, e.g.
//   F.stdev(ctx(0, 600), [fetch('g.x', 0, 600)], 3)
TEST_F(WindowTest, StdevIsTheRunningPopulationDeviationIncludingTheCurrentPoint) {
  // F.stdev(ctx, [g.x], 3)
  Expect("stdev(g.x,3)", "stdev(g.x,3)",
         {0, 0, 3, 2, 1.7360555546666383, 1.625, 0, 0, 4, 3.2998316455372216},
         {{"name", "g.x"}, {"stdev", "3"}});
  // F.stdev(ctx, [g.x], 4, 0.75): windows with fewer than 3 of 4 points are null
  Expect("stdev(g.x,4,0.75)", "stdev(g.x,4)",
         {N, N, N, 2.494438257849294, 1.7360555546666383, 1.7360555546666383, N, N, N,
          3.2998316455372216},
         {{"name", "g.x"}, {"stdev", "4"}});
  EXPECT_FALSE(TryEval("stdev(g.x,0)").ok());
}

TEST_F(WindowTest, SmartSummarizeBucketsFromTheSeriesStart) {
  // F.smartSummarize(ctx(0, 600), [c.counter], '4min', 'sum')
  Series s = One("smartSummarize(c.counter,'4min','sum')");
  ExpectShape(s, "smartSummarize(c.counter, \"4min\", \"sum\")", s.name, 60, 780, 240);
  ExpectNear(s.values, {65, 130, 75}, s.name);
  EXPECT_EQ(
      s.tags,
      (Tags{{"name", "c.counter"}, {"smartSummarize", "4min"}, {"smartSummarizeFunction", "sum"}}));
  // F.smartSummarize(ctx(90, 1200), [g.x], '3min', 'average')
  Series a = One("smartSummarize(g.x,'3min','average')", 90, 1200);
  ExpectShape(a, "smartSummarize(g.x, \"3min\", \"average\")", a.name, 120, 1380, 180);
  ExpectNear(a.values, {2.0, 3.25, 2.6666666666666665, 3.5, 5.0, 3.5, N}, a.name);
  EXPECT_FALSE(TryEval("smartSummarize(g.x,'3min','sum','fortnights')").ok());
  EXPECT_FALSE(TryEval("smartSummarize(g.x,'-3min')").ok());
}

TEST_F(WindowTest, HoltWintersForecastTrainsOnTheBootstrapWindow) {
  // F.holtWintersForecast(ctx(600, 1200), [g.x], '5min', '3min')
  Series s = One("holtWintersForecast(g.x,'5min','3min')", 600, 1200);
  ExpectShape(s, "holtWintersForecast(g.x)", s.name, 660, 1260, 60);
  ExpectNear(s.values,
             {5.773210980000001, 4.670300238157002, N, 4.6983180236, 5.168663009931739,
              5.109624797376829, 4.820115787074328, N, 2.260811868210284, 3.1488671218841096},
             s.name);
  EXPECT_EQ(s.tags,
            (Tags{{"name", "g.x"}, {"holtWintersForecast", "1"}, {"holtWintersDeviation", "1"}}));
  EXPECT_FALSE(TryEval("holtWintersForecast(g.x,'5min','1min')", 600, 1200).ok());
}

TEST_F(WindowTest, HoltWintersBandsAberrationAndArea) {
  const Tags band_tags = {{"name", "g.x"},
                          {"holtWintersForecast", "1"},
                          {"holtWintersDeviation", "1"},
                          {"holtWintersConfidenceUpper", "1"},
                          {"holtWintersConfidenceLower", "1"}};
  // F.holtWintersConfidenceBands(ctx(600, 1200), [g.x], 2, '5min', '3min')
  SeriesList bands = Eval("holtWintersConfidenceBands(g.x,2,'5min','3min')", 600, 1200);
  ASSERT_EQ(bands.size(), 2u);
  ExpectShape(bands[0], "holtWintersConfidenceLower(g.x)", "g.x", 660, 1260, 60);
  ExpectNear(bands[0].values,
             {3.7585687840000004, 4.670300238157002, N, 2.6248036519199993, 4.602395611918087,
              2.707753437901463, 4.820115787074328, N, -0.24870998167548874, 3.1488671218841096},
             "lower");
  ExpectShape(bands[1], "holtWintersConfidenceUpper(g.x)", "g.x", 660, 1260, 60);
  ExpectNear(bands[1].values,
             {7.787853176000001, 4.670300238157002, N, 6.771832395280001, 5.7349304079453916,
              7.5114961568521945, 4.820115787074328, N, 4.770333718096056, 3.1488671218841096},
             "upper");
  EXPECT_EQ(bands[0].tags, band_tags);
  EXPECT_EQ(bands[1].tags, band_tags);
  // F.holtWintersAberration(ctx(600, 1200), [g.x], 1, '5min', '3min')
  Expect("holtWintersAberration(g.x,1,'5min','3min')", "holtWintersAberration(g.x)",
         {-2.7658898820000006, 0, 0, 0.2649247905600003, 2.5482032910614345, -2.908689117639146, 0,
          0, 0.4844272068468296, 0},
         {{"name", "g.x"}, {"holtWintersAberration", "1"}}, 600, 1200);
  // F.holtWintersConfidenceArea(ctx(600, 1200), [g.x], 3, '5min', '3min')
  SeriesList area = Eval("holtWintersConfidenceArea(g.x,3,'5min','3min')", 600, 1200);
  ASSERT_EQ(area.size(), 2u);
  Tags area_tags = band_tags;
  area_tags["holtWintersConfidenceArea"] = "1";
  for (const Series& s : area) {
    ExpectShape(s, "holtWintersConfidenceArea(g.x)", s.name, 660, 1260, 60);
    EXPECT_EQ(s.tags, area_tags);
  }
  EXPECT_NEAR(area[0].values[0], 2.751247686, 1e-12);
  EXPECT_NEAR(area[1].values[0], 8.795174274, 1e-12);
  EXPECT_FALSE(TryEval("holtWintersConfidenceArea(g.*,3,'5min','3min')", 600, 1200).ok());
}

using ExtraTest = FunctionsTest;

TEST_F(ExtraTest, PowSeriesRaisesPointByPoint) {
  // F.powSeries(ctx, [g.x], [g.y])
  Expect("powSeries(g.x,g.y)", "powSeries(g.x,g.y)", {4.0, N, N, 0.0, 34.328125, N, N, N, N, N},
         {{"name", "powSeries(g.x,g.y)"}});
}

TEST_F(ExtraTest, ReduceSeriesAppliesTheFunctionPerMapGroup) {
  // F.reduceSeries(ctx, F.mapSeries(ctx, [g.x, g.y], 0), 'divideSeries', 1, 'y', 'x')
  Series d = One("reduceSeries(mapSeries(g.*,0),'divideSeries',1,'y','x')");
  EXPECT_EQ(d.name, "g.reduce.divideSeries");
  EXPECT_EQ(d.path_expression, "divideSeries(g.y,g.x)");
  EXPECT_EQ(d.tags, (Tags{{"name", "divideSeries(g.y,g.x)"}}));
  ExpectNear(d.values, {-1.0, N, N, N, 0.9230769230769231, N, N, N, N, N}, d.name);
  // The same with 'sumSeries', 1, 'x', 'y' (both fetched with pathExpression 'g.*'): the
  // aggregate lists each pathExpression once.
  Series s = One("reduceSeries(mapSeries(g.*,0),'sumSeries',1,'x','y')");
  EXPECT_EQ(s.name, "g.reduce.sumSeries");
  EXPECT_EQ(s.tags, (Tags{{"name", "sumSeries(g.*)"}, {"aggregatedBy", "sum"}}));
  Series p = One("reduceSeries(mapSeries(group(g.x,g.y),0),'sumSeries',1,'x','y')");
  EXPECT_EQ(p.tags.at("name"), "sumSeries(g.x,g.y)");
  ExpectNear(s.values, {0, 2, 4, 3, 6.25, 1, N, 7, -1, 2}, s.name);
  // A matcher without a series fails, as graphite-web does.
  EXPECT_FALSE(TryEval("reduceSeries(mapSeries(g.*,0),'sumSeries',1,'x','z')").ok());
  EXPECT_FALSE(TryEval("reduceSeries(mapSeries(g.*,0),'noSuchFunction',1,'x','y')").ok());
}

TEST_F(ExtraTest, MapSeriesGroupsInFirstSeenOrder) {
  SeriesList list = Eval("mapSeries(group(g.x,c.counter,g.y),0)");
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(NameOf(list, 0), "g.x");
  EXPECT_EQ(NameOf(list, 1), "g.y");
  EXPECT_EQ(NameOf(list, 2), "c.counter");
}

TEST_F(ExtraTest, ApplyByNodeEvaluatesTheTemplatePerPrefix) {
  // F.applyByNode(ctx, [g.x, g.y], 0, '%.x', '%.renamed')
  Series s = One("applyByNode(g.*,0,'%.x','%.renamed')");
  ExpectShape(s, "g.renamed", "g", 60, 660, 60);
  EXPECT_EQ(s.tags, (Tags{{"name", "g.x"}}));
  ExpectNear(s.values, {-2, N, 4, 0, 3.25, N, N, 7, -1, 2}, s.name);
}

}  // namespace
}  // namespace meridian::query
