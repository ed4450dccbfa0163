// Router: which handler serves a request, with which access scope, on which thread.
//
// Modules register their routes (query: graphite's API; alerting: /api/…; later dashboards);
// the server owns the transport. Patterns are exact paths, optionally ending in one "{}"
// segment that captures a path segment ("/tags/{}" serves "/tags/cpu" and "/tags/cpu/"):
// an exact path wins over a pattern. A path that exists with another method is 405 with an
// Allow header; HEAD is served by the GET handler without a body.
//
// Thread-safety: Add() before the server starts; Find() is const and concurrent.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"

namespace meridian::http {

// What a caller must be allowed to do (see auth.h). kNone: open even when tokens are set
// (/health, so that load balancers need no secret).
enum class Scope { kNone, kRead, kWrite, kAdmin };
std::string_view ScopeName(Scope s);

using Handler = std::function<Response(const Request&)>;
// Delivers the answer of an AsyncHandler: callable from any thread, exactly once.
using Reply = std::function<void(Response)>;
// Starts work that runs elsewhere (a dedicated thread) and answers through `reply`. Runs on the
// network thread: it must return at once.
using AsyncHandler = std::function<void(const Request&, Reply reply)>;

struct Route {
  std::vector<Method> methods;  // e.g. {kGet, kPost}
  std::string pattern;          // "/render", "/tags/{}"
  Scope scope = Scope::kRead;
  // A 401 also offers HTTP Basic (`WWW-Authenticate: Basic realm="meridian"`, the token as the
  // password), so a browser opening a page shows its login prompt. For pages, not APIs.
  bool basic_challenge = false;
  // Runs on the network thread instead of the worker pool: only for handlers that answer in
  // microseconds without blocking (/health, /version), so they answer while workers are busy.
  bool inline_io = false;
  // Decides inline_io per request (e.g. /metrics: a Prometheus scrape inline, a graphite find
  // on a worker). Optional; inline_io = true wins.
  std::function<bool(const Request&)> inline_io_if;
  Handler handler;             // runs on a worker (or inline); or:
  AsyncHandler async_handler;  // holds no worker while its work runs elsewhere
};

class Router {
 public:
  // INVALID_ARGUMENT for an empty pattern, a "{}" that is not the last segment, or a duplicate.
  core::Status Add(Route route);

  struct Match {
    const Route* route = nullptr;        // null: no route for this method (see status)
    int status = 200;                    // 404 (no such path) or 405 (path exists, not method)
    std::string allow;                   // for 405: "GET, POST"
    std::vector<std::string> path_args;  // captured segments
  };
  Match Find(Method method, std::string_view path) const;

 private:
  std::vector<Route> routes_;
};

}  // namespace meridian::http
