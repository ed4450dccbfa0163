#include "ingest/internal/batch_builder.h"

#include <gtest/gtest.h>

#include <string>

#include "core/metrics.h"
#include "ingest/internal/ingest_metrics.h"
#include "ingest/internal/reject_log.h"
#include "support/fake_clock.h"

namespace meridian::ingest::internal {
namespace {

class BatchBuilderTest : public ::testing::Test {
 protected:
  uint64_t Rejected(const std::string& reason) {
    return registry_.GetCounter("ingest_lines_rejected_total", "", {{"reason", reason}}).Value();
  }
  uint64_t Received() { return registry_.GetCounter("ingest_points_received_total", "").Value(); }

  testing::FakeClock clock_{1'700'000'000};
  core::MetricsRegistry registry_;
  IngestMetrics metrics_{registry_};
  RejectLog log_{clock_, 1000};
  BatchBuilder builder_{metrics_, log_, "test-peer"};
  storage::PointBatch batch_;
};

TEST_F(BatchBuilderTest, GoodLinesBecomePointsWithCanonicalNames) {
  EXPECT_EQ(builder_.AddLine("a.b 1 10", 99, &batch_), ParseResult::kOk);
  EXPECT_EQ(builder_.AddLine("m;b=1;a=2 2 -1", 99, &batch_), ParseResult::kOk);
  ASSERT_EQ(batch_.size(), 2u);
  EXPECT_EQ(batch_.name(batch_.entries()[0]), "a.b");
  EXPECT_EQ(batch_.name(batch_.entries()[1]), "m;a=2;b=1");
  EXPECT_EQ(batch_.entries()[1].timestamp, 99);
  EXPECT_EQ(batch_.entries()[1].value, 2);
}

TEST_F(BatchBuilderTest, BadLinesAreCountedByReasonAndSkipped) {
  builder_.AddLine("a 1", 0, &batch_);
  builder_.AddLine("a 1 2 3", 0, &batch_);
  builder_.AddLine("a x 2", 0, &batch_);
  builder_.AddLine("a 1 x", 0, &batch_);
  builder_.AddLine("a nan 2", 0, &batch_);
  builder_.AddLine("a;b 1 2", 0, &batch_);
  builder_.AddLine("a\xff 1 2", 0, &batch_);
  builder_.AddLine("", 0, &batch_);
  EXPECT_TRUE(batch_.empty());
  for (const char* reason : {"too_few_fields", "too_many_fields", "bad_value", "bad_timestamp",
                             "nan_value", "bad_tags", "bad_utf8"}) {
    EXPECT_EQ(Rejected(reason), 1u) << reason;
  }
}

TEST_F(BatchBuilderTest, BadNamesAreCountedByReason) {
  builder_.AddLine("a..b 1 2", 0, &batch_);
  builder_.AddLine(".a 1 2", 0, &batch_);
  builder_.AddLine("a. 1 2", 0, &batch_);
  builder_.AddLine(std::string_view("a\0 1 2", 6), 0, &batch_);
  builder_.AddLine("a\x02 1 2", 0, &batch_);
  EXPECT_TRUE(batch_.empty());
  EXPECT_EQ(Rejected("empty_node"), 3u);
  EXPECT_EQ(Rejected("control_char"), 2u);
}

TEST_F(BatchBuilderTest, DatagramLineOverLimitIsRejectedAndTheOthersKept) {
  const std::string long_line = std::string(100, 'x') + " 1 2";
  const std::string at_limit = std::string(60, 'y') + " 1 2";  // 64 bytes
  std::string datagram = "a 1 10\n" + long_line + "\n" + at_limit + "\r\nb 2 20";
  EXPECT_EQ(builder_.AddDatagram(datagram, 64, 0, &batch_), 3u);
  ASSERT_EQ(batch_.size(), 3u);
  EXPECT_EQ(batch_.name(batch_.entries()[0]), "a");
  EXPECT_EQ(batch_.name(batch_.entries()[1]), std::string(60, 'y'));
  EXPECT_EQ(batch_.name(batch_.entries()[2]), "b");
  EXPECT_EQ(Rejected("too_long"), 1u);
}

TEST_F(BatchBuilderTest, DatagramOfOnlyAnOverlongUnterminatedLineAddsNothing) {
  EXPECT_EQ(builder_.AddDatagram(std::string(65, 'z'), 64, 0, &batch_), 0u);
  EXPECT_TRUE(batch_.empty());
  EXPECT_EQ(Rejected("too_long"), 1u);
}

TEST_F(BatchBuilderTest, ReceivedCounterMovesOnlyOnPublish) {
  builder_.AddLine("a 1 1", 0, &batch_);
  builder_.AddLine("b 1 1", 0, &batch_);
  EXPECT_EQ(Received(), 0u);
  EXPECT_EQ(builder_.PublishCounts(), 2u);
  EXPECT_EQ(Received(), 2u);
  EXPECT_EQ(builder_.PublishCounts(), 0u);
  EXPECT_EQ(Received(), 2u);
}

TEST(RejectLogTest, PrintsAtMostOncePerIntervalAndCountsTheRest) {
  testing::FakeClock clock(100);
  RejectLog log(clock, 1000);
  log.Log("bad_value", "p", "a b c");
  log.Log("bad_value", "p", "a b c");
  log.Log("bad_value", "p", "a b c");
  EXPECT_EQ(log.suppressed(), 2u);
  clock.AdvanceMicros(999'999);
  log.Log("bad_value", "p", "a b c");
  EXPECT_EQ(log.suppressed(), 3u);
  clock.AdvanceMicros(1);
  log.Log("bad_value", "p", "a b c");
  EXPECT_EQ(log.suppressed(), 3u);
}

}  // namespace
}  // namespace meridian::ingest::internal
