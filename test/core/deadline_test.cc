#include "core/deadline.h"

#include <gtest/gtest.h>

namespace meridian::core {
namespace {

TEST(DeadlineTest, InfiniteNeverExpires) {
  Deadline d;
  EXPECT_TRUE(d.infinite());
  d.Cancel();  // no flag: a no-op
  EXPECT_FALSE(d.Expired());
  EXPECT_TRUE(d.Check("x").ok());
}

TEST(DeadlineTest, PastInstantIsDeadlineExceededNamingWorkAndKnob) {
  Deadline d = Deadline::At(std::chrono::steady_clock::now() - std::chrono::seconds(1));
  EXPECT_TRUE(d.Expired());
  Status st = d.Check("glob expansion", "http.find_timeout");
  EXPECT_EQ(st.code(), StatusCode::kDeadlineExceeded);
  EXPECT_NE(st.message().find("glob expansion"), std::string::npos);
  EXPECT_NE(st.message().find("http.find_timeout"), std::string::npos);
}

TEST(DeadlineTest, CancelReachesEveryCopy) {
  Deadline d = Deadline::After(std::chrono::hours(1));
  Deadline copy = d;
  EXPECT_FALSE(copy.Expired());
  d.Cancel();
  EXPECT_TRUE(copy.Expired());
  EXPECT_EQ(copy.Check("render").code(), StatusCode::kCancelled);
}

TEST(DeadlineTest, CancellableHasNoTimeBound) {
  Deadline d = Deadline::Cancellable();
  EXPECT_FALSE(d.infinite());
  EXPECT_FALSE(d.Expired());
  d.Cancel();
  EXPECT_TRUE(d.Expired());
}

TEST(DeadlineTest, WithoutTimeLimitKeepsOnlyTheCancellation) {
  Deadline past = Deadline::At(std::chrono::steady_clock::now() - std::chrono::seconds(1));
  EXPECT_TRUE(past.Expired());
  Deadline untimed = past.WithoutTimeLimit();
  EXPECT_FALSE(untimed.Expired());
  past.Cancel();
  EXPECT_TRUE(untimed.Expired());
  EXPECT_EQ(untimed.Check("csv").code(), StatusCode::kCancelled);
  EXPECT_TRUE(Deadline::Infinite().WithoutTimeLimit().infinite());
}

TEST(DeadlineCheckTest, ChecksOnlyEveryStrideSteps) {
  Deadline d = Deadline::Cancellable();
  DeadlineCheck check(d, "loop", 4);
  d.Cancel();
  EXPECT_TRUE(check.Step().ok());
  EXPECT_TRUE(check.Step().ok());
  EXPECT_TRUE(check.Step().ok());
  EXPECT_EQ(check.Step().code(), StatusCode::kCancelled);
  DeadlineCheck bulk(d, "rows", 4);
  EXPECT_EQ(bulk.Step(10).code(), StatusCode::kCancelled);
}

}  // namespace
}  // namespace meridian::core
