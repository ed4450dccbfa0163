// Storage schemas and whisper's rollup maths: which archives (retentions) and which aggregation a
// series gets, how coarser archives are computed from finer ones, and which archive and time grid
// a read uses. Semantics follow carbon's storage-schemas.conf / storage-aggregation.conf and
// whisper.py (graphite-project/whisper 94c3a61) so that reads match graphite-web's.
//
// Everything here is a pure function or an immutable value: thread-safe for concurrent const use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/regex.h"
#include "core/status.h"

namespace meridian::storage {

// One archive of a series: `points` slots of `step` seconds each.
struct Archive {
  int64_t step = 0;    // seconds per point (whisper's secondsPerPoint), > 0
  int64_t points = 0;  // number of slots, > 0
  int64_t retention() const { return step * points; }
  bool operator==(const Archive&) const = default;
};

// Parses a carbon/whisper retention spec such as "10s:6h,1m:7d,10m:5y" (spaces around items ok).
// Each item is `precision:duration`. A bare integer precision is seconds; a bare integer duration
// is a POINT COUNT ("60:1440" = 1m for 1 day). `<int><unit>` uses whisper's unit prefixes: any
// prefix of seconds/minutes/hours/days/weeks/years ("s", "sec", "m", "min", "h", "d", "w", "y";
// y = 365 d; lower case only). With a unit, points = duration // precision.
// The result is sorted finest first and validated with ValidateArchives. Errors name the item.
core::Result<std::vector<Archive>> ParseRetentions(std::string_view spec);

// whisper's validateArchiveList, after sorting by step: at least one archive; step > 0 and
// points > 0; no two equal steps; each coarser step divisible by the finer; each coarser archive
// covers strictly more time; each finer archive has >= coarse.step / fine.step points. Also
// rejects retentions whisper's u32 header cannot hold (> 4294967295 s).
core::Result<std::vector<Archive>> ValidateArchives(std::vector<Archive> archives);

// Canonical spec of validated archives, e.g. "10s:6h,1m:7d" (largest exact unit per field).
std::string FormatRetentions(std::span<const Archive> archives);

// whisper aggregation methods (whisper codes 1..8 in this order). No median, as in whisper.
enum class AggregationMethod { kAverage, kSum, kLast, kMax, kMin, kAvgZero, kAbsMax, kAbsMin };

// Carbon names: average, sum, last, max, min, avg_zero, absmax, absmin (exact, lower case).
core::Result<AggregationMethod> ParseAggregationMethod(std::string_view name);
std::string_view AggregationMethodName(AggregationMethod method);

// whisper's aggregate(): `known_values` are the non-null finer values of one coarse interval in
// time order, `total_slots` the number of finer slots in it (nulls included).
// average/sum/last/max/min over the known values; avg_zero = sum(known) / total_slots (nulls
// count as 0); absmax/absmin = the value with the largest/smallest |v|, returned signed (first
// one wins on ties, as Python's max/min with key=abs). Returns nullopt when there is no known
// value or total_slots < known_values.size().
std::optional<double> Aggregate(AggregationMethod method, std::span<const double> known_values,
                                size_t total_slots);

// whisper's __propagate decision for one coarse interval: nullopt when nothing is known or
// known/total < xff, else Aggregate(...). whisper stores xFilesFactor as a float32 in the file
// header, so the comparison is double(known)/double(total) >= double(float(x_files_factor)):
// e.g. xff 0.1 with 1 of 10 known does NOT propagate (0.1 < 0.100000001490116).
std::optional<double> Rollup(AggregationMethod method, double x_files_factor,
                             std::span<const double> known_values, size_t total_slots);

struct SchemaRule {
  std::string name;     // for messages, e.g. the carbon section name
  std::string pattern;  // regex, searched (unanchored) in the series name
  std::vector<Archive> archives;
  bool operator==(const SchemaRule&) const = default;
};

struct AggregationRule {
  std::string name;
  std::string pattern;
  AggregationMethod method = AggregationMethod::kAverage;
  double x_files_factor = 0.5;  // in [0, 1]
  bool operator==(const AggregationRule&) const = default;
};

struct SeriesSchema {
  std::vector<Archive> archives;  // finest first
  AggregationMethod method = AggregationMethod::kAverage;
  double x_files_factor = 0.5;
  bool operator==(const SeriesSchema&) const = default;
};

// Carbon's implicit last rules when nothing matches: 60:10080 (1m for 7d); average, xff 0.5.
inline constexpr Archive kDefaultArchive{60, 10080};
inline constexpr AggregationMethod kDefaultAggregationMethod = AggregationMethod::kAverage;
inline constexpr double kDefaultXFilesFactor = 0.5;

// Checks that `pattern` compiles. Patterns use Python `re` syntax, as carbon's, and run on
// core::Regex (RE2: linear time, bounded memory): back-references, lookaround and the other
// constructs core/regex.h lists are refused, as are patterns over 4 KiB. `$` matches only at the
// very end (Python also before a final "\n", which series names never contain); `\d \w \s \b`
// are ASCII.
core::Status ValidatePattern(std::string_view pattern);

// The schema and aggregation rules of a store, resolved per series at creation time.
class SchemaSet {
 public:
  // Compiles every pattern and validates every rule (archives, xff in [0,1]). Errors name the
  // rule ("schema rule 'x': ..."). Rule order is kept: the first match wins.
  static core::Result<SchemaSet> Create(std::vector<SchemaRule> schemas,
                                        std::vector<AggregationRule> aggregations);

