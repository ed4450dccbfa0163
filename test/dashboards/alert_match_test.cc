#include "dashboards/alert_match.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/fake_series_source.h"

namespace meridian::dashboards {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

alerting::RuleSet Rules(std::vector<std::pair<std::string, std::string>> name_target) {
  alerting::RuleSet set;
  alerting::RuleGroup g;
  g.name = "web";
  for (auto& [name, target] : name_target) {
    alerting::Rule r;
    r.name = name;
    r.target = target;
    g.rules.push_back(std::move(r));
  }
  set.groups.push_back(std::move(g));
  return set;
}

TEST(SeriesOfTest, CollectsPathsAtAnyDepthAndTagExpressions) {
  auto e = query::ParseTarget("asPercent(sumSeries(a.*.x), b.y) | alias('t') ; ");
  ASSERT_FALSE(e.ok());  // trailing text: not a target
  auto parsed = query::ParseTarget("asPercent(sumSeries(a.*.x), b.y)|alias('t')");
  ASSERT_TRUE(parsed.ok());
  TargetSeries s = SeriesOf(*parsed);
  EXPECT_THAT(s.patterns, ElementsAre("a.*.x", "b.y"));
  auto tagged = query::ParseTarget("sumSeries(seriesByTag('name=cpu', 'dc=eu'))");
  ASSERT_TRUE(tagged.ok());
  TargetSeries t = SeriesOf(*tagged);
  EXPECT_THAT(t.patterns, IsEmpty());
  ASSERT_EQ(t.tagged.size(), 1u);
  EXPECT_THAT(t.tagged[0], ElementsAre("name=cpu", "dc=eu"));
}

class AlertMatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* n : {"eu.web01.cpu", "eu.web02.cpu", "eu.web01.mem", "us.web01.cpu"}) {
      source_.Add(n, 0, 60, {1});
    }
  }
  testing::FakeSeriesSource source_;
  query::ReadOptions read_;
  core::Counter truncated_;
};

TEST_F(AlertMatchTest, RuleWatchesAPanelWhenTheirSeriesOverlap) {
  const auto rules = Rules({{"cpu-high", "eu.*.cpu"},
                            {"one-host", "maxSeries(eu.web02.cpu)"},
                            {"mem", "eu.web01.mem"},
                            {"us", "us.*.cpu"}});
  AlertMatcher m(rules, source_, read_, 1000, &truncated_);
  EXPECT_THAT(m.RulesWatching({"aliasByNode(eu.{web01,web02}.cpu, 1)"}),
              ElementsAre(WatchingRule{"web", "cpu-high", "eu.*.cpu"},
                          WatchingRule{"web", "one-host", "maxSeries(eu.web02.cpu)"}));
  EXPECT_THAT(m.RulesWatching({"eu.web01.mem", "us.web01.cpu"}),
              ElementsAre(WatchingRule{"web", "mem", "eu.web01.mem"},
                          WatchingRule{"web", "us", "us.*.cpu"}));
  EXPECT_THAT(m.RulesWatching({"ap.*.cpu", "not a target("}), IsEmpty());
}

TEST_F(AlertMatchTest, SamePatternOverlapsWithoutData) {
  const auto rules = Rules({{"future", "new.series.*"}});
  AlertMatcher m(rules, source_, read_, 1000, &truncated_);
  EXPECT_THAT(m.RulesWatching({"sumSeries(new.series.*)"}), ::testing::SizeIs(1));
}

TEST_F(AlertMatchTest, NamesAreBoundedAndCounted) {
  const auto rules = Rules({{"last", "eu.web02.cpu"}});
  AlertMatcher m(rules, source_, read_, 1, &truncated_);
  // eu.*.cpu resolves to eu.web01.cpu only (the bound): the rule on web02 is not seen.
  EXPECT_THAT(m.RulesWatching({"eu.*.cpu"}), IsEmpty());
  EXPECT_GE(truncated_.Value(), 1u);
}

}  // namespace
}  // namespace meridian::dashboards
