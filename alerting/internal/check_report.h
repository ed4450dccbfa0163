// The verdict and plugin output of `meridian check`, from already fetched series (socket-free).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "alerting/check_result.h"
#include "alerting/render_client.h"
#include "alerting/rule.h"
#include "alerting/threshold_range.h"

namespace meridian::alerting::internal {

struct CheckSpec {
  std::string label = "METRIC";  // first word of the output line ("SERVICE STATE - ...")
  std::string target;            // as given, for messages
  std::optional<ThresholdRange> warning;
  std::optional<ThresholdRange> critical;
  Reducer reducer;
  std::string reduce_text = "avg";   // as written, for messages
  std::string window_text = "5min";  // as written, for messages
};

// Offending series named on the first line; the rest are counted ("and 3 more").
inline constexpr size_t kMaxNamedOffenders = 5;
// Long-output lines (one per series, worst first); further series are counted in one last line.
inline constexpr size_t kMaxLongOutputLines = 50;
// Perfdata items (one per series, in name order); when cut, a long-output line says so.
inline constexpr size_t kMaxPerfDataItems = 100;

struct CheckReport {
  CheckState state = CheckState::kUnknown;
  std::string output;  // plugin stdout without the final newline; may hold long-output lines
};

// Reduces every series' values over the window, CRITICAL tested before WARNING, and reports the
// worst series state. Series with no value are left out of the verdict (and counted); when no
// series has a value, or there is none, the state is UNKNOWN. Output line 1:
//   "LABEL CRITICAL - 1 of 3 series critical: eu.db2.conns=350 (avg 5min) | perfdata"
// with one perfdata item per series (label = series name, warn;crit = the ranges; `U` when no
// data); when more than one series, long-output lines list each series and its state.
CheckReport EvaluateCheck(const CheckSpec& spec, std::span<const RenderedSeries> series);

// "LABEL UNKNOWN - message" (newlines in the message become spaces).
CheckReport UnknownReport(std::string_view label, std::string_view message);

// A value for humans: at most 6 significant digits, no exponent for 1e-4 <= |v| < 1e15.
std::string FormatValue(double value);

}  // namespace meridian::alerting::internal
