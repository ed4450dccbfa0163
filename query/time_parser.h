// Graphite's from/until/now grammar: graphite-web render/attime.py parseATTime, reproduced
// behaviour for behaviour (including its quirks), with time zones read from the system tz
// database.
//
// The text is stripped, lower-cased, and '_', ',' and ' ' are deleted. Then:
//   - all digits: epoch seconds, except 8 digits that look like YYYYMMDD (year > 1900,
//     month < 13, day < 32), which are a date reference;
//   - otherwise it is split at the first '+' (or, if there is none, the first '-') into a
//     reference and an offset.
// Reference ("" and "now" = now), in this order, each part optional:
//   time of day "HH:MM" (1-2 digit hour) optionally followed by "am"/"pm", or "Nam"/"Npm";
//     "pm" adds 12 modulo 24, so "12pm" is 00:00 and "12am" is 12:00 (graphite-web's quirk);
//   "noon" (12:00), "midnight" (00:00), "teatime" (16:00);
//   day: "today", "yesterday", "tomorrow"; "MM/DD/YY" or "MM/DD/YYYY" (a year < 1900 gets
//     +1900, then one < 1970 gets +100: 69 is 2069, 70 is 1970); "YYYYMMDD"; a month-name
//     prefix + day of month, the day being the last 1-2 digits ("jan1", "january15"), in the
//     current year; a weekday prefix ("mon", "friday"): the most recent such day, today
//     included. Without a day part the date is today.
//   Examples: "16:00_20240131", "8am_yesterday", "noon_tomorrow", "midnight_01/31/2024".
// The date and time are local to the time zone; an ambiguous local time (clocks set back) means
// the standard-time instant, a skipped one is read with the offset before the jump (as pytz).
// Offset: an optional sign applying to everything, then repeated <digits><unit> ("-1d12h"),
// unit by prefix: s (seconds), min, h, d, w, mon (30 days), y (365 days); a bare "m" is an
// error. Offsets are exact seconds added to the reference instant.
// Results must lie in years 1..9999 (Python datetime's range).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace meridian::query {

struct TimeContext {
  int64_t now = 0;  // epoch seconds; outside years 1..9999 ParseTime fails
  // IANA zone name ("Europe/Berlin"); "" = server default (the TZ environment variable's zone if
  // it names one, else UTC). An unknown name falls back to the default, as graphite-web ignores
  // an unknown `tz`.
  std::string tz;
};

// Returns epoch seconds. INVALID_ARGUMENT names the offending text. Thread-safe; may read a
// zoneinfo file the first time a zone is used.
core::Result<int64_t> ParseTime(std::string_view text, const TimeContext& ctx);

// Same, in the server default time zone.
core::Result<int64_t> ParseTime(std::string_view text, int64_t now);

// Parses an offset like "-1h", "5min", "1d2h" into signed seconds (unsigned = positive). Unlike
// inside ParseTime, an empty or sign-only offset is an error here.
core::Result<int64_t> ParseOffset(std::string_view text);

// graphite-web's handling of a parsed range: a reversed range is swapped; an empty one
// (from == until) is INVALID_ARGUMENT.
core::Status ValidateRange(int64_t& from, int64_t& until);

}  // namespace meridian::query
