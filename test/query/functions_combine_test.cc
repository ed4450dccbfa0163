// Combine functions evaluated end to end (parser, evaluator, Call binding) over a fake source.
// Expected values come from Debian's graphite-web 1.1.8 under /usr/bin/python3: the series below
// as TimeSeries (pathExpression = the glob), then e.g. F.sumSeries(ctx, fetch('a.*.c')); the
// call is quoted above each expectation. nulls are None.
#include <gtest/gtest.h>

#include "query/function_registry.h"
#include "query/functions/common.h"
#include "support/query_test_util.h"

namespace meridian::query {
namespace {

constexpr double N = functions::kNull;
using testing::ExpectValues;
using testing::Tags;

// Globs reach tagged names as in the oracle's fetch('cpu;*'); fetches return the stored series.
class CombineTest : public testing::FunctionEvalTest {
 protected:
  CombineTest() : FunctionEvalTest({.glob_tagged_names = true}, 1000, 2000) {
    RegisterCombineFunctions(registry_);
    source_.Add("a.b.c", 0, 60, {1, 2, N, 4});
    source_.Add("a.d.c", 0, 60, {2, N, N, 8});
    source_.Add("x.b.c", 0, 60, {10, 20, 30, 40});
    source_.Add("coarse.b", 0, 120, {6, N});
    source_.Add("cpu;dc=east;host=h1", 0, 60, {1, 2, 3});
    source_.Add("cpu;dc=east;host=h2", 0, 60, {3, 4, 5});
    source_.Add("cpu;dc=west;host=h3", 0, 60, {5, 6, N});
  }
};

void Expect(const SeriesList& got, size_t i, const std::string& name,
            const std::vector<double>& values, const Tags& tags = {}) {
  ASSERT_LT(i, got.size()) << name;
  EXPECT_EQ(got[i].name, name);
  ExpectValues(got[i], values);
  if (!tags.empty()) {
    EXPECT_EQ(got[i].tags, tags) << name;
  }
}

Tags Agg(const std::string& name, const std::string& func) {
  return {{"name", name}, {"aggregatedBy", func}};
}

TEST_F(CombineTest, SumSeriesNamesByPathExpressionAndSkipsNulls) {
  // F.sumSeries(ctx, fetch('a.*.c')) -> [3, 2, None, 12]
  auto r = Eval("sumSeries(a.*.c)");
  ASSERT_EQ(r.size(), 1u);
  Expect(r, 0, "sumSeries(a.*.c)", {3, 2, N, 12}, Agg("sumSeries(a.*.c)", "sum"));
  EXPECT_EQ(r[0].path_expression, "sumSeries(a.*.c)");
  EXPECT_EQ(r[0].start, 0);
  EXPECT_EQ(r[0].end, 240);
  EXPECT_EQ(r[0].step, 60);
  // F.sumSeries(ctx, fetch('a.b.c'), fetch('x.b.c'))
  Expect(Eval("sum(a.b.c,x.b.c)"), 0, "sumSeries(a.b.c,x.b.c)", {11, 22, 30, 44});
}

TEST_F(CombineTest, AggregatesNormalizeDifferentSteps) {
  // F.averageSeries(ctx, fetch('a.b.c'), fetch('coarse.b')) -> step 120, [3.75, 4.0]
  auto r = Eval("averageSeries(a.b.c,coarse.b)");
  Expect(r, 0, "averageSeries(a.b.c,coarse.b)", {3.75, 4.0});
  EXPECT_EQ(r[0].step, 120);
  EXPECT_EQ(r[0].end, 240);
}

TEST_F(CombineTest, EachAggregateMatchesGraphiteWeb) {
  Expect(Eval("maxSeries(a.*.c)"), 0, "maxSeries(a.*.c)", {2, 2, N, 8});
  Expect(Eval("minSeries(a.*.c)"), 0, "minSeries(a.*.c)", {1, 2, N, 4});
  Expect(Eval("diffSeries(x.b.c,a.*.c)"), 0, "diffSeries(x.b.c,a.*.c)", {7, 18, 30, 28});
  Expect(Eval("multiplySeries(a.*.c)"), 0, "multiplySeries(a.*.c)", {2, N, N, 32});
  Expect(Eval("stddevSeries(a.*.c,x.b.c)"), 0, "stddevSeries(a.*.c,x.b.c)",
         {4.0276819911981905, 9.0, 0.0, 16.110727964792762});
  Expect(Eval("rangeOfSeries(a.*.c,x.b.c)"), 0, "rangeOfSeries(a.*.c,x.b.c)", {9, 18, 0, 36},
         Agg("rangeOfSeries(a.*.c,x.b.c)", "rangeOf"));
  Expect(Eval("avg(a.*.c)"), 0, "averageSeries(a.*.c)", {1.5, 2, N, 6});
}

TEST_F(CombineTest, MultiplySeriesOfOneSeriesReturnsItUnchanged) {
  Expect(Eval("multiplySeries(a.b.c)"), 0, "a.b.c", {1, 2, N, 4}, {{"name", "a.b.c"}});
}

TEST_F(CombineTest, CountSeriesCountsSeriesNotValues) {
  // F.countSeries(ctx, fetch('a.*.c'), fetch('x.b.c')) -> [3, 3, 3, 3]
  Expect(Eval("countSeries(a.*.c,x.b.c)"), 0, "countSeries(a.*.c,x.b.c)", {3, 3, 3, 3},
         {{"name", "countSeries(a.*.c,x.b.c)"}});
  // countSeries() with startTime 1000, endTime 2000: '0', [0, 0, 0], step 500
  auto empty = Eval("countSeries()");
  Expect(empty, 0, "0", {0, 0, 0});
  EXPECT_EQ(empty[0].step, 500);
  EXPECT_EQ(empty[0].path_expression, "countSeries()");
  EXPECT_TRUE(Eval("countSeries(nothing.here)").empty());
}

TEST_F(CombineTest, AggregateUsesTheGivenFunctionNameAndXff) {
  // F.aggregate(ctx, fetch('a.*.c'), 'avg')
  Expect(Eval("aggregate(a.*.c,\"avg\")"), 0, "avgSeries(a.*.c)", {1.5, 2, N, 6},
         Agg("avgSeries(a.*.c)", "avg"));
  // F.aggregate(ctx, fetch('a.*.c'), 'sum', 1.0)
  Expect(Eval("aggregate(a.*.c,\"sum\",1)"), 0, "sumSeries(a.*.c)", {3, N, N, 12});
  // F.aggregate(ctx, fetch('a.*.c'), 'medianSeries')
  Expect(Eval("aggregate(a.*.c,\"medianSeries\")"), 0, "medianSeries(a.*.c)", {1.5, 2, N, 6},
         Agg("medianSeries(a.*.c)", "median"));
  EXPECT_EQ(EvalError("aggregate(a.*.c,\"bogus\")").code(), core::StatusCode::kInvalidArgument);
}

TEST_F(CombineTest, AggregateKeepsTagsCommonToAllInputs) {
  // F.sumSeries(ctx, fetch('cpu;*')) tags {'name': 'cpu', 'aggregatedBy': 'sum'}
  Expect(Eval("sumSeries(cpu;*)"), 0, "sumSeries(cpu;*)", {9, 12, 8},
         {{"name", "cpu"}, {"aggregatedBy", "sum"}});
}

TEST_F(CombineTest, GroupByNodeNamesGroupsByKey) {
  // F.groupByNode(ctx, fetch('*.*.c'), 1, 'sumSeries')
  auto r = Eval("groupByNode(*.*.c,1,\"sumSeries\")");
  ASSERT_EQ(r.size(), 2u);
  Expect(r, 0, "b", {11, 22, 30, 44}, Agg("sumSeries(*.*.c)", "sum"));
  Expect(r, 1, "d", {2, N, N, 8}, Agg("a.d.c", "sum"));
  // F.groupByNode(ctx, fetch('*.*.c'), 0): callback defaults to average
  auto avg = Eval("groupByNode(*.*.c,0)");
  Expect(avg, 0, "a", {1.5, 2, N, 6}, Agg("averageSeries(*.*.c)", "average"));
  Expect(avg, 1, "x", {10, 20, 30, 40});
  // F.groupByNodes(ctx, fetch('*.*.c'), 'max', 1, -1)
  auto nodes = Eval("groupByNodes(*.*.c,\"max\",1,-1)");
  Expect(nodes, 0, "b.c", {10, 20, 30, 40});
  Expect(nodes, 1, "d.c", {2, N, N, 8});
}

TEST_F(CombineTest, GroupByNodeAcceptsTagsAndSeriesFunctionCallbacks) {
  // F.groupByNode(ctx, fetch('cpu;*'), 'dc', 'avg')
  auto r = Eval("groupByNode(cpu;*,\"dc\",\"avg\")");
  Expect(r, 0, "east", {2, 3, 4}, {{"dc", "east"}, {"name", "cpu"}, {"aggregatedBy", "average"}});
  Expect(r, 1, "west", {5, 6, N},
         {{"dc", "west"}, {"host", "h3"}, {"name", "cpu"}, {"aggregatedBy", "average"}});
  // F.groupByNode(ctx, fetch('*.*.c'), 1, 'countSeries')
  auto count = Eval("groupByNode(*.*.c,1,\"countSeries\")");
  Expect(count, 0, "b", {2, 2, 2, 2});
  Expect(count, 1, "d", {1, 1, 1, 1});
  // F.groupByNode(ctx, fetch('*.*.c'), 1, 'asPercent'): the first series of each group
  auto pct = Eval("groupByNode(*.*.c,1,\"asPercent\")");
  Expect(pct, 0, "b", {9.090909090909092, 9.090909090909092, N, 9.090909090909092});
  Expect(pct, 1, "d", {100, N, N, 100});
  // F.groupByNode(ctx, fetch('*.*.c'), 2, 'powSeries')
  auto pow = Eval("groupByNode(*.*.c,2,\"powSeries\")");
  Expect(pow, 0, "c", {1, N, N, 4.562440617622195e+192},
         {{"name", "powSeries(a.b.c,a.d.c,x.b.c)"}});
  EXPECT_FALSE(EvalError("groupByNode(*.*.c,1,\"sumSeriesLists\")").ok());
  EXPECT_FALSE(EvalError("groupByNode(*.*.c,1,\"bogus\")").ok());
}

TEST_F(CombineTest, GroupByTagsBuildsTaggedNames) {
  // F.groupByTags(ctx, fetch('cpu;*'), 'sum', 'dc')
  auto r = Eval("groupByTags(cpu;*,\"sum\",\"dc\")");
  ASSERT_EQ(r.size(), 2u);
  Expect(r, 0, "cpu;dc=east", {4, 6, 8}, {{"dc", "east"}, {"name", "cpu"}});
  EXPECT_EQ(r[0].path_expression, "cpu;dc=east");
  Expect(r, 1, "cpu;dc=west", {5, 6, N});
  // F.groupByTags(ctx, fetch('cpu;*'), 'max', 'name', 'host')
  auto by_name = Eval("groupByTags(cpu;*,\"max\",\"name\",\"host\")");
  ASSERT_EQ(by_name.size(), 3u);
  Expect(by_name, 2, "cpu;host=h3", {5, 6, N}, {{"host", "h3"}, {"name", "cpu"}});
  // graphite-web raises parsing "a;dc=" (an empty tag value).
  EXPECT_FALSE(EvalError("groupByTags(a.*.c,\"sum\",\"dc\")").ok());
}

TEST_F(CombineTest, WithWildcardsGroupsByRemainingNodes) {
  // F.sumSeriesWithWildcards(ctx, fetch('*.*.c'), 1)
  auto r = Eval("sumSeriesWithWildcards(*.*.c,1)");
  ASSERT_EQ(r.size(), 2u);
  Expect(r, 0, "a.c", {3, 2, N, 12}, Agg("sumSeries(*.*.c)", "sum"));
  Expect(r, 1, "x.c", {10, 20, 30, 40}, Agg("x.b.c", "sum"));
  // F.averageSeriesWithWildcards(ctx, fetch('*.*.c'), 0, 1)
  Expect(Eval("averageSeriesWithWildcards(*.*.c,0,1)"), 0, "c",
         {4.333333333333333, 11.0, 30.0, 17.333333333333332});
  // F.aggregateWithWildcards(ctx, fetch('*.*.c'), 'min', 0)
  auto min = Eval("aggregateWithWildcards(*.*.c,\"min\",0)");
  Expect(min, 0, "b.c", {1, 2, 30, 4}, Agg("minSeries(*.*.c)", "min"));
  Expect(min, 1, "d.c", {2, N, N, 8});
}

TEST_F(CombineTest, PercentileOfSeriesPicksActualOrInterpolatedValues) {
  // F.percentileOfSeries(ctx, fetch('*.*.c'), 50.0[, True])
  Expect(Eval("percentileOfSeries(*.*.c,50)"), 0, "percentileOfSeries(*.*.c,50)", {2, 20, 30, 8},
         {{"name", "percentileOfSeries(*.*.c,50)"}});
  Expect(Eval("percentileOfSeries(*.*.c,50,true)"), 0, "percentileOfSeries(*.*.c,50)",
         {2, 11, 30, 8});
  EXPECT_FALSE(EvalError("percentileOfSeries(*.*.c,0)").ok());
}

TEST_F(CombineTest, GroupConcatenatesLists) {
  auto r = Eval("group(a.b.c,x.b.c)");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].name, "a.b.c");
  EXPECT_EQ(r[1].name, "x.b.c");
}

