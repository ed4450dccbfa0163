#include "aggregation/internal/buffers.h"

#include <gtest/gtest.h>

#include <vector>

namespace meridian::aggregation::internal {
namespace {

IntervalValues Values(const std::vector<double>& vs, bool keep = true) {
  IntervalValues v;
  for (double x : vs) v.Add(x, keep);
  return v;
}

AggregationRule Rule(Method method, int64_t frequency, double percentile = 0) {
  AggregationRule r;
  r.method = method;
  r.frequency = frequency;
  r.percentile = percentile;
  return r;
}

// Expected values computed with carbon 1.1.7's AGGREGATION_METHODS under Python 3.11.
TEST(AggregateTest, MatchesCarbonsFunctions) {
  IntervalValues v = Values({3.0, 1.0, 4.0, 1.5, 9.0, 2.6});
  EXPECT_EQ(Aggregate(Method::kPercentile, 0.50, v), 2.8);
  EXPECT_EQ(Aggregate(Method::kPercentile, 0.75, v), 3.75);
  EXPECT_EQ(Aggregate(Method::kPercentile, 0.90, v), 6.5);
  EXPECT_EQ(Aggregate(Method::kPercentile, 0.99, v), 8.75);
  EXPECT_EQ(Aggregate(Method::kPercentile, 0.999, v), 8.975000000000001);
  IntervalValues one = Values({5.0});
  EXPECT_EQ(Aggregate(Method::kPercentile, 0.999, one), 5.0);
  // Values arriving after a percentile was taken are merged in: p50 of {1..9, 0.5} sorted.
  IntervalValues more = v;
  more.Add(0.5, true);
  EXPECT_EQ(Aggregate(Method::kPercentile, 0.50, more), 2.6);
  EXPECT_EQ(Aggregate(Method::kMin, 0, v), 1.0);
  EXPECT_EQ(Aggregate(Method::kMax, 0, v), 9.0);
  EXPECT_EQ(Aggregate(Method::kCount, 0, v), 6.0);
  // sum() adds left to right: 0.1 + 0.2 + 0.3 == 0.6000000000000001, avg 0.20000000000000004.
  IntervalValues tenths = Values({0.1, 0.2, 0.3}, false);
  EXPECT_EQ(Aggregate(Method::kSum, 0, tenths), 0.6000000000000001);
  EXPECT_EQ(Aggregate(Method::kAvg, 0, tenths), 0.20000000000000004);
  EXPECT_TRUE(tenths.values.empty());  // only percentiles keep the values
}

TEST(BuffersTest, IntervalsStartAtMultiplesOfTheFrequency) {
  Buffers b(BufferLimits{});
  const AggregationRule sum = Rule(Method::kSum, 60);
  ASSERT_EQ(b.Add("o", sum, 0, 1200, 1, 1300), Buffers::AddResult::kAdded);
  ASSERT_EQ(b.Add("o", sum, 0, 1259, 2, 1300), Buffers::AddResult::kAdded);
  ASSERT_EQ(b.Add("o", sum, 0, 1260, 4, 1300), Buffers::AddResult::kAdded);
  std::vector<Buffers::Emitted> out;
  b.Collect(1319, false, &out);  // [1260, 1320) is not over yet
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].name, "o");
  EXPECT_EQ(out[0].interval, 1200);
  EXPECT_EQ(out[0].value, 3);
  out.clear();
  b.Collect(1320, false, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].interval, 1260);
  EXPECT_EQ(out[0].value, 4);
  out.clear();
  b.Collect(1400, false, &out);  // nothing new: nothing emitted
  EXPECT_TRUE(out.empty());
}

TEST(BuffersTest, APointAfterItsIntervalWasEmittedReemitsTheWholeInterval) {
  Buffers b(BufferLimits{});
  const AggregationRule avg = Rule(Method::kAvg, 10);
  ASSERT_EQ(b.Add("o", avg, 0, 100, 2, 105), Buffers::AddResult::kAdded);
  std::vector<Buffers::Emitted> out;
  b.Collect(110, false, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].value, 2);
  ASSERT_EQ(b.Add("o", avg, 0, 109, 4, 112), Buffers::AddResult::kAdded);
  out.clear();
  b.Collect(113, false, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].interval, 100);
  EXPECT_EQ(out[0].value, 3);
}

