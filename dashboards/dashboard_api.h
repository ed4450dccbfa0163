// The dashboards HTTP API (JSON shapes: dashboards/CONTRACT.md):
//   GET  /api/dashboards         every dashboard (the built-in one first) with its errors, and
//                                the directory-level errors
//   GET  /api/dashboards/{uid}   one dashboard with its variables resolved (var-NAME=…, repeated
//                                for several values; from/until override the dashboard's time),
//                                panel targets expanded, and the alert rules watching each panel
//                                (alert_match.h). A find that lacked a federation peer sets
//                                X-Meridian-Partial (as /render does). 404 for an unknown uid,
//                                400 for a bad from/until.
//   POST /api/dashboards/reload  rescans the directory now (scope admin): the list's counts.
// Handlers are plain functions of a Request (no sockets); the library checks for changed files
// on every call (library.h).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include "alerting/rule.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"
#include "dashboards/library.h"
#include "http/router.h"
#include "query/series_source.h"

namespace meridian::dashboards {

struct DashboardApiOptions {
  size_t max_variable_options = 1000;     // dashboards.max_variable_options
  size_t max_alert_match_series = 10000;  // dashboards.max_alert_match_series
};

// The alert rules in force (app passes AlertEngine::rules); empty function = alerting off.
// Must be thread-safe.
using RulesProvider = std::function<std::shared_ptr<const alerting::RuleSet>()>;

// Adds the routes. `library`, `source`, `clock` and `metrics` must outlive the HTTP server.
core::Status RegisterDashboardRoutes(http::Router& router, DashboardLibrary& library,
                                     query::SeriesSource& source, RulesProvider rules,
                                     const core::Clock& clock, core::MetricsRegistry& metrics,
                                     const DashboardApiOptions& options);

}  // namespace meridian::dashboards
