#include "app/server.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "alerting/alert_api.h"
#include "alerting/check_sink.h"
#include "alerting/engine.h"
#include "alerting/nagios_pipe_sink.h"
#include "alerting/nsca_sink.h"
#include "alerting/rule_reloader.h"
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
  ASSIGN_OR_RETURN(server->store_, storage::OpenRocksStore(so, clock, server->metrics_));
  server->source_ = std::make_unique<query::LocalSource>(*server->store_);
  {
    const FederationConfig& fc = config.federation;
    ASSIGN_OR_RETURN(auto peers, server->BuildPeers(fc));
    query::federation::FederationOptions fo;
    fo.timeout = fc.timeout;
    fo.fanout_threads = fc.fanout_threads;
    fo.max_pending_calls = fc.max_pending_calls;
    server->federated_ = std::make_unique<query::federation::FederatedSource>(
        *server->source_, std::move(peers), fo, server->metrics_);
    if (!fc.peers.empty()) {
      fmt::print(stderr, "meridian: federation: {} peers, timeout {} ms, partial answers {}\n",
                 fc.peers.size(), fc.timeout.count(), fc.partial_allowed ? "allowed" : "refused");
    }
  }
  server->sink_ = std::make_unique<StoreSink>(*server->store_);

  ingest::ServerOptions io;
  io.listen = config.graphite.listen.ToString();
  io.udp = config.graphite.udp;
  io.max_line_bytes = config.graphite.max_line_bytes;
  io.max_connections = config.graphite.max_connections;
  io.max_connections_per_source = config.graphite.max_connections_per_source;
  io.idle_timeout = config.graphite.idle_timeout;
  io.udp_receive_buffer_bytes = config.graphite.udp_receive_buffer_bytes;
  if (config.graphite.pickle) io.pickle_listen = config.graphite.pickle_listen.ToString();
  io.max_pickle_frame_bytes = config.graphite.max_pickle_frame_bytes;
  ASSIGN_OR_RETURN(server->graphite_,
                   ingest::GraphiteServer::Start(io, *server->sink_, clock, server->metrics_));
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
    query::federation::PeerConfig pc = p.peer;
    if (!p.token_file.empty()) {
      auto text = ReadSmallFile(p.token_file, 64 << 10);
      if (!text.ok()) {
        return core::InvalidArgument(
            fmt::format("federation.peers[{}].token_file: {}", pc.name, text.status().message()));
      }
      std::string token = std::move(text).value();
      while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) {
        token.pop_back();
      }
      if (token.empty() || token.find_first_of(" \t\r\n") != std::string::npos) {
        return core::InvalidArgument(
            fmt::format("federation.peers[{}].token_file {}: expected one token on one line",
                        pc.name, p.token_file));
      }
      pc.token = std::move(token);
    }
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
  qo.partial = config_.federation.partial_allowed ? query::PartialPolicy::kAllow
                                                  : query::PartialPolicy::kRefuse;
  qo.health_problem = [store = store_.get()] { return store->WriteProblem(); };
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
  http::ServerOptions so;
  so.host = hc.listen.host;
  so.port = hc.listen.port;
  so.max_connections = hc.max_connections;
  so.max_header_bytes = hc.max_header_bytes;
  so.max_header_fields = hc.max_header_fields;
  so.max_url_bytes = hc.max_url_bytes;
  so.max_body_bytes = hc.max_body_bytes;
  so.header_timeout = hc.header_timeout;
  so.body_timeout = hc.body_timeout;
  so.idle_timeout = hc.idle_timeout;
  so.write_timeout = hc.write_timeout;
  so.request_timeout = hc.query_timeout;
  so.worker_threads = hc.worker_threads;
  so.max_queued_requests = hc.max_queued_requests;
  so.compress_min_bytes = hc.compress_min_bytes;
  so.tls.cert_file = hc.tls.cert_file;
  so.tls.key_file = hc.tls.key_file;
  so.tls.client_ca_file = hc.tls.client_ca_file;
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
  alerting::EngineOptions eo;
  eo.max_series_per_rule = ac.max_series_per_rule;
  eo.max_fetched_series_per_rule = ac.max_fetched_series_per_rule;
  eo.max_points_per_rule = ac.max_points_per_rule;
  eo.query_timeout = ac.query_timeout;
  eo.forget_after = std::chrono::duration_cast<std::chrono::seconds>(ac.forget_after);
  eo.history_retention = std::chrono::duration_cast<std::chrono::seconds>(ac.history_retention);
  eo.max_history_entries = ac.max_history_entries;
  eo.partial_is_unknown = ac.partial_is_unknown;
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
    alerting::NagiosPipeSinkOptions o;
    o.path = ac.nagios.command_file;
    o.max_queued_results = ac.nagios.max_queued_results;
    o.max_queued_bytes = ac.nagios.max_queued_bytes;
    ASSIGN_OR_RETURN(auto sink, alerting::NagiosPipeSink::Create(o, metrics_));
    alert_sinks_.push_back(std::move(sink));
  }
  if (!ac.nsca.host.empty()) {
    alerting::NscaSinkOptions o;
    o.host = ac.nsca.host;
    o.port = ac.nsca.port;
    o.password = ac.nsca.password;
    o.encryption = ac.nsca.encryption == "none" ? alerting::NscaEncryption::kNone
                                                : alerting::NscaEncryption::kXor;
    o.format = ac.nsca.packet == "legacy" ? alerting::NscaPacketFormat::kLegacy27
                                          : alerting::NscaPacketFormat::kV3;
    o.max_queued_results = ac.nsca.max_queued_results;
    o.max_queued_bytes = ac.nsca.max_queued_bytes;
    o.connect_timeout_ms = static_cast<int>(ac.nsca.timeout.count());
    o.io_timeout_ms = static_cast<int>(ac.nsca.timeout.count());
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
  if (reloaded) {
    Config rest = *reloaded;
    rest.federation.peers = config_.federation.peers;
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
