// Cross-region events: /events/get_data on one region also asks its federation peers'
// /events/get_data (with local=1, so regions listing each other never loop) and merges what
// they answer, each event tagged "region:<peer name>" (this instance's own events get
// "region:<instance>"), so one Grafana datasource pointed at any region draws every region's
// markers and alert transitions, and `tags=region:eu` selects one region's.
//
// Replica peers are not asked (they would repeat events); graphite-web peers are (their events
// app answers the same call; local=1 is ignored there). Peers are asked in parallel (PeerFanout:
// federation.timeout); a peer that fails, answers something else or is late is recorded in the
// ReadReport (→ X-Meridian-Partial), never a hang. Peer ids are the peer's own (they may repeat
// across regions).
#pragma once

#include <string>
#include <vector>

#include "core/deadline.h"
#include "core/status.h"
#include "dashboards/event_store.h"
#include "dashboards/peer_fanout.h"
#include "query/read_options.h"

namespace meridian::dashboards {

// The query a region is asked: `query` without its region:* tags when they can be applied
// afterwards (intersection), without any tags when a region:* tag is in a union. The caller
// filters the tagged answers with the full query.
EventQuery RegionQuery(const EventQuery& query);

// "/events/get_data?from=…&until=…&local=1[&tags=…&set=union]" for a region query.
std::string RegionPath(const EventQuery& region_query);

// Parses a peer's /events/get_data answer (graphite-web's shape; tags as a list or a string).
core::Result<std::vector<Event>> ParsePeerEvents(std::string_view body);

// The events of every non-replica peer for `query` (RegionQuery of it), tagged with the peer's
// region and filtered by `query`; missing peers are recorded in `report`.
std::vector<Event> PeerEvents(PeerFanout& peers, const EventQuery& query, query::ReadReport& report,
                              const core::Deadline& deadline);

// Adds "region:<name>" (whitespace → '_') to the event's tags.
void TagRegion(Event& event, std::string_view name);

}  // namespace meridian::dashboards
