#include "dashboards/record_event_store.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "alerting/state_store.h"
#include "support/fake_clock.h"

namespace meridian::dashboards {
namespace {

constexpr int64_t kNow = 1'700'000'000;

Event Ev(int64_t when, std::string what, std::vector<std::string> tags, std::string data = "") {
  Event e;
  e.when = when;
  e.what = std::move(what);
  e.tags = std::move(tags);
  e.data = std::move(data);
  return e;
}

std::vector<std::string> Whats(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const Event& e : events) out.push_back(e.what);
  return out;
}

class RecordEventStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<RecordEventStore> Open(EventStoreOptions o = {}) {
    auto s = RecordEventStore::Open(records_, o, clock_, metrics_);
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  std::vector<Event> Query(EventStore& s, EventQuery q) {
    auto r = s.Query(q, core::Deadline());
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : std::vector<Event>{};
  }
  uint64_t Evicted(const std::string& reason) {
    return metrics_.GetCounter("events_evicted_total", "", {{"reason", reason}}).Value();
  }

  alerting::MemoryStateStore records_;
  testing::FakeClock clock_{kNow};
  core::MetricsRegistry metrics_;
};

TEST_F(RecordEventStoreTest, DecimalPrefixesCoverExactlyTheRange) {
  EXPECT_EQ(DecimalPrefixes(0, 999, 3), std::vector<std::string>{""});
  EXPECT_EQ(DecimalPrefixes(5, 5, 3), std::vector<std::string>{"005"});
  EXPECT_EQ(DecimalPrefixes(18, 231, 3),
            (std::vector<std::string>{"018", "019", "02", "03", "04", "05", "06", "07", "08", "09",
                                      "1", "20", "21", "22", "230", "231"}));
  EXPECT_TRUE(DecimalPrefixes(7, 6, 3).empty());
  // Brute force: every number in range is covered once, none outside.
  for (int lo = 0; lo < 120; lo += 7) {
    for (int hi = lo; hi < 130; hi += 11) {
      auto prefixes = DecimalPrefixes(lo, hi, 3);
      for (int n = 0; n < 1000; ++n) {
        const std::string s = fmt::format("{:03}", n);
        int covered = 0;
        for (const auto& p : prefixes) covered += s.starts_with(p) ? 1 : 0;
        ASSERT_EQ(covered, n >= lo && n <= hi ? 1 : 0) << lo << ".." << hi << " " << n;
      }
    }
  }
}

TEST_F(RecordEventStoreTest, AddsWithIncreasingIdsAndQueriesOldestFirst) {
  auto s = Open();
  auto a = s->Add(Ev(kNow - 10, "b", {"deploy"}));
  auto b = s->Add(Ev(kNow - 20, "a", {"deploy"}));
  auto c = s->Add(Ev(kNow - 10, "c", {"other"}));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(*a, 1);
  EXPECT_EQ(*b, 2);
  EXPECT_EQ(*c, 3);
  EXPECT_EQ(Whats(Query(*s, {})), (std::vector<std::string>{"a", "b", "c"}));
  auto got = s->Get(3);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->what, "c");
  EXPECT_EQ(got->when, kNow - 10);
  EXPECT_EQ(got->tags, std::vector<std::string>{"other"});
}

TEST_F(RecordEventStoreTest, TimeWindowIsInclusiveAtBothEnds) {
  auto s = Open();
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(s->Add(Ev(kNow - 100 + i * 10, std::to_string(i), {})).ok());
  EventQuery q;
  q.from = kNow - 80;
  q.until = kNow - 50;
  EXPECT_EQ(Whats(Query(*s, q)), (std::vector<std::string>{"2", "3", "4", "5"}));
  q.from = kNow - 79;
  q.until = kNow - 51;
  EXPECT_EQ(Whats(Query(*s, q)), (std::vector<std::string>{"3", "4"}));
  q.from = kNow;
  q.until = kNow - 1;
  EXPECT_TRUE(Query(*s, q).empty());
}

TEST_F(RecordEventStoreTest, TagsIntersectionByDefaultAndUnionOnRequest) {
  auto s = Open();
  ASSERT_TRUE(s->Add(Ev(kNow - 3, "web", {"deploy", "web"})).ok());
  ASSERT_TRUE(s->Add(Ev(kNow - 2, "db", {"deploy", "db"})).ok());
  ASSERT_TRUE(s->Add(Ev(kNow - 1, "web-restart", {"restart", "web"})).ok());
  EventQuery q;
  q.tags = {"deploy", "web"};
  EXPECT_EQ(Whats(Query(*s, q)), std::vector<std::string>{"web"});
  q.set = SetOperation::kUnion;
  EXPECT_EQ(Whats(Query(*s, q)), (std::vector<std::string>{"web", "db", "web-restart"}));
  q.tags = {"Deploy"};  // exact, case-sensitive
  EXPECT_TRUE(Query(*s, q).empty());
}