TEST(BuffersTest, PointsOlderThanMaxIntervalsAreLateAndOldIntervalsAreForgotten) {
  Buffers b(BufferLimits{2, 1000, 1000});
  const AggregationRule sum = Rule(Method::kSum, 10);
  // now 1005: current interval 1000, the oldest kept 1000 - 2*10 = 980.
  EXPECT_EQ(b.Add("o", sum, 0, 980, 1, 1005), Buffers::AddResult::kAdded);
  EXPECT_EQ(b.Add("o", sum, 0, 979, 1, 1005), Buffers::AddResult::kLate);
  EXPECT_EQ(b.interval_count(), 1u);
  std::vector<Buffers::Emitted> out;
  b.Collect(1005, false, &out);  // emitted now, kept until the next Collect
  EXPECT_EQ(out.size(), 1u);
  EXPECT_EQ(b.interval_count(), 1u);
  out.clear();
  b.Collect(1010, false, &out);  // 980 < 1010 - 20: forgotten
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(b.interval_count(), 0u);
  EXPECT_EQ(b.metric_count(), 0u);
}

TEST(BuffersTest, TheFirstRuleBindsFrequencyAndMethodOfAnOutput) {
  Buffers b(BufferLimits{});
  ASSERT_EQ(b.Add("o", Rule(Method::kMax, 60), 3, 61, 5, 61), Buffers::AddResult::kAdded);
  ASSERT_EQ(b.Add("o", Rule(Method::kSum, 10), 4, 75, 7, 75), Buffers::AddResult::kAdded);
  std::vector<Buffers::Emitted> out;
  b.Collect(120, false, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].interval, 60);
  EXPECT_EQ(out[0].value, 7);
  EXPECT_EQ(out[0].rule, 3u);
}

TEST(BuffersTest, LimitsRefuseNewIntervalsAndValues) {
  Buffers b(BufferLimits{5, 2, 3});
  const AggregationRule sum = Rule(Method::kSum, 10);
  const AggregationRule p50 = Rule(Method::kPercentile, 10, 0.5);
  EXPECT_EQ(b.Add("a", sum, 0, 100, 1, 100), Buffers::AddResult::kAdded);
  EXPECT_EQ(b.Add("a", sum, 0, 110, 1, 110), Buffers::AddResult::kAdded);
  EXPECT_EQ(b.Add("a", sum, 0, 120, 1, 120), Buffers::AddResult::kMaxBuffers);
  EXPECT_EQ(b.Add("b", sum, 0, 110, 1, 110), Buffers::AddResult::kMaxBuffers);
  EXPECT_EQ(b.Add("a", sum, 0, 111, 1, 111), Buffers::AddResult::kAdded);  // existing interval
  EXPECT_EQ(b.metric_count(), 1u);
  Buffers p(BufferLimits{5, 100, 3});
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(p.Add("p", p50, 0, 100, i, 100), Buffers::AddResult::kAdded);
  EXPECT_EQ(p.Add("p", p50, 0, 100, 9, 100), Buffers::AddResult::kMaxValues);
  EXPECT_EQ(p.Add("s", sum, 0, 100, 9, 100), Buffers::AddResult::kAdded);  // sums keep no values
  EXPECT_EQ(p.value_count(), 3u);
  EXPECT_EQ(p.Clear(), 4u);
  EXPECT_EQ(p.value_count(), 0u);
}

TEST(BuffersTest, ReactivatedIntervalsAreEmittedAgainAndEverythingFlushesOpenOnes) {
  Buffers b(BufferLimits{1, 100, 100});
  const AggregationRule sum = Rule(Method::kSum, 10);
  ASSERT_EQ(b.Add("o", sum, 0, 100, 1, 100), Buffers::AddResult::kAdded);
  std::vector<Buffers::Emitted> out;
  b.Collect(200, false, &out);  // long overdue, and old: still kept for a retry
  ASSERT_EQ(out.size(), 1u);
  b.Reactivate(out);
  out.clear();
  b.Collect(200, false, &out);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(b.Add("o", sum, 0, 205, 3, 205), Buffers::AddResult::kAdded);
  out.clear();
  b.Collect(205, true, &out);  // the open interval [200, 210) too
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].interval, 200);
  EXPECT_EQ(out[0].value, 3);
}

TEST(BuffersTest, NegativeTimestampsUsePythonsModulo) {
  Buffers b(BufferLimits{});
  ASSERT_EQ(b.Add("o", Rule(Method::kSum, 60), 0, -1, 1, 0), Buffers::AddResult::kAdded);
  std::vector<Buffers::Emitted> out;
  b.Collect(0, false, &out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].interval, -60);
}

}  // namespace
}  // namespace meridian::aggregation::internal