TEST_F(CombineTest, AsPercentOfTheListSum) {
  // F.asPercent(ctx, fetch('a.*.c'))
  auto r = Eval("asPercent(a.*.c)");
  ASSERT_EQ(r.size(), 2u);
  Expect(r, 0, "asPercent(a.b.c,sumSeries(a.*.c))", {33.33333333333333, 100, N, 33.33333333333333},
         {{"name", "asPercent(a.b.c,sumSeries(a.*.c))"}});
  Expect(r, 1, "asPercent(a.d.c,sumSeries(a.*.c))", {66.66666666666666, N, N, 66.66666666666666});
}

TEST_F(CombineTest, AsPercentOfSeriesNumberOrPairedList) {
  // F.asPercent(ctx, fetch('a.*.c'), fetch('x.b.c'))
  auto one = Eval("asPercent(a.*.c,x.b.c)");
  Expect(one, 0, "asPercent(a.b.c,x.b.c)", {10, 10, N, 10});
  Expect(one, 1, "asPercent(a.d.c,x.b.c)", {20, N, N, 20});
  // F.asPercent(ctx, fetch('a.*.c'), 50) and 0.5: str(total) names the total
  Expect(Eval("asPercent(a.*.c,50)"), 0, "asPercent(a.b.c,50)", {2, 4, N, 8});
  Expect(Eval("pct(a.*.c,0.5)"), 1, "asPercent(a.d.c,0.5)", {400, N, N, 1600});
  // F.asPercent(ctx, fetch('a.*.c'), fetch('a.d.c') + fetch('x.b.c')): pairs by sorted name
  auto pairs = Eval("asPercent(a.*.c,group(x.b.c,a.d.c))");
  Expect(pairs, 0, "asPercent(a.b.c,a.d.c)", {50, N, N, 50});
  Expect(pairs, 1, "asPercent(a.d.c,x.b.c)", {20, N, N, 20});
  // F.asPercent(ctx, fetch('a.b.c'), fetch('coarse.b')): the pair is normalized
  auto coarse = Eval("asPercent(a.b.c,coarse.b)");
  Expect(coarse, 0, "asPercent(a.b.c,coarse.b)", {25, N});
  EXPECT_EQ(coarse[0].step, 120);
  EXPECT_FALSE(EvalError("asPercent(a.*.c,group(x.b.c,a.d.c,a.b.c))").ok());
}

