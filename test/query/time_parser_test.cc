#include "query/time_parser.h"

#include <gtest/gtest.h>

namespace meridian::query {
namespace {

constexpr int64_t kNow = 1'700'000'000;

TEST(TimeParserTest, AcceptsEpochNowAndRelativeOffsets) {
  EXPECT_EQ(*ParseTime("1699990000", kNow), 1699990000);
  EXPECT_EQ(*ParseTime("now", kNow), kNow);
  EXPECT_EQ(*ParseTime("", kNow), kNow);
  EXPECT_EQ(*ParseTime("-1h", kNow), kNow - 3600);
  EXPECT_EQ(*ParseTime("-5min", kNow), kNow - 300);
  EXPECT_EQ(*ParseTime("now-2d", kNow), kNow - 2 * 86400);
  EXPECT_EQ(*ParseTime("-1w", kNow), kNow - 7 * 86400);
  EXPECT_EQ(*ParseTime("-1mon", kNow), kNow - 30 * 86400);
  EXPECT_EQ(*ParseTime("-1y", kNow), kNow - 365 * 86400);
  EXPECT_EQ(*ParseTime("-30s", kNow), kNow - 30);
  EXPECT_EQ(*ParseTime("-2hours", kNow), kNow - 7200);
  EXPECT_EQ(*ParseTime("+1d", kNow), kNow + 86400);
  EXPECT_EQ(*ParseTime("-1d12h", kNow), kNow - 86400 - 43200);
  EXPECT_EQ(*ParseTime("-1 H", kNow), kNow - 3600);  // case and spaces as parseATTime
}

TEST(TimeParserTest, RejectsBareMinutesAndGarbageWithMessage) {
  auto m = ParseTime("-5m", kNow);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_FALSE(ParseTime("-", kNow).ok());
  EXPECT_FALSE(ParseTime("-h", kNow).ok());
  EXPECT_FALSE(ParseTime("-1x", kNow).ok());
  EXPECT_FALSE(ParseTime("-99999999999999999999h", kNow).ok());
  auto junk = ParseTime("yesterdayish", kNow);
  ASSERT_FALSE(junk.ok());
  EXPECT_NE(junk.status().message().find("yesterdayish"), std::string::npos);
}

}  // namespace
}  // namespace meridian::query
