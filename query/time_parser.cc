#include "query/time_parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>

namespace meridian::query {
namespace {

// Seconds per unit, matched by prefix as attime.py's getUnitString does.
core::Result<int64_t> UnitSeconds(std::string_view unit) {
  auto starts = [&](std::string_view p) { return unit.substr(0, p.size()) == p; };
  if (unit.empty()) return core::InvalidArgument("time offset without a unit");
  if (starts("s")) return int64_t{1};
  if (starts("min")) return int64_t{60};
  if (starts("h")) return int64_t{3600};
  if (starts("d")) return int64_t{86400};
  if (starts("w")) return int64_t{7 * 86400};
  if (starts("mon")) return int64_t{30 * 86400};
  if (starts("y")) return int64_t{365 * 86400};
  return core::InvalidArgument(fmt::format("invalid time unit '{}'", unit));
}

std::string Normalize(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '_' || c == ',' || c == ' ') continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

}  // namespace

core::Result<int64_t> ParseOffset(std::string_view text) {
  std::string s = Normalize(text);
  int sign = 1;
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) sign = s[i++] == '-' ? -1 : 1;
  if (i == s.size()) return core::InvalidArgument(fmt::format("empty time offset '{}'", text));
  int64_t total = 0;
  while (i < s.size()) {
    size_t digits_end = i;
    while (digits_end < s.size() && std::isdigit(static_cast<unsigned char>(s[digits_end]))) {
      ++digits_end;
    }
    if (digits_end == i) return core::InvalidArgument(fmt::format("invalid time offset '{}'", text));
    int64_t n = 0;
    auto [p, ec] = std::from_chars(s.data() + i, s.data() + digits_end, n);
    if (ec != std::errc() || n > 100'000'000) {
      return core::InvalidArgument(fmt::format("time offset out of range '{}'", text));
    }
    size_t unit_end = digits_end;
    while (unit_end < s.size() && std::isalpha(static_cast<unsigned char>(s[unit_end]))) ++unit_end;
    std::string_view unit(s.data() + digits_end, unit_end - digits_end);
    ASSIGN_OR_RETURN(int64_t mult, UnitSeconds(unit));
    total += n * mult;
    i = unit_end;
  }
  return sign * total;
}

core::Result<int64_t> ParseTime(std::string_view text, int64_t now) {
  std::string s = Normalize(text);
  if (s.empty() || s == "now") return now;
  if (std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    int64_t epoch = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), epoch);
    if (ec != std::errc()) return core::InvalidArgument(fmt::format("invalid time '{}'", text));
    return epoch;
  }
  std::string_view rest = s;
  if (rest.substr(0, 3) == "now") rest.remove_prefix(3);
  if (rest.empty() || (rest[0] != '-' && rest[0] != '+')) {
    return core::InvalidArgument(fmt::format("unsupported time format '{}'", text));
  }
  ASSIGN_OR_RETURN(int64_t offset, ParseOffset(rest));
  return now + offset;
}

}  // namespace meridian::query
