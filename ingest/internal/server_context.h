// What every connection and receiver of one GraphiteServer shares. All members outlive them.
#pragma once

#include "core/clock.h"
#include "ingest/internal/ingest_metrics.h"
#include "ingest/internal/reject_log.h"
#include "ingest/point_sink.h"
#include "ingest/server_options.h"

namespace meridian::ingest::internal {

class ConnectionManager;

struct ServerContext {
  const ServerOptions& options;
  PointSink& sink;
  const core::Clock& clock;
  IngestMetrics& metrics;
  RejectLog& log;             // bad lines
  RejectLog& connection_log;  // refused and idle-closed connections (own rate limit: never
                              // drowned out by a flood of bad lines)
  ConnectionManager& manager;
};

}  // namespace meridian::ingest::internal
