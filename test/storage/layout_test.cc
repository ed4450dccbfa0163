#include "storage/internal/layout.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace meridian::storage::internal {
namespace {

constexpr double kNull = std::numeric_limits<double>::quiet_NaN();

SchemaLayout MakeLayout(const char* retentions, AggregationMethod method, double xff,
                        uint32_t ppb = 360) {
  SeriesSchema s{*ParseRetentions(retentions), method, xff};
  return SchemaLayout::FromSchema(s, ppb);
}

TEST(LayoutTest, BlockWindowsHoldWholeSlotsOfTheNextArchive) {
  SchemaLayout l = MakeLayout("10s:6h,1m:7d,10m:5y", AggregationMethod::kAverage, 0.5);
  ASSERT_EQ(l.archives.size(), 3u);
  EXPECT_EQ(l.archives[0].window, 3600);
  EXPECT_EQ(l.archives[1].window, 21600);
  EXPECT_EQ(l.archives[2].window, 216000);
  // 10s with 360 slots would be 1h, which does not hold whole days: rounded up to 1d.
  SchemaLayout d = MakeLayout("10s:1d,1d:5y", AggregationMethod::kAverage, 0.5);
  EXPECT_EQ(d.archives[0].window, 86400);
}

TEST(LayoutTest, EncodeDecodeRoundTrip) {
  SchemaLayout l = MakeLayout("10s:6h,1m:7d", AggregationMethod::kSum, 0.25);
  auto back = SchemaLayout::Decode(l.Encode(), 360);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->Encode(), l.Encode());
  EXPECT_EQ(back->method, AggregationMethod::kSum);
  EXPECT_FALSE(SchemaLayout::Decode("garbage", 360).ok());
  EXPECT_FALSE(SchemaLayout::Decode("10:6|average|x", 360).ok());
}

TEST(LayoutTest, ArchiveForAgePicksFirstCoveringArchiveLikeWhisper) {
  SchemaLayout l = MakeLayout("10s:1h,1m:1d", AggregationMethod::kAverage, 0.5);
  EXPECT_EQ(ArchiveForAge(l, -50), 0u);  // future points go to the finest archive
  EXPECT_EQ(ArchiveForAge(l, 3600), 0u);
  EXPECT_EQ(ArchiveForAge(l, 3601), 1u);
  EXPECT_EQ(ArchiveForAge(l, 86401), std::nullopt);
}

TEST(LayoutTest, MergeKeepsLaterTimestampThenLaterArrivalPerSlot) {
  std::vector<SlotValue> slots = {{0, 1.0}, {2, 3.0}};
  std::vector<HeadPoint> pts = {{1025, 9.0}, {1021, 7.0}, {1030, 4.0}, {1030, 5.0}};
  MergeIntoBlock(pts, 1000, 10, &slots);
  ASSERT_EQ(slots.size(), 3u);
  EXPECT_EQ(slots[0].slot, 0u);
  EXPECT_EQ(slots[0].value, 1.0);
  EXPECT_EQ(slots[1].slot, 2u);
  EXPECT_EQ(slots[1].value, 9.0);  // 1025 beats 1021 whatever the arrival order
  EXPECT_EQ(slots[2].slot, 3u);
  EXPECT_EQ(slots[2].value, 5.0);  // same timestamp: later arrival
}

TEST(LayoutTest, RollupAppliesXFilesFactorPerCoarseSlot) {
  SchemaLayout l = MakeLayout("10s:1h,1m:1d", AggregationMethod::kAverage, 0.5);
  std::vector<double> fine = {1, 2,     3,     kNull, kNull, kNull,   // 3/6 → avg 2
                              5, kNull, kNull, kNull, kNull, kNull};  // 1/6 → nothing
  auto out = Rollup(l, fine, 600, 10, 60);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].timestamp, 600);
  EXPECT_DOUBLE_EQ(out[0].value, 2.0);
}

TEST(LayoutTest, RollupAvgZeroCountsNullsAsZero) {
  SchemaLayout l = MakeLayout("10s:1h,1m:1d", AggregationMethod::kAvgZero, 0.0);
  std::vector<double> fine = {6, kNull, kNull, kNull, kNull, kNull};
  auto out = Rollup(l, fine, 0, 10, 60);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_DOUBLE_EQ(out[0].value, 1.0);
}

TEST(LayoutTest, AlignDownFloorsNegativeTimes) {
  EXPECT_EQ(AlignDown(125, 60), 120);
  EXPECT_EQ(AlignDown(-5, 60), -60);
  EXPECT_EQ(AlignDown(-60, 60), -60);
}

}  // namespace
}  // namespace meridian::storage::internal
