// `meridian rules test`: rule unit tests in the spirit of promtool's. A test file names rule files,
// input series and the check states expected at given times; the runner evaluates the rules as
// `meridian serve` would (same query engine, same state machine) on a simulated clock.
//
//   rule_files: [../rules/db.yaml]      # relative to the test file
//   tests:
//     - name: db2 goes critical
//       interval: 10s                   # spacing of input values (default 10s)
//       input_series:
//         - series: eu-west.db2.pg.conns
//           values: "100 120 350x5 _x3 1+2x4"
//       expected:
//         - at: 1min                    # time since the first input value
//           checks:
//             - host: db2
//               service: pg-conns
//               state: CRITICAL         # OK | WARNING | CRITICAL | UNKNOWN
//               output: "CRITICAL - …"  # optional: the exact plugin output
//
// Values: a number, `_` (no value), `AxN` (A repeated N+1 times), `A+BxN` / `A-BxN` (A, A±B, …,
// N+1 values), `_xN` (N missing values). Groups evaluate at every multiple of their interval from
// the first input value; a check's state at `at` is the one its last evaluation at or before
// `at` reported. Checks not listed are not compared. Input values are stored the moment their
// time comes (no ingest lag): a group's `offset` shifts the window as in `meridian serve`.
// Limits: 1,000,000 values per series, 1,000,000 group evaluations per test, 4 MiB per file.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "query/series_source.h"

namespace meridian::alerting {

struct TestPoint {
  std::string name;
  int64_t time = 0;
  double value = 0;
};

// A fresh, empty series store for one test, read through the query engine.
class RuleTestBackend {
 public:
  virtual ~RuleTestBackend() = default;
  // Stores the points; they are readable when this returns.
  virtual core::Status Write(const std::vector<TestPoint>& points) = 0;
  // Moves the simulated clock the store reads and expires with.
  virtual void SetNow(int64_t now) = 0;
  virtual query::SeriesSource& source() = 0;
};
using RuleTestBackendFactory = std::function<core::Result<std::unique_ptr<RuleTestBackend>>()>;

// Expands a `values` string. INVALID_ARGUMENT names the bad item.
core::Result<std::vector<double>> ExpandTestValues(std::string_view text);

// Runs every test in `files`; writes "PASS"/"FAIL" lines and diffs to `out`, file errors to
// `err`. Returns 0 when all pass, 1 when any fails or a file is invalid.
int RunRuleTests(std::span<const std::string> files, const RuleTestBackendFactory& backends,
                 std::FILE* out, std::FILE* err);

}  // namespace meridian::alerting
