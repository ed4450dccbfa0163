#include "storage/internal/log_record.h"

#include <gtest/gtest.h>

#include <cmath>

namespace meridian::storage::internal {
namespace {

TEST(LogRecordTest, RoundTripsPointsIncludingSpecialValues) {
  LogRecord r;
  r.arrival_time = 1'700'000'123;
  r.points = {{0, 1'700'000'000, 1.5}, {12345678, 1'699'999'990, -INFINITY}, {3, 0, -0.0}};
  std::string enc;
  EncodeLogRecord(r, &enc);
  LogRecord back;
  ASSERT_TRUE(DecodeLogRecord(enc, &back).ok());
  EXPECT_EQ(back.arrival_time, r.arrival_time);
  ASSERT_EQ(back.points.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(back.points[i].id, r.points[i].id);
    EXPECT_EQ(back.points[i].timestamp, r.points[i].timestamp);
    EXPECT_EQ(std::signbit(back.points[i].value), std::signbit(r.points[i].value));
    EXPECT_EQ(back.points[i].value, r.points[i].value);
  }
}

TEST(LogRecordTest, EveryTruncationIsCorruptionNotACrash) {
  LogRecord r;
  r.arrival_time = 5;
  for (int i = 0; i < 10; ++i) r.points.push_back({static_cast<uint64_t>(i), 100 + i, i * 0.5});
  std::string enc;
  EncodeLogRecord(r, &enc);
  for (size_t n = 0; n < enc.size(); ++n) {
    LogRecord back;
    EXPECT_EQ(DecodeLogRecord(enc.substr(0, n), &back).code(), core::StatusCode::kCorruption) << n;
  }
  LogRecord back;
  EXPECT_FALSE(DecodeLogRecord(enc + "x", &back).ok());
}

TEST(LogRecordTest, HugeCountIsRejectedWithoutAllocating) {
  std::string enc = {1, 5, '\xff', '\xff', '\xff', '\xff', '\x0f'};
  LogRecord back;
  EXPECT_EQ(DecodeLogRecord(enc, &back).code(), core::StatusCode::kCorruption);
}

}  // namespace
}  // namespace meridian::storage::internal
