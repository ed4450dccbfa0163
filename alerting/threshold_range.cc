#include "alerting/threshold_range.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

namespace meridian::alerting {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// from_chars alone would accept "inf"/"nan" and stop early on trailing junk; both are rejected
// here so that a typo in a rule file is an error rather than a silently different threshold.
core::Result<double> ParseBound(std::string_view text, std::string_view whole) {
  double value = 0;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(first, last, value, std::chars_format::general);
  if (text.empty() || ec != std::errc() || ptr != last || !std::isfinite(value)) {
    return core::InvalidArgument("threshold range '" + std::string(whole) + "': bad number '" +
                                 std::string(text) + "'");
  }
  return value;
}

}  // namespace

core::Result<ThresholdRange> ParseThresholdRange(std::string_view text) {
  const std::string_view whole = text;
  ThresholdRange range;
  if (!text.empty() && text.front() == '@') {
    range.inside = true;
    text.remove_prefix(1);
  }
  if (text.empty()) {
    return core::InvalidArgument("threshold range '" + std::string(whole) + "' is empty");
  }
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    range.start = 0;
    ASSIGN_OR_RETURN(range.end, ParseBound(text, whole));
  } else {
    const std::string_view start = text.substr(0, colon);
    const std::string_view end = text.substr(colon + 1);
    if (start.empty() && end.empty()) {
      return core::InvalidArgument("threshold range '" + std::string(whole) + "' has no bound");
    }
    if (start == "~") {
      range.start = -kInf;
    } else if (start.empty()) {
      range.start = 0;
    } else {
      ASSIGN_OR_RETURN(range.start, ParseBound(start, whole));
    }
    if (end.empty()) {
      range.end = kInf;
    } else {
      ASSIGN_OR_RETURN(range.end, ParseBound(end, whole));
    }
  }
  if (range.start > range.end) {
    return core::InvalidArgument("threshold range '" + std::string(whole) +
                                 "': start is greater than end");
  }
  return range;
}

bool Alerts(const ThresholdRange& range, double value) {
  if (std::isnan(value)) return false;
  const bool in_range = range.start <= value && value <= range.end;
  return range.inside ? in_range : !in_range;
}

std::string ToString(const ThresholdRange& range) {
  std::string out = range.inside ? "@" : "";
  const bool end_inf = std::isinf(range.end) && range.end > 0;
  if (range.start == 0 && !end_inf) return out + FormatDecimal(range.end);
  if (std::isinf(range.start) && range.start < 0) {
    out += "~";
  } else {
    out += FormatDecimal(range.start);
  }
  out += ':';
  if (!end_inf) out += FormatDecimal(range.end);
  return out;
}

std::string FormatDecimal(double value) {
  if (!std::isfinite(value)) return "";
  if (value == 0) return "0";  // also folds -0
  // Fixed notation of DBL_MAX is 309 digits; 400 leaves room for sign and fraction.
  char buf[400];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::fixed);
  if (ec != std::errc()) return "";
  return std::string(buf, ptr);
}

}  // namespace meridian::alerting
