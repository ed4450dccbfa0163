#include "query/evaluator.h"

#include <gtest/gtest.h>

#include "query/functions/common.h"
#include "support/fake_series_source.h"

namespace meridian::query {
namespace {

using functions::MakeParam;

// A registry with two test functions that expose how arguments were bound.
FunctionRegistry TestRegistry() {
  FunctionRegistry r;
  r.Add(
      {"describe",
       "Special",
       "test",
       {MakeParam("seriesList", ParamType::kSeriesList, true),
        MakeParam("factor", ParamType::kFloat, false, false, "1"),
        MakeParam("label", ParamType::kString), MakeParam("nodes", ParamType::kNode, false, true)},
       [](Call& c) -> core::Result<SeriesList> {
         ASSIGN_OR_RETURN(SeriesList in, c.Series("seriesList"));
         ASSIGN_OR_RETURN(double f, c.Number("factor", 1.0));
         ASSIGN_OR_RETURN(std::string label, c.String("label", std::string("none")));
         ASSIGN_OR_RETURN(auto nodes, c.Nodes("nodes"));
         for (Series& s : in) {
           s.name =
               s.name + "|" + std::to_string(f) + "|" + label + "|" + std::to_string(nodes.size());
         }
         return in;
       }});
  r.Add({"concat",
         "Combine",
         "test",
         {MakeParam("seriesLists", ParamType::kSeriesLists, true, true)},
         [](Call& c) { return c.SeriesConcat("seriesLists"); }});
  return r;
}

class EvaluatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    src_.Add("a.b.c", 100, 10, {1, 2, 3});
    src_.Add("a.x.c", 100, 10, {4, 5, 6});
    src_.Add("cpu;dc=eu", 100, 10, {7});
    src_.Add("cpu;dc=us", 100, 10, {8});
  }
  core::Result<SeriesList> Eval(const std::string& target,
                                std::map<std::string, std::string> vars = {}) {
    Evaluator e(src_, registry_, {}, std::move(vars));
    return e.EvaluateTarget(target, {0, 1000, 1000});
  }
  std::vector<std::string> Names(const std::string& target) {
    auto r = Eval(target);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const auto& s : *r) out.push_back(s.name);
    }
    return out;
  }
  testing::FakeSeriesSource src_;
  FunctionRegistry registry_ = TestRegistry();
};

TEST_F(EvaluatorTest, PathsAreGlobbedSortedAndCarryPathExpression) {
  auto r = Eval("a.{x,b}.c");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].name, "a.b.c");
  EXPECT_EQ((*r)[1].name, "a.x.c");
  EXPECT_EQ((*r)[0].path_expression, "a.{x,b}.c");
  EXPECT_EQ((*r)[0].tags.at("name"), "a.b.c");
}

TEST_F(EvaluatorTest, BindsPositionalKeywordAndMultipleArguments) {
  EXPECT_EQ(Names("describe(a.b.c)"), std::vector<std::string>{"a.b.c|1.000000|none|0"});
  EXPECT_EQ(Names("describe(a.b.c, 2, 'x', 1, -1, 'dc')"),
            std::vector<std::string>{"a.b.c|2.000000|x|3"});
  EXPECT_EQ(Names("describe(a.b.c, label=\"k\", factor=0.5)"),
            std::vector<std::string>{"a.b.c|0.500000|k|0"});
  EXPECT_EQ(Names("a.b.c|describe(3)"), std::vector<std::string>{"a.b.c|3.000000|none|0"});
  EXPECT_EQ(Names("concat(a.x.c, a.b.c)"), (std::vector<std::string>{"a.x.c", "a.b.c"}));
}

TEST_F(EvaluatorTest, BadCallsAreInvalidArgumentWithTheFunctionName) {
  for (const char* t :
       {"nosuch(a.b.c)", "describe()", "describe(a.b.c, bogus=1)", "describe(a.b.c, 'notanumber')",
        "describe(a.b.c, factor=1, factor=2)", "describe(1)", "describe(a.b.c"}) {
    auto r = Eval(t);
    EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument) << t;
  }
  EXPECT_NE(Eval("nosuch(a.b.c)").status().message().find("nosuch"), std::string::npos);
  EXPECT_NE(Eval("describe(a.b.c, bogus=1)").status().message().find("describe"),
            std::string::npos);
}

TEST_F(EvaluatorTest, SeriesByTagUsesTheCallAsPathExpression) {
  auto r = Eval("seriesByTag('name=cpu')");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].name, "cpu;dc=eu");
  EXPECT_EQ((*r)[0].path_expression, "seriesByTag('name=cpu')");
  EXPECT_EQ((*r)[0].tags.at("dc"), "eu");
  EXPECT_FALSE(Eval("seriesByTag(1)").ok());
}

// Issue 8: 'k=~(a+)+$' backtracked for ever in std::regex over a 41-character value.
TEST_F(EvaluatorTest, SeriesByTagRegexesAnswerAndErrorsNameFunctionAndPattern) {
  src_.Add("bt;k=" + std::string(40, 'a') + "b", 100, 10, {1});
  src_.Add("bt;k=aaa", 100, 10, {2});
  auto r = Eval("seriesByTag('k=~(a+)+$')");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].name, "bt;k=aaa");
  auto bad = Eval("seriesByTag('k=~(a)\\1')");
  EXPECT_EQ(bad.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message().rfind("seriesByTag: invalid regex '(a)\\1': back-reference", 0),
            0u)
      << bad.status().message();
}

TEST_F(EvaluatorTest, TemplatesSubstituteDefaultsAndRequestVariables) {
  EXPECT_EQ(Names("template(a.$n.c, n='b')"), std::vector<std::string>{"a.b.c"});
  auto r = Eval("template(a.$n.c, n='b')", {{"n", "x"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0].name, "a.x.c");
}

TEST_F(EvaluatorTest, BudgetsAreResourceExhausted) {
  EvalLimits limits;
  limits.max_series = 1;
  Evaluator e(src_, registry_, limits);
  EXPECT_EQ(e.EvaluateTarget("a.*.c", {0, 1000, 1000}).status().code(),
            core::StatusCode::kResourceExhausted);
  EvalLimits points;
  points.max_points = 4;
  Evaluator e2(src_, registry_, points);
  EXPECT_EQ(e2.EvaluateTarget("a.*.c", {0, 1000, 1000}).status().code(),
            core::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace meridian::query
