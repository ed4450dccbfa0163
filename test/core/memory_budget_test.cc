#include "core/memory_budget.h"

#include <gtest/gtest.h>

#include "core/metrics.h"

namespace meridian::core {
namespace {

TEST(MemoryBudgetTest, ReservationsShareTheBudgetAndReleaseOnDestruction) {
  MetricsRegistry metrics;
  MemoryBudget budget(1000, metrics, "test_memory", "test.knob");
  {
    MemoryReservation a(&budget);
    ASSERT_TRUE(a.Grow(600).ok());
    EXPECT_EQ(budget.in_use(), 600u);
    MemoryReservation b(&budget);
    // Others hold the budget: retry later (UNAVAILABLE), nothing reserved.
    Status busy = b.Grow(500);
    EXPECT_EQ(busy.code(), StatusCode::kUnavailable) << busy.ToString();
    EXPECT_NE(busy.message().find("test.knob"), std::string::npos) << busy.message();
    EXPECT_EQ(b.held(), 0u);
    EXPECT_EQ(budget.in_use(), 600u);
    ASSERT_TRUE(b.Grow(400).ok());
    EXPECT_EQ(budget.in_use(), 1000u);
  }
  EXPECT_EQ(budget.in_use(), 0u);
  std::string text = metrics.RenderPrometheus();
  EXPECT_NE(text.find("meridian_test_memory_in_use_bytes 0"), std::string::npos) << text;
  EXPECT_NE(text.find("meridian_test_memory_budget_bytes 1000"), std::string::npos) << text;
  EXPECT_NE(text.find("meridian_test_memory_refused_total 1"), std::string::npos) << text;
}

TEST(MemoryBudgetTest, WorkBiggerThanTheWholeBudgetIsRefusedForGood) {
  MetricsRegistry metrics;
  MemoryBudget budget(1000, metrics, "test_memory", "test.knob");
  MemoryReservation a(&budget);
  ASSERT_TRUE(a.Grow(700).ok());
  Status too_big = a.Grow(400);  // 1100 held alone: no retry helps
  EXPECT_EQ(too_big.code(), StatusCode::kResourceExhausted) << too_big.ToString();
  EXPECT_EQ(a.held(), 700u);
}

TEST(MemoryBudgetTest, UnboundedBudgetStillMeasuresAndNullReservationAlwaysGrows) {
  MetricsRegistry metrics;
  MemoryBudget budget(0, metrics, "test_memory", "test.knob");
  MemoryReservation a(&budget);
  ASSERT_TRUE(a.Grow(uint64_t{1} << 40).ok());
  EXPECT_EQ(budget.in_use(), uint64_t{1} << 40);
  MemoryReservation none(nullptr);
  EXPECT_TRUE(none.Grow(12345).ok());
}

}  // namespace
}  // namespace meridian::core
