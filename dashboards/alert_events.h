// Alert transitions (alerting::AlertEngine::History) served as graphite-web events, computed at
// query time from the alert history (never copied, so the two never diverge), so Grafana's stock
// Graphite datasource and Meridian's pages draw them as annotations.
//
// One transition → one event:
//   when  the transition time
//   what  "<rule> <host>/<service> <FROM> → <TO>", e.g. "cpu_high web1/cpu CRITICAL → OK"
//         (a check's first evaluation has no FROM: "cpu_high web1/cpu → CRITICAL")
//   data  the plugin output sent with the transition
//   tags  ["alert", "<to state, lower-case: ok|warning|critical|unknown>",
//          "rule:<group>/<rule>", "host:<host>", "service:<service>"]
//         Whitespace inside a name becomes '_' (graphite-web's tags are whitespace-separated).
//   id    negative: -(1 + FNV-1a-64(time, group, rule, host, service, from, to) mod (2^53 - 1)),
//         stable across queries and restarts, within JSON's exact integers, never a posted id.
//
// So `tags=alert` selects every transition, `tags=alert critical` (intersection) those into
// CRITICAL, `tags=rule:web/cpu_high` one rule's.
#pragma once

#include <functional>
#include <vector>

#include "alerting/engine.h"
#include "dashboards/event_store.h"

namespace meridian::dashboards {

Event TransitionEvent(const alerting::Transition& t);
int64_t AlertEventId(const alerting::Transition& t);

// AlertEngine::History, or a fake in tests. Must be thread-safe.
using TransitionLister =
    std::function<std::vector<alerting::Transition>(const alerting::HistoryQuery&)>;

// The transitions in the query's window (at most `history_limit` of them, the newest) that
// match its tags, as events ordered by (when, id). RESOURCE_EXHAUSTED past query.max_bytes.
core::Result<std::vector<Event>> AlertEvents(const TransitionLister& history,
                                             const EventQuery& query, size_t history_limit);

// The alert event with this (negative) id among the last `history_limit` transitions, or
// NOT_FOUND.
core::Result<Event> FindAlertEvent(const TransitionLister& history, int64_t id,
                                   size_t history_limit);

}  // namespace meridian::dashboards
