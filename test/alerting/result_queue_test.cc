#include "alerting/internal/result_queue.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace meridian::alerting::internal {
namespace {

CheckResult Result(int i, size_t output_bytes = 0) {
  return {.time = i,
          .host = "h",
          .service = "s" + std::to_string(i),
          .state = CheckState::kOk,
          .output = std::string(output_bytes, 'x')};
}

std::vector<CheckResult> Results(int from, int to) {
  std::vector<CheckResult> v;
  for (int i = from; i < to; ++i) v.push_back(Result(i));
  return v;
}

std::vector<int64_t> Times(const std::vector<CheckResult>& v) {
  std::vector<int64_t> t;
  for (const auto& r : v) t.push_back(r.time);
  return t;
}

TEST(ResultQueueTest, KeepsOrderAcrossPushesAndPops) {
  ResultQueue q(100, 1 << 20);
  EXPECT_EQ(q.Push(Results(0, 3)), 0u);
  EXPECT_EQ(q.Push(Results(3, 5)), 0u);
  EXPECT_EQ(Times(q.PopFront(2)), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(Times(q.PopFront(10)), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(ResultQueueTest, DropsOldestWhenCountBoundExceeded) {
  ResultQueue q(3, 1 << 20);
  EXPECT_EQ(q.Push(Results(0, 2)), 0u);
  EXPECT_EQ(q.Push(Results(2, 5)), 2u);
  EXPECT_EQ(Times(q.PopFront(10)), (std::vector<int64_t>{2, 3, 4}));
}

TEST(ResultQueueTest, OversizedPushKeepsOnlyTheNewest) {
  ResultQueue q(2, 1 << 20);
  q.Push(Results(0, 1));
  EXPECT_EQ(q.Push(Results(1, 6)), 4u);
  EXPECT_EQ(Times(q.PopFront(10)), (std::vector<int64_t>{4, 5}));
}

TEST(ResultQueueTest, DropsOldestWhenByteBoundExceeded) {
  size_t one = ResultQueue::Cost(Result(0, 1000));
  ResultQueue q(100, one * 2);
  std::vector<CheckResult> v = {Result(0, 1000), Result(1, 1000), Result(2, 1000)};
  EXPECT_EQ(q.Push(v), 1u);
  EXPECT_EQ(q.bytes(), one * 2);
  EXPECT_EQ(Times(q.PopFront(10)), (std::vector<int64_t>{1, 2}));
}

TEST(ResultQueueTest, KeepsSingleResultLargerThanByteBound) {
  ResultQueue q(100, 10);
  std::vector<CheckResult> v = {Result(7, 5000)};
  EXPECT_EQ(q.Push(v), 0u);
  EXPECT_EQ(q.size(), 1u);
  std::vector<CheckResult> w = {Result(8, 5000)};
  EXPECT_EQ(q.Push(w), 1u);
  EXPECT_EQ(Times(q.PopFront(10)), (std::vector<int64_t>{8}));
}

TEST(ResultQueueTest, ClearReportsCountAndResetsBytes) {
  ResultQueue q(100, 1 << 20);
  q.Push(Results(0, 4));
  EXPECT_EQ(q.Clear(), 4u);
  EXPECT_EQ(q.bytes(), 0u);
  EXPECT_TRUE(q.PopFront(1).empty());
}

}  // namespace
}  // namespace meridian::alerting::internal
