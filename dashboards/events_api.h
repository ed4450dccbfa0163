// graphite-web's events API (webapp/graphite/events), the shapes Grafana's Graphite datasource
// reads for annotations, over an EventStore plus the alert transitions (alert_events.h):
//
//   POST   /events/           scope write. Body JSON {"what": str (required), "tags": "a b" |
//                             ["a", "b"], "data": str, "when": epoch seconds (default now)}
//                             → 200 {"id": N}. Bad JSON/fields → 400 naming the field; a body
//                             over events.max_event_bytes → 413.
//   GET    /events/get_data   from, until (graphite times; default 0 and now), tags ("a b"),
//                             set (or set_operation): intersection (default) | union, jsonp →
//                             [{"when","what","data","tags":[…],"id"}] oldest first — posted
//                             events and alert transitions merged; with federation peers,
//                             theirs too, tagged region:<name> (region_events.h).
//   GET    /events/           the same list (same parameters): JSON with format=json or an Accept
//                             naming application/json, else a small HTML table.
//   GET    /events/{id}       {"id","when":"2026-12-04T03:13:33Z","what","data","tags"} (graphite-
//                             web's detail view: when as ISO 8601 UTC); 404 if unknown.
//   DELETE /events/{id}       scope admin: deletes a posted event → {"id": N, "deleted": true};
//                             alert transitions (negative ids) are 400 (they follow
//                             alerting.history_retention).
// Errors are {"error": "..."}.
#pragma once

#include <cstddef>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"
#include "dashboards/alert_events.h"
#include "dashboards/event_store.h"
#include "dashboards/peer_fanout.h"
#include "http/router.h"

namespace meridian::dashboards {

struct EventsApiOptions {
  // A POST body larger than this is refused with 413. events.max_event_bytes, default 64 KiB.
  size_t max_event_bytes = 65'536;
  // An answer's events may hold at most this many bytes (else 422). http.max_response_bytes.
  size_t max_response_bytes = size_t{256} << 20;
  // Transitions considered (alerting.max_history_entries). Default 100,000.
  size_t history_limit = 100'000;
  // Cross-region get_data and list (region_events.h): the peers to ask (null or none = this
  // instance only), this instance's region name, and federation.partial (a request's
  // partial=allow|deny overrides it): allow answers without a missing peer and names it in
  // X-Meridian-Partial; deny answers 503 naming it. local=1 answers this instance's events only.
  PeerFanout* peers = nullptr;
  std::string region;
  bool partial_allowed = true;
};

// Adds the routes. `store`, `clock` and `metrics` must outlive the router; `alerts` may be empty
// (alerting off: posted events only).
core::Status RegisterEventRoutes(http::Router& router, EventStore& store, TransitionLister alerts,
                                 const core::Clock& clock, core::MetricsRegistry& metrics,
                                 const EventsApiOptions& options);

}  // namespace meridian::dashboards
