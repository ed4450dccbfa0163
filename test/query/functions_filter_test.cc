// Filter and sort functions evaluated end to end (parser, evaluator, Call binding) over a fake
// source. Expected values come from Debian's graphite-web 1.1.8 under /usr/bin/python3 with
//   L = [ts('a',[1,2,3]), ts('b',[None,None]), ts('c',[3,2,1]), ts('d',[0,10,None]),
//        ts('e',[5,None,0])]
// and the call quoted above each expectation (e.g. F.highestMax(ctx, L, 2)).
#include <gtest/gtest.h>

#include "query/function_registry.h"
#include "query/functions/common.h"
#include "support/query_test_util.h"

namespace meridian::query {
namespace {

constexpr double N = functions::kNull;
using testing::ExpectValues;
using testing::Tags;

// Fetches return the stored series, whatever the window.
class FilterTest : public testing::FunctionEvalTest {
 protected:
  FilterTest() : FunctionEvalTest({}, 0, 600) {
    RegisterFilterFunctions(registry_);
    RegisterCombineFunctions(registry_);  // group() for unique() and fallbacks
    source_.Add("a", 0, 60, {1, 2, 3});
    source_.Add("b", 0, 60, {N, N});
    source_.Add("c", 0, 60, {3, 2, 1});
    source_.Add("d", 0, 60, {0, 10, N});
    source_.Add("e", 0, 60, {5, N, 0});
    source_.Add("p.x", 0, 60, {1, 5, N, 3, 9});
    source_.Add("p.y", 0, 60, {N, N});
    source_.Add("q.a", 0, 60, {1, 2, 3});
    source_.Add("q.c", 0, 60, {3, 2, 1});
    source_.Add("q.d", 0, 60, {0, 10, 20});
    source_.Add("q.f", 0, 60, {100, 1, 100});
    source_.Add("q.m", 0, 60, {4, 4, 4});
    source_.Add("s.d", 0, 60, {7, 7});
    source_.Add("n.s11", 0, 60, {1});
    source_.Add("n.s2", 0, 60, {1});
    source_.Add("n.s007", 0, 60, {1});
    source_.Add("n.s1", 0, 60, {1});
  }
};

using V = std::vector<std::string>;

TEST_F(FilterTest, HighestAndLowestRankNullAggregatesLowest) {
  EXPECT_EQ(Names("highestMax(*,2)"), (V{"d", "e"}));
  EXPECT_EQ(Names("highestCurrent(*,3)"), (V{"d", "a", "c"}));
  EXPECT_EQ(Names("lowestAverage(*,3)"), (V{"b", "a", "c"}));
  EXPECT_EQ(Names("lowest(*,2,\"current\")"), (V{"b", "e"}));
  EXPECT_EQ(Names("highest(*,2,\"stddev\")"), (V{"d", "e"}));
  EXPECT_EQ(Names("highestAverage(*,2)"), (V{"d", "e"}));  // averages a 2, c 2, d 5, e 2.5
  EXPECT_FALSE(EvalError("highestAverage(*)").ok());       // n is required
}

TEST_F(FilterTest, NegativeCountsSliceLikePython) {
  // F.limit(ctx, L, -2); F.highest(ctx, L, -2, 'sum')
  EXPECT_EQ(Names("limit(*,-2)"), (V{"a", "b", "c"}));
  EXPECT_EQ(Names("highest(*,-2,\"sum\")"), (V{"d", "a", "c"}));
  EXPECT_EQ(Names("limit(*,2)"), (V{"a", "b"}));
  EXPECT_EQ(Names("limit(*,100)").size(), 5u);
}

TEST_F(FilterTest, SortingKeepsTiesInInputOrder) {
  EXPECT_EQ(Names("sortByTotal(*)"), (V{"d", "a", "c", "e", "b"}));
  EXPECT_EQ(Names("sortByMaxima(*)"), (V{"d", "e", "a", "c", "b"}));
  EXPECT_EQ(Names("sortByMinima(*)"), (V{"d", "e", "a", "c"}));
  EXPECT_EQ(Names("sortBy(*,\"max\",true)"), (V{"d", "e", "a", "c", "b"}));
  EXPECT_EQ(Names("sortBy(*)"), (V{"b", "a", "c", "e", "d"}));
  EXPECT_EQ(Names("sortByName(*,false,true)"), (V{"e", "d", "c", "b", "a"}));
}

TEST_F(FilterTest, SortByNameNaturalPadsNumbers) {
  // F.sortByName(ctx, [s11, s2, s007, s1], True[, True])
  EXPECT_EQ(Names("sortByName(n.*,true)"), (V{"n.s1", "n.s2", "n.s007", "n.s11"}));
  EXPECT_EQ(Names("sortByName(n.*,natural=true,reverse=true)"),
            (V{"n.s11", "n.s007", "n.s2", "n.s1"}));
  EXPECT_EQ(Names("sortByName(n.*)"), (V{"n.s007", "n.s1", "n.s11", "n.s2"}));
}

TEST_F(FilterTest, AboveFiltersExcludeNullsBelowFiltersKeepThem) {
  EXPECT_EQ(Names("currentAbove(*,1)"), (V{"a", "d"}));
  EXPECT_EQ(Names("currentBelow(*,1)"), (V{"b", "c", "e"}));
  EXPECT_EQ(Names("averageAbove(*,2)"), (V{"d", "e"}));
  EXPECT_EQ(Names("averageBelow(*,2)"), (V{"a", "b", "c"}));
  EXPECT_EQ(Names("maximumAbove(*,4)"), (V{"d", "e"}));
  EXPECT_EQ(Names("maximumBelow(*,3)"), (V{"a", "b", "c"}));
  EXPECT_EQ(Names("minimumAbove(*,0)"), (V{"a", "c"}));
  EXPECT_EQ(Names("minimumBelow(*,0)"), (V{"b", "d", "e"}));
}

TEST_F(FilterTest, FilterSeriesOperators) {
  EXPECT_EQ(Names("filterSeries(*,\"sum\",\"!=\",6)"), (V{"b", "d", "e"}));
  EXPECT_EQ(Names("filterSeries(*,\"count\",\"=\",2)"), (V{"d", "e"}));
  EXPECT_EQ(Names("filterSeries(*,\"average\",\">=\",2)"), (V{"a", "c", "d", "e"}));
  EXPECT_EQ(Names("filterSeries(*,\"max\",\"<\",4)"), (V{"a", "b", "c"}));
  EXPECT_FALSE(EvalError("filterSeries(*,\"max\",\"~\",4)").ok());
  EXPECT_FALSE(EvalError("filterSeries(*,\"bogus\",\">\",4)").ok());
}

TEST_F(FilterTest, ExcludeAndGrepSearchNamesWithPythonRegexes) {
  EXPECT_EQ(Names("exclude(*,\"^[ab]\")"), (V{"c", "d", "e"}));
  EXPECT_EQ(Names("grep(*,\"[cd]$\")"), (V{"c", "d"}));
  EXPECT_EQ(Names("grep(*,\"(?P<x>e)\")"), (V{"e"}));
  EXPECT_EQ(EvalError("grep(*,\"(\")").code(), core::StatusCode::kInvalidArgument);
}

// Issue 8: std::regex overflowed the stack on a 16 KiB name ("(.|z)*" recursed once per
// character) and backtracked for ever on "(a+)+$" over a 41-character name.
TEST_F(FilterTest, GrepOverA16KiBNameAnswers) {
  const std::string huge = "y." + std::string(16 * 1024, 'a');
  source_.Add(huge, 0, 60, {1});
  source_.Add("y.b", 0, 60, {1});
  EXPECT_EQ(Names("grep(y.*,\"(.|z)*y\")"), (V{huge, "y.b"}));
  EXPECT_EQ(Names("grep(y.*,\"(.|z)*a$\")"), (V{huge}));
  EXPECT_EQ(Names("exclude(y.*,\"(.|z)*a$\")"), (V{"y.b"}));
}

TEST_F(FilterTest, ExcludeWithCatastrophicPatternAnswers) {
  const std::string stuck = "x." + std::string(38, 'a') + "b";  // 41 characters
  source_.Add(stuck, 0, 60, {1});
  source_.Add("x.aaa", 0, 60, {1});
  EXPECT_EQ(Names("exclude(x.*,\"(a+)+$\")"), (V{stuck}));
  EXPECT_EQ(Names("grep(x.*,\"(a+)+$\")"), (V{"x.aaa"}));
}

TEST_F(FilterTest, PatternsRe2CannotRunAreInvalidArgumentNamingFunctionAndPattern) {
  core::Status st = EvalError("grep(*,\"(?<=a)b\")");
  EXPECT_EQ(st.code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("grep: invalid regex '(?<=a)b': lookbehind"), std::string::npos)
      << st.message();
  st = EvalError("exclude(*,\"" + std::string(5000, 'a') + "\")");
  EXPECT_EQ(st.code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("longer than 4096 bytes"), std::string::npos) << st.message();
}

TEST_F(FilterTest, RemoveEmptySeriesAppliesXff) {
  EXPECT_EQ(Names("removeEmptySeries(*)"), (V{"a", "c", "d", "e"}));
  EXPECT_EQ(Names("removeEmptySeries(*,1)"), (V{"a", "c"}));
}

TEST_F(FilterTest, RemoveValueRenamesAndKeepsTags) {
  // F.removeAboveValue(ctx, [ts('a.b',[1,5,None,3,9])], 4.0)
  auto above = Eval("removeAboveValue(p.x,4)");
  ASSERT_EQ(above.size(), 1u);
  EXPECT_EQ(above[0].name, "removeAboveValue(p.x, 4)");
  EXPECT_EQ(above[0].path_expression, "removeAboveValue(p.x, 4)");
  EXPECT_EQ(above[0].tags, (Tags{{"name", "p.x"}}));
  ExpectValues(above[0], {1, N, N, 3, N});
  auto below = Eval("removeBelowValue(p.x,4)");
  EXPECT_EQ(below[0].name, "removeBelowValue(p.x, 4)");
  ExpectValues(below[0], {N, 5, N, N, 9});
}

TEST_F(FilterTest, RemovePercentileTagsSeriesWithPercentile) {
  // F.removeAbovePercentile(ctx, [ts('a.b',[1,5,None,3,9]), ts('a.c',[None,None])], 50.0)
  auto above = Eval("removeAbovePercentile(p.*,50)");
  ASSERT_EQ(above.size(), 2u);
  EXPECT_EQ(above[0].name, "removeAbovePercentile(p.x, 50)");
  EXPECT_EQ(above[0].tags, (Tags{{"name", "p.x"}, {"nPercentile", "50.0"}}));
  ExpectValues(above[0], {1, 5, N, 3, N});
  EXPECT_EQ(above[1].name, "removeAbovePercentile(p.y, 50)");
  EXPECT_EQ(above[1].tags, (Tags{{"name", "p.y"}}));
  // F.removeBelowPercentile(ctx, [ts('a.b',[1,5,None,3,9])], 50.0)
  auto below = Eval("removeBelowPercentile(p.x,50)");
  ExpectValues(below[0], {N, 5, N, N, 9});
}

TEST_F(FilterTest, NPercentileDrawsFlatLines) {
  // F.nPercentile(ctx, L, 90.0)
  auto r = Eval("nPercentile(*,90)");
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].name, "nPercentile(a, 90)");
  EXPECT_EQ(r[0].tags, (Tags{{"name", "a"}, {"nPercentile", "90.0"}}));
  ExpectValues(r[0], {3, 3, 3});
  ExpectValues(r[2], {10, 10, 10});
  EXPECT_FALSE(EvalError("nPercentile(*,0)").ok());
}

