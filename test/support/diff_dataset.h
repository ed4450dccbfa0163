// The dataset of the render differential suites (graphite_web_diff_test.cc against graphite-web,
// federation_test.cc against a single instance): series specs, their plaintext stream (fixed
// seed), the storage config both sides use, and how a render_targets.txt line becomes a request.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "support/process.h"
#include "support/render_compare.h"

namespace meridian::testing {

// carbon's storage-schemas.conf / storage-aggregation.conf and the same rules as meridian.yaml.
extern const char kDiffSchemasConf[];
extern const char kDiffAggregationConf[];
extern const char kDiffMeridianYaml[];

enum class DiffKind { kGauge, kCounter, kNegative, kSmallInt, kConstant };

struct DiffSeriesSpec {
  std::string name;
  DiffKind kind;
  int presence_permille;  // chance that a slot has a point
  int64_t step;           // 10 s, or 60 s for the coarse schema
  bool recent = true;     // has data in the last 100 minutes
};

// The series (render_targets.txt's header describes them).
std::vector<DiffSeriesSpec> DiffSpecs();

// The plaintext stream (fixed seed). Relative to `base` (a 10-minute boundary <= now):
//   recent [base-100min, base): one point per slot (10 s or 60 s), aligned -> archive 0;
//   old    [base-20h, base-3h): one point per minute -> straight into the 1 m archive (the
//          coarse schema's archive 0), so no rollup depends on carbon's batching.
// One point per slot and no duplicates: the result does not depend on write order.
std::string DiffStream(const std::vector<DiffSeriesSpec>& specs, int64_t base);

// "now", epoch seconds, or -<n><s|min|h|d|w> relative to `base`.
std::optional<int64_t> ResolveDiffTime(const std::string& text, int64_t base);

// The /render parameters of a target line: absolute from/until, format (json by default), and
// the line's other options. nullopt when a time cannot be resolved.
std::optional<HttpParams> DiffRequestParams(const RenderTargetSpec& spec, int64_t base);

}  // namespace meridian::testing
