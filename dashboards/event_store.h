// EventStore: graphite-web's events (deploy markers and the like, posted to /events/) — the seam
// between the events API (events_api.h) and where events are kept. RecordEventStore
// (record_event_store.h) keeps them in a durable key-value store; tests use it over
// alerting::MemoryStateStore.
//
// Event model (graphite-web's events app): an id, `when` (epoch seconds), `what` (a title),
// `data` (free text) and `tags` (a list of words without whitespace). Queries select by time
// window and tags like graphite-web's Event.find_events:
//   - `from` <= when <= `until` (both inclusive);
//   - no tags: every event in the window; tags with kIntersection (graphite-web's default and
//     `set=intersection`): events carrying every tag; kUnion (`set=union`): any of them.
//     Tags compare exactly (case-sensitive).
//   - ordered by when, then id (oldest first).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/deadline.h"
#include "core/status.h"

namespace meridian::dashboards {

struct Event {
  // Posted events: 1, 2, 3… (never reused). Alert transitions served as events have negative
  // ids (alert_events.h).
  int64_t id = 0;
  int64_t when = 0;  // epoch seconds
  std::string what;
  std::string data;
  std::vector<std::string> tags;
  bool operator==(const Event&) const = default;
};

enum class SetOperation { kIntersection, kUnion };

struct EventQuery {
  int64_t from = 0;               // epoch seconds, inclusive
  int64_t until = INT64_MAX;      // inclusive
  std::vector<std::string> tags;  // empty: no tag filter
  SetOperation set = SetOperation::kIntersection;
  // The matching events' what+data+tags bytes may not exceed this: past it the query fails
  // with RESOURCE_EXHAUSTED (the HTTP layer passes http.max_response_bytes).
  size_t max_bytes = size_t{256} << 20;
};

// True when `event` passes the query's tag filter (not its window).
bool MatchesTags(const Event& event, const EventQuery& query);
// Splits graphite-web's tag text ("deploy web prod") on whitespace, dropping empty words and
// repeats (first occurrence kept).
std::vector<std::string> SplitTags(std::string_view text);
// Bytes an event counts against EventQuery::max_bytes.
size_t EventBytes(const Event& event);

// Thread-safety: called from HTTP worker threads at once; implementations are thread-safe.
class EventStore {
 public:
  virtual ~EventStore() = default;

  // Stores a new event (its id is ignored) and returns the id given to it. REQUIRES: `what`
  // non-empty, tags without whitespace (the API validates). An event older than the retention
  // is INVALID_ARGUMENT; a store at its event limit first deletes its oldest event (which may
  // be this one, if it is older than every stored event). IO_ERROR when the record could not
  // be written (nothing stored then).
  virtual core::Result<int64_t> Add(const Event& event) = 0;
  // Events matching `query`, ordered by (when, id). DEADLINE_EXCEEDED/CANCELLED from the
  // deadline; RESOURCE_EXHAUSTED past query.max_bytes.
  virtual core::Result<std::vector<Event>> Query(const EventQuery& query,
                                                 const core::Deadline& deadline) = 0;
  // NOT_FOUND for an unknown (or expired) id.
  virtual core::Result<Event> Get(int64_t id) = 0;
  // NOT_FOUND for an unknown id.
  virtual core::Status Delete(int64_t id) = 0;
};

}  // namespace meridian::dashboards
