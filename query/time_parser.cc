#include "query/time_parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string>

#include "query/internal/timezone.h"

namespace meridian::query {
namespace {

using internal::CivilTime;
using internal::TimeZone;

// Python datetime covers years 1..9999; graphite-web raises outside it.
constexpr int64_t kMinEpoch = -62135596800;  // 0001-01-01T00:00:00Z
constexpr int64_t kMaxEpoch = 253402300799;  // 9999-12-31T23:59:59Z
// Python timedelta's range; parseTimeOffset raises OverflowError beyond it.
constexpr int64_t kMaxDelta = 999999999LL * 86400 + 86399;
constexpr int64_t kMinDelta = -999999999LL * 86400;
// Python ints are unbounded; saturating here is exact because every bound above is smaller.
constexpr int64_t kIntCap = 1'000'000'000'000'000;

constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                      "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 7> kWeekdays = {"sun", "mon", "tue", "wed",
                                                       "thu", "fri", "sat"};

core::Status Invalid(std::string_view text, std::string_view why) {
  std::string shown(text.substr(0, 80));
  if (text.size() > 80) shown += "...";
  return core::InvalidArgument(fmt::format("invalid time '{}': {}", shown, why));
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool AllDigits(std::string_view s) { return std::all_of(s.begin(), s.end(), IsDigit); }

// Characters Python's str.strip() removes, restricted to ASCII.
bool IsPySpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f); }

std::string Normalize(std::string_view text) {
  while (!text.empty() && IsPySpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsPySpace(text.back())) text.remove_suffix(1);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '_' || c == ',' || c == ' ') continue;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
  }
  return out;
}

// Python int() of a normalized slice: optional sign and at least one ASCII digit.
std::optional<int64_t> PyInt(std::string_view s) {
  int64_t sign = 1;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    sign = s[0] == '-' ? -1 : 1;
    s.remove_prefix(1);
  }
  if (s.empty() || !AllDigits(s)) return std::nullopt;
  int64_t v = 0;
  for (char c : s) v = std::min(kIntCap, v * 10 + (c - '0'));
  return sign * v;
}

int64_t PyMod24(int64_t v) { return ((v % 24) + 24) % 24; }

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// attime.py getUnitString: first matching prefix wins, so "m" and "mo" match nothing.
std::optional<int64_t> UnitSeconds(std::string_view unit) {
  static constexpr std::pair<std::string_view, int64_t> kUnits[] = {
      {"s", 1},         {"min", 60},         {"h", 3600},       {"d", 86400},
      {"w", 7 * 86400}, {"mon", 30 * 86400}, {"y", 365 * 86400}};
  for (const auto& [prefix, seconds] : kUnits) {
    if (StartsWith(unit, prefix)) return seconds;
  }
  return std::nullopt;
}

// attime.py parseTimeOffset on normalized text; "" and a bare sign are zero.
core::Result<int64_t> OffsetSeconds(std::string_view s, std::string_view text) {
  if (s.empty()) return int64_t{0};
  int64_t sign = 1;
  if (!IsDigit(s[0])) {
    if (s[0] != '+' && s[0] != '-') return Invalid(text, "offset must start with + or -");
    sign = s[0] == '-' ? -1 : 1;
    s.remove_prefix(1);
  }
  int64_t total = 0;
  while (!s.empty()) {
    size_t digits = 0;
    while (digits < s.size() && IsDigit(s[digits])) ++digits;
    if (digits == 0) return Invalid(text, "expected a number in the offset");
    int64_t n = *PyInt(s.substr(0, digits));
    s.remove_prefix(digits);
    size_t letters = 0;
    while (letters < s.size() && IsAlpha(s[letters])) ++letters;
    std::string_view unit = s.substr(0, letters);
    s.remove_prefix(letters);
    std::optional<int64_t> unit_seconds = UnitSeconds(unit);
    if (!unit_seconds) return Invalid(text, fmt::format("invalid offset unit '{}'", unit));
    __int128 term = static_cast<__int128>(sign) * n * *unit_seconds;
    if (term > kMaxDelta || term < kMinDelta || total + term > kMaxDelta ||
        total + term < kMinDelta) {
      return Invalid(text, "offset out of range");
    }
    total += static_cast<int64_t>(term);
  }
  return total;
}

