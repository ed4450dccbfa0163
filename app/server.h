// Server: `meridian serve` — wires the store, Graphite ingest, the HTTP API and the self-metrics
// writer from a Config, and shuts them down in the order that keeps every accepted point.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "app/config.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"

namespace meridian::aggregation {
class AggregatingSink;
}
namespace meridian::alerting {
class AlertEngine;
class CheckSink;
class RuleReloader;
class StateStore;
}  // namespace meridian::alerting
namespace meridian::dashboards {
class DashboardLibrary;
class Overview;
class PeerFanout;
class RecordEventStore;
class StatusReporter;
}  // namespace meridian::dashboards
namespace meridian::ingest {
class GraphiteServer;
}
namespace meridian::http {
class Router;
class Server;
class TokenStore;
}  // namespace meridian::http
namespace meridian::query {
class LocalSource;
namespace federation {
class FederatedSource;
class Peer;
}  // namespace federation
}  // namespace meridian::query
namespace meridian::storage {
class Store;
}

namespace meridian::app {

// What `meridian version` prints and /api/status reports.
inline constexpr char kMeridianVersion[] = "0.1.0";
namespace internal {
class FederationPeerDirectory;
class ServerInstanceStats;
}  // namespace internal

class Server {
 public:
  // Opens the store (replaying its log), then starts listening. `clock` must outlive it.
  static core::Result<std::unique_ptr<Server>> Start(const Config& config,
                                                     const core::Clock& clock);
  ~Server();

  uint16_t graphite_port() const;
  uint16_t pickle_port() const;  // 0 when graphite.pickle is false
  uint16_t http_port() const;
  core::MetricsRegistry& metrics() { return metrics_; }

  // SIGHUP: re-reads the aggregator's rule files and inline rules (when it is on); rescans the
  // dashboard files; reloads the alert rules (when alerting is on), the HTTP
  // tokens file (when set), the
  // peers' token files, and — given the re-read config file — the federation section (peers
  // added, removed or changed without a restart). Errors are logged; what runs stays when the
  // new version is invalid. Other changed sections are reported as needing a restart.
  void Reload(const Config* reloaded = nullptr);

  // Stops accepting, drains connections into the store, makes everything durable. Idempotent.
  core::Status Shutdown();
  // After Shutdown(): some HTTP requests outlived http.shutdown_timeout (the store was flushed
  // but left open for them); the process should _Exit.
  bool requests_abandoned() const { return http_abandoned_; }

 private:
  Server(const Config& config, const core::Clock& clock);
  // Builds the alert engine, its sinks and its rules (alerting.rules_dir set).
  core::Status StartAlerting();
  core::Status StartAlertSinks();
  core::Status StartHttp();
  // The dashboard library and its routes (called by StartHttp, after alerting).
  core::Status StartDashboards();
  // The events store and API, /api/status and /api/overview (server_events.cc).
  core::Status StartEventsAndStatus();
  core::Status LoadTokens();
  // SIGHUP: the aggregator's rules from `config` (files re-read); a broken one keeps the old.
  void ReloadAggregator(const Config& config);
  // The peers of a federation section (token files read now). Errors name the peer.
  core::Result<std::vector<std::shared_ptr<query::federation::Peer>>> BuildPeers(
      const FederationConfig& fc);
  void SelfMetricsLoop();
  void WriteSelfMetrics();

  Config config_;
  const core::Clock& clock_;
  core::MetricsRegistry metrics_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<query::LocalSource> source_;
  // What HTTP and alerting read: the local store plus the federation peers (none: the store).
  std::unique_ptr<query::federation::FederatedSource> federated_;
  std::unique_ptr<ingest::GraphiteServer> graphite_;
  std::unique_ptr<http::TokenStore> tokens_;
  std::unique_ptr<http::Router> router_;
  std::unique_ptr<http::Server> http_;
  bool http_abandoned_ = false;  // requests outlived http.shutdown_timeout
  std::unique_ptr<alerting::StateStore> alert_states_;
  std::vector<std::unique_ptr<alerting::CheckSink>> alert_sinks_;
  std::unique_ptr<alerting::AlertEngine> alerts_;
  std::unique_ptr<alerting::RuleReloader> rule_reloader_;
  std::unique_ptr<dashboards::DashboardLibrary> dashboards_;
  class StoreSink;
  std::unique_ptr<StoreSink> sink_;
  // carbon-aggregator rules between the listeners and sink_ (aggregator section set).
  std::unique_ptr<aggregation::AggregatingSink> aggregator_;
  // Events (graphite-web's events API) and the status/overview pages' sources.
  std::unique_ptr<alerting::StateStore> event_records_;
  std::unique_ptr<dashboards::RecordEventStore> events_;
  std::unique_ptr<internal::ServerInstanceStats> instance_stats_;
  std::unique_ptr<dashboards::StatusReporter> status_;
  std::unique_ptr<internal::FederationPeerDirectory> peer_directory_;
  std::unique_ptr<dashboards::PeerFanout> peer_fanout_;
  std::unique_ptr<dashboards::Overview> overview_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool shut_down_ = false;
  std::thread self_metrics_;
};

}  // namespace meridian::app