TEST_F(FilterTest, PercentileBandFilters) {
  // F.removeBetweenPercentile(ctx, [q.a, q.c, q.d, q.f, q.m], 30) and 80: q.m is removed
  EXPECT_EQ(Names("removeBetweenPercentile(q.*,30)"), (V{"q.a", "q.c", "q.d", "q.f"}));
  EXPECT_EQ(Names("removeBetweenPercentile(q.*,80)"), (V{"q.a", "q.c", "q.d", "q.f"}));
  // F.averageOutsidePercentile(ctx, [q.a, q.c, q.d, q.f, q.m], 70)
  EXPECT_EQ(Names("averageOutsidePercentile(q.*,70)"), (V{"q.a", "q.c", "q.f"}));
  EXPECT_EQ(Names("averageOutsidePercentile(q.*,45)").size(), 5u);
}

TEST_F(FilterTest, MostDeviantRanksByVariance) {
  EXPECT_EQ(Names("mostDeviant(*,2)"), (V{"d", "e"}));
}

TEST_F(FilterTest, UniqueKeepsFirstSeriesOfEachName) {
  EXPECT_EQ(Names("unique(group(a,b),group(b,c))"), (V{"a", "b", "c"}));
}

TEST_F(FilterTest, FallbackSeriesOnlyWhenEmpty) {
  EXPECT_EQ(Names("fallbackSeries(nothing.*,a)"), (V{"a"}));
  EXPECT_EQ(Names("fallbackSeries(c,a)"), (V{"c"}));
}