  // Carbon semantics: first schema rule whose pattern is found anywhere in `series_name`
  // (Python re.search) gives the archives, first matching aggregation rule the method and xff;
  // when none matches, the implicit defaults above. Thread-safe.
  SeriesSchema Resolve(std::string_view series_name) const;

  const std::vector<SchemaRule>& schema_rules() const { return schemas_; }
  const std::vector<AggregationRule>& aggregation_rules() const { return aggregations_; }

 private:
  SchemaSet() = default;

  std::vector<SchemaRule> schemas_;
  std::vector<core::Regex> schema_regexes_;
  std::vector<AggregationRule> aggregations_;
  std::vector<core::Regex> aggregation_regexes_;
};

// Carbon INI files, for teams migrating from carbon. Python ConfigParser rules as carbon uses
// them: sections in file order; `key = value` or `key: value`, keys case-insensitive, values
// trimmed (an inline "# ..." stays part of the value, as in Python 3); full-line comments start
// with '#' or ';'; indented lines continue the previous value. A section without `pattern` (or,
// for schemas, without `retentions`) is skipped, as carbon does. Stricter than carbon (which
// logs and carries on, or dies): invalid retentions, xFilesFactor outside [0,1] or unparsable,
// unknown aggregationMethod, unknown keys, duplicate sections/keys, a [DEFAULT] section and
// lines outside any section are errors "line N: [section] key: ...". Patterns are not compiled
// here (SchemaSet::Create does).
core::Result<std::vector<SchemaRule>> ParseCarbonSchemasFile(std::string_view ini_text);
// Missing xFilesFactor → 0.5, missing aggregationMethod → average (whisper's defaults).
core::Result<std::vector<AggregationRule>> ParseCarbonAggregationFile(std::string_view ini_text);

// whisper's archive choice for a read (file_fetch): the first archive whose retention covers
// now - from, else the last one. REQUIRES: archives sorted finest first, non-empty.
size_t SelectArchive(std::span<const Archive> archives, int64_t from, int64_t now);

// The time grid whisper returns for fetch(from, until, now).
struct FetchWindow {
  int64_t from = 0;   // first slot timestamp returned (exclusive-start grid, see below)
  int64_t until = 0;  // end of the returned range (exclusive): points = (until - from) / step
  int64_t step = 0;
  bool empty = true;   // whisper returns None: no data at all
  size_t archive = 0;  // index into the archives passed in
};

// whisper file_fetch + __archive_fetch without reading data:
//   from > until (whisper raises), from > now, or until < now - maxRetention → empty;
//   from < now - maxRetention → from = now - maxRetention; until > now → until = now;
//   archive = SelectArchive(clamped from); with step s:
//   from' = floor(from/s)*s + s, until' = floor(until/s)*s + s; from' == until' → until' += s.
// Timestamps use floor division (Python's %), so negative times work too.
FetchWindow WhisperFetchWindow(std::span<const Archive> archives, int64_t from, int64_t until,
                               int64_t now);

}  // namespace meridian::storage