struct TimeOfDay {
  int64_t hour = 0;
  int64_t minute = 0;
};

// The optional time-of-day prefix of a reference; consumes it from `ref`.
core::Result<TimeOfDay> ParseTimeOfDay(std::string_view& ref, std::string_view text) {
  TimeOfDay t;
  size_t i = ref.find(':');
  if (i != std::string_view::npos && i > 0 && i < 3) {
    std::optional<int64_t> h = PyInt(ref.substr(0, i)), m = PyInt(ref.substr(i + 1, 2));
    if (!h || !m) return Invalid(text, "bad HH:MM time of day");
    t = {*h, *m};
    ref.remove_prefix(std::min(i + 3, ref.size()));
    if (StartsWith(ref, "am")) {
      ref.remove_prefix(2);
    } else if (StartsWith(ref, "pm")) {
      t.hour = PyMod24(t.hour + 12);
      ref.remove_prefix(2);
    }
  }
  for (std::string_view meridiem : {"am", "pm"}) {  // "8am", "11pm": 12pm is 00:00 (sic)
    i = ref.find(meridiem);
    if (i == std::string_view::npos || i == 0 || i >= 3) continue;
    std::optional<int64_t> h = PyInt(ref.substr(0, i));
    if (!h) return Invalid(text, "bad hour before am/pm");
    t.hour = meridiem == "pm" ? PyMod24(*h + 12) : *h;
    ref.remove_prefix(i + 2);
  }
  static constexpr std::pair<std::string_view, int> kNamed[] = {
      {"noon", 12}, {"midnight", 0}, {"teatime", 16}};
  for (const auto& [name, hour] : kNamed) {
    if (!StartsWith(ref, name)) continue;
    t = {hour, 0};
    ref.remove_prefix(name.size());
    break;
  }
  if (t.hour < 0 || t.hour > 23) return Invalid(text, "hour must be in 0..23");
  if (t.minute < 0 || t.minute > 59) return Invalid(text, "minute must be in 0..59");
  return t;
}

core::Result<int64_t> DateDays(int64_t y, int64_t m, int64_t d, std::string_view text) {
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 ||
      d > internal::DaysInMonth(y, static_cast<int>(m))) {
    return Invalid(text, "no such date");
  }
  return internal::DaysFromCivil(y, static_cast<int>(m), static_cast<int>(d));
}

int IndexOfPrefix(std::string_view ref, const auto& names) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (ref.size() >= 3 && ref.substr(0, 3) == names[i]) return static_cast<int>(i);
  }
  return -1;
}

// The day part of a reference, as days since the epoch of a local date.
core::Result<int64_t> ParseDay(std::string_view ref, const CivilTime& today,
                               std::string_view text) {
  if (ref.empty() || ref == "today") return today.days;
  if (ref == "yesterday") return today.days - 1;
  if (ref == "tomorrow") return today.days + 1;
  if (std::count(ref.begin(), ref.end(), '/') == 2) {  // MM/DD/YY[YY]
    size_t a = ref.find('/'), b = ref.find('/', a + 1);
    std::optional<int64_t> m = PyInt(ref.substr(0, a)), d = PyInt(ref.substr(a + 1, b - a - 1)),
                           y = PyInt(ref.substr(b + 1));
    if (!m || !d || !y) return Invalid(text, "bad MM/DD/YY date");
    int64_t year = *y < 1900 ? *y + 1900 : *y;
    if (year < 1970) year += 100;
    return DateDays(year, *m, *d, text);
  }
  if (ref.size() == 8 && AllDigits(ref)) {  // YYYYMMDD
    return DateDays(*PyInt(ref.substr(0, 4)), *PyInt(ref.substr(4, 2)), *PyInt(ref.substr(6)),
                    text);
  }
  if (int month = IndexOfPrefix(ref, kMonths); month >= 0) {  // "jan1": the last 1-2 digits
    size_t n = ref.size();
    std::optional<int64_t> day = IsDigit(ref[n - 1]) && IsDigit(ref[n - 2])
                                     ? PyInt(ref.substr(n - 2))
                                     : PyInt(ref.substr(n - 1));
    if (!day) return Invalid(text, "day of month required after month name");
    return DateDays(today.year, month + 1, *day, text);
  }
  if (int weekday = IndexOfPrefix(ref, kWeekdays); weekday >= 0) {  // most recent, today included
    return today.days - (today.weekday - weekday + 7) % 7;
  }
  return Invalid(text, "unknown day reference");
}

