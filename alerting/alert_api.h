// The alerting HTTP API, served beside graphite's routes (query::ExtraRoute):
//   GET  /api/alerts          current check states (JSON array); filters: state, group, rule,
//                             host, service
//   GET  /api/alerts/history  transitions, newest first; from/until (graphite times: epoch,
//                             -1h, now…), limit (default 1000, max 100000), group, rule, host,
//                             service
//   GET  /api/rules           the loaded rules with their last evaluation, and the last reload
//   POST /api/rules/reload    reloads the rule files: 200 with counts, or 422 with the errors
//                             (the running rules stay)
#pragma once

#include <vector>

#include "alerting/engine.h"
#include "alerting/rule_reloader.h"
#include "core/clock.h"
#include "query/http_api.h"

namespace meridian::alerting {

// The routes; `engine`, `reloader` and `clock` must outlive the HTTP server.
std::vector<query::ExtraRoute> AlertApiRoutes(AlertEngine& engine, RuleReloader& reloader,
                                              const core::Clock& clock);

}  // namespace meridian::alerting
