#include "ingest/internal/python_float.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <system_error>

#include "core/ascii.h"

namespace meridian::ingest::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Characters std::from_chars' decimal grammar can consume. Anything else needs the slow path.
bool IsPlainNumberChar(char c) {
  return IsDigit(c) || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+';
}

// std::from_chars leaves the value untouched on overflow/underflow, where Python yields ±inf or a
// (sub)normal/zero: strtod computes those. It needs a terminated copy; this path is rare.
bool OutOfRangeFallback(std::string_view s, double* out) {
  std::string copy(s);
  *out = std::strtod(copy.c_str(), nullptr);
  return true;
}

bool FromCharsWhole(std::string_view s, double* out) {
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, *out, std::chars_format::general);
  if (ptr != end) return false;
  if (ec == std::errc::result_out_of_range) return OutOfRangeFallback(s, out);
  return ec == std::errc();
}

// Python (PEP 515) allows '_' only between two digits, in every digit run.
bool StripUnderscores(std::string_view s, std::string* out) {
  out->clear();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '_') {
      out->push_back(s[i]);
      continue;
    }
    if (i == 0 || i + 1 == s.size() || !IsDigit(s[i - 1]) || !IsDigit(s[i + 1])) return false;
  }
  return true;
}

bool SlowPath(std::string_view s, double* out) {
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (core::EqualsIgnoreAsciiCase(s, "inf") || core::EqualsIgnoreAsciiCase(s, "infinity")) {
    *out = negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
    return true;
  }
  if (core::EqualsIgnoreAsciiCase(s, "nan")) {
    *out = negative ? -std::numeric_limits<double>::quiet_NaN()
                    : std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  std::string digits;
  if (!StripUnderscores(s, &digits) || digits.empty()) return false;
  // A second sign ("+-1") is invalid in Python; from_chars would take the '-'.
  if (digits.front() == '+' || digits.front() == '-') return false;
  for (char c : digits) {
    if (!IsPlainNumberChar(c)) return false;
  }
  if (!FromCharsWhole(digits, out)) return false;
  if (negative) *out = -*out;
  return true;
}

}  // namespace

bool ParsePythonFloat(std::string_view s, double* out) {
  if (s.empty()) return false;
  if (s.front() != '+') {
    bool plain = true;
    for (char c : s) plain &= IsPlainNumberChar(c);
    if (plain) return FromCharsWhole(s, out);
  }
  return SlowPath(s, out);
}

}  // namespace meridian::ingest::internal