TEST_F(CombineTest, AsPercentByNodesMatchesGroupsAndMarksMissing) {
  // F.asPercent(ctx, fetch('*.*.c'), None, 1)
  auto r = Eval("asPercent(*.*.c,None,1)");
  ASSERT_EQ(r.size(), 3u);
  Expect(r, 0, "asPercent(a.b.c,sumSeries(*.*.c))",
         {9.090909090909092, 9.090909090909092, N, 9.090909090909092});
  Expect(r, 1, "asPercent(x.b.c,sumSeries(*.*.c))",
         {90.9090909090909, 90.9090909090909, 100, 90.9090909090909});
  Expect(r, 2, "asPercent(a.d.c,a.d.c)", {100, N, N, 100});
  // F.asPercent(ctx, fetch('a.*.c'), fetch('x.b.c'), 1)
  auto missing = Eval("asPercent(a.*.c,x.b.c,1)");
  ASSERT_EQ(missing.size(), 2u);
  Expect(missing, 0, "asPercent(a.b.c,x.b.c)", {10, 10, N, 10});
  Expect(missing, 1, "asPercent(a.d.c,MISSING)", {N, N, N, N});
  EXPECT_FALSE(EvalError("asPercent(a.*.c,100,1)").ok());
}

TEST_F(CombineTest, DivideSeriesByOneDivisor) {
  // F.divideSeries(ctx, fetch('a.*.c'), fetch('x.b.c'))
  auto r = Eval("divideSeries(a.*.c,x.b.c)");
  Expect(r, 0, "divideSeries(a.b.c,x.b.c)", {0.1, 0.1, N, 0.1},
         {{"name", "divideSeries(a.b.c,x.b.c)"}});
  Expect(r, 1, "divideSeries(a.d.c,x.b.c)", {0.2, N, N, 0.2});
  // F.divideSeries(ctx, fetch('a.b.c'), fetch('coarse.b'))
  Expect(Eval("divideSeries(a.b.c,coarse.b)"), 0, "divideSeries(a.b.c,coarse.b)", {0.25, N});
  EXPECT_FALSE(EvalError("divideSeries(a.b.c,a.*.c)").ok());
}

