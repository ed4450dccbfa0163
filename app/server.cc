#include "app/server.h"

#include <fmt/format.h>

#include "ingest/graphite_server.h"
#include "ingest/point_sink.h"
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
  ASSIGN_OR_RETURN(server->store_, storage::OpenRocksStore(so, clock, server->metrics_));
  server->source_ = std::make_unique<query::LocalSource>(*server->store_);
  server->sink_ = std::make_unique<StoreSink>(*server->store_);

  ingest::ServerOptions io;
  io.listen = config.graphite.listen.ToString();
  io.udp = config.graphite.udp;
  io.max_line_bytes = config.graphite.max_line_bytes;
  io.max_connections = config.graphite.max_connections;
  ASSIGN_OR_RETURN(server->graphite_,
                   ingest::GraphiteServer::Start(io, *server->sink_, clock, server->metrics_));
  query::HttpOptions ho;
  ho.host = config.http.listen.host;
  ho.port = config.http.listen.port;
  ho.max_series_per_request = config.http.max_series_per_request;
  ho.max_points_per_request = config.http.max_points_per_request;
  ho.max_concurrent_queries = config.http.max_concurrent_queries;
  ho.query_timeout_ms = config.http.query_timeout.count();
  ASSIGN_OR_RETURN(server->http_,
                   query::HttpApi::Start(ho, *server->source_, clock, server->metrics_));
  Server* raw = server.get();
  server->self_metrics_ = std::thread([raw] { raw->SelfMetricsLoop(); });
  return server;
}

uint16_t Server::graphite_port() const { return graphite_->tcp_port(); }
uint16_t Server::http_port() const { return http_->port(); }

void Server::WriteSelfMetrics() {
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
  if (self_metrics_.joinable()) self_metrics_.join();
  // Ingest first: it drains every connection's pending batch into the store.
  if (graphite_) graphite_->Stop();
  if (http_) http_->Stop();
  if (store_) return store_->Close();
  return core::Status::Ok();
}

}  // namespace meridian::app
