#include "dashboards/status_api.h"

namespace meridian::dashboards {

core::Status RegisterStatusRoutes(http::Router& router, const StatusReporter& status,
                                  Overview& overview) {
  http::Route s;
  s.methods = {http::Method::kGet};
  s.pattern = "/api/status";
  s.handler = [&status](const http::Request&) { return http::Response::Json(200, status.Json()); };
  RETURN_IF_ERROR(router.Add(std::move(s)));
  http::Route o;
  o.methods = {http::Method::kGet};
  o.pattern = "/api/overview";
  o.handler = [&overview](const http::Request& r) {
    return http::Response::Json(200, overview.Json(r.deadline));
  };
  return router.Add(std::move(o));
}

}  // namespace meridian::dashboards