TEST_F(CombineTest, DivideSeriesByNothingBlanksDividendsKeepingTags) {
  // F.divideSeries(ctx, fetch('a.*.c'), []) keeps tags {'name': 'a.b.c'}
  auto r = Eval("divideSeries(a.*.c,nothing)");
  ASSERT_EQ(r.size(), 2u);
  Expect(r, 0, "divideSeries(a.b.c,MISSING)", {N, N, N, N}, {{"name", "a.b.c"}});
  EXPECT_EQ(r[0].path_expression, "divideSeries(a.b.c,MISSING)");
}

TEST_F(CombineTest, PairwiseListFunctions) {
  // F.divideSeriesLists(ctx, fetch('a.*.c'), fetch('a.*.c'))
  Expect(Eval("divideSeriesLists(a.*.c,a.*.c)"), 1, "divideSeries(a.d.c,a.d.c)", {1, N, N, 1});
  // F.sumSeriesLists(ctx, fetch('a.*.c'), fetch('a.*.c')): pathExpression keeps aggregate()'s
  auto sums = Eval("sumSeriesLists(a.*.c,a.*.c)");
  Expect(sums, 0, "sumSeries(a.b.c,a.b.c)", {2, 4, N, 8}, Agg("a.b.c", "sum"));
  EXPECT_EQ(sums[0].path_expression, "sumSeries(a.*.c)");
  Expect(Eval("diffSeriesLists(a.*.c,a.*.c)"), 1, "diffSeries(a.d.c,a.d.c)", {0, N, N, 0});
  Expect(Eval("multiplySeriesLists(a.b.c,x.b.c)"), 0, "multiplySeries(a.b.c,x.b.c)",
         {10, 40, N, 160});
  // F.aggregateSeriesLists(ctx, fetch('a.*.c'), fetch('a.*.c'), 'max', 0.6)
  Expect(Eval("aggregateSeriesLists(a.*.c,a.*.c,\"max\",0.6)"), 1, "maxSeries(a.d.c,a.d.c)",
         {2, N, N, 8});
  EXPECT_FALSE(EvalError("sumSeriesLists(a.*.c,x.b.c)").ok());
  EXPECT_FALSE(EvalError("divideSeriesLists(a.*.c,x.b.c)").ok());
}

