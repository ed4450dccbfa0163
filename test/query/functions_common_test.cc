// Expected values come from Debian's graphite-web 1.1.8 (functions/aggfuncs.py, render/
// functions.py, render/datalib.py) run under /usr/bin/python3; each block quotes its snippet.
#include <gtest/gtest.h>

#include <cmath>

#include "query/functions/common.h"
#include "support/query_test_util.h"

namespace meridian::query::functions {
namespace {

constexpr double N = kNull;
using testing::ExpectValues;

Series Make(std::string name, std::vector<double> values, int64_t start = 0, int64_t step = 60) {
  Series s;
  s.name = name;
  s.path_expression = name;
  s.tags = TagsForName(name);
  s.start = start;
  s.step = step;
  s.end = start + step * static_cast<int64_t>(values.size());
  s.values = std::move(values);
  return s;
}

double Agg(std::string_view name, std::vector<double> row) {
  auto func = GetAggFunc(name);
  EXPECT_TRUE(func.has_value()) << name;
  if (!func) return -12345;
  return (*func)(row).value_or(N);
}

TEST(FormatTest, FormatGMatchesPythonPercentG) {
  // '%g' % x for x in (0.5, 5.0, 100000.0, 1e6, 1e-5, 1.0/3, -2.0, 1234567.0)
  EXPECT_EQ(FormatG(0.5), "0.5");
  EXPECT_EQ(FormatG(5.0), "5");
  EXPECT_EQ(FormatG(100000.0), "100000");
  EXPECT_EQ(FormatG(1e6), "1e+06");
  EXPECT_EQ(FormatG(1e-5), "1e-05");
  EXPECT_EQ(FormatG(1.0 / 3), "0.333333");
  EXPECT_EQ(FormatG(-2.0), "-2");
  EXPECT_EQ(FormatG(1234567.0), "1.23457e+06");
}

TEST(FormatTest, FormatNumberArgFollowsPythonStr) {
  // str(1500), str(1500.0), str(0.1), str(float('inf'))
  EXPECT_EQ(FormatNumberArg(1500, true), "1500");
  EXPECT_EQ(FormatNumberArg(1500, false), "1500.0");
  EXPECT_EQ(FormatNumberArg(0.1, false), "0.1");
  EXPECT_EQ(FormatNumberArg(INFINITY, false), "inf");
}

// row = [3.0, None, 1.0, 4.0, 1.5]
// for k in sorted(aggFuncs + aliases): print(k, getAggFunc(k)(row), getAggFunc(k)([None, None]))
TEST(AggFuncTest, MatchesGraphiteWebOnRowWithNull) {
  std::vector<double> row = {3.0, N, 1.0, 4.0, 1.5};
  EXPECT_DOUBLE_EQ(Agg("average", row), 2.375);
  EXPECT_DOUBLE_EQ(Agg("avg", row), 2.375);
  EXPECT_DOUBLE_EQ(Agg("avg_zero", row), 1.9);
  EXPECT_DOUBLE_EQ(Agg("count", row), 4);
  EXPECT_DOUBLE_EQ(Agg("current", row), 1.5);
  EXPECT_DOUBLE_EQ(Agg("diff", row), -3.5);
  EXPECT_DOUBLE_EQ(Agg("last", row), 1.5);
  EXPECT_DOUBLE_EQ(Agg("max", row), 4.0);
  EXPECT_DOUBLE_EQ(Agg("median", row), 2.25);
  EXPECT_DOUBLE_EQ(Agg("min", row), 1.0);
  EXPECT_TRUE(IsNull(Agg("multiply", row)));
  EXPECT_DOUBLE_EQ(Agg("range", row), 3.0);
  EXPECT_DOUBLE_EQ(Agg("rangeOf", row), 3.0);
  EXPECT_DOUBLE_EQ(Agg("stddev", row), 1.192424001771182);
  EXPECT_DOUBLE_EQ(Agg("sum", row), 9.5);
  EXPECT_DOUBLE_EQ(Agg("total", row), 9.5);
}

TEST(AggFuncTest, AllNullRowIsNullExceptCountAndAvgZero) {
  std::vector<double> nulls = {N, N};
  for (const std::string& name : AggFuncNames()) {
    double v = Agg(name, nulls);
    if (name == "count" || name == "avg_zero") {
      EXPECT_EQ(v, 0.0) << name;
    } else {
      EXPECT_TRUE(IsNull(v)) << name;
    }
  }
}

TEST(AggFuncTest, MultiplyAndSeriesSuffixAndUnknownNames) {
  EXPECT_DOUBLE_EQ(Agg("multiply", {2, 3, 4}), 24);
  EXPECT_DOUBLE_EQ(Agg("sumSeries", {2, N, 4}), 6);
  EXPECT_FALSE(GetAggFunc("bogus").has_value());
  EXPECT_FALSE(GetAggFunc("first").has_value());  // a consolidation function, not an aggregate
  EXPECT_EQ(CanonicalAggName("avg"), "average");
  EXPECT_EQ(CanonicalAggName("totalSeries"), "sum");
  EXPECT_EQ(CanonicalAggName("max"), "max");
  EXPECT_EQ(AggFuncNames().size(), 16u);
  EXPECT_EQ(AggFuncNames().front(), "average");
}

// for n, ip in [(50,F),(50,T),(90,F),(90,T),(10,F),(100,F),(25,T),(1,F)]:
//   F._getPercentile([5.0, None, 1.0, 3.0, 2.0], n, ip)
TEST(PercentileTest, MatchesGetPercentile) {
  std::vector<double> points = {5.0, N, 1.0, 3.0, 2.0};
  EXPECT_DOUBLE_EQ(*GetPercentile(points, 50, false), 3.0);
  EXPECT_DOUBLE_EQ(*GetPercentile(points, 50, true), 2.5);
  EXPECT_DOUBLE_EQ(*GetPercentile(points, 90, false), 5.0);
  EXPECT_DOUBLE_EQ(*GetPercentile(points, 90, true), 5.0);
  EXPECT_DOUBLE_EQ(*GetPercentile(points, 10, false), 1.0);
  EXPECT_DOUBLE_EQ(*GetPercentile(points, 100, false), 5.0);
  EXPECT_DOUBLE_EQ(*GetPercentile(points, 25, true), 1.25);
  EXPECT_DOUBLE_EQ(*GetPercentile(points, 1, false), 1.0);
  EXPECT_DOUBLE_EQ(*GetPercentile(points, 1000, false), 5.0);  // graphite-web: IndexError
  EXPECT_FALSE(GetPercentile(std::vector<double>{N, N}, 50, false).has_value());
}

// s = TimeSeries('x', 0, 70, 10, [1,None,3,4,None,None,7]); s.xFilesFactor = 0.5
// s.consolidationFunc = cf; s.consolidate(3); list(s)
TEST(ConsolidateTest, MatchesConsolidatingGeneratorWithXff) {
  std::vector<double> v = {1, N, 3, 4, N, N, 7};
  ExpectValues(Consolidate(v, 3, "sum", 0.5), {4, N, N});
  ExpectValues(Consolidate(v, 3, "average", 0.5), {2, N, N});
  ExpectValues(Consolidate(v, 3, "avg_zero", 0.5), {4.0 / 3, N, N});
  ExpectValues(Consolidate(v, 3, "max", 0.5), {3, N, N});
  ExpectValues(Consolidate(v, 3, "min", 0.5), {1, N, N});
  ExpectValues(Consolidate(v, 3, "first", 0.5), {1, N, N});
  ExpectValues(Consolidate(v, 3, "last", 0.5), {3, N, N});
  // xff 0: any non-null value makes a point; the partial last bucket is kept.
  ExpectValues(Consolidate(v, 3, "average", 0), {2, 4, 7});
  ExpectValues(Consolidate(v, 1, "sum", 0), v);
}

// a = TimeSeries('a', 0, 60, 10, [1..6]); b = TimeSeries('b', 5, 65, 20, [10, None, 30])
// F.normalize([[a, b]])[1:] == (0, 60, 20); list(a) == [1.5, 3.5, 5.5]
TEST(NormalizeTest, UsesLcmStepMinStartTrimmedMaxEnd) {
  SeriesList list = {Make("a", {1, 2, 3, 4, 5, 6}, 0, 10), Make("b", {10, N, 30}, 5, 20)};
  auto n = Normalize(list);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->step, 20);
  EXPECT_EQ(n->start, 0);
  EXPECT_EQ(n->end, 60);
  EXPECT_EQ(n->length, 3u);
  ExpectValues(std::vector<double>(n->values[0].begin(), n->values[0].end()), {1.5, 3.5, 5.5});
  ExpectValues(std::vector<double>(n->values[1].begin(), n->values[1].end()), {10, N, 30});
}

TEST(NormalizeTest, SeriesAlreadyAtTheCommonStepAreViewedNotCopied) {
  SeriesList list = {Make("a", {1, 2, 3, 4, 5, 6}, 0, 10), Make("b", {10, N, 30}, 5, 20),
                     Make("c", {7, 8, 9}, 0, 20)};
  auto n = Normalize(list);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->values[1].data(), list[1].values.data());  // b and c: their own values
  EXPECT_EQ(n->values[2].data(), list[2].values.data());
  ASSERT_EQ(n->owned.size(), 1u);  // a, consolidated
  EXPECT_EQ(n->values[0].data(), n->owned[0].data());
  // Moving the result keeps every view valid (the consolidated buffer moves with it).
  Normalized moved = std::move(*n);
  ExpectValues(std::vector<double>(moved.values[0].begin(), moved.values[0].end()),
               {1.5, 3.5, 5.5});
  ExpectValues(std::vector<double>(moved.values[2].begin(), moved.values[2].end()), {7, 8, 9});
}

