// The ingest module's self-metrics, registered once per server. Thread-safe (atomic counters).
#pragma once

#include <array>

#include "core/metrics.h"
#include "ingest/internal/pickle_decoder.h"
#include "ingest/line_parser.h"

namespace meridian::ingest::internal {

struct IngestMetrics {
  explicit IngestMetrics(core::MetricsRegistry& registry);

  // The counter of ingest_lines_rejected_total{reason=ParseResultName(r)}.
  // REQUIRES: IsRejection(r).
  core::Counter& Rejected(ParseResult r) { return *lines_rejected[static_cast<size_t>(r)]; }
  // ingest_pickle_points_rejected_total{reason=ParseResultName(r)}. REQUIRES: IsRejection(r).
  core::Counter& PicklePointRejected(ParseResult r) {
    return *pickle_points_rejected[static_cast<size_t>(r)];
  }
  // ingest_pickle_frames_rejected_total{reason=PickleRejectName(r)}. REQUIRES: r != kOk.
  core::Counter& PickleFrameRejected(PickleReject r) {
    return *pickle_frames_rejected[static_cast<size_t>(r)];
  }

  core::Counter& points_received;           // lines parsed into a point
  core::Counter& points_delivered;          // points the sink accepted
  core::Counter& connections;               // TCP connections accepted
  core::Gauge& connections_open;            // TCP connections open now
  core::Counter& rejected_max_connections;  // closed at once: max_connections reached
  core::Counter& rejected_per_source;       // closed at once: max_connections_per_source reached
  core::Counter& connections_idle_closed;   // closed after idle_timeout without a point
  core::Counter& lines_too_long;            // connections closed for a line > max_line_bytes
  core::Counter& udp_datagrams;             // datagrams received
  core::Counter& udp_points_dropped;        // points of datagrams the sink refused
  core::Counter& udp_kernel_drops;          // datagrams the kernel dropped (receive buffer full)
  core::Gauge& udp_receive_buffer;          // SO_RCVBUF as the kernel granted it, bytes
  core::Counter& backpressure_pauses;       // times a connection stopped reading for a full sink
  core::Counter& shutdown_points_dropped;   // still refused when Stop()'s drain timed out
  std::array<core::Counter*, kParseResultCount> lines_rejected{};  // null: kOk, kEmpty, kWhitespace
  core::Counter& pickle_frames;        // pickle frames decoded (their points then validated)
  core::Counter& pickle_bad_elements;  // list elements not (path, (ts, value)) with float()-ables
  std::array<core::Counter*, kParseResultCount> pickle_points_rejected{};   // null: kOk, kEmpty
  std::array<core::Counter*, kPickleRejectCount> pickle_frames_rejected{};  // null: kOk
};

}  // namespace meridian::ingest::internal