TEST_F(CombineTest, WeightedAverageMatchesByNodes) {
  // F.weightedAverage(ctx, fetch('a.*.c'), fetch('a.*.c'), 1)
  Expect(Eval("weightedAverage(a.*.c,a.*.c,1)"), 0, "weightedAverage(a.*.c, a.*.c, 1)",
         {1.6666666666666667, 2, N, 6.666666666666667});
  // F.weightedAverage(ctx, fetch('*.*.c'), fetch('*.*.c'), 0): a later series of a key wins
  Expect(Eval("weightedAverage(*.*.c,*.*.c,0)"), 0, "weightedAverage(*.*.c, *.*.c, 0)",
         {8, 18.181818181818183, 30, 32});
  EXPECT_FALSE(EvalError("weightedAverage(a.*.c,x.b.c,1)").ok());
}

TEST_F(CombineTest, EmptyInputsGiveEmptyResults) {
  for (const char* target :
       {"sumSeries(nothing)", "aggregate(nothing,\"sum\")", "asPercent(nothing)",
        "groupByNode(nothing,1)", "percentileOfSeries(nothing,50)", "divideSeries(nothing,x.b.c)",
        "weightedAverage(nothing,nothing)", "sumSeriesWithWildcards(nothing,1)"}) {
    EXPECT_TRUE(Eval(target).empty()) << target;
  }
}

