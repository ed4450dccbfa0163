#include "alerting/internal/render_parse.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/ascii.h"

namespace meridian::alerting::internal {
namespace {

using nlohmann::json;

bool HasSpaceOrControl(std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return true;
  }
  return false;
}

core::Status BadUrl(std::string_view url, std::string_view why) {
  return core::InvalidArgument(
      fmt::format("bad URL '{}': {} (expected http://host[:port][/prefix])", url, why));
}

// Splits "host[:port]" (host may be "[v6]") into `out`.
core::Status ParseAuthority(std::string_view url, std::string_view authority, HttpBaseUrl& out) {
  std::string_view port_text;
  if (authority.starts_with('[')) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return BadUrl(url, "unterminated '[' in host");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':')) return BadUrl(url, "junk after ']'");
      port_text = rest.substr(1);
      if (port_text.empty()) return BadUrl(url, "empty port");
    }
  } else {
    const size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      if (port_text.empty()) return BadUrl(url, "empty port");
    }
  }
  if (out.host.empty()) return BadUrl(url, "no host");
  if (port_text.empty()) return core::Status::Ok();
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
      port > 65535) {
    return BadUrl(url, fmt::format("bad port '{}'", port_text));
  }
  out.port = static_cast<uint16_t>(port);
  return core::Status::Ok();
}

core::Status Malformed(size_t index, std::string_view why) {
  return core::Internal(
      fmt::format("render answer is not graphite JSON: series {}: {}", index, why));
}

core::Status ParseDatapoints(const json& points, size_t index, RenderedSeries& out) {
  if (!points.is_array()) return Malformed(index, "\"datapoints\" is not an array");
  out.values.reserve(points.size());
  out.timestamps.reserve(points.size());
  for (const json& p : points) {
    if (!p.is_array() || p.size() != 2 || !p[1].is_number() ||
        !(p[0].is_null() || p[0].is_number())) {
      return Malformed(index, fmt::format("bad datapoint {}", p.dump().substr(0, 80)));
    }
    // A float timestamp outside int64's range would make the cast undefined.
    if (p[1].is_number_float() && !(std::abs(p[1].get<double>()) < 9.2e18)) {
      return Malformed(index, fmt::format("bad timestamp {}", p[1].dump().substr(0, 40)));
    }
    out.values.push_back(p[0].is_null() ? std::nan("") : p[0].get<double>());
    out.timestamps.push_back(p[1].is_number_float() ? static_cast<int64_t>(p[1].get<double>())
                                                    : p[1].get<int64_t>());
  }
  return core::Status::Ok();
}

core::Result<RenderedSeries> ParseSeries(const json& s, size_t index) {
  if (!s.is_object()) return Malformed(index, "not an object");
  auto target = s.find("target");
  if (target == s.end() || !target->is_string()) return Malformed(index, "no \"target\" string");
  RenderedSeries out;
  out.name = target->get<std::string>();
  auto points = s.find("datapoints");
  if (points == s.end()) return Malformed(index, "no \"datapoints\"");
  RETURN_IF_ERROR(ParseDatapoints(*points, index, out));
  auto tags = s.find("tags");
  if (tags == s.end() || tags->is_null()) {
    out.tags.emplace("name", out.name);
  } else if (!tags->is_object()) {
    return Malformed(index, "\"tags\" is not an object");
  } else {
    for (const auto& [key, value] : tags->items()) {
      out.tags.emplace(key, value.is_string() ? value.get<std::string>() : value.dump());
    }
  }
  return out;
}

}  // namespace

core::Result<HttpBaseUrl> ParseHttpBaseUrl(std::string_view url) {
  if (HasSpaceOrControl(url)) return BadUrl(url, "spaces or control characters");
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) return BadUrl(url, "no scheme");
  const std::string_view scheme = url.substr(0, sep);
  if (core::EqualsIgnoreAsciiCase(scheme, "https")) {
    return BadUrl(url, "https is not supported; use http (e.g. through a local TLS proxy)");
  }
  if (!core::EqualsIgnoreAsciiCase(scheme, "http")) {
    return BadUrl(url, fmt::format("unsupported scheme '{}'", scheme));
  }
  std::string_view rest = url.substr(sep + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return BadUrl(url, "a query or fragment is not allowed");
  }
  const size_t slash = rest.find('/');
  const std::string_view authority = rest.substr(0, slash);
  if (authority.find('@') != std::string_view::npos) return BadUrl(url, "user info is not allowed");
  HttpBaseUrl out;
  RETURN_IF_ERROR(ParseAuthority(url, authority, out));
  if (slash != std::string_view::npos) {
    std::string_view prefix = rest.substr(slash);
    while (prefix.ends_with('/')) prefix.remove_suffix(1);
    out.prefix = std::string(prefix);
  }
  return out;
}

core::Result<std::vector<RenderedSeries>> ParseRenderJson(std::string_view body) {
  const json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    std::string head(body.substr(0, 80));
    for (char& c : head) {
      if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    }
    return core::Internal(fmt::format("render answer is not JSON: '{}'", head));
  }
  if (!doc.is_array()) return core::Internal("render answer is not graphite JSON: not an array");
  std::vector<RenderedSeries> out;
  out.reserve(doc.size());
  for (size_t i = 0; i < doc.size(); ++i) {
    ASSIGN_OR_RETURN(RenderedSeries s, ParseSeries(doc[i], i));
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace meridian::alerting::internal
