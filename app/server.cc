#include "app/server.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "aggregation/aggregating_sink.h"
#include "alerting/alert_api.h"
#include "alerting/check_sink.h"
#include "alerting/engine.h"
#include "alerting/nagios_pipe_sink.h"
#include "alerting/nsca_sink.h"
#include "alerting/rule_reloader.h"
#include "app/internal/component_options.h"
#include "app/internal/federation_peer_directory.h"
#include "app/internal/server_instance_stats.h"
#include "app/internal/store_state_store.h"
#include "app/tokens_file.h"
#include "dashboards/dashboard_api.h"
#include "dashboards/library.h"
#include "dashboards/overview.h"
#include "dashboards/record_event_store.h"
#include "dashboards/static_routes.h"
#include "dashboards/status.h"
#include "http/auth.h"
#include "http/router.h"
#include "http/server.h"
#include "ingest/graphite_server.h"
#include "ingest/point_sink.h"
#include "query/federation/federated_source.h"
#include "query/federation/peer_client.h"
#include "query/function_registry.h"
#include "query/http_api.h"
#include "query/series_source.h"
#include "storage/store.h"

namespace meridian::app {

// Ingest hands batches to the store's queue; a full queue makes ingest pause (backpressure).
class Server::StoreSink final : public ingest::PointSink {
 public:
  explicit StoreSink(storage::Store& store) : store_(store) {}
  bool TryWrite(storage::PointBatch& batch) override { return store_.TryWrite(batch); }

