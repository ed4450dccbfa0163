// RenderClient: reads series from a Meridian (or graphite-web) over HTTP with
// `/render?format=json`, for the `meridian check` plugin and `meridian export-nagios --url`.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace meridian::alerting {

struct RenderedSeries {
  std::string name;  // "target" in graphite's JSON
  std::map<std::string, std::string>
      tags;                         // "tags" (graphite-web >= 1.1); {"name": name} if absent
  std::vector<double> values;       // NaN = null
  std::vector<int64_t> timestamps;  // one per value
};

struct RenderClientOptions {
  std::chrono::milliseconds timeout{10000};  // connect + read, per request. Default 10 s.
  size_t max_response_bytes = 64 << 20;      // larger bodies are an error. Default 64 MiB.
};

// GET <base_url>/render?target=<target>&from=<from>&until=<until>&format=json (`until` is
// omitted when empty). `base_url` is "http://host[:port]" (port 80 by default) with an optional
// path prefix ("http://h:8080/graphite"). Errors, each naming the URL:
// - INVALID_ARGUMENT: a malformed base_url, https (not supported), a 3xx/4xx answer (with the
//   server's message, cut to 300 bytes: e.g. a target that does not parse);
// - UNAVAILABLE: the server cannot be reached (refused, DNS, timeout) or answers 5xx, or the
//   whole answer took longer than `timeout`;
// - RESOURCE_EXHAUSTED: the body is larger than max_response_bytes;
// - INTERNAL: the body is not graphite's JSON.
// Blocking; thread-safe (no shared state).
core::Result<std::vector<RenderedSeries>> FetchRender(std::string_view base_url,
                                                      std::string_view target,
                                                      std::string_view from, std::string_view until,
                                                      const RenderClientOptions& options = {});

}  // namespace meridian::alerting
