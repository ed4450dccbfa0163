#include "aggregation/aggregating_sink.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "support/fake_clock.h"
#include "support/process.h"

namespace meridian::aggregation {
namespace {

struct Written {
  std::string name;
  int64_t timestamp;
  double value;
  bool operator==(const Written&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Written& w) {
  return os << w.name << " " << w.value << " " << w.timestamp;
}

// Records what reaches the store; refuses while `full`.
class RecordingSink final : public ingest::PointSink {
 public:
  bool TryWrite(storage::PointBatch& batch) override {
    if (full) return false;
    for (const auto& e : batch.entries())
      points.push_back({std::string(batch.name(e)), e.timestamp, e.value});
    return true;
  }
  std::vector<Written> points;
  bool full = false;
};

class AggregatingSinkTest : public ::testing::Test {
 protected:
  void Install(std::string_view rules_text, std::string_view rewrite_text = "",
               AggregatingSinkOptions options = {}) {
    if (!sink_) {
      auto sink = AggregatingSink::Create(options, store_, clock_, registry_);
      ASSERT_TRUE(sink.ok()) << sink.status().message();
      sink_ = std::move(sink).value();
    }
    auto rules = ParseAggregationRules(rules_text, "agg.conf", 100);
    ASSERT_TRUE(rules.ok()) << rules.status().message();
    auto rewrites = ParseRewriteRules(rewrite_text, "rw.conf", 100);
    ASSERT_TRUE(rewrites.ok()) << rewrites.status().message();
    auto set = RuleSet::Build(*rules, *rewrites);
    ASSERT_TRUE(set.ok()) << set.status().message();
    sink_->SetRules(*set);
  }

  bool Send(std::vector<Written> points) {
    storage::PointBatch batch;
    for (const Written& p : points) batch.Add(p.name, p.timestamp, p.value);
    return sink_->TryWrite(batch);
  }

  uint64_t Counter(const std::string& name, const core::Labels& labels) {
    return registry_.GetCounter(name, "", labels).Value();
  }

