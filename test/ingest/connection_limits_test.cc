#include "ingest/internal/connection_limits.h"

#include <gtest/gtest.h>

namespace meridian::ingest::internal {
namespace {

using Verdict = ConnectionLimits::Verdict;

TEST(ConnectionLimitsTest, OneSourceHoldingItsShareLeavesRoomForOthers) {
  ConnectionLimits limits(/*max_total=*/4, /*max_per_source=*/2);
  limits.Add("10.0.0.1");
  limits.Add("10.0.0.1");
  EXPECT_EQ(limits.Check("10.0.0.1"), Verdict::kMaxPerSource);
  EXPECT_EQ(limits.Check("10.0.0.2"), Verdict::kAdmit);
  EXPECT_EQ(limits.Count("10.0.0.1"), 2u);
  EXPECT_EQ(limits.Count("10.0.0.2"), 0u);
}

TEST(ConnectionLimitsTest, TotalLimitIsCheckedFirst) {
  ConnectionLimits limits(2, 1);
  limits.Add("a");
  limits.Add("b");
  EXPECT_EQ(limits.Check("a"), Verdict::kMaxConnections);
  EXPECT_EQ(limits.Check("c"), Verdict::kMaxConnections);
}

TEST(ConnectionLimitsTest, RemoveFreesTheSlotOfThatSourceOnly) {
  ConnectionLimits limits(10, 1);
  limits.Add("a");
  limits.Add("b");
  limits.Remove("a");
  EXPECT_EQ(limits.total(), 1u);
  EXPECT_EQ(limits.Check("a"), Verdict::kAdmit);
  EXPECT_EQ(limits.Check("b"), Verdict::kMaxPerSource);
  limits.Remove("never-added");  // no-op
  EXPECT_EQ(limits.total(), 1u);
}

TEST(ConnectionLimitsTest, ZeroPerSourceMeansOnlyTheTotalLimit) {
  ConnectionLimits limits(3, 0);
  limits.Add("a");
  limits.Add("a");
  EXPECT_EQ(limits.Check("a"), Verdict::kAdmit);
  limits.Add("a");
  EXPECT_EQ(limits.Check("a"), Verdict::kMaxConnections);
}

}  // namespace
}  // namespace meridian::ingest::internal
