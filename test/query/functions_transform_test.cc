// Transform functions end to end (parser, evaluator, Call binding) over a whisper-like fake
// source. Expected names, tags and values come from graphite-web 1.1.10's render/functions.py
// loaded into Debian's graphite-web 1.1.8 (/usr/bin/python3; master's _nonNegativeDelta fix for
// nulls with maxValue): each series fetched as TimeSeries over the same window, then e.g.
//   F.perSecond(ctx(0, 600), [fetch('c.counter', 0, 600)], 100)
// (the call is quoted above each expectation; N = None). Arguments are passed as graphite-web's
// validateParams leaves them: float(x) for a float parameter, so scale(x, 2) is tagged "2.0".
#include <gtest/gtest.h>

#include "query/functions/common.h"
#include "support/query_test_util.h"

namespace meridian::query {
namespace {

constexpr double N = functions::kNull;
using testing::Tags;

using TransformTest = testing::OracleFunctionTest;

TEST_F(TransformTest, ScaleAndOffsetNameWithPercentGAndKeepNulls) {
  // F.scale(ctx, [g.x], 2) / 0.5; F.offset(ctx, [g.x], -1.5)
  Expect("scale(g.x, 2)", "scale(g.x,2)", {-4, N, 8, 0, 6.5, N, N, 14, -2, 4},
         {{"name", "g.x"}, {"scale", "2.0"}});
  Expect("scale(g.x,0.5)", "scale(g.x,0.5)", {-1, N, 2, 0, 1.625, N, N, 3.5, -0.5, 1},
         {{"name", "g.x"}, {"scale", "0.5"}});
  Expect("offset(g.x,-1.5)", "offset(g.x,-1.5)", {-3.5, N, 2.5, -1.5, 1.75, N, N, 5.5, -2.5, 0.5},
         {{"name", "g.x"}, {"offset", "-1.5"}});
  EXPECT_EQ(One("scale(g.x, 2)").path_expression, "scale(g.x,2)");
}

TEST_F(TransformTest, AddTruncatesTheConstantInTheName) {
  // F.add(ctx, [g.x], 2.7): name uses %d
  Expect("add(g.x, 2.7)", "add(g.x,2)",
         {0.7000000000000002, N, 6.7, 2.7, 5.95, N, N, 9.7, 1.7000000000000002, 4.7},
         {{"name", "g.x"}, {"add", "2.7"}});
}

TEST_F(TransformTest, PerSecondRoundsToSixDecimalsAndNullsResets) {
  // F.perSecond(ctx, [c.counter])
  Expect("perSecond(c.counter)", "perSecond(c.counter)",
         {N, 0.166667, 0.25, N, N, 0.166667, N, 0.166667, 0.25, 0.25},
         {{"name", "c.counter"}, {"perSecond", "1"}});
  // F.perSecond(ctx, [c.counter], 100): the wrap 60 → 5 counts 100 + 1 + 5 - 60 = 46
  Expect("perSecond(c.counter, 100)", "perSecond(c.counter)",
         {N, 0.166667, 0.25, N, N, 0.166667, 0.766667, 0.166667, 0.25, 0.25},
         {{"name", "c.counter"}, {"perSecond", "1"}});
}

TEST_F(TransformTest, NonNegativeDerivativeHandlesWrapsWithMaxAndMin) {
  Tags tags{{"name", "c.counter"}, {"nonNegativeDerivative", "1"}};
  // F.nonNegativeDerivative(ctx, [c.counter])
  Expect("nonNegativeDerivative(c.counter)", "nonNegativeDerivative(c.counter)",
         {N, 10, 15, N, N, 10, N, 10, 15, 15}, tags);
  // F.nonNegativeDerivative(ctx, [c.counter], 100, 2)
  Expect("nonNegativeDerivative(c.counter, 100, 2)", "nonNegativeDerivative(c.counter)",
         {N, 10, 15, N, N, 10, 44, 10, 15, 15}, tags);
  // F.nonNegativeDerivative(ctx, [c.counter], None, 3)
  Expect("nonNegativeDerivative(c.counter, minValue=3)", "nonNegativeDerivative(c.counter)",
         {N, 10, 15, N, N, 10, 2, 10, 15, 15}, tags);
}

TEST_F(TransformTest, DerivativeAndIntegral) {
  // F.derivative(ctx, [c.counter]); F.integral(ctx, [g.x])
  Expect("derivative(c.counter)", "derivative(c.counter)", {N, 10, 15, N, N, 10, -55, 10, 15, 15},
         {{"name", "c.counter"}, {"derivative", "1"}});
  Expect("integral(g.x)", "integral(g.x)", {-2, N, 2, 2, 5.25, N, N, 12.25, 11.25, 13.25},
         {{"name", "g.x"}, {"integral", "1"}});
}

TEST_F(TransformTest, KeepLastValueFillsGapsUpToLimit) {
  // F.keepLastValue(ctx(0, 1200), [g.y]) and limit 2
  Expect("keepLastValue(g.y)", "keepLastValue(g.y)",
         {2, 2, 2, 3, 3, 1, 1, 1, 1, 1, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4}, {{"name", "g.y"}}, 0, 1200);
  Expect("keepLastValue(g.y, 2)", "keepLastValue(g.y)",
         {2, 2, 2, 3, 3, 1, N, N, N, N, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4}, {{"name", "g.y"}}, 0, 1200);
}

TEST_F(TransformTest, InterpolateFillsInnerGapsOnly) {
  // F.interpolate(ctx(0, 1200), [g.y]) and limit 3: the trailing null stays
  Expect("interpolate(g.y)", "interpolate(g.y)",
         {2, 2, 2.5, 3, 3, 1, 1.6, 2.2, 2.8, 3.4, 4, 4, 4, 4, 4, 4, 4, 4, 4, N}, {{"name", "g.y"}},
         0, 1200);
  Expect("interpolate(g.y, 3)", "interpolate(g.y)",
         {2, 2, 2.5, 3, 3, 1, N, N, N, N, 4, 4, 4, 4, 4, 4, 4, 4, 4, N}, {{"name", "g.y"}}, 0,
         1200);
}

TEST_F(TransformTest, TransformNullWithDefaultAndReferenceSeries) {
  // F.transformNull(ctx, [g.x]); (-1.5); (0, [g.y])
  Expect("transformNull(g.x)", "transformNull(g.x,0)", {-2, 0, 4, 0, 3.25, 0, 0, 7, -1, 2},
         {{"name", "g.x"}, {"transformNull", "0"}});
  Expect("transformNull(g.x, -1.5)", "transformNull(g.x,-1.5)",
         {-2, -1.5, 4, 0, 3.25, -1.5, -1.5, 7, -1, 2},
         {{"name", "g.x"}, {"transformNull", "-1.5"}});
  Expect("transformNull(g.x, 0, g.y)", "transformNull(g.x,0,referenceSeries)",
         {-2, 0, 4, 0, 3.25, 0, N, 7, -1, 2},
         {{"name", "g.x"}, {"transformNull", "0.0"}, {"referenceSeries", "1"}});
}

TEST_F(TransformTest, IsNonNullAndChanged) {
  // F.isNonNull(ctx, [g.x]); F.changed(ctx(0, 1200), [g.y])
  Expect("isNonNull(g.x)", "isNonNull(g.x)", {1, 0, 1, 1, 1, 0, 0, 1, 1, 1},
         {{"name", "g.x"}, {"isNonNull", "1"}});
  Expect("changed(g.y)", "changed(g.y)",
         {0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0}, {{"name", "g.y"}}, 0, 1200);
}

TEST_F(TransformTest, MathFunctionsNullInvalidResults) {
  // F.absolute / invert / squareRoot / pow(2) / log(2) / log() / exp over [g.x]
  Expect("absolute(g.x)", "absolute(g.x)", {2, N, 4, 0, 3.25, N, N, 7, 1, 2},
         {{"name", "g.x"}, {"absolute", "1"}});
  Expect("invert(g.x)", "invert(g.x)",
         {-0.5, N, 0.25, N, 0.3076923076923077, N, N, 0.14285714285714285, -1.0, 0.5},
         {{"name", "g.x"}, {"invert", "1"}});
  Expect("squareRoot(g.x)", "squareRoot(g.x)",
         {N, N, 2.0, 0.0, 1.8027756377319946, N, N, 2.6457513110645907, N, 1.4142135623730951},
         {{"name", "g.x"}, {"squareRoot", "1"}});
  Expect("pow(g.x, 2)", "pow(g.x,2)", {4, N, 16, 0, 10.5625, N, N, 49, 1, 4},
         {{"name", "g.x"}, {"pow", "2.0"}});
  Expect("log(g.x, 2)", "log(g.x, 2)",
         {N, N, 2.0, N, 1.7004397181410922, N, N, 2.807354922057604, N, 1.0},
         {{"name", "g.x"}, {"log", "2"}});
  Expect("log(g.x)", "log(g.x, 10)",
         {N, N, 0.6020599913279623, N, 0.5118833609788743, N, N, 0.8450980400142567, N,
          0.30102999566398114},
         {{"name", "g.x"}, {"log", "10"}});
  Expect("exp(g.x)", "exp(g.x)",
         {0.1353352832366127, N, 54.598150033144236, 1.0, 25.790339917193062, N, N,
          1096.6331584284585, 0.36787944117144233, 7.38905609893065},
         {{"name", "g.x"}, {"exp", "e"}});
}

TEST_F(TransformTest, RoundNamesThePrecisionOnlyWhenGiven) {
  // F.roundFunction(ctx, [g.x]); (1)
  Expect("round(g.x)", "round(g.x)", {-2, N, 4, 0, 3, N, N, 7, -1, 2},
         {{"name", "g.x"}, {"round", "0"}});
  Expect("round(g.x, 1)", "round(g.x,1)", {-2, N, 4, 0, 3.2, N, N, 7, -1, 2},
         {{"name", "g.x"}, {"round", "1"}});
}

TEST_F(TransformTest, ScaleToSecondsDelayOffsetToZeroMinMax) {
  // F.scaleToSeconds(ctx, [g.x], 30)
  Expect("scaleToSeconds(g.x, 30)", "scaleToSeconds(g.x,30)",
         {-1, N, 2, 0, 1.625, N, N, 3.5, -0.5, 1}, {{"name", "g.x"}, {"scaleToSeconds", "30.0"}});
  // F.delay(ctx, [g.x], 2) / -3
  Expect("delay(g.x, 2)", "delay(g.x,2)", {N, N, -2, N, 4, 0, 3.25, N, N, 7},
         {{"name", "g.x"}, {"delay", "2"}});
  Expect("delay(g.x, -3)", "delay(g.x,-3)", {0, 3.25, N, N, 7, -1, 2, N, N, N},
         {{"name", "g.x"}, {"delay", "-3"}});
  // F.offsetToZero(ctx, [g.x]): the tag is str(min) — min of floats is the float -2.0 in
  // graphite-web only when the data is float; whisper data always is.
  Expect("offsetToZero(g.x)", "offsetToZero(g.x)", {0, N, 6, 2, 5.25, N, N, 9, 1, 4},
         {{"name", "g.x"}, {"offsetToZero", "-2.0"}});
  // F.minMax(ctx, [g.x])
  Expect("minMax(g.x)", "minMax(g.x)",
         {0.0, N, 0.6666666666666666, 0.2222222222222222, 0.5833333333333334, N, N, 1.0,
          0.1111111111111111, 0.4444444444444444},
         {{"name", "g.x"}});
}

TEST_F(TransformTest, DelayByZeroStepsIsEmptyAsInGraphiteWeb) {
  // Python's series[:-0] == []
  EXPECT_TRUE(One("delay(g.x, 0)").values.empty());
}

TEST_F(TransformTest, ConsolidateByCumulativeAndXFilesFactorSetSeriesFields) {
  Series s = One("consolidateBy(g.x, 'max')");
  EXPECT_EQ(s.name, "consolidateBy(g.x,\"max\")");
  EXPECT_EQ(s.consolidation_func, "max");
  EXPECT_EQ(s.tags.at("consolidateBy"), "max");
  EXPECT_EQ(One("cumulative(g.x)").name, "consolidateBy(g.x,\"sum\")");
  Series x = One("xFilesFactor(g.x, 0.5)");
  EXPECT_EQ(x.name, "g.x");
  EXPECT_EQ(x.x_files_factor, 0.5);
  EXPECT_EQ(x.tags.at("xFilesFactor"), "0.5");
  EXPECT_FALSE(TryEval("consolidateBy(g.x, 'median')").ok());
}

TEST_F(TransformTest, IntegralByIntervalResetsAtBoundariesFromTheRequestStart) {
  // F.integralByInterval(ctx, [g.x], '3min'): a null keeps the running total
  Expect("integralByInterval(g.x, '3min')", "integralByInterval(g.x,'3min')",
         {-2, -2, 4, 4, 7.25, 0, 0, 7, -1, 1}, {{"name", "g.x"}, {"integralByInterval", "3min"}});
}

TEST_F(TransformTest, BadArgumentsAreErrorsNotCrashes) {
  EXPECT_FALSE(TryEval("scale(g.x)").ok());
  EXPECT_FALSE(TryEval("scale(g.x, 'a')").ok());
  EXPECT_FALSE(TryEval("log(g.x, 1)").ok());
  EXPECT_FALSE(TryEval("summarize(g.x, '0min')").ok());
  EXPECT_FALSE(TryEval("summarize(g.x, '1h', 'nope')").ok());
  EXPECT_FALSE(TryEval("summarize(g.x, '1q')").ok());
  EXPECT_FALSE(TryEval("timeShift(g.x, 'x')").ok());
  EXPECT_FALSE(TryEval("integralByInterval(g.x, '0s')").ok());
  EXPECT_FALSE(TryEval("timeStack(g.x, '1d', 0, 100000)").ok());
}

}  // namespace
}  // namespace meridian::query
