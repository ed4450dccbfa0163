#include "storage/schema.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <utility>

namespace meridian::storage {
namespace {

using core::InvalidArgument;
using core::Result;
using core::Status;

// whisper's header stores maxRetention and secondsPerPoint as u32.
constexpr int64_t kMaxSeconds = 4294967295;

struct Unit {
  std::string_view name;
  int64_t seconds;
};
// Order matters: whisper's getUnitString picks the first unit the suffix is a prefix of.
constexpr std::array<Unit, 6> kUnits = {{{"seconds", 1},
                                         {"minutes", 60},
                                         {"hours", 3600},
                                         {"days", 86400},
                                         {"weeks", 86400 * 7},
                                         {"years", 86400 * 365}}};

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(kSpace) - b + 1);
}

// `<digits>` or `<digits><lowercase unit prefix>` (whisper's ^(\d+)([a-z]+)$) in seconds, or
// the bare number with unit_seconds = 0. Numbers above kMaxSeconds are refused before any
// multiplication so nothing overflows.
Status ParseAmount(std::string_view text, int64_t& number, int64_t& unit_seconds) {
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  std::string_view suffix = text.substr(digits);
  if (digits == 0 ||
      !std::all_of(suffix.begin(), suffix.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
    return InvalidArgument(fmt::format("'{}' is not <int> or <int><unit>", text));
  }
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + digits, value);
  if (ec != std::errc() || value > static_cast<uint64_t>(kMaxSeconds)) {
    return InvalidArgument(fmt::format("'{}' is too large", text));
  }
  number = static_cast<int64_t>(value);
  unit_seconds = 0;
  if (suffix.empty()) return Status::Ok();
  for (const Unit& unit : kUnits) {
    if (unit.name.starts_with(suffix)) {
      unit_seconds = unit.seconds;
      return Status::Ok();
    }
  }
  return InvalidArgument(
      fmt::format("invalid unit '{}' in '{}' (use s, m, h, d, w, y)", suffix, text));
}

Result<Archive> ParseRetentionItem(std::string_view item) {
  size_t colon = item.find(':');
  if (colon == std::string_view::npos) {
    return InvalidArgument("expected precision:duration");
  }
  int64_t precision = 0, precision_unit = 0, duration = 0, duration_unit = 0;
  Status st = ParseAmount(item.substr(0, colon), precision, precision_unit);
  if (!st.ok()) return InvalidArgument("invalid precision: " + st.message());
  if (precision_unit != 0) precision *= precision_unit;
  if (precision <= 0) return InvalidArgument("precision must be at least 1 second");
  if (precision > kMaxSeconds) return InvalidArgument("precision is too large");
  st = ParseAmount(item.substr(colon + 1), duration, duration_unit);
  if (!st.ok()) return InvalidArgument("invalid duration: " + st.message());
  // Bare integer duration = point count (whisper/carbon); with a unit, seconds // precision.
  int64_t points = duration_unit == 0 ? duration : duration * duration_unit / precision;
  if (points <= 0) return InvalidArgument("keeps no point (duration shorter than precision)");
  return Archive{precision, points};
}

std::string FormatSeconds(int64_t seconds) {
  constexpr std::array<std::pair<char, int64_t>, 5> kLargest = {
      {{'y', 86400 * 365}, {'w', 86400 * 7}, {'d', 86400}, {'h', 3600}, {'m', 60}}};
  for (auto [suffix, unit] : kLargest) {
    if (seconds > 0 && seconds % unit == 0) return fmt::format("{}{}", seconds / unit, suffix);
  }
  return fmt::format("{}s", seconds);
}

std::string FormatArchive(const Archive& a) {
  return FormatSeconds(a.step) + ":" + FormatSeconds(a.retention());
}

struct Labeled {
  Archive archive;
  std::string label;  // as the user wrote it, for messages
};

// whisper's validateArchiveList; labels make messages name what the user wrote.
Result<std::vector<Archive>> ValidateLabeled(std::vector<Labeled> list) {
  if (list.empty()) return InvalidArgument("at least one archive is required");
  for (const Labeled& l : list) {
    if (l.archive.step <= 0 || l.archive.points <= 0) {
      return InvalidArgument(fmt::format("archive '{}': step and points must be > 0", l.label));
    }
    if (l.archive.step > kMaxSeconds || l.archive.points > kMaxSeconds ||
        l.archive.retention() > kMaxSeconds) {
      return InvalidArgument(
          fmt::format("archive '{}': retention exceeds whisper's limit of {} seconds (~136 years)",
                      l.label, kMaxSeconds));
    }
  }
  std::stable_sort(list.begin(), list.end(), [](const Labeled& a, const Labeled& b) {
    return a.archive.step < b.archive.step;
  });
  for (size_t i = 0; i + 1 < list.size(); ++i) {
    const Archive& fine = list[i].archive;
    const Archive& coarse = list[i + 1].archive;
    const std::string& f = list[i].label;
    const std::string& c = list[i + 1].label;
    if (fine.step == coarse.step) {
      return InvalidArgument(
          fmt::format("archives '{}' and '{}' have the same precision ({}s)", f, c, fine.step));
    }
    if (coarse.step % fine.step != 0) {
      return InvalidArgument(fmt::format(
          "archive '{}': precision {}s is not a multiple of the finer archive '{}' precision {}s",
          c, coarse.step, f, fine.step));
    }
    if (coarse.retention() <= fine.retention()) {
      return InvalidArgument(
          fmt::format("archive '{}' must cover more time than the finer archive '{}' ({}s <= {}s)",
                      c, f, coarse.retention(), fine.retention()));
    }
    if (fine.points < coarse.step / fine.step) {
      return InvalidArgument(
          fmt::format("archive '{}' has {} points but '{}' consolidates {} of them into each point",
                      f, fine.points, c, coarse.step / fine.step));
    }
  }
  std::vector<Archive> out;
  out.reserve(list.size());
  for (const Labeled& l : list) out.push_back(l.archive);
  return out;
}

