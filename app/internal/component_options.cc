#include "app/internal/component_options.h"

#include <chrono>

namespace meridian::app::internal {

http::ServerOptions HttpServerOptions(const HttpConfig& hc) {
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
  so.stream_min_bytes = hc.stream_min_bytes;
  so.tls.cert_file = hc.tls.cert_file;
  so.tls.key_file = hc.tls.key_file;
  so.tls.client_ca_file = hc.tls.client_ca_file;
  return so;
}

ingest::ServerOptions GraphiteServerOptions(const GraphiteConfig& gc) {
  ingest::ServerOptions io;
  io.listen = gc.listen.ToString();
  io.udp = gc.udp;
  io.max_line_bytes = gc.max_line_bytes;
  io.max_connections = gc.max_connections;
  io.max_connections_per_source = gc.max_connections_per_source;
  io.idle_timeout = gc.idle_timeout;
  io.udp_receive_buffer_bytes = gc.udp_receive_buffer_bytes;
  if (gc.pickle) io.pickle_listen = gc.pickle_listen.ToString();
  io.max_pickle_frame_bytes = gc.max_pickle_frame_bytes;
  return io;
}

alerting::EngineOptions AlertEngineOptions(const AlertingConfig& ac) {
  alerting::EngineOptions eo;
  eo.max_series_per_rule = ac.max_series_per_rule;
  eo.max_fetched_series_per_rule = ac.max_fetched_series_per_rule;
  eo.max_points_per_rule = ac.max_points_per_rule;
  eo.query_timeout = ac.query_timeout;
  eo.forget_after = std::chrono::duration_cast<std::chrono::seconds>(ac.forget_after);
  eo.history_retention = std::chrono::duration_cast<std::chrono::seconds>(ac.history_retention);
  eo.max_history_entries = ac.max_history_entries;
  eo.partial_is_unknown = ac.partial_is_unknown;
  return eo;
}

alerting::NagiosPipeSinkOptions NagiosSinkOptions(const NagiosSinkConfig& nc) {
  alerting::NagiosPipeSinkOptions o;
  o.path = nc.command_file;
  o.max_queued_results = nc.max_queued_results;
  o.max_queued_bytes = nc.max_queued_bytes;
  return o;
}

alerting::NscaSinkOptions NscaSinkOptions(const NscaSinkConfig& nc) {
  alerting::NscaSinkOptions o;
  o.host = nc.host;
  o.port = nc.port;
  o.password = nc.password;
  o.encryption =
      nc.encryption == "none" ? alerting::NscaEncryption::kNone : alerting::NscaEncryption::kXor;
  o.format = nc.packet == "legacy" ? alerting::NscaPacketFormat::kLegacy27
                                   : alerting::NscaPacketFormat::kV3;
  o.max_queued_results = nc.max_queued_results;
  o.max_queued_bytes = nc.max_queued_bytes;
  o.connect_timeout_ms = static_cast<int>(nc.timeout.count());
  o.io_timeout_ms = static_cast<int>(nc.timeout.count());
  return o;
}

}  // namespace meridian::app::internal
