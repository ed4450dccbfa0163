// Time zones read from the system tz database (TZif files under /usr/share/zoneinfo, or $TZDIR),
// without touching the process-wide TZ environment: setenv/tzset/localtime are not thread-safe
// and g++12 has no <chrono> time-zone support. Local wall-clock times are resolved the way
// pytz's localize(dt, is_dst=False) does, because that is what graphite-web's parseATTime uses.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace meridian::query::internal {

// Proleptic Gregorian calendar helpers on "seconds since the epoch" (no leap seconds). Valid for
// |seconds| < 2^60 and years in the same magnitude range.
int64_t DaysFromCivil(int64_t year, int month, int day);  // REQUIRES: 1 <= month <= 12
int DaysInMonth(int64_t year, int month);                 // REQUIRES: 1 <= month <= 12
struct CivilTime {
  int64_t year = 1970;
  int month = 1;     // 1..12
  int day = 1;       // 1..31
  int weekday = 4;   // 0 = Sunday
  int64_t days = 0;  // days since 1970-01-01
  int second_of_day = 0;
};
CivilTime CivilFromSeconds(int64_t seconds);

// An immutable zone: TZif transitions plus the POSIX TZ footer rule for times after the last
// transition. Thread-safe (const after construction).
class TimeZone {
 public:
  struct LocalType {
    int32_t utc_offset = 0;  // seconds east of UTC
    bool is_dst = false;
  };
  // The TZ footer rule ("CET-1CEST,M3.5.0,M10.5.0/3"). Public for parsing and tests only.
  struct PosixRule {
    struct Date {
      char kind = 'M';  // 'J' (Julian 1..365, no Feb 29), 'N' (0..365), 'M' (month.week.day)
      int a = 0, b = 0, c = 0;
      int32_t time = 7200;  // seconds after local midnight (may be negative or > 24 h)
    };
    LocalType std_type;
    std::optional<LocalType> dst_type;
    Date start, end;
  };

  // Parses TZif data (RFC 8536, versions 1-4). Never reads outside `data`; rejects implausible
  // counts, unsorted transitions and bad type indices with CORRUPTION. Leap seconds are ignored.
  static core::Result<std::shared_ptr<const TimeZone>> Parse(std::string_view data);
  // Parses a POSIX TZ rule string alone (as in a TZif footer); nullopt if malformed.
  static std::optional<PosixRule> ParsePosixRule(std::string_view text);
  static std::shared_ptr<const TimeZone> Utc();

  // The local time type in effect at the UTC instant `utc`.
  LocalType TypeAt(int64_t utc) const;

  // Maps a local wall-clock time (expressed as seconds since the epoch, as if it were UTC) to a UTC
  // instant, like pytz's localize(is_dst=False): an ambiguous time (clocks set back) gets the
  // standard-time (later) instant; a skipped time (clocks set forward) is read with the offset in
  // effect before the jump (02:30 in New York on the spring-forward day is 07:30 UTC).
  int64_t LocalToUtc(int64_t local) const;

 private:
  int64_t Localize(int64_t local, int depth) const;

  std::vector<int64_t> transitions_;  // ascending UTC instants
  std::vector<uint8_t> transition_types_;
  std::vector<LocalType> types_;  // never empty
  std::optional<PosixRule> footer_;
};

// Loads an IANA zone ("Europe/Berlin"; "UTC" and exact-case names; a case-insensitive match is
// tried when the exact name is missing, as pytz does). Thread-safe; loaded zones are cached (the
// cache is bounded by the number of zone files). INVALID_ARGUMENT for names that could escape the
// zoneinfo directory; NOT_FOUND for unknown names or unreadable/invalid files.
core::Result<std::shared_ptr<const TimeZone>> LoadTimeZone(std::string_view name);

// The server default: the zone named by the TZ environment variable (":Name", "Name" or an
// absolute path under the zoneinfo directory) if it loads, else UTC. Computed once.
std::shared_ptr<const TimeZone> DefaultTimeZone();

}  // namespace meridian::query::internal
