#include "storage/bulk_load.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "storage/internal/block_codec.h"

namespace meridian::storage {
namespace {

BulkSeries Series(std::vector<std::vector<std::pair<int64_t, double>>> points) {
  BulkSeries s;
  s.name = "a.b";
  s.schema.archives = {{10, 100}, {60, 100}};  // 1000 s and 6000 s
  s.schema.method = AggregationMethod::kMax;
  s.schema.x_files_factor = 0.25;
  s.points = std::move(points);
  return s;
}

std::vector<internal::SlotValue> Decode(const EncodedSeries::Block& b) {
  std::vector<internal::SlotValue> out;
  EXPECT_TRUE(internal::DecodeBlock(std::string_view(b.value).substr(4), &out).ok());
  return out;
}

TEST(BulkLoadTest, EveryArchiveBecomesSealedBlocksOfThatArchive) {
  const int64_t now = 100'000;
  // points_per_block 8: archive 0 windows are 120 s (rounded up to whole 60 s slots), archive 1
  // windows 480 s.
  auto enc = EncodeSeries(Series({{{99'500, 1.0}, {99'510, 2.0}, {99'620, 3.0}}, {{99'000, 9.0}}}),
                          8, now);
  ASSERT_TRUE(enc.ok()) << enc.status().ToString();
  EXPECT_EQ(enc->layout, "10:100,60:100|max|0.25");
  ASSERT_EQ(enc->blocks.size(), 3u);
  EXPECT_EQ(enc->blocks[0].archive, 0);
  EXPECT_EQ(enc->blocks[0].start, 99'480);
  auto first = Decode(enc->blocks[0]);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].slot, 2u);
  EXPECT_EQ(first[1].value, 2.0);
  EXPECT_EQ(enc->blocks[1].start, 99'600);
  EXPECT_EQ(enc->blocks[2].archive, 1);
  EXPECT_EQ(enc->blocks[2].start, 98'880);
  EXPECT_EQ(enc->points, 4u);
  EXPECT_EQ(enc->dropped, 0u);
}

TEST(BulkLoadTest, DropsPointsOlderThanTheirArchiveAndKeepsTheLaterDuplicate) {
  const int64_t now = 100'000;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto enc = EncodeSeries(
      Series({{{99'000, 1.0}, {99'990, 2.0}, {99'990, 5.0}, {99'980, nan}}, {{93'000, 9.0}}}), 8,
      now);
  ASSERT_TRUE(enc.ok()) << enc.status().ToString();
  EXPECT_EQ(enc->dropped, 2u);  // 99000 is not newer than now - 1000; 93000 not newer than -6000
  ASSERT_EQ(enc->blocks.size(), 1u);
  auto slots = Decode(enc->blocks[0]);
  ASSERT_EQ(slots.size(), 1u);
  EXPECT_EQ(slots[0].value, 5.0);
}

TEST(BulkLoadTest, RefusesBadSchemasAndTimestamps) {
  EXPECT_FALSE(EncodeSeries(Series({{{99'995, 1.0}}, {}}), 8, 100'000).ok());  // unaligned
  EXPECT_FALSE(EncodeSeries(Series({{}}), 8, 100'000).ok());                   // 1 list, 2 archives
  BulkSeries bad = Series({{}, {}});
  bad.schema.archives = {{60, 100}, {10, 100}};
  EXPECT_FALSE(EncodeSeries(bad, 8, 100'000).ok());
}

}  // namespace
}  // namespace meridian::storage
