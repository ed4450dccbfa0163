// The alerting HTTP API, routes on the front door beside graphite's:
//   GET  /api/alerts          current check states (JSON array); filters: state, group, rule,
//                             host, service
//   GET  /api/alerts/history  transitions, newest first; from/until (graphite times: epoch,
//                             -1h, now…), limit (default 1000, max 100000), group, rule, host,
//                             service
//   GET  /api/rules           the loaded rules with their last evaluation, and the last reload
//   POST /api/rules/reload    reloads the rule files: 200 with counts, or 422 with the errors
//                             (the running rules stay). Scope admin; runs on the
//                             reloader's thread, coalesced with concurrent requests.
#pragma once

#include <vector>

#include "alerting/engine.h"
#include "alerting/rule_reloader.h"
#include "core/clock.h"
#include "core/status.h"
#include "http/router.h"

namespace meridian::alerting {

// Adds the routes; `engine`, `reloader` and `clock` must outlive the HTTP server.
core::Status RegisterAlertRoutes(http::Router& router, AlertEngine& engine, RuleReloader& reloader,
                                 const core::Clock& clock);

}  // namespace meridian::alerting
