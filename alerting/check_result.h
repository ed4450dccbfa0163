// Plugin output with performance data, and the Nagios external command line that submits a
// passive service check result (reference/alerting.md §1.2-1.3, §3). Pure text functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "alerting/threshold_range.h"
#include "core/status.h"

namespace meridian::alerting {

// Plugin exit codes; the numeric values are the Nagios return codes.
enum class CheckState { kOk = 0, kWarning = 1, kCritical = 2, kUnknown = 3 };

// "OK", "WARNING", "CRITICAL", "UNKNOWN".
std::string_view CheckStateName(CheckState state);

// One perfdata item: 'label'=value[uom];[warn];[crit];[min];[max]
struct PerfDatum {
  std::string label;
  double value = 0;  // NaN or infinite is written as `U` (unknown)
  std::string uom;   // e.g. "s", "ms", "%", "B", "c"; only letters and '%' are kept
  std::optional<ThresholdRange> warn;
  std::optional<ThresholdRange> crit;
  std::optional<double> min;  // a non-finite min/max is written as an empty field
  std::optional<double> max;
};

// Space-separated perfdata items. The label is single-quoted when it is empty or contains a
// space, '=' or '\'' (a quote is doubled); CR/LF/'|' in labels become spaces so that they can
// never end the line or re-split it. Values use FormatDecimal (shortest round-trip, no exponent).
// Trailing empty fields are dropped: `'a'=1` rather than `a=1;;;;`.
std::string FormatPerfData(std::span<const PerfDatum> perf);

// Plugin stdout: `text | perfdata`. Every '|' in `text` becomes '/' (Nagios splits output from
// perfdata at the first '|'), CRs are dropped. The perfdata goes on line 1, before any further
// lines of `text` (long output), so multi-line text stays text: "l1 | p\nl2". No " | " when
// `perf` is empty. The result may contain newlines: FormatServiceCheckResult escapes them.
std::string FormatPluginOutput(std::string_view text, std::span<const PerfDatum> perf);

// Longest Nagios object name (host/service) accepted by ValidateObjectName, in bytes. Keeps the
// command-line prefix well below kMaxCommandLineBytes so that output always has room.
inline constexpr size_t kMaxObjectNameBytes = 1024;

// A command line, '\n' included, stays below PIPE_BUF (4096 on Linux) so that one write() to
// the FIFO is atomic and never interleaves with other writers.
inline constexpr size_t kMaxCommandLineBytes = 4095;

// `[epoch] PROCESS_SERVICE_CHECK_RESULT;host;service;rc;output\n`.
// Output escaping as Nagios unescapes it: '\' -> `\\`, LF -> `\n`; CR and NUL are dropped.
// The escaped output is cut so that the whole line is <= kMaxCommandLineBytes, never inside an
// escape pair or a UTF-8 sequence. ';' is allowed in output (it is the rest of the line).
// REQUIRES: ValidateObjectName(host) and ValidateObjectName(service) are OK. As a safety net
// ';', CR, LF and NUL in names are replaced by '_' and names are cut to kMaxObjectNameBytes, so
// the result is always a single well-formed line within the size limit.
std::string FormatServiceCheckResult(int64_t epoch, std::string_view host, std::string_view service,
                                     CheckState state, std::string_view output);

// OK when `name` can be a Nagios host name or service description: non-empty, at most
// kMaxObjectNameBytes, no leading/trailing space, no trailing '\' (it would continue the line
// in an object file), no control character, none of Nagios's
// default illegal_object_name_chars "`~!$%^&*|'\"<>?,()=" and no ';'. Else InvalidArgument.
core::Status ValidateObjectName(std::string_view name);

}  // namespace meridian::alerting
