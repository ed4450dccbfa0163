// Render: evaluates /render targets against a SeriesSource and writes graphite-web's formats.
// This release evaluates path expressions (globs); the function library builds on Series.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "query/series.h"
#include "query/series_source.h"

namespace meridian::query {

struct RenderLimits {
  size_t max_series = 100'000;    // series one request may produce; more → 422
  size_t max_points = 5'000'000;  // values one request may produce (~8 B each, ~25 B as JSON); more → 422
};

struct RenderRequest {
  std::vector<std::string> targets;
  int64_t from = 0;
  int64_t until = 0;
};

// Evaluates every target in order; series of one target sorted by name (graphite-web).
// INVALID_ARGUMENT for a bad target, RESOURCE_EXHAUSTED past a limit.
core::Result<std::vector<Series>> Render(SeriesSource& source, const RenderRequest& request,
                                         const RenderLimits& limits);

// graphite-web's JSON: [{"target": n, "tags": {"name": n}, "datapoints": [[v, t], ...]}] with
// Python's separators and float repr. ±inf are written as null: graphite-web's 1e9999 breaks
// Grafana's Go JSON decoder (README: deliberate differences).
std::string FormatJson(const std::vector<Series>& series);

}  // namespace meridian::query
