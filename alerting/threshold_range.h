// Nagios plugin threshold ranges: `[@][start:][end]` (monitoring-plugin guidelines, range
// expressions; reference/alerting.md §3).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace meridian::alerting {

// A range [start, end], both ends inclusive. start may be -infinity (`~`), end may be
// +infinity (omitted end). `inside` is the `@` prefix: alert when the value is inside the range
// instead of outside it. Invariant of parsed values: start <= end, neither is NaN.
struct ThresholdRange {
  double start = 0;
  double end = 0;
  bool inside = false;

  bool operator==(const ThresholdRange& other) const = default;
};

// Parses every form of the guidelines: `10` (0..10), `10:` (10..+inf), `~:10` (-inf..10),
// `10:20`, `@10:20`, `:10` (empty start = 0, as monitoring-plugins does), `~:` (-inf..+inf);
// negative numbers and decimals (`-1.5:2.25`). Numbers use the C locale; exponents are accepted,
// `inf`/`nan`, a leading `+`, hex and surrounding whitespace are not.
// Errors (InvalidArgument): empty text, `@` alone, `:` alone (no bound at all), a malformed or
// non-finite number, start > end.
core::Result<ThresholdRange> ParseThresholdRange(std::string_view text);

// True when `value` breaches the range: outside [start, end], or inside it when `inside`.
// NaN never alerts (returns false): a NaN value means "no data" and the caller decides what
// state that is (UNKNOWN, keep, ...) before consulting ranges.
bool Alerts(const ThresholdRange& range, double value);

// Canonical text that ParseThresholdRange maps back to an equal range: `10` for 0..10, `10:`,
// `~:10`, `~:`, `10:20`, with `@` first when `inside`. Numbers as FormatDecimal.
std::string ToString(const ThresholdRange& range);

// Shortest text that parses back to exactly `value`, in fixed notation (no exponent: the plugin
// guidelines ask to avoid scientific notation), C locale, `-0` written as `0`.
// Non-finite values give "" (callers map them to an empty field or `U`).
std::string FormatDecimal(double value);

}  // namespace meridian::alerting
