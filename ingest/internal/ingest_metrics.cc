#include "ingest/internal/ingest_metrics.h"

#include <string>

namespace meridian::ingest::internal {

IngestMetrics::IngestMetrics(core::MetricsRegistry& r)
    : points_received(r.GetCounter("ingest_points_received_total",
                                   "Graphite lines and pickled datapoints parsed into a point.")),
      points_delivered(
          r.GetCounter("ingest_points_delivered_total", "Points the storage sink accepted.")),
      connections(r.GetCounter("ingest_connections_total", "TCP connections accepted.")),
      connections_open(r.GetGauge("ingest_connections_open", "TCP connections open.")),
      rejected_max_connections(r.GetCounter("ingest_connections_rejected_total",
                                            "TCP connections closed at once, by limit.",
                                            {{"reason", "max_connections"}})),
      rejected_per_source(r.GetCounter("ingest_connections_rejected_total",
                                       "TCP connections closed at once, by limit.",
                                       {{"reason", "max_connections_per_source"}})),
      connections_idle_closed(
          r.GetCounter("ingest_connections_idle_closed_total",
                       "TCP connections closed after idle_timeout without a valid point.")),
      lines_too_long(r.GetCounter("ingest_lines_too_long_total",
                                  "Connections closed for a line longer than max_line_bytes.")),
      udp_datagrams(r.GetCounter("ingest_udp_datagrams_total", "UDP datagrams received.")),
      udp_points_dropped(r.GetCounter("ingest_udp_points_dropped_total",
                                      "UDP points dropped because the sink was full.")),
      udp_kernel_drops(r.GetCounter(
          "ingest_udp_kernel_drops_total",
          "UDP datagrams the kernel dropped before Meridian read them (receive buffer full).")),
      udp_receive_buffer(
          r.GetGauge("ingest_udp_receive_buffer_bytes",
                     "UDP socket receive buffer as granted by the kernel (SO_RCVBUF read back).")),
      backpressure_pauses(r.GetCounter("ingest_backpressure_pauses_total",
                                       "Times a TCP connection paused reading for a full sink.")),
      shutdown_points_dropped(r.GetCounter("ingest_points_dropped_total",
                                           "Points dropped by ingest.", {{"reason", "shutdown"}})),
      pickle_frames(r.GetCounter("ingest_pickle_frames_total", "Pickle frames decoded.")),
      pickle_bad_elements(r.GetCounter("ingest_pickle_points_rejected_total",
                                       "Pickled datapoints rejected, by reason.",
                                       {{"reason", "bad_element"}})) {
  for (size_t i = 0; i < kParseResultCount; ++i) {
    auto result = static_cast<ParseResult>(i);
    if (!IsRejection(result)) continue;
    pickle_points_rejected[i] = &r.GetCounter("ingest_pickle_points_rejected_total",
                                              "Pickled datapoints rejected, by reason.",
                                              {{"reason", std::string(ParseResultName(result))}});
    if (result == ParseResult::kWhitespace) continue;  // a line cannot hold one
    lines_rejected[i] =
        &r.GetCounter("ingest_lines_rejected_total", "Graphite lines rejected, by reason.",
                      {{"reason", std::string(ParseResultName(result))}});
  }
  for (size_t i = 1; i < kPickleRejectCount; ++i) {
    pickle_frames_rejected[i] =
        &r.GetCounter("ingest_pickle_frames_rejected_total",
                      "Pickle frames refused (the connection is closed), by reason.",
                      {{"reason", std::string(PickleRejectName(static_cast<PickleReject>(i)))}});
  }
}

}  // namespace meridian::ingest::internal
