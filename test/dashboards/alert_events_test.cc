#include "dashboards/alert_events.h"

#include <gtest/gtest.h>

#include <cmath>

namespace meridian::dashboards {
namespace {

alerting::Transition T(int64_t time, std::optional<alerting::CheckState> from,
                       alerting::CheckState to, std::string host = "web 1") {
  alerting::Transition t;
  t.time = time;
  t.group = "web tier";
  t.rule = "cpu";
  t.host = std::move(host);
  t.service = "load";
  t.from = from;
  t.to = to;
  t.output = "WARNING - load 3";
  return t;
}

TEST(AlertEventsTest, OneTransitionIsOneEventWithTheDocumentedFields) {
  const Event e =
      TransitionEvent(T(100, alerting::CheckState::kOk, alerting::CheckState::kWarning));
  EXPECT_EQ(e.when, 100);
  EXPECT_EQ(e.what, "cpu web 1/load OK → WARNING");
  EXPECT_EQ(e.data, "WARNING - load 3");
  EXPECT_EQ(e.tags, (std::vector<std::string>{"alert", "warning", "rule:web_tier/cpu", "host:web_1",
                                              "service:load"}));
  EXPECT_EQ(TransitionEvent(T(100, std::nullopt, alerting::CheckState::kUnknown)).what,
            "cpu web 1/load → UNKNOWN");
}

TEST(AlertEventsTest, IdsAreNegativeStableExactInJsonAndDistinct) {
  const auto a = T(100, alerting::CheckState::kOk, alerting::CheckState::kCritical);
  EXPECT_EQ(AlertEventId(a), AlertEventId(a));
  EXPECT_LT(AlertEventId(a), 0);
  EXPECT_LE(-AlertEventId(a), (int64_t{1} << 53) - 1);
  EXPECT_NE(AlertEventId(a),
            AlertEventId(T(101, alerting::CheckState::kOk, alerting::CheckState::kCritical)));
  EXPECT_NE(AlertEventId(a), AlertEventId(T(100, alerting::CheckState::kOk,
                                            alerting::CheckState::kCritical, "web 2")));
  EXPECT_NE(AlertEventId(a), AlertEventId(T(100, std::nullopt, alerting::CheckState::kCritical)));
}

TEST(AlertEventsTest, WindowTagsOrderAndLookupById) {
  std::vector<alerting::Transition> history = {
      T(300, alerting::CheckState::kCritical, alerting::CheckState::kOk),
      T(200, alerting::CheckState::kOk, alerting::CheckState::kCritical),
      T(100, std::nullopt, alerting::CheckState::kOk)};  // newest first, as History answers
  TransitionLister lister = [&](const alerting::HistoryQuery& q) {
    std::vector<alerting::Transition> out;
    for (const auto& t : history) {
      if (t.time >= q.from && t.time <= q.until && out.size() < q.limit) out.push_back(t);
    }
    return out;
  };
  EventQuery q;
  auto all = AlertEvents(lister, q, 1000);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].when, 100);  // oldest first
  EXPECT_EQ((*all)[2].when, 300);
  q.tags = {"alert", "critical"};
  auto critical = AlertEvents(lister, q, 1000);
  ASSERT_TRUE(critical.ok());
  ASSERT_EQ(critical->size(), 1u);
  EXPECT_EQ((*critical)[0].when, 200);
  q = {};
  q.from = 150;
  q.until = 250;
  EXPECT_EQ(AlertEvents(lister, q, 1000)->size(), 1u);
  q = {};
  q.max_bytes = 10;
  EXPECT_EQ(AlertEvents(lister, q, 1000).status().code(), core::StatusCode::kResourceExhausted);
  EXPECT_TRUE(AlertEvents(nullptr, {}, 1000)->empty());  // alerting off
  auto found = FindAlertEvent(lister, (*all)[1].id, 1000);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->when, 200);
  EXPECT_EQ(FindAlertEvent(lister, -1, 1000).status().code(), core::StatusCode::kNotFound);
}

}  // namespace
}  // namespace meridian::dashboards