 private:
  storage::Store& store_;
};

Server::Server(const Config& config, const core::Clock& clock) : config_(config), clock_(clock) {}

Server::~Server() { Shutdown().IgnoreError(); /* destructor: errors were logged by Shutdown */ }

core::Result<std::unique_ptr<Server>> Server::Start(const Config& config,
                                                    const core::Clock& clock) {
  auto server = std::unique_ptr<Server>(new Server(config, clock));
  storage::StoreOptions so;
  so.data_dir = config.data_dir;
  ASSIGN_OR_RETURN(so.schemas, BuildSchemas(config));
  so.sync_interval_ms = config.storage.sync_interval.count();
  so.max_pending_points = config.storage.max_pending_points;
  so.points_per_block = static_cast<uint32_t>(config.storage.points_per_block);
  so.min_free_bytes = config.storage.min_free_bytes;
  so.verify_on_start = config.storage.verify_on_start;
  ASSIGN_OR_RETURN(server->store_, storage::OpenRocksStore(so, clock, server->metrics_));
  server->source_ = std::make_unique<query::LocalSource>(*server->store_);
  {
    const FederationConfig& fc = config.federation;
    ASSIGN_OR_RETURN(auto peers, server->BuildPeers(fc));
    query::federation::FederationOptions fo;
    fo.timeout = fc.timeout;
    fo.fanout_threads = fc.fanout_threads;
    fo.max_pending_calls = fc.max_pending_calls;
    fo.push_down = fc.push_down;
    fo.probe_wait = fc.probe_wait;
    server->federated_ = std::make_unique<query::federation::FederatedSource>(
        *server->source_, std::move(peers), fo, server->metrics_);
    if (!fc.peers.empty()) {
      fmt::print(stderr, "meridian: federation: {} peers, timeout {} ms, partial answers {}\n",
                 fc.peers.size(), fc.timeout.count(), fc.partial_allowed ? "allowed" : "refused");
    }
  }
  server->sink_ = std::make_unique<StoreSink>(*server->store_);
  // Every listener (plaintext TCP/UDP, pickle) writes through the aggregator when it is on.
  ingest::PointSink* ingest_sink = server->sink_.get();
  if (config.aggregator.enabled()) {
    const AggregatorConfig& ac = config.aggregator;
    ASSIGN_OR_RETURN(auto rules, BuildAggregatorRules(config));
    aggregation::AggregatingSinkOptions ao;
    ao.forward_inputs = ac.forward_all;
    ao.max_intervals = ac.max_intervals;
    ao.max_buffers = ac.max_buffers;
    ao.max_buffered_values = ac.max_buffered_values;
    ao.max_cached_names = ac.max_cached_names;
    ao.flush_interval = ac.flush_interval;
    ASSIGN_OR_RETURN(server->aggregator_, aggregation::AggregatingSink::Create(
                                              ao, *server->sink_, clock, server->metrics_));
    fmt::print(stderr, "meridian: aggregator: {} rules, {} rewrite rules, forward_all {}\n",
               rules->rules().size(), rules->pre().size() + rules->post().size(), ac.forward_all);
    server->aggregator_->SetRules(std::move(rules));
    server->aggregator_->Start();
    ingest_sink = server->aggregator_.get();
  }

  const ingest::ServerOptions io = internal::GraphiteServerOptions(config.graphite);
  ASSIGN_OR_RETURN(server->graphite_,
                   ingest::GraphiteServer::Start(io, *ingest_sink, clock, server->metrics_));
  RETURN_IF_ERROR(server->StartAlerting());
  RETURN_IF_ERROR(server->StartHttp());
  if (server->alerts_) {
    server->alerts_->Start();
    server->rule_reloader_->StartWatching(config.alerting.reload_check_interval);
  }
  Server* raw = server.get();
  server->self_metrics_ = std::thread([raw] { raw->SelfMetricsLoop(); });
  return server;
}

core::Status Server::LoadTokens() {
  if (config_.http.auth.tokens_file.empty()) return core::Status::Ok();
  ASSIGN_OR_RETURN(auto tokens, LoadTokensFile(config_.http.auth.tokens_file));
  const size_t n = tokens.size();
  tokens_->Replace(std::move(tokens));
  fmt::print(stderr, "meridian: http: {} bearer tokens from {}\n", n,
             config_.http.auth.tokens_file);
  return core::Status::Ok();
}

core::Result<std::vector<std::shared_ptr<query::federation::Peer>>> Server::BuildPeers(
    const FederationConfig& fc) {
  std::vector<std::shared_ptr<query::federation::Peer>> peers;
  for (const FederationPeerConfig& p : fc.peers) {
    ASSIGN_OR_RETURN(query::federation::PeerConfig pc, ResolvePeer(p));
    auto client = query::federation::PeerClient::Create(std::move(pc), metrics_);
    if (!client.ok()) return client.status();
    peers.push_back(std::move(client).value());
  }
  return peers;
}

namespace {

// /api/peers: each peer's settings (never its token) and health, as this instance sees them.
http::Response PeersJson(const query::federation::FederatedSource& source,
                         const FederationConfig& fc) {
  nlohmann::json out;
  out["timeout_ms"] = fc.timeout.count();
  out["partial"] = fc.partial_allowed ? "allow" : "deny";
  nlohmann::json list = nlohmann::json::array();
  for (const auto& peer : source.peers()) {
    nlohmann::json j;
    j["name"] = peer->name();
    j["role"] = std::string(query::federation::PeerRoleName(peer->role()));
    if (!peer->mount().prefix.empty()) j["prefix"] = peer->mount().prefix;
    if (!peer->mount().tags.empty()) j["tags"] = peer->mount().tags;
    if (const auto* client = dynamic_cast<const query::federation::PeerClient*>(peer.get())) {
      const query::federation::PeerConfig& c = client->config();
      j["url"] = c.url;
      j["token"] = c.token.empty() ? "none" : "set";
      const query::federation::PeerHealth h = client->Health();
      j["up"] = h.up;
      j["consecutive_failures"] = h.consecutive_failures;
      j["last_error"] = h.last_error;
      j["last_ok"] = h.last_ok_unix;
      j["retry_in_ms"] = h.retry_in_ms;
      j["last_latency_ms"] = h.last_latency_ms;
      j["calls"] = h.calls;
      j["open_connections"] = h.open_connections;
    }
    list.push_back(std::move(j));
  }
  out["peers"] = std::move(list);
  return http::Response::Json(200,
                              out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace

core::Status Server::StartHttp() {
  const HttpConfig& hc = config_.http;
  http::AuthOptions ao;
  ao.anonymous_read = hc.auth.anonymous_read;
  tokens_ = std::make_unique<http::TokenStore>(ao);
  RETURN_IF_ERROR(LoadTokens());
  router_ = std::make_unique<http::Router>();
  query::HttpOptions qo;
  qo.max_series_per_request = hc.max_series_per_request;
  qo.max_points_per_request = hc.max_points_per_request;
  qo.max_concurrent_queries = hc.max_concurrent_queries;
  qo.max_response_bytes = hc.max_response_bytes;
  qo.memory_budget_bytes = hc.memory_budget_bytes;
  qo.partial = config_.federation.partial_allowed ? query::PartialPolicy::kAllow
                                                  : query::PartialPolicy::kRefuse;
  qo.health_problem = [store = store_.get()] { return store->HealthProblem(); };
  RETURN_IF_ERROR(query::RegisterHttpRoutes(*router_, qo, *federated_, clock_, metrics_));
  RETURN_IF_ERROR(dashboards::RegisterPageRoutes(*router_));  // the pages: /, /dashboards/…
  {
    http::Route peers;
    peers.methods = {http::Method::kGet};
    peers.pattern = "/api/peers";
    peers.scope = http::Scope::kRead;
    peers.handler = [this](const http::Request&) {
      return PeersJson(*federated_, config_.federation);
    };
    RETURN_IF_ERROR(router_->Add(std::move(peers)));
  }
  if (alerts_) {
    RETURN_IF_ERROR(alerting::RegisterAlertRoutes(*router_, *alerts_, *rule_reloader_, clock_));
  }
  RETURN_IF_ERROR(StartDashboards());
  RETURN_IF_ERROR(StartEventsAndStatus());
  const http::ServerOptions so = internal::HttpServerOptions(hc);
  ASSIGN_OR_RETURN(http_, http::Server::Start(so, *router_, *tokens_, metrics_));
  return core::Status::Ok();
}

core::Status Server::StartDashboards() {
  const DashboardsConfig& dc = config_.dashboards;
  dashboards::LibraryOptions lo;
  lo.dir = DashboardsDir(config_);
  lo.max_files = dc.max_files;
  lo.max_file_bytes = dc.max_file_bytes;
  dashboards_ = std::make_unique<dashboards::DashboardLibrary>(lo, clock_, metrics_);
  if (!lo.dir.empty()) {
    auto set = dashboards_->Current();
    size_t invalid = 0;
    for (const auto& d : set->dashboards) invalid += d.errors.empty() ? 0 : 1;
    fmt::print(stderr, "meridian: dashboards: {} files from {} ({} invalid)\n",
               set->dashboards.size() - 1, lo.dir, invalid);
  }
  dashboards::RulesProvider rules;
  if (alerts_) rules = [engine = alerts_.get()] { return engine->rules(); };
  dashboards::DashboardApiOptions ao;
  ao.max_variable_options = dc.max_variable_options;
  ao.max_alert_match_series = dc.max_alert_match_series;
  return dashboards::RegisterDashboardRoutes(*router_, *dashboards_, *federated_, std::move(rules),
                                             clock_, metrics_, ao);
}

core::Status Server::StartAlerting() {
  const AlertingConfig& ac = config_.alerting;
  if (ac.rules_dir.empty()) return core::Status::Ok();
  const alerting::EngineOptions eo = internal::AlertEngineOptions(ac);
  RETURN_IF_ERROR(eo.Validate());
  alert_states_ = std::make_unique<internal::StoreStateStore>(*store_);
  alerts_ = std::make_unique<alerting::AlertEngine>(*federated_, query::FunctionRegistry::Default(),
                                                    *alert_states_, clock_, metrics_, eo);
  RETURN_IF_ERROR(alerts_->Restore());
  RETURN_IF_ERROR(StartAlertSinks());
  for (auto& sink : alert_sinks_) alerts_->AddSink(*sink);
  rule_reloader_ = std::make_unique<alerting::RuleReloader>(
      *alerts_, std::vector<std::string>{ac.rules_dir}, clock_, metrics_);
  const alerting::ReloadOutcome loaded = rule_reloader_->Reload();
  if (!loaded.ok) {
    std::string errors;
    for (const std::string& e : loaded.errors) errors += "\n  " + e;
    return core::InvalidArgument(
        fmt::format("alerting.rules_dir {}: invalid rules:{}", ac.rules_dir, errors));
  }
  fmt::print(stderr, "meridian: alerting: {} rule files, {} groups, {} rules from {}\n",
             loaded.files, loaded.groups, loaded.rules, ac.rules_dir);
  return core::Status::Ok();
}

core::Status Server::StartAlertSinks() {
  const AlertingConfig& ac = config_.alerting;
  if (!ac.nagios.command_file.empty()) {
    const alerting::NagiosPipeSinkOptions o = internal::NagiosSinkOptions(ac.nagios);
    ASSIGN_OR_RETURN(auto sink, alerting::NagiosPipeSink::Create(o, metrics_));
    alert_sinks_.push_back(std::move(sink));
  }
  if (!ac.nsca.host.empty()) {
    const alerting::NscaSinkOptions o = internal::NscaSinkOptions(ac.nsca);
    ASSIGN_OR_RETURN(auto sink, alerting::NscaSink::Create(o, metrics_));
    alert_sinks_.push_back(std::move(sink));
  }
  return core::Status::Ok();
}

void Server::Reload(const Config* reloaded) {
  if (auto st = LoadTokens(); !st.ok()) {
    fmt::print(stderr, "meridian: tokens not reloaded (the running ones stay): {}\n", st.message());
  }
  // Peers: the new federation section if one was given, else the running one (token files are
  // re-read either way; connections are reopened).
  const FederationConfig& fc = reloaded ? reloaded->federation : config_.federation;
  if (aggregator_) ReloadAggregator(reloaded ? *reloaded : config_);
  if (reloaded) {
    Config rest = *reloaded;
    rest.federation.peers = config_.federation.peers;
    rest.aggregator.rules_file = config_.aggregator.rules_file;
    rest.aggregator.rewrite_rules_file = config_.aggregator.rewrite_rules_file;
    rest.aggregator.rules = config_.aggregator.rules;
    rest.aggregator.rewrite_pre = config_.aggregator.rewrite_pre;
    rest.aggregator.rewrite_post = config_.aggregator.rewrite_post;
    if (!(rest == config_)) {
      fmt::print(stderr,
                 "meridian: config changes outside federation.peers take effect at the next "
                 "restart\n");
    }
  }
  if (!fc.peers.empty() || !config_.federation.peers.empty()) {
    auto peers = BuildPeers(fc);
    if (!peers.ok()) {
      fmt::print(stderr, "meridian: federation peers not reloaded (the running ones stay): {}\n",
                 peers.status().message());
    } else {
      const size_t n = peers->size();
      federated_->SetPeers(std::move(peers).value());
      config_.federation.peers = fc.peers;
      fmt::print(stderr, "meridian: federation: {} peers\n", n);
    }
  }
  if (dashboards_) dashboards_->Reload();
  if (!rule_reloader_) return;
  const alerting::ReloadOutcome outcome = rule_reloader_->Reload();
  if (outcome.ok) {
    fmt::print(stderr, "meridian: alert rules reloaded: {} groups, {} rules\n", outcome.groups,
               outcome.rules);
  }
}

void Server::ReloadAggregator(const Config& config) {
  auto rules = BuildAggregatorRules(config);
  if (!rules.ok()) {
    fmt::print(stderr, "meridian: aggregation rules not reloaded (the running ones stay): {}\n",
               rules.status().message());
    metrics_
        .GetCounter("aggregation_reloads_total", "Aggregation rule reloads.", {{"result", "error"}})
        .Add();
    return;
  }
  fmt::print(stderr, "meridian: aggregation rules reloaded: {} rules, {} rewrite rules\n",
             (*rules)->rules().size(), (*rules)->pre().size() + (*rules)->post().size());
  aggregator_->SetRules(*std::move(rules));
  metrics_.GetCounter("aggregation_reloads_total", "Aggregation rule reloads.", {{"result", "ok"}})
      .Add();
  AggregatorConfig& running = config_.aggregator;
  running.rules_file = config.aggregator.rules_file;
  running.rewrite_rules_file = config.aggregator.rewrite_rules_file;
  running.rules = config.aggregator.rules;
  running.rewrite_pre = config.aggregator.rewrite_pre;
  running.rewrite_post = config.aggregator.rewrite_post;
}

uint16_t Server::graphite_port() const { return graphite_->tcp_port(); }

uint16_t Server::pickle_port() const { return graphite_->pickle_port(); }
uint16_t Server::http_port() const { return http_->port(); }

namespace {

// Resident set size of this process (/proc/self/statm), or -1.
int64_t ResidentBytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return -1;
  long size = 0, resident = 0;
  const int n = std::fscanf(f, "%ld %ld", &size, &resident);
  std::fclose(f);
  return n == 2 ? static_cast<int64_t>(resident) * sysconf(_SC_PAGESIZE) : -1;
}

}  // namespace

void Server::WriteSelfMetrics() {
  metrics_
      .GetGauge("process_resident_memory_bytes",
                "Resident memory of the process, sampled every storage.self_metrics_interval.")
      .Set(ResidentBytes());
  if (instance_stats_) instance_stats_->Sample();  // the ingest rate's baseline
  const std::string prefix = "meridian." + config_.instance + ".";
  const int64_t now = clock_.NowSeconds();
  storage::PointBatch batch;
  for (const core::MetricSample& s : metrics_.Snapshot()) {
    batch.Add(prefix + s.graphite_suffix, now, s.value);
  }
  // A full queue means ingest is saturated: skipping one round of self-metrics is the right
  // trade (the counters keep counting; the next round carries the totals).
  if (!store_->TryWrite(batch)) {
    metrics_.GetCounter("self_metrics_skipped_total", "Self-metric rounds skipped (full queue).")
        .Add();
  }
}

void Server::SelfMetricsLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, config_.storage.self_metrics_interval, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    WriteSelfMetrics();
    lock.lock();
  }
}

core::Status Server::Shutdown() {
  {
    std::lock_guard lock(mu_);
    if (shut_down_) return core::Status::Ok();
    shut_down_ = true;
    stopping_ = true;
  }
  cv_.notify_all();
  // HTTP first: running requests are cancelled and get http.shutdown_timeout to notice.
  if (http_ && !http_->Stop(config_.http.shutdown_timeout)) {
    http_abandoned_ = true;
    fmt::print(stderr,
               "meridian: http: requests still running after http.shutdown_timeout ({} ms); "
               "exiting without waiting for them\n",
               config_.http.shutdown_timeout.count());
  }
  if (self_metrics_.joinable()) self_metrics_.join();
  // Alerting before the store: its last evaluation persists its states.
  if (rule_reloader_) rule_reloader_->Stop();
  if (alerts_) alerts_->Stop();
  // Ingest: it drains every connection's pending batch into the store.
  if (graphite_) graphite_->Stop();
  // The aggregator writes what its buffers hold while the store is still open.
  if (aggregator_) aggregator_->Stop();
  if (!store_) return core::Status::Ok();
  if (http_abandoned_) {
    // Abandoned handlers may still read the store: make every point durable but keep the
    // store open; the process exits next.
    core::Status flushed = store_->Flush();
    (void)http_.release();
    (void)store_.release();
    (void)source_.release();
    return flushed;
  }
  return store_->Close();
}

}  // namespace meridian::app
