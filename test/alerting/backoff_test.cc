#include "alerting/internal/backoff.h"

#include <gtest/gtest.h>

namespace meridian::alerting::internal {
namespace {

using std::chrono::milliseconds;

TEST(BackoffTest, DoublesFromInitialUpToMax) {
  Backoff b(milliseconds(1000), milliseconds(30000));
  EXPECT_EQ(b.Next(), milliseconds(1000));
  EXPECT_EQ(b.Next(), milliseconds(2000));
  EXPECT_EQ(b.Next(), milliseconds(4000));
  EXPECT_EQ(b.Next(), milliseconds(8000));
  EXPECT_EQ(b.Next(), milliseconds(16000));
  EXPECT_EQ(b.Next(), milliseconds(30000));
  EXPECT_EQ(b.Next(), milliseconds(30000));
  EXPECT_EQ(b.failures(), 7u);
}

TEST(BackoffTest, ResetStartsOverAtInitial) {
  Backoff b(milliseconds(100), milliseconds(1000));
  b.Next();
  b.Next();
  b.Reset();
  EXPECT_EQ(b.failures(), 0u);
  EXPECT_EQ(b.Next(), milliseconds(100));
}

TEST(BackoffTest, InitialEqualToMaxStaysConstant) {
  Backoff b(milliseconds(50), milliseconds(50));
  EXPECT_EQ(b.Next(), milliseconds(50));
  EXPECT_EQ(b.Next(), milliseconds(50));
}

TEST(BackoffTest, NeverOverflowsAfterManyFailures) {
  Backoff b(milliseconds(1), milliseconds(30000));
  for (int i = 0; i < 1000; ++i) EXPECT_LE(b.Next(), milliseconds(30000));
  EXPECT_EQ(b.Next(), milliseconds(30000));
}

}  // namespace
}  // namespace meridian::alerting::internal
