// The options structs of the components `meridian serve` starts, built from a Config: one place,
// shared by Server (which starts them) and CheckConfig (which validates them without starting).
#pragma once

#include "alerting/engine.h"
#include "alerting/nagios_pipe_sink.h"
#include "alerting/nsca_sink.h"
#include "app/config.h"
#include "http/server.h"
#include "ingest/graphite_server.h"

namespace meridian::app::internal {

http::ServerOptions HttpServerOptions(const HttpConfig& config);
ingest::ServerOptions GraphiteServerOptions(const GraphiteConfig& config);
alerting::EngineOptions AlertEngineOptions(const AlertingConfig& config);
// REQUIRES: config.command_file is set (the sink is configured).
alerting::NagiosPipeSinkOptions NagiosSinkOptions(const NagiosSinkConfig& config);
// REQUIRES: config.host is set (the sink is configured).
alerting::NscaSinkOptions NscaSinkOptions(const NscaSinkConfig& config);

}  // namespace meridian::app::internal
