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

namespace meridian::alerting {
class AlertEngine;
class CheckSink;
class RuleReloader;
class StateStore;
}  // namespace meridian::alerting
namespace meridian::ingest {
class GraphiteServer;
}
namespace meridian::query {
class HttpApi;
class LocalSource;
}  // namespace meridian::query
namespace meridian::storage {
class Store;
}

namespace meridian::app {

class Server {
 public:
  // Opens the store (replaying its log), then starts listening. `clock` must outlive it.
  static core::Result<std::unique_ptr<Server>> Start(const Config& config,
                                                     const core::Clock& clock);
  ~Server();

  uint16_t graphite_port() const;
  uint16_t http_port() const;
  core::MetricsRegistry& metrics() { return metrics_; }

  // Reloads the alert rules (SIGHUP). A no-op when alerting is off. Errors are logged; the
  // running rules stay when the new ones are invalid.
  void ReloadRules();

  // Stops accepting, drains connections into the store, makes everything durable. Idempotent.
  core::Status Shutdown();

 private:
  Server(const Config& config, const core::Clock& clock);
  // Builds the alert engine, its sinks and its rules (alerting.rules_dir set).
  core::Status StartAlerting();
  core::Status StartAlertSinks();
  void SelfMetricsLoop();
  void WriteSelfMetrics();

  Config config_;
  const core::Clock& clock_;
  core::MetricsRegistry metrics_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<query::LocalSource> source_;
  std::unique_ptr<ingest::GraphiteServer> graphite_;
  std::unique_ptr<query::HttpApi> http_;
  std::unique_ptr<alerting::StateStore> alert_states_;
  std::vector<std::unique_ptr<alerting::CheckSink>> alert_sinks_;
  std::unique_ptr<alerting::AlertEngine> alerts_;
  std::unique_ptr<alerting::RuleReloader> rule_reloader_;
  class StoreSink;
  std::unique_ptr<StoreSink> sink_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool shut_down_ = false;
  std::thread self_metrics_;
};

}  // namespace meridian::app
