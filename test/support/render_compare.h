// Comparison of two graphite-web /render answers (graphite-web = expected, Meridian = actual) and
// a per-target match report, for differential tests.
//
// JSON answers match when they have the same number of series in the same order, with the same
// `target` names, the same `tags` (as maps), the same timestamps, and values equal within a
// relative tolerance (null == null). graphite-web writes ±inf as the bare tokens 1e9999/-1e9999
// (not valid JSON); Meridian writes null there on purpose (README: Grafana's Go decoder rejects
// 1e9999). Such points count as equal and are counted separately as the documented difference.
// Other formats (csv, raw, ...) are compared as text, line by line.
//
// Thread-safety: plain values; no shared state.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace meridian::testing {

// Parses a graphite-web JSON body, mapping the bare tokens 1e9999 / -1e9999 outside strings to
// the strings "inf" / "-inf" (nlohmann rejects them as numbers). kCorruption if not JSON.
core::Result<nlohmann::json> ParseGraphiteJson(std::string_view body);

struct RenderCompareOptions {
  double relative_tolerance = 1e-9;
  size_t max_reported = 5;  // mismatch descriptions kept in RenderDiff::mismatches
};

struct RenderDiff {
  int64_t series_compared = 0;
  int64_t points_compared = 0;
  int64_t points_matched = 0;           // including inf_as_null
  int64_t inf_as_null = 0;              // graphite-web ±inf where Meridian has null (documented)
  int64_t mismatch_count = 0;           // structural + point mismatches
  std::vector<std::string> mismatches;  // the first few, readable

  bool match() const { return mismatch_count == 0; }
  // "ok: 3 series, 1080 points (2 inf-as-null)" or "MISMATCH: 4 of ... \n  first: ...".
  std::string Summary() const;
};

// Compares two parsed JSON render answers (from ParseGraphiteJson).
RenderDiff CompareRenderJson(const nlohmann::json& expected, const nlohmann::json& actual,
                             const RenderCompareOptions& options = {});
// Compares two non-JSON bodies line by line (csv, raw): mismatch per differing line.
RenderDiff CompareRenderText(std::string_view expected, std::string_view actual,
                             const RenderCompareOptions& options = {});

enum class TargetOutcome {
  kMatch,            // same answer (also: same HTTP error status on both sides)
  kMismatch,         // both answered, answers differ
  kMeridianError,    // graphite-web 200, Meridian an error (e.g. 400 unknown function)
  kOracleError,      // graphite-web itself failed: the target or the oracle is broken
  kKnownDifference,  // listed in the known-differences file (not counted against the rate)
};
std::string_view OutcomeName(TargetOutcome outcome);

struct TargetResult {
  std::string label;  // target text plus non-default request options
  TargetOutcome outcome = TargetOutcome::kMismatch;
  bool strict = false;  // asserted even in report-only mode
  std::string detail;   // diff summary or error text
};

// Collects per-target results and prints a table plus the match rate.
class MatchReport {
 public:
  void Add(TargetResult result);
  const std::vector<TargetResult>& results() const { return results_; }
  int64_t Count(TargetOutcome outcome) const;
  // matches / (all - known differences - oracle errors), in percent; 0 if nothing counted.
  double MatchRate() const;
  // One line per target ("MATCH", "MISMATCH", ...) with details for failures, then totals.
  std::string Format() const;

 private:
  std::vector<TargetResult> results_;
};

// One line of a render-targets file:
//   <target>[<TAB><options>][<TAB>@strict]
// `options` is a query string (`from=-2h&until=-10min&maxDataPoints=50&format=csv`), values
// percent-decoded; `method=POST` sends the request form-encoded (Grafana) instead of GET; any
// other key (also an extra `target=`) is passed to /render as is. `@strict` marks a target that
// must match even in report-only mode. Blank lines and lines starting with '#' are skipped.
struct RenderTargetSpec {
  int line = 0;
  std::string target;
  std::vector<std::pair<std::string, std::string>> options;  // in file order, without method
  bool post = false;
  bool strict = false;

  // The target, then the options as written (for reports), e.g. "scale(a.b,2)  [from=-2h POST]".
  std::string Label() const;
  // The value of option `key`, or `fallback`.
  std::string Option(std::string_view key, std::string_view fallback) const;
};
// kInvalidArgument naming the line for an empty target or a malformed option.
core::Result<std::vector<RenderTargetSpec>> ParseRenderTargets(std::string_view text);

// Lines `<target><TAB><reason>` ('#' comments, blank lines skipped) -> target -> reason.
// kInvalidArgument for a line without a reason.
core::Result<std::map<std::string, std::string>> ParseKnownDifferences(std::string_view text);

}  // namespace meridian::testing
