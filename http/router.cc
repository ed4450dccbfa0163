#include "http/router.h"

#include <fmt/format.h>

namespace meridian::http {
namespace {

bool Allows(const Route& r, Method m) {
  for (Method x : r.methods) {
    if (x == m || (m == Method::kHead && x == Method::kGet)) return true;
  }
  return false;
}

// Matches `path` against `pattern`; a trailing "{}" captures one non-empty segment, with an
// optional trailing '/'.
bool Matches(std::string_view pattern, std::string_view path, std::vector<std::string>& args) {
  if (!pattern.ends_with("{}")) return pattern == path;
  std::string_view prefix = pattern.substr(0, pattern.size() - 2);
  if (!path.starts_with(prefix)) return false;
  std::string_view rest = path.substr(prefix.size());
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.empty() || rest.find('/') != std::string_view::npos) return false;
  args.assign(1, std::string(rest));
  return true;
}

}  // namespace

std::string_view ScopeName(Scope s) {
  switch (s) {
    case Scope::kNone:
      return "none";
    case Scope::kRead:
      return "read";
    case Scope::kWrite:
      return "write";
    case Scope::kAdmin:
      return "admin";
  }
  return "?";
}

core::Status Router::Add(Route route) {
  const std::string& p = route.pattern;
  if (p.empty() || p[0] != '/') {
    return core::InvalidArgument(fmt::format("route '{}': must start with '/'", p));
  }
  const size_t brace = p.find("{}");
  if (brace != std::string::npos && brace + 2 != p.size()) {
    return core::InvalidArgument(fmt::format("route '{}': '{{}}' must be the last segment", p));
  }
  if (route.methods.empty() || (!route.handler == !route.async_handler)) {
    return core::InvalidArgument(
        fmt::format("route '{}': needs methods and exactly one of handler, async_handler", p));
  }
  for (const Route& r : routes_) {
    if (r.pattern != p) continue;
    for (Method m : route.methods) {
      if (Allows(r, m)) {
        return core::InvalidArgument(
            fmt::format("route '{}': {} registered twice", p, MethodName(m)));
      }
    }
  }
  routes_.push_back(std::move(route));
  return core::Status::Ok();
}

Router::Match Router::Find(Method method, std::string_view path) const {
  Match out;
  out.status = 404;
  std::vector<std::string> args;
  std::string allow;
  // Two passes: exact patterns first, then "{}" patterns.
  for (int pass = 0; pass < 2; ++pass) {
    for (const Route& r : routes_) {
      if (r.pattern.ends_with("{}") != (pass == 1)) continue;
      if (!Matches(r.pattern, path, args)) continue;
      if (Allows(r, method)) {
        out.route = &r;
        out.status = 200;
        out.path_args = std::move(args);
        return out;
      }
      for (Method m : r.methods) {
        if (!allow.empty()) allow += ", ";
        allow += MethodName(m);
      }
    }
    if (!allow.empty()) break;  // the path exists (exactly): its methods decide
  }
  if (!allow.empty()) {
    out.status = 405;
    out.allow = std::move(allow);
  }
  return out;
}

}  // namespace meridian::http