TEST_F(FilterTest, UseSeriesAboveEvaluatesRenamedTargets) {
  // maxima: d 10, e 5 (> 4); "s.d" exists, "s.e" does not
  EXPECT_EQ(Names("useSeriesAbove(*,4,\"^\",\"s.\")"), (V{"s.d"}));
  EXPECT_TRUE(Eval("useSeriesAbove(*,100,\"^\",\"s.\")").empty());
}

TEST_F(FilterTest, RegistersEveryFunctionWithItsGroup) {
  const std::map<std::string, std::string> kGroups = {{"highestCurrent", "Filter Series"},
                                                      {"highestMax", "Filter Series"},
                                                      {"highestAverage", "Filter Series"},
                                                      {"highest", "Filter Series"},
                                                      {"lowestCurrent", "Filter Series"},
                                                      {"lowestAverage", "Filter Series"},
                                                      {"lowest", "Filter Series"},
                                                      {"limit", "Filter Series"},
                                                      {"sortByName", "Sorting"},
                                                      {"sortByTotal", "Sorting"},
                                                      {"sortByMaxima", "Sorting"},
                                                      {"sortByMinima", "Sorting"},
                                                      {"sortBy", "Sorting"},
                                                      {"currentAbove", "Filter Series"},
                                                      {"currentBelow", "Filter Series"},
                                                      {"averageAbove", "Filter Series"},
                                                      {"averageBelow", "Filter Series"},
                                                      {"maximumAbove", "Filter Series"},
                                                      {"maximumBelow", "Filter Series"},
                                                      {"minimumAbove", "Filter Series"},
                                                      {"minimumBelow", "Filter Series"},
                                                      {"filterSeries", "Filter Series"},
                                                      {"exclude", "Filter Series"},
                                                      {"grep", "Filter Series"},
                                                      {"removeEmptySeries", "Filter Series"},
                                                      {"removeAboveValue", "Filter Data"},
                                                      {"removeBelowValue", "Filter Data"},
                                                      {"removeAbovePercentile", "Filter Data"},
                                                      {"removeBelowPercentile", "Filter Data"},
                                                      {"nPercentile", "Calculate"},
                                                      {"mostDeviant", "Filter Series"},
                                                      {"unique", "Filter Series"},
                                                      {"useSeriesAbove", "Filter Series"},
                                                      {"fallbackSeries", "Special"},
                                                      {"averageOutsidePercentile", "Filter Series"},
                                                      {"removeBetweenPercentile", "Filter Series"}};
  FunctionRegistry only_filters;
  RegisterFilterFunctions(only_filters);
  EXPECT_EQ(only_filters.All().size(), kGroups.size());
  for (const auto& [name, group] : kGroups) {
    const FunctionSpec* f = only_filters.Find(name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_EQ(f->group, group) << name;
    EXPECT_FALSE(f->description.empty()) << name;
  }
  const FunctionSpec* sort_by = only_filters.Find("sortBy");
  ASSERT_EQ(sort_by->params.size(), 3u);
  EXPECT_EQ(sort_by->params[1].default_json, "\"average\"");
  EXPECT_EQ(sort_by->params[1].options.size(), 16u);
  EXPECT_TRUE(only_filters.Find("unique")->params[0].multiple);
}

}  // namespace
}  // namespace meridian::query