// Python's `x - (x % step)`: floor to the grid, negative x included.
int64_t FloorToStep(int64_t x, int64_t step) {
  int64_t r = x % step;
  if (r < 0) r += step;
  return x - r;
}

}  // namespace

Result<std::vector<Archive>> ParseRetentions(std::string_view spec) {
  std::vector<Labeled> list;
  size_t pos = 0;
  while (true) {
    size_t comma = spec.find(',', pos);
    std::string_view item = Trim(
        spec.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
    if (item.empty() && list.empty() && comma == std::string_view::npos) {
      return InvalidArgument("empty retentions: at least one archive is required");
    }
    auto archive = ParseRetentionItem(item);
    if (!archive.ok()) {
      return InvalidArgument(fmt::format("archive '{}': {}", item, archive.status().message()));
    }
    list.push_back({*archive, std::string(item)});
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return ValidateLabeled(std::move(list));
}

Result<std::vector<Archive>> ValidateArchives(std::vector<Archive> archives) {
  std::vector<Labeled> list;
  list.reserve(archives.size());
  for (const Archive& a : archives) {
    list.push_back({a, a.step > 0 && a.points > 0 ? FormatArchive(a)
                                                  : fmt::format("{}:{}", a.step, a.points)});
  }
  return ValidateLabeled(std::move(list));
}

std::string FormatRetentions(std::span<const Archive> archives) {
  std::string out;
  for (const Archive& a : archives) {
    if (!out.empty()) out += ',';
    out += FormatArchive(a);
  }
  return out;
}

namespace {
constexpr std::array<std::pair<AggregationMethod, std::string_view>, 8> kMethodNames = {{
    {AggregationMethod::kAverage, "average"},
    {AggregationMethod::kSum, "sum"},
    {AggregationMethod::kLast, "last"},
    {AggregationMethod::kMax, "max"},
    {AggregationMethod::kMin, "min"},
    {AggregationMethod::kAvgZero, "avg_zero"},
    {AggregationMethod::kAbsMax, "absmax"},
    {AggregationMethod::kAbsMin, "absmin"},
}};
}  // namespace

Result<AggregationMethod> ParseAggregationMethod(std::string_view name) {
  for (auto [method, method_name] : kMethodNames) {
    if (method_name == name) return method;
  }
  return InvalidArgument(fmt::format(
      "unknown aggregation method '{}' (average, sum, last, max, min, avg_zero, absmax, absmin)",
      name));
}

std::string_view AggregationMethodName(AggregationMethod method) {
  for (auto [m, name] : kMethodNames) {
    if (m == method) return name;
  }
  return "unknown";
}

std::optional<double> Aggregate(AggregationMethod method, std::span<const double> known,
                                size_t total_slots) {
  if (known.empty() || total_slots < known.size()) return std::nullopt;
  // Left-to-right summation, as Python's sum(), so results are bit-identical to whisper's.
  auto sum = [&] {
    double s = 0;
    for (double v : known) s += v;
    return s;
  };
  // std::max_element/min_element return the first extreme element, like Python's max/min.
  auto by_abs = [](double a, double b) { return std::fabs(a) < std::fabs(b); };
  switch (method) {
    case AggregationMethod::kAverage:
      return sum() / static_cast<double>(known.size());
    case AggregationMethod::kSum:
      return sum();
    case AggregationMethod::kLast:
      return known.back();
    case AggregationMethod::kMax:
      return *std::max_element(known.begin(), known.end());
    case AggregationMethod::kMin:
      return *std::min_element(known.begin(), known.end());
    case AggregationMethod::kAvgZero:
      return sum() / static_cast<double>(total_slots);
    case AggregationMethod::kAbsMax:
      return *std::max_element(known.begin(), known.end(), by_abs);
    case AggregationMethod::kAbsMin:
      return *std::min_element(known.begin(), known.end(), by_abs);
  }
  return std::nullopt;
}

std::optional<double> Rollup(AggregationMethod method, double x_files_factor,
                             std::span<const double> known, size_t total_slots) {
  if (known.empty() || total_slots < known.size()) return std::nullopt;
  // whisper reads xff back from its header as a float32 before comparing.
  double xff = static_cast<double>(static_cast<float>(x_files_factor));
  double known_fraction = static_cast<double>(known.size()) / static_cast<double>(total_slots);
  if (known_fraction < xff) return std::nullopt;
  return Aggregate(method, known, total_slots);
}

namespace {

Result<core::Regex> CompilePattern(std::string_view pattern) {
  auto re = core::Regex::Compile(pattern);
  if (re.ok()) return re;
  // "invalid regex '<pattern>': <why>" → "invalid pattern '<pattern>': <why>", as config says.
  std::string message = re.status().message();
  constexpr std::string_view kRegex = "invalid regex ";
  if (message.starts_with(kRegex)) message.replace(0, kRegex.size(), "invalid pattern ");
  return InvalidArgument(std::move(message));
}

std::string RuleLabel(std::string_view kind, const std::string& name, size_t index) {
  return name.empty() ? fmt::format("{} rule #{}", kind, index + 1)
                      : fmt::format("{} rule '{}'", kind, name);
}

}  // namespace

Status ValidatePattern(std::string_view pattern) {
  auto re = CompilePattern(pattern);
  return re.ok() ? Status::Ok() : re.status();
}

Result<SchemaSet> SchemaSet::Create(std::vector<SchemaRule> schemas,
                                    std::vector<AggregationRule> aggregations) {
  SchemaSet set;
  for (size_t i = 0; i < schemas.size(); ++i) {
    SchemaRule& rule = schemas[i];
    auto re = CompilePattern(rule.pattern);
    if (!re.ok()) {
      return InvalidArgument(RuleLabel("schema", rule.name, i) + ": " + re.status().message());
    }
    auto archives = ValidateArchives(std::move(rule.archives));
    if (!archives.ok()) {
      return InvalidArgument(RuleLabel("schema", rule.name, i) + ": " +
                             archives.status().message());
    }
    rule.archives = std::move(archives).value();
    set.schema_regexes_.push_back(std::move(re).value());
  }
  for (size_t i = 0; i < aggregations.size(); ++i) {
    const AggregationRule& rule = aggregations[i];
    auto re = CompilePattern(rule.pattern);
    if (!re.ok()) {
      return InvalidArgument(RuleLabel("aggregation", rule.name, i) + ": " + re.status().message());
    }
    if (!(rule.x_files_factor >= 0 && rule.x_files_factor <= 1)) {
      return InvalidArgument(fmt::format("{}: xFilesFactor {} is outside [0, 1]",
                                         RuleLabel("aggregation", rule.name, i),
                                         rule.x_files_factor));
    }
    set.aggregation_regexes_.push_back(std::move(re).value());
  }
  set.schemas_ = std::move(schemas);
  set.aggregations_ = std::move(aggregations);
  return set;
}

SeriesSchema SchemaSet::Resolve(std::string_view series_name) const {
  SeriesSchema out{{kDefaultArchive}, kDefaultAggregationMethod, kDefaultXFilesFactor};
  for (size_t i = 0; i < schemas_.size(); ++i) {
    if (schema_regexes_[i].PartialMatch(series_name)) {
      out.archives = schemas_[i].archives;
      break;
    }
  }
  for (size_t i = 0; i < aggregations_.size(); ++i) {
    if (aggregation_regexes_[i].PartialMatch(series_name)) {
      out.method = aggregations_[i].method;
      out.x_files_factor = aggregations_[i].x_files_factor;
      break;
    }
  }
  return out;
}

size_t SelectArchive(std::span<const Archive> archives, int64_t from, int64_t now) {
  if (archives.empty()) return 0;
  int64_t diff = now - from;
  for (size_t i = 0; i < archives.size(); ++i) {
    if (archives[i].retention() >= diff) return i;
  }
  return archives.size() - 1;
}

FetchWindow WhisperFetchWindow(std::span<const Archive> archives, int64_t from, int64_t until,
                               int64_t now) {
  FetchWindow w;
  if (archives.empty() || from > until) return w;
  int64_t max_retention = 0;
  for (const Archive& a : archives) max_retention = std::max(max_retention, a.retention());
  int64_t oldest = now - max_retention;
  if (from > now || until < oldest) return w;
  from = std::max(from, oldest);
  until = std::min(until, now);
  w.archive = SelectArchive(archives, from, now);
  w.step = archives[w.archive].step;
  if (w.step <= 0) return w;
  w.from = FloorToStep(from, w.step) + w.step;
  w.until = FloorToStep(until, w.step) + w.step;
  if (w.from == w.until) w.until += w.step;
  w.empty = false;
  return w;
}

}  // namespace meridian::storage
