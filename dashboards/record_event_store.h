// RecordEventStore: the EventStore on a durable key-value store (alerting::StateStore — in
// `meridian serve` the storage module's application records, written with its WAL, the same
// mechanism the alert engine keeps its states in), under its own key namespace:
//
//   events/e/<when, 12 digits>/<id, 12 digits>  → {"what": …, "data": …, "tags": […]}
//   events/next_id                              → the next id (ids are never reused)
//
// Keys sort by time, so a query scans only its window (split into at most ~200 decimal key
// prefixes), never the whole space. An index of (when, id) pairs is kept in memory (rebuilt by
// Open) for Get/Delete, the event limit and retention.
//
// Limits (each counted in meridian_events_evicted_total{reason}):
//   - max_events: adding past it deletes the oldest event (by when, then id);
//   - retention: events older than it are never served, and deleted at the next Add (and at
//     Open). Adding an event older than it is INVALID_ARGUMENT.
//
// Durability: Add returns after the record is written with the store's WAL — as durable as
// ingested points (a process kill loses nothing; a power loss at most storage.sync_interval).
// Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "alerting/state_store.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "dashboards/event_store.h"

namespace meridian::dashboards {

struct EventStoreOptions {
  // Events kept; adding past it deletes the oldest. events.max_events, default 100,000; >= 1.
  size_t max_events = 100'000;
  // Events older than this are dropped. events.retention, default 90 days; >= 1 s.
  std::chrono::seconds retention{90LL * 86'400};
  core::Status Validate() const;
};

class RecordEventStore final : public EventStore {
 public:
  // Reads the index from `records` (unreadable records are skipped, counted and logged) and
  // applies the limits. `records`, `clock` and `metrics` must outlive the store.
  static core::Result<std::unique_ptr<RecordEventStore>> Open(alerting::StateStore& records,
                                                              const EventStoreOptions& options,
                                                              const core::Clock& clock,
                                                              core::MetricsRegistry& metrics);
  RecordEventStore(const RecordEventStore&) = delete;
  RecordEventStore& operator=(const RecordEventStore&) = delete;

  core::Result<int64_t> Add(const Event& event) override;
  core::Result<std::vector<Event>> Query(const EventQuery& query,
                                         const core::Deadline& deadline) override;
  core::Result<Event> Get(int64_t id) override;
  core::Status Delete(int64_t id) override;

  size_t size() const;

 private:
  RecordEventStore(alerting::StateStore& records, const EventStoreOptions& options,
                   const core::Clock& clock, core::MetricsRegistry& metrics);
  int64_t OldestKept(int64_t now) const;
  // Deletes expired events and those past max_events. REQUIRES: mu_ held.
  core::Status EnforceLimitsLocked(int64_t now);

  alerting::StateStore& records_;
  const EventStoreOptions options_;
  const core::Clock& clock_;
  core::Counter& added_;
  core::Counter& deleted_;
  core::Counter& evicted_limit_;
  core::Counter& evicted_retention_;
  core::Counter& unreadable_;
  core::Counter& refused_;
  core::Gauge& stored_;

  mutable std::mutex mu_;
  std::set<std::pair<int64_t, int64_t>> order_;  // (when, id), oldest first
  std::map<int64_t, int64_t> when_of_;           // id → when
  int64_t next_id_ = 1;
};

// Key prefixes covering exactly the numbers lo..hi written with `width` digits (zero-padded):
// at most 18 per digit. REQUIRES: 0 <= lo, hi < 10^width, width <= 18. Empty when lo > hi.
std::vector<std::string> DecimalPrefixes(int64_t lo, int64_t hi, int width);

}  // namespace meridian::dashboards