  testing::FakeClock clock_{1000};
  core::MetricsRegistry registry_;
  RecordingSink store_;
  std::unique_ptr<AggregatingSink> sink_;
};

TEST_F(AggregatingSinkTest, ForwardsInputsAndWritesAggregatesWhenTheIntervalEnds) {
  Install("totals.<dc>.cpu (10) = sum servers.<dc>.*.cpu\n");
  ASSERT_TRUE(Send({{"servers.ams.a.cpu", 1000, 1},
                    {"servers.ams.b.cpu", 1003, 2},
                    {"servers.fra.a.cpu", 1009, 5},
                    {"other", 1000, 7}}));
  EXPECT_EQ(store_.points.size(), 4u);  // the inputs, as carbon's FORWARD_ALL
  sink_->Flush();
  EXPECT_EQ(store_.points.size(), 4u);  // [1000, 1010) not over at 1000
  clock_.SetSeconds(1010);
  sink_->Flush();
  ASSERT_EQ(store_.points.size(), 6u);
  std::vector<Written> aggregates(store_.points.begin() + 4, store_.points.end());
  std::sort(aggregates.begin(), aggregates.end(),
            [](const Written& a, const Written& b) { return a.name < b.name; });
  EXPECT_EQ(aggregates[0], (Written{"totals.ams.cpu", 1000, 3}));
  EXPECT_EQ(aggregates[1], (Written{"totals.fra.cpu", 1000, 5}));
  EXPECT_EQ(Counter("aggregation_rule_points_matched_total", {{"rule", "agg.conf:1"}}), 3u);
  EXPECT_EQ(Counter("aggregation_rule_points_emitted_total", {{"rule", "agg.conf:1"}}), 2u);
}

TEST_F(AggregatingSinkTest, WithoutForwardingOnlyAggregatesAreWritten) {
  AggregatingSinkOptions o;
  o.forward_inputs = false;
  Install("t (10) = max a.*\n", "", o);
  ASSERT_TRUE(Send({{"a.x", 1000, 1}, {"a.y", 1001, 4}, {"b", 1000, 9}}));
  EXPECT_TRUE(store_.points.empty());
  clock_.SetSeconds(1010);
  sink_->Flush();
  EXPECT_EQ(store_.points, (std::vector<Written>{{"t", 1000, 4}}));
}

TEST_F(AggregatingSinkTest, AnInputNamedLikeItsOwnOutputIsNotForwarded) {
  Install("<metric> (10) = avg <<metric>>\n");  // carbon: "aggregate in place"
  ASSERT_TRUE(Send({{"a.b", 1000, 1}, {"a.b", 1005, 3}}));
  EXPECT_TRUE(store_.points.empty());
  clock_.SetSeconds(1010);
  sink_->Flush();
  EXPECT_EQ(store_.points, (std::vector<Written>{{"a.b", 1000, 2}}));
}

TEST_F(AggregatingSinkTest, PreRewritesComeBeforeMatchingAndPostOnlyRenameForwardedInputs) {
  Install("all.<m> (10) = sum hosts.*.<m>\n",
          "[pre]\n^servers\\. = hosts.\n[post]\n^hosts\\. = h.\nall = everything\n");
  ASSERT_TRUE(Send({{"servers.a.cpu", 1000, 1}, {"servers.b.cpu", 1000, 2}}));
  EXPECT_EQ(store_.points, (std::vector<Written>{{"h.a.cpu", 1000, 1}, {"h.b.cpu", 1000, 2}}));
  clock_.SetSeconds(1010);
  sink_->Flush();
  // Carbon 1.1.7 sends generated points through relay/write only: no [post] rename.
  ASSERT_EQ(store_.points.size(), 3u);
  EXPECT_EQ(store_.points[2], (Written{"all.cpu", 1000, 3}));
}

TEST_F(AggregatingSinkTest, RefusedBatchLeavesNoTraceAndItsRetryCountsOnce) {
  Install("t (10) = sum a.*\n");
  store_.full = true;
  EXPECT_FALSE(Send({{"a.x", 1000, 1}}));
  store_.full = false;
  EXPECT_TRUE(Send({{"a.x", 1000, 1}}));
  clock_.SetSeconds(1010);
  sink_->Flush();
  EXPECT_EQ(store_.points, (std::vector<Written>{{"a.x", 1000, 1}, {"t", 1000, 1}}));
}

TEST_F(AggregatingSinkTest, WithoutForwardingARefusedFlushIsRetried) {
  AggregatingSinkOptions o;
  o.forward_inputs = false;
  Install("t (10) = sum a.*\n", "", o);
  ASSERT_TRUE(Send({{"a.x", 1000, 1}}));
  clock_.SetSeconds(1010);
  store_.full = true;
  sink_->Flush();
  EXPECT_EQ(Counter("aggregation_flush_refused_total", {}), 1u);
  store_.full = false;
  sink_->Flush();
  EXPECT_EQ(store_.points, (std::vector<Written>{{"t", 1000, 1}}));
}

TEST_F(AggregatingSinkTest, LatePointsAreDroppedAndCountedPerRule) {
  AggregatingSinkOptions o;
  o.max_intervals = 2;
  Install("t (10) = sum a.*\n", "", o);
  clock_.SetSeconds(1000);
  ASSERT_TRUE(Send({{"a.x", 979, 1}, {"a.x", 980, 2}}));
  EXPECT_EQ(Counter("aggregation_rule_points_late_total", {{"rule", "agg.conf:1"}}), 1u);
  EXPECT_EQ(Counter("aggregation_points_dropped_total", {{"reason", "late"}}), 1u);
  sink_->Flush();
  EXPECT_EQ(store_.points.back(), (Written{"t", 980, 2}));
}

TEST_F(AggregatingSinkTest, InvalidGeneratedNamesAreDroppedAndCounted) {
  Install("x..<n> (10) = sum a.<n>\n", "[pre]\n^b$ = \n");
  ASSERT_TRUE(Send({{"a.q", 1000, 1}, {"b", 1000, 2}, {"c", 1000, 3}}));
  // "b" is rewritten to "" (dropped); "a.q" forwarded but its output "x..q" is not a name.
  EXPECT_EQ(store_.points, (std::vector<Written>{{"a.q", 1000, 1}, {"c", 1000, 3}}));
  EXPECT_EQ(Counter("aggregation_points_dropped_total", {{"reason", "bad_name"}}), 2u);
}

TEST_F(AggregatingSinkTest, RewrittenTaggedNamesAreCanonical) {
  // A template cannot hold '=' (the rule splits at the first one); a rewrite can make tags.
  Install("total.<n> (10) = sum <<n>>;app=x;zone=eu\n", "[pre]\n^req$ = req;zone=eu;app=x\n");
  ASSERT_TRUE(Send({{"req", 1000, 1}}));
  EXPECT_EQ(store_.points.back(), (Written{"req;app=x;zone=eu", 1000, 1}));
  clock_.SetSeconds(1010);
  sink_->Flush();
  EXPECT_EQ(store_.points.back(), (Written{"total.req", 1000, 1}));
}

TEST_F(AggregatingSinkTest, ReloadingTheSameRulesKeepsBuffersAndChangedRulesClearThem) {
  Install("t (10) = sum a.*\n");
  ASSERT_TRUE(Send({{"a.x", 1000, 1}}));
  Install("t (10) = sum a.*\n");  // same: the open interval survives
  ASSERT_TRUE(Send({{"a.x", 1001, 2}}));
  Install("t (10) = max a.*\n");  // changed: carbon clears its buffers
  EXPECT_EQ(Counter("aggregation_points_dropped_total", {{"reason", "reload"}}), 2u);
  ASSERT_TRUE(Send({{"a.x", 1002, 5}}));
  clock_.SetSeconds(1010);
  sink_->Flush();
  EXPECT_EQ(store_.points.back(), (Written{"t", 1000, 5}));
}

TEST_F(AggregatingSinkTest, StopWritesOpenIntervals) {
  Install("t (60) = count a.*\n");
  ASSERT_TRUE(Send({{"a.x", 1000, 1}, {"a.y", 1001, 1}}));
  sink_->Stop();
  EXPECT_EQ(store_.points.back(), (Written{"t", 960, 2}));
}

TEST_F(AggregatingSinkTest, TheNameCacheStartsOverWhenFull) {
  AggregatingSinkOptions o;
  o.max_cached_names = 2;
  Install("t (10) = sum a.*\n", "", o);
  ASSERT_TRUE(Send({{"a.x", 1000, 1}, {"a.y", 1000, 1}}));
  ASSERT_TRUE(Send({{"a.z", 1000, 1}}));
  EXPECT_EQ(Counter("aggregation_name_cache_resets_total", {}), 1u);
  clock_.SetSeconds(1010);
  sink_->Flush();
  EXPECT_EQ(store_.points.back(), (Written{"t", 1000, 3}));
}

TEST_F(AggregatingSinkTest, OptionsAreValidated) {
  AggregatingSinkOptions o;
  o.max_intervals = 0;
  EXPECT_FALSE(o.Validate().ok());
  o = {};
  o.flush_interval = std::chrono::milliseconds(1);
  EXPECT_FALSE(o.Validate().ok());
  EXPECT_FALSE(AggregatingSink::Create(o, store_, clock_, registry_).ok());
}

TEST_F(AggregatingSinkTest, TheFlushThreadWritesDueAggregates) {
  AggregatingSinkOptions o;
  o.flush_interval = std::chrono::milliseconds(10);
  Install("t (10) = sum a.*\n", "", o);
  ASSERT_TRUE(Send({{"a.x", 1000, 1}}));
  clock_.SetSeconds(1010);
  sink_->Start();
  // Bounded wait for the thread's flush.
  testing::WaitFor(
      [&] {
        return Counter("aggregation_rule_points_emitted_total", {{"rule", "agg.conf:1"}}) != 0;
      },
      std::chrono::seconds(5));
  sink_->Stop();
  EXPECT_EQ(Counter("aggregation_rule_points_emitted_total", {{"rule", "agg.conf:1"}}), 1u);
}

}  // namespace
}  // namespace meridian::aggregation