TEST_F(RecordEventStoreTest, MaxEventsEvictsTheOldestAndCounts) {
  EventStoreOptions o;
  o.max_events = 3;
  auto s = Open(o);
  ASSERT_TRUE(s->Add(Ev(kNow - 50, "old", {})).ok());
  ASSERT_TRUE(s->Add(Ev(kNow - 10, "new", {})).ok());
  ASSERT_TRUE(s->Add(Ev(kNow - 30, "mid", {})).ok());
  ASSERT_TRUE(s->Add(Ev(kNow - 5, "newest", {})).ok());
  EXPECT_EQ(Whats(Query(*s, {})), (std::vector<std::string>{"mid", "new", "newest"}));
  EXPECT_EQ(Evicted("limit"), 1u);
  EXPECT_EQ(s->Get(1).status().code(), core::StatusCode::kNotFound);
  // An event older than all of a full store is the one that goes.
  auto id = s->Add(Ev(kNow - 100, "ancient", {}));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(Whats(Query(*s, {})), (std::vector<std::string>{"mid", "new", "newest"}));
  EXPECT_EQ(Evicted("limit"), 2u);
  EXPECT_EQ(s->size(), 3u);
}

TEST_F(RecordEventStoreTest, RetentionHidesDeletesAndRefusesOldEvents) {
  EventStoreOptions o;
  o.retention = std::chrono::seconds(100);
  auto s = Open(o);
  ASSERT_TRUE(s->Add(Ev(kNow - 90, "a", {})).ok());
  ASSERT_TRUE(s->Add(Ev(kNow - 10, "b", {})).ok());
  auto refused = s->Add(Ev(kNow - 101, "too old", {}));
  EXPECT_EQ(refused.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("events.retention"), std::string::npos);
  clock_.AdvanceSeconds(20);  // "a" is now 110 s old
  EXPECT_EQ(Whats(Query(*s, {})), std::vector<std::string>{"b"});
  EXPECT_EQ(s->Get(1).status().code(), core::StatusCode::kNotFound);
  ASSERT_TRUE(s->Add(Ev(kNow + 20, "c", {})).ok());  // the next write deletes it
  EXPECT_EQ(Evicted("retention"), 1u);
  EXPECT_EQ(s->size(), 2u);
}

TEST_F(RecordEventStoreTest, SurvivesReopenWithoutReusingIds) {
  {
    auto s = Open();
    ASSERT_TRUE(s->Add(Ev(kNow - 2, "a", {"x"}, "data a")).ok());
    ASSERT_TRUE(s->Add(Ev(kNow - 1, "b", {"y"})).ok());
    ASSERT_TRUE(s->Delete(2).ok());
  }
  auto s = Open();
  auto all = Query(*s, {});
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].id, 1);
  EXPECT_EQ(all[0].data, "data a");
  EXPECT_EQ(all[0].tags, std::vector<std::string>{"x"});
  auto id = s->Add(Ev(kNow, "c", {}));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, 3);  // 2 was deleted, never reused
}

TEST_F(RecordEventStoreTest, ReopenAppliesALoweredLimit) {
  {
    auto s = Open();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(s->Add(Ev(kNow - 10 + i, std::to_string(i), {})).ok());
  }
  EventStoreOptions o;
  o.max_events = 2;
  auto s = Open(o);
  EXPECT_EQ(Whats(Query(*s, {})), (std::vector<std::string>{"3", "4"}));
}

TEST_F(RecordEventStoreTest, DeleteUnknownIsNotFound) {
  auto s = Open();
  EXPECT_EQ(s->Delete(42).code(), core::StatusCode::kNotFound);
  EXPECT_EQ(s->Get(42).status().code(), core::StatusCode::kNotFound);
}

TEST_F(RecordEventStoreTest, QueryOverMaxBytesIsResourceExhausted) {
  auto s = Open();
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(s->Add(Ev(kNow - 10 + i, "e", {}, std::string(1000, 'x'))).ok());
  }
  EventQuery q;
  q.max_bytes = 5000;
  auto r = s->Query(q, core::Deadline());
  EXPECT_EQ(r.status().code(), core::StatusCode::kResourceExhausted);
  EXPECT_NE(r.status().message().find("http.max_response_bytes"), std::string::npos);
}

TEST_F(RecordEventStoreTest, QueryStopsAtACancelledDeadline) {
  auto s = Open();
  ASSERT_TRUE(s->Add(Ev(kNow, "e", {})).ok());
  core::Deadline d = core::Deadline::Cancellable();
  d.Cancel();
  EXPECT_EQ(s->Query({}, d).status().code(), core::StatusCode::kCancelled);
}

TEST_F(RecordEventStoreTest, UnreadableRecordsAreSkippedAndCounted) {
  alerting::StateWrite w;
  w.puts.emplace_back("events/e/garbage", "x");
  w.puts.emplace_back(fmt::format("events/e/{:012}/{:012}", kNow, 7), "not json");
  ASSERT_TRUE(records_.Write(w).ok());
  auto s = Open();
  EXPECT_TRUE(Query(*s, {}).empty());
  EXPECT_GE(metrics_.GetCounter("events_unreadable_records_total", "").Value(), 2u);
  auto id = s->Add(Ev(kNow, "ok", {}));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, 8);
}

TEST(SplitTagsTest, SplitsOnWhitespaceAndDropsRepeats) {
  EXPECT_EQ(SplitTags("  a b\tc  a "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(SplitTags("").empty());
}

}  // namespace
}  // namespace meridian::dashboards