TEST(NormalizeTest, RejectsEmptyListAndZeroStep) {
  const SeriesList none;
  EXPECT_FALSE(Normalize(none).ok());
  SeriesList bad = {Make("a", {1}, 0, 0)};
  EXPECT_EQ(Normalize(bad).status().code(), core::StatusCode::kInvalidArgument);
}

// F.aggregate(ctx, [ts('a',[1,None,3,None]), ts('b',[2,None,None])], 'sum', xff)
//   xff=0   -> [3, None, 3, None];  xff=0.5 -> [3, None, 3, None];  xff=1 -> [3, None, None, None]
TEST(AggregateAcrossTest, ZipsLongestAndAppliesXff) {
  SeriesList list = {Make("a", {1, N, 3, N}), Make("b", {2, N, N})};
  auto n = Normalize(list);
  ASSERT_TRUE(n.ok());
  AggFunc sum = *GetAggFunc("sum");
  ExpectValues(AggregateAcross(*n, sum, 0), {3, N, 3, N});
  ExpectValues(AggregateAcross(*n, sum, 0.5), {3, N, 3, N});
  ExpectValues(AggregateAcross(*n, sum, 1), {3, N, N, N});
}

TEST(NamingTest, JoinPathExpressionsDedupsInFirstSeenOrder) {
  SeriesList list = {Make("a.x", {1}), Make("a.y", {1}), Make("c.d", {1})};
  list[0].path_expression = "a.*";
  list[1].path_expression = "a.*";
  EXPECT_EQ(JoinPathExpressions(list), "a.*,c.d");
}