// attime.py parseTimeReference: a local date and time in `tz`, or now.
core::Result<int64_t> ParseReference(std::string_view ref, const TimeZone& tz, int64_t now,
                                     std::string_view text) {
  if (ref.empty() || ref == "now") return now;
  ASSIGN_OR_RETURN(TimeOfDay t, ParseTimeOfDay(ref, text));
  CivilTime today = internal::CivilFromSeconds(now + tz.TypeAt(now).utc_offset);
  ASSIGN_OR_RETURN(int64_t days, ParseDay(ref, today, text));
  if (days < internal::DaysFromCivil(1, 1, 1) || days > internal::DaysFromCivil(9999, 12, 31)) {
    return Invalid(text, "date out of range");
  }
  return tz.LocalToUtc(days * 86400 + t.hour * 3600 + t.minute * 60);
}

// graphite-web falls back to its default zone when `tz` is unknown.
std::shared_ptr<const TimeZone> ResolveZone(const std::string& name) {
  if (name.empty()) return internal::DefaultTimeZone();
  auto zone = internal::LoadTimeZone(name);
  return zone.ok() ? *zone : internal::DefaultTimeZone();
}

bool LooksLikeYyyymmdd(std::string_view s) {
  return s.size() == 8 && *PyInt(s.substr(0, 4)) > 1900 && *PyInt(s.substr(4, 2)) < 13 &&
         *PyInt(s.substr(6)) < 32;
}

}  // namespace

core::Result<int64_t> ParseTime(std::string_view text, const TimeContext& ctx) {
  if (ctx.now < kMinEpoch || ctx.now > kMaxEpoch) {
    return core::InvalidArgument(fmt::format("'now' out of range: {}", ctx.now));
  }
  std::string s = Normalize(text);
  if (!s.empty() && AllDigits(s) && !LooksLikeYyyymmdd(s)) {
    int64_t epoch = *PyInt(s);
    if (epoch > kMaxEpoch) return Invalid(text, "timestamp out of range");
    return epoch;
  }
  size_t split = s.find('+');
  if (split == std::string::npos) split = s.find('-');
  std::string_view ref = std::string_view(s).substr(0, split);
  std::string_view offset = split == std::string::npos ? "" : std::string_view(s).substr(split);
  std::shared_ptr<const TimeZone> tz = ResolveZone(ctx.tz);
  ASSIGN_OR_RETURN(int64_t base, ParseReference(ref, *tz, ctx.now, text));
  ASSIGN_OR_RETURN(int64_t delta, OffsetSeconds(offset, text));
  int64_t result = base + delta;
  if (result < kMinEpoch || result > kMaxEpoch) return Invalid(text, "time out of range");
  return result;
}

core::Result<int64_t> ParseTime(std::string_view text, int64_t now) {
  return ParseTime(text, TimeContext{now, ""});
}

core::Result<int64_t> ParseOffset(std::string_view text) {
  std::string s = Normalize(text);
  std::string_view body = s;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) body.remove_prefix(1);
  if (body.empty()) return Invalid(text, "empty time offset");
  return OffsetSeconds(s, text);
}

core::Status ValidateRange(int64_t& from, int64_t& until) {
  if (from > until) std::swap(from, until);
  if (from == until) return core::InvalidArgument("Invalid empty time range");
  return core::Status::Ok();
}

}  // namespace meridian::query
