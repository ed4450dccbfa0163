// Socket-free halves of the render client: the base-URL parser and graphite's render JSON parser.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "alerting/render_client.h"
#include "core/status.h"

namespace meridian::alerting::internal {

struct HttpBaseUrl {
  std::string host;    // a name, an IPv4 address, or an IPv6 address without brackets
  uint16_t port = 80;  // default 80
  std::string prefix;  // "" or "/graphite": starts with '/', never ends with '/'
};

// "http://host[:port][/prefix]" (scheme case-insensitive, IPv6 as "[::1]", trailing '/' allowed).
// INVALID_ARGUMENT for https ("not supported"), other schemes, user info, a query or fragment,
// an empty host, a port outside 1..65535, and spaces or control characters anywhere.
core::Result<HttpBaseUrl> ParseHttpBaseUrl(std::string_view url);

// Graphite's /render?format=json body: [{"target": name, "tags": {...}, "datapoints":
// [[value|null, ts], ...]}, ...]. null values become NaN; a missing "tags" gives {"name": name};
// non-string tag values are kept as their JSON text. INTERNAL (naming what is wrong and where)
// when the body is not that shape.
core::Result<std::vector<RenderedSeries>> ParseRenderJson(std::string_view body);

}  // namespace meridian::alerting::internal