TEST(NamingTest, CommonAndAggregateTags) {
  SeriesList tagged = {Make("cpu;dc=a;host=h1", {1}), Make("cpu;dc=a;host=h2", {1})};
  auto common = CommonTags(tagged);
  EXPECT_EQ(common, (std::map<std::string, std::string>{{"dc", "a"}, {"name", "cpu"}}));
  auto agg = AggregateTags(tagged, "sumSeries(x)", "sum");
  EXPECT_EQ(agg.at("name"), "cpu");  // a shared name tag wins over the result name
  EXPECT_EQ(agg.at("aggregatedBy"), "sum");
  SeriesList plain = {Make("a.b", {1}), Make("a.c", {1})};
  auto plain_tags = AggregateTags(plain, "sumSeries(a.*)", "sum");
  EXPECT_EQ(plain_tags, (std::map<std::string, std::string>{{"aggregatedBy", "sum"},
                                                            {"name", "sumSeries(a.*)"}}));
}

TEST(NamingTest, MakeSeriesParsesTagsOnlyForPlainNames) {
  Series like = Make("a.b", {1, 2});
  like.consolidation_func = "max";
  Series s = MakeSeries(like, "x;k=v", {5, 6});
  EXPECT_EQ(s.tags.at("k"), "v");
  EXPECT_EQ(s.tags.at("name"), "x");
  EXPECT_EQ(s.path_expression, "x;k=v");
  EXPECT_EQ(s.consolidation_func, "max");
  EXPECT_EQ(s.end, like.end);
  Series wrapped = MakeSeries(like, "scale(x;k=v,2)", {1});
  EXPECT_EQ(wrapped.tags, (std::map<std::string, std::string>{{"name", "scale(x;k=v,2)"}}));
  EXPECT_TRUE(LooksLikeCall("sumSeries(a)"));
  EXPECT_FALSE(LooksLikeCall("a.b"));
  EXPECT_FALSE(LooksLikeCall("f()"));
}

// F._getFirstPathExpression(name) for each name below (None → the whole name is used).
TEST(NamingTest, FirstPathExpressionDescendsIntoFirstArguments) {
  EXPECT_EQ(FirstPathExpression("a.b.c"), "a.b.c");
  EXPECT_EQ(FirstPathExpression("a.b;tag=v"), "a.b");
  EXPECT_EQ(FirstPathExpression("sumSeries(a.b.c,d)"), "a.b.c");
  EXPECT_EQ(FirstPathExpression("divideSeries(sumSeries(x.{a,b}.c),d)"), "x.{a,b}.c");
  EXPECT_EQ(FirstPathExpression("nPercentile(a.b;k=v, 50)"), "a.b");
  EXPECT_EQ(FirstPathExpression("scale(5,a.b)"), "scale(5,a.b)");  // no path: the whole name
  EXPECT_EQ(FirstPathExpression("sumSeries(seriesByTag('name=cpu'))"),
            "sumSeries(seriesByTag('name=cpu'))");
}

TEST(NamingTest, SplitNodesKeepsEmptyNodesLikePython) {
  EXPECT_EQ(SplitNodes("a.b.c"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(SplitNodes("a..b"), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(SplitNodes(""), (std::vector<std::string>{""}));
}

}  // namespace
}  // namespace meridian::query::functions
