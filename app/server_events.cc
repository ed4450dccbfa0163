// Server: the events API and the status/overview routes (dashboards/), wired to the store's
// records, the alert engine and the federation's peers.
#include <fmt/format.h>

#include "alerting/engine.h"
#include "app/internal/federation_peer_directory.h"
#include "app/internal/server_instance_stats.h"
#include "app/internal/store_state_store.h"
#include "app/server.h"
#include "dashboards/events_api.h"
#include "dashboards/overview.h"
#include "dashboards/peer_fanout.h"
#include "dashboards/record_event_store.h"
#include "dashboards/status.h"
#include "dashboards/status_api.h"
#include "http/router.h"
#include "query/federation/federated_source.h"

namespace meridian::app {

namespace {
constexpr char kVersion[] = "0.1.0";  // as `meridian version`
}  // namespace

core::Status Server::StartEventsAndStatus() {
  // Events live in the store's application records under "events/", beside the alert
  // engine's "s/" and "h/" records.
  event_records_ = std::make_unique<internal::StoreStateStore>(*store_);
  dashboards::EventStoreOptions eo;
  eo.max_events = config_.events.max_events;
  eo.retention = std::chrono::duration_cast<std::chrono::seconds>(config_.events.retention);
  ASSIGN_OR_RETURN(events_,
                   dashboards::RecordEventStore::Open(*event_records_, eo, clock_, metrics_));
  dashboards::TransitionLister transitions;
  dashboards::CheckLister checks;
  if (alerts_) {
    transitions = [engine = alerts_.get()](const alerting::HistoryQuery& q) {
      return engine->History(q);
    };
    checks = [engine = alerts_.get()] { return engine->Checks(); };
  }
  peer_directory_ = std::make_unique<internal::FederationPeerDirectory>(*federated_);
  dashboards::PeerFanoutOptions fo;
  fo.timeout = config_.federation.timeout;
  fo.threads = config_.federation.fanout_threads;
  fo.max_pending = config_.federation.max_pending_calls;
  peer_fanout_ = std::make_unique<dashboards::PeerFanout>(*peer_directory_, fo);
  dashboards::EventsApiOptions ao;
  ao.max_event_bytes = config_.events.max_event_bytes;
  ao.max_response_bytes = config_.http.max_response_bytes;
  ao.history_limit = config_.alerting.max_history_entries;
  ao.peers = peer_fanout_.get();
  ao.region = config_.instance;
  ao.partial_allowed = config_.federation.partial_allowed;
  RETURN_IF_ERROR(
      dashboards::RegisterEventRoutes(*router_, *events_, transitions, clock_, metrics_, ao));

  instance_stats_ = std::make_unique<internal::ServerInstanceStats>(*store_, metrics_, clock_);
  status_ = std::make_unique<dashboards::StatusReporter>(
      dashboards::StatusInfo{config_.instance, kVersion, clock_.NowSeconds()}, *instance_stats_,
      checks, clock_);
  overview_ = std::make_unique<dashboards::Overview>(*status_, *peer_fanout_, clock_, metrics_);
  return dashboards::RegisterStatusRoutes(*router_, *status_, *overview_);
}

}  // namespace meridian::app
