#include "dashboards/variables.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/metrics.h"
#include "support/fake_series_source.h"

namespace meridian::dashboards {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

TEST(VariableRefsTest, FindsGrafanasThreeForms) {
  auto refs = FindVariableRefs("$a.${b_1}.[[c]].$d2x-$");
  ASSERT_EQ(refs.size(), 4u);
  EXPECT_EQ(refs[0].name, "a");
  EXPECT_EQ(refs[0].position, 0u);
  EXPECT_EQ(refs[0].length, 2u);
  EXPECT_EQ(refs[1].name, "b_1");
  EXPECT_EQ(refs[1].length, 6u);
  EXPECT_EQ(refs[2].name, "c");
  EXPECT_EQ(refs[2].length, 5u);
  EXPECT_EQ(refs[3].name, "d2x");
}

TEST(VariableRefsTest, UnclosedFormsAreLiteral) {
  EXPECT_THAT(FindVariableRefs("${a.[[b].$.$-"), IsEmpty());
}

TEST(ExpandVariablesTest, ReplacesKnownAndKeepsUnknown) {
  const VariableValues values = {{"region", "eu"}, {"host", "{a,b}"}};
  EXPECT_EQ(ExpandVariables("$region.${host}.cpu.[[region]].$other", values),
            "eu.{a,b}.cpu.eu.$other");
  // Longest name wins, as in Grafana: $regions is another variable.
  EXPECT_EQ(ExpandVariables("$regions.x", values), "$regions.x");
}

TEST(GraphiteExpansionTest, SingleMultiAndAll) {
  EXPECT_EQ(GraphiteExpansion({"a"}, false, "", {"a", "b"}), "a");
  EXPECT_EQ(GraphiteExpansion({"a", "b"}, false, "", {"a", "b", "c"}), "{a,b}");
  EXPECT_EQ(GraphiteExpansion({}, true, "", {"a", "b", "c"}), "{a,b,c}");
  EXPECT_EQ(GraphiteExpansion({}, true, "*", {"a", "b"}), "*");
  EXPECT_EQ(GraphiteExpansion({}, true, "", {"only"}), "only");
  EXPECT_EQ(GraphiteExpansion({}, true, "", {}), "{}");
}

class ResolveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* n : {"eu.web01.cpu", "eu.web02.cpu", "eu.db01.cpu", "us.web01.cpu",
                          "us.web03.cpu", "ap.web09.cpu"}) {
      source_.Add(n, 0, 60, {1});
    }
    Variable region;
    region.name = "region";
    region.query = "*";
    Variable host;
    host.name = "host";
    host.query = "$region.web*";
    host.multi = true;
    host.include_all = true;
    d_.variables = {region, host};
  }

  std::vector<ResolvedVariable> Resolve(const Selections& s, size_t max_options = 1000) {
    return ResolveVariables(d_, source_, s, query::ReadOptions{}, {max_options, &truncated_});
  }

  testing::FakeSeriesSource source_;
  Dashboard d_;
  core::Counter truncated_;
};

TEST_F(ResolveTest, FirstOptionThenAllByDefault) {
  auto vars = Resolve({});
  ASSERT_EQ(vars.size(), 2u);
  EXPECT_THAT(vars[0].options, ElementsAre("ap", "eu", "us"));
  EXPECT_THAT(vars[0].selected, ElementsAre("ap"));
  EXPECT_EQ(vars[0].expansion, "ap");
  EXPECT_THAT(vars[1].options, ElementsAre("web09"));
  EXPECT_TRUE(vars[1].all);
  EXPECT_EQ(vars[1].expansion, "web09");
  EXPECT_FALSE(vars[0].error.has_value());
}

TEST_F(ResolveTest, LaterQueriesUseEarlierSelections) {
  auto vars = Resolve({{"region", {"eu"}}, {"host", {"web02", "web01", "nope"}}});
  EXPECT_THAT(vars[1].options, ElementsAre("web01", "web02"));
  EXPECT_THAT(vars[1].selected, ElementsAre("web02", "web01"));
  EXPECT_FALSE(vars[1].all);
  EXPECT_EQ(vars[1].expansion, "{web02,web01}");
}

TEST_F(ResolveTest, MultiRegionSelectionDeduplicatesOptions) {
  d_.variables[0].multi = true;
  auto vars = Resolve({{"region", {"eu", "us"}}});
  EXPECT_EQ(vars[0].expansion, "{eu,us}");
  EXPECT_THAT(vars[1].options, ElementsAre("web01", "web02", "web03"));
  EXPECT_EQ(vars[1].expansion, "{web01,web02,web03}");
}

TEST_F(ResolveTest, UnknownValuesFallBackToDefaultThenFirst) {
  d_.variables[0].defaults = {"us"};
  EXPECT_THAT(Resolve({{"region", {"mars"}}})[0].selected, ElementsAre("us"));
  d_.variables[0].defaults = {"venus"};
  EXPECT_THAT(Resolve({{"region", {"mars"}}})[0].selected, ElementsAre("ap"));
}

TEST_F(ResolveTest, SingleValueVariableKeepsTheFirstValue) {
  EXPECT_THAT(Resolve({{"region", {"us", "eu"}}})[0].selected, ElementsAre("us"));
}

TEST_F(ResolveTest, AllSelectedByUrlUsesAllValue) {
  d_.variables[1].all_value = "web*";
  auto vars = Resolve({{"region", {"eu"}}, {"host", {"$__all"}}});
  EXPECT_TRUE(vars[1].all);
  EXPECT_THAT(vars[1].selected, ElementsAre("web01", "web02"));
  EXPECT_EQ(vars[1].expansion, "web*");
  // All is not an option of a variable without include_all.
  EXPECT_THAT(Resolve({{"region", {"All"}}})[0].selected, ElementsAre("ap"));
}

TEST_F(ResolveTest, RegexFiltersOptions) {
  d_.variables[0].regex = "^(eu|us)$";
  EXPECT_THAT(Resolve({})[0].options, ElementsAre("eu", "us"));
}

TEST_F(ResolveTest, OptionsAreBoundedAndCounted) {
  auto vars = Resolve({}, 2);
  EXPECT_THAT(vars[0].options, ElementsAre("ap", "eu"));
  ASSERT_TRUE(vars[0].error.has_value());
  EXPECT_THAT(*vars[0].error, ::testing::HasSubstr("dashboards.max_variable_options"));
  EXPECT_EQ(truncated_.Value(), 1u);
}

TEST_F(ResolveTest, FailedFindKeepsRequestedValuesUnchecked) {
  d_.variables[0].query = "";  // the glob compiler refuses an empty pattern
  auto vars = ResolveVariables(d_, source_, {{"region", {"eu"}}}, query::ReadOptions{}, {});
  ASSERT_TRUE(vars[0].error.has_value());
  EXPECT_THAT(*vars[0].error, ::testing::StartsWith("find ''"));
  EXPECT_THAT(vars[0].selected, ElementsAre("eu"));
  EXPECT_THAT(vars[1].options, ElementsAre("web01", "web02"));
}

TEST_F(ResolveTest, ExpiredDeadlineIsAVariableErrorNotAFailure) {
  query::ReadOptions read =
      query::ReadOptions::WithDeadline(core::Deadline::After(std::chrono::nanoseconds(-1)));
  auto vars = ResolveVariables(d_, source_, {}, read, {});
  ASSERT_EQ(vars.size(), 2u);
  EXPECT_TRUE(vars[0].error.has_value());
  EXPECT_THAT(vars[0].options, IsEmpty());
}

}  // namespace
}  // namespace meridian::dashboards
