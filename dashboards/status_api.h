// Routes for this instance's status and the regions overview (status.h, overview.h):
//   GET /api/status    this instance only (what peers ask each other)
//   GET /api/overview  this instance and every federation peer
// Both scope read, JSON.
#pragma once

#include "core/status.h"
#include "dashboards/overview.h"
#include "dashboards/status.h"
#include "http/router.h"

namespace meridian::dashboards {

// `status` and `overview` must outlive the router.
core::Status RegisterStatusRoutes(http::Router& router, const StatusReporter& status,
                                  Overview& overview);

}  // namespace meridian::dashboards