TEST_F(CombineTest, RegistersGraphiteWebParameters) {
  const FunctionSpec* spec = registry_.Find("groupByNode");
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(spec->group, "Combine");
  ASSERT_EQ(spec->params.size(), 3u);
  EXPECT_EQ(spec->params[2].name, "callback");
  EXPECT_EQ(spec->params[2].default_json, "\"average\"");
  EXPECT_EQ(spec->params[2].options.size(), 34u);  // as graphite-web 1.1.8's /functions
  for (const char* name : {"sumSeries",
                           "sum",
                           "averageSeries",
                           "avg",
                           "maxSeries",
                           "minSeries",
                           "groupByNode",
                           "groupByNodes",
                           "divideSeries",
                           "asPercent",
                           "pct",
                           "diffSeries",
                           "multiplySeries",
                           "countSeries",
                           "sumSeriesWithWildcards",
                           "averageSeriesWithWildcards",
                           "multiplySeriesWithWildcards",
                           "aggregateWithWildcards",
                           "aggregate",
                           "percentileOfSeries",
                           "divideSeriesLists",
                           "sumSeriesLists",
                           "multiplySeriesLists",
                           "diffSeriesLists",
                           "aggregateSeriesLists",
                           "stddevSeries",
                           "rangeOfSeries",
                           "weightedAverage",
                           "group",
                           "groupByTags"}) {
    const FunctionSpec* f = registry_.Find(name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_FALSE(f->description.empty()) << name;
    EXPECT_TRUE(static_cast<bool>(f->impl)) << name;
  }
  EXPECT_EQ(registry_.All().size(), 30u);
}

}  // namespace
}  // namespace meridian::query
