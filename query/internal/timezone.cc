#include "query/internal/timezone.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>

namespace meridian::query::internal {
namespace {

constexpr int64_t kDay = 86400;
// Real TZif files are a few KiB with a few hundred transitions; these caps only bound memory.
constexpr size_t kMaxTzifBytes = 1 << 20;
constexpr uint32_t kMaxCount = 1 << 16;
constexpr int32_t kMaxUtcOffset = 26 * 3600;
constexpr size_t kMaxIndexedZones = 20000;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool IsLeap(int64_t y) { return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0); }

int WeekdayFromDays(int64_t days) {  // 1970-01-01 was a Thursday (4)
  return static_cast<int>(((days % 7) + 11) % 7);
}

// Big-endian reader that never reads past the end; a failed read sets !ok.
struct Reader {
  std::string_view data;
  size_t pos = 0;
  bool ok = true;

  bool Has(size_t n) const { return ok && data.size() - pos >= n; }
  void Skip(uint64_t n) {
    if (!Has(n)) ok = false;
    if (ok) pos += n;
  }
  int64_t Int(int bytes) {
    if (!Has(bytes)) {
      ok = false;
      return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<unsigned char>(data[pos++]);
    if (bytes == 4) return static_cast<int32_t>(static_cast<uint32_t>(v));
    return static_cast<int64_t>(v);
  }
};

struct Counts {
  uint32_t isut = 0, isstd = 0, leap = 0, time = 0, type = 0, chars = 0;
  char version = 0;
};

core::Result<Counts> ReadHeader(Reader& r) {
  if (!r.Has(44) || r.data.substr(r.pos, 4) != "TZif") return core::Corruption("not a TZif file");
  Counts c;
  c.version = r.data[r.pos + 4];
  r.Skip(20);
  uint32_t* fields[] = {&c.isut, &c.isstd, &c.leap, &c.time, &c.type, &c.chars};
  for (uint32_t* f : fields) *f = static_cast<uint32_t>(r.Int(4));
  if (c.type == 0 || c.type > 256 || c.chars == 0 || c.time > kMaxCount || c.leap > kMaxCount ||
      c.chars > kMaxCount || (c.isut != 0 && c.isut != c.type) ||
      (c.isstd != 0 && c.isstd != c.type)) {
    return core::Corruption("implausible TZif header counts");
  }
  return c;
}

// POSIX TZ rule pieces. All parsers advance `s` past what they consume.
bool ParseZoneName(std::string_view& s) {
  size_t n = 0;
  if (!s.empty() && s[0] == '<') {
    n = s.find('>');
    if (n == std::string_view::npos || n < 2) return false;
    s.remove_prefix(n + 1);
    return true;
  }
  while (n < s.size() && std::isalpha(static_cast<unsigned char>(s[n]))) ++n;
  s.remove_prefix(n);
  return n >= 3;
}

bool ParseNumber(std::string_view& s, int max, int* out) {
  size_t n = 0;
  int v = 0;
  while (n < s.size() && n < 3 && std::isdigit(static_cast<unsigned char>(s[n]))) {
    v = v * 10 + (s[n++] - '0');
  }
  s.remove_prefix(n);
  *out = v;
  return n > 0 && v <= max;
}

// [+-]hh[:mm[:ss]] in seconds; hours up to 167 as TZif v3 allows.
bool ParseHms(std::string_view& s, int32_t* out) {
  int sign = 1;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    sign = s[0] == '-' ? -1 : 1;
    s.remove_prefix(1);
  }
  int h = 0, m = 0, sec = 0;
  if (!ParseNumber(s, 167, &h)) return false;
  if (!s.empty() && s[0] == ':') {
    s.remove_prefix(1);
    if (!ParseNumber(s, 59, &m)) return false;
    if (!s.empty() && s[0] == ':') {
      s.remove_prefix(1);
      if (!ParseNumber(s, 59, &sec)) return false;
    }
  }
  *out = sign * (h * 3600 + m * 60 + sec);
  return true;
}

bool ParseRuleDate(std::string_view& s, TimeZone::PosixRule::Date* d) {
  if (s.empty()) return false;
  d->kind = s[0] == 'J' || s[0] == 'M' ? s[0] : 'N';
  if (d->kind != 'N') s.remove_prefix(1);
  bool ok = true;
  if (d->kind == 'J') {
    ok = ParseNumber(s, 365, &d->a) && d->a >= 1;
  } else if (d->kind == 'N') {
    ok = ParseNumber(s, 365, &d->a);
  } else {
    ok = ParseNumber(s, 12, &d->a) && d->a >= 1 && !s.empty() && s[0] == '.';
    if (ok) s.remove_prefix(1);
    ok = ok && ParseNumber(s, 5, &d->b) && d->b >= 1 && !s.empty() && s[0] == '.';
    if (ok) s.remove_prefix(1);
    ok = ok && ParseNumber(s, 6, &d->c);
  }
  d->time = 7200;
  if (ok && !s.empty() && s[0] == '/') {
    s.remove_prefix(1);
    ok = ParseHms(s, &d->time);
  }
  return ok;
}

// Local seconds (wall clock as if UTC) at which a rule date happens in `year`.
int64_t RuleLocalSeconds(const TimeZone::PosixRule::Date& d, int64_t year) {
  int64_t day = DaysFromCivil(year, 1, 1);
  if (d.kind == 'J') {
    day += d.a - 1 + (IsLeap(year) && d.a >= 60 ? 1 : 0);
  } else if (d.kind == 'N') {
    day += d.a;
  } else {
    int64_t first = DaysFromCivil(year, d.a, 1);
    int offset = (d.c - WeekdayFromDays(first) + 7) % 7 + (d.b - 1) * 7;
    while (offset >= DaysInMonth(year, d.a)) offset -= 7;
    day = first + offset;
  }
  return day * kDay + d.time;
}

TimeZone::LocalType FooterTypeAt(const TimeZone::PosixRule& r, int64_t utc) {
  if (!r.dst_type) return r.std_type;
  int64_t year = CivilFromSeconds(utc + r.std_type.utc_offset).year;
  int64_t start = RuleLocalSeconds(r.start, year) - r.std_type.utc_offset;
  int64_t end = RuleLocalSeconds(r.end, year) - r.dst_type->utc_offset;
  bool dst = start < end ? (utc >= start && utc < end) : !(utc >= end && utc < start);
  return dst ? *r.dst_type : r.std_type;
}

}  // namespace

int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

CivilTime CivilFromSeconds(int64_t seconds) {
  CivilTime t;
  t.days = FloorDiv(seconds, kDay);
  t.second_of_day = static_cast<int>(seconds - t.days * kDay);
  t.weekday = WeekdayFromDays(t.days);
  const int64_t z = t.days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  t.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  t.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  t.year = yoe + era * 400 + (t.month <= 2);
  return t;
}

std::optional<TimeZone::PosixRule> TimeZone::ParsePosixRule(std::string_view s) {
  PosixRule r;
  int32_t offset = 0;
  if (!ParseZoneName(s) || !ParseHms(s, &offset) || offset > kMaxUtcOffset ||
      offset < -kMaxUtcOffset) {
    return std::nullopt;
  }
  r.std_type = {-offset, false};
  if (s.empty()) return r;
  if (!ParseZoneName(s)) return std::nullopt;
  int32_t dst_offset = offset - 3600;
  if (!s.empty() && s[0] != ',' && !ParseHms(s, &dst_offset)) return std::nullopt;
  if (dst_offset > kMaxUtcOffset || dst_offset < -kMaxUtcOffset) return std::nullopt;
  r.dst_type = LocalType{-dst_offset, true};
  if (s.empty()) {  // POSIX leaves the default rule to the implementation; glibc uses US rules.
    r.start = {'M', 3, 2, 0, 7200};
    r.end = {'M', 11, 1, 0, 7200};
    return r;
  }
  if (s[0] != ',') return std::nullopt;
  s.remove_prefix(1);
  if (!ParseRuleDate(s, &r.start) || s.empty() || s[0] != ',') return std::nullopt;
  s.remove_prefix(1);
  if (!ParseRuleDate(s, &r.end) || !s.empty()) return std::nullopt;
  return r;
}

core::Result<std::shared_ptr<const TimeZone>> TimeZone::Parse(std::string_view data) {
  Reader r{data};
  ASSIGN_OR_RETURN(Counts c, ReadHeader(r));
  int time_size = 4;
  if (c.version >= '2') {  // skip the 32-bit block; the 64-bit one follows
    r.Skip(uint64_t{c.time} * 5 + uint64_t{c.type} * 6 + c.chars + uint64_t{c.leap} * 8 + c.isstd +
           c.isut);
    if (!r.ok) return core::Corruption("truncated TZif file");
    ASSIGN_OR_RETURN(c, ReadHeader(r));
    time_size = 8;
  }
  auto zone = std::make_shared<TimeZone>();
  for (uint32_t i = 0; i < c.time && r.ok; ++i) {
    zone->transitions_.push_back(r.Int(time_size));
    if (i > 0 && zone->transitions_[i] <= zone->transitions_[i - 1]) {
      return core::Corruption("TZif transitions not ascending");
    }
  }
  for (uint32_t i = 0; i < c.time && r.ok; ++i) {
    zone->transition_types_.push_back(static_cast<uint8_t>(r.Int(1)));
    if (zone->transition_types_.back() >= c.type) return core::Corruption("bad TZif type index");
  }
  for (uint32_t i = 0; i < c.type && r.ok; ++i) {
    int64_t offset = r.Int(4);
    bool is_dst = r.Int(1) != 0;
    r.Skip(1);  // abbreviation index
    if (offset > kMaxUtcOffset || offset < -kMaxUtcOffset) {
      return core::Corruption("implausible TZif UTC offset");
    }
    zone->types_.push_back({static_cast<int32_t>(offset), is_dst});
  }
  r.Skip(c.chars + uint64_t{c.leap} * (time_size + 4) + c.isstd + c.isut);
  if (!r.ok) return core::Corruption("truncated TZif file");
  if (time_size == 8 && r.Has(1) && r.data[r.pos] == '\n') {
    std::string_view rest = r.data.substr(r.pos + 1);
    size_t end = rest.find('\n');
    // A footer that does not parse only loses the rule after the last transition.
    if (end != std::string_view::npos) zone->footer_ = ParsePosixRule(rest.substr(0, end));
  }
  return std::shared_ptr<const TimeZone>(std::move(zone));
}

std::shared_ptr<const TimeZone> TimeZone::Utc() {
  static const std::shared_ptr<const TimeZone> utc = [] {
    auto zone = std::make_shared<TimeZone>();
    zone->types_.push_back({0, false});
    return zone;
  }();
  return utc;
}

TimeZone::LocalType TimeZone::TypeAt(int64_t utc) const {
  if (transitions_.empty()) return footer_ ? FooterTypeAt(*footer_, utc) : types_[0];
  if (utc < transitions_.front()) return types_[0];
  if (utc >= transitions_.back() && footer_) return FooterTypeAt(*footer_, utc);
  size_t i = std::upper_bound(transitions_.begin(), transitions_.end(), utc) - transitions_.begin();
  return types_[transition_types_[i - 1]];
}

int64_t TimeZone::LocalToUtc(int64_t local) const { return Localize(local, 0); }

// Mirrors pytz's DstTzInfo.localize: candidate offsets are those in effect a day either side
// (probing with the local time as if it were UTC, as pytz does), kept when they map back.
int64_t TimeZone::Localize(int64_t local, int depth) const {
  int64_t found[2] = {0, 0};
  bool dst[2] = {false, false};
  int n = 0;
  for (int64_t probe : {local - kDay, local + kDay}) {
    int32_t offset = TypeAt(probe).utc_offset;
    int64_t utc = local - offset;
    LocalType actual = TypeAt(utc);
    if (actual.utc_offset != offset || (n == 1 && found[0] == utc)) continue;
    found[n] = utc;
    dst[n++] = actual.is_dst;
  }
  if (n == 1) return found[0];
  if (n == 0) {  // skipped by a forward jump: pytz winds back 6 h, localizes, adds 6 h again
    if (depth >= 3) return local - TypeAt(local).utc_offset;
    return Localize(local - 6 * 3600, depth + 1) + 6 * 3600;
  }
  if (dst[0] != dst[1]) return dst[0] ? found[1] : found[0];
  return std::max(found[0], found[1]);
}

namespace {

std::string ZoneDir() {
  const char* dir = std::getenv("TZDIR");
  return dir != nullptr && dir[0] != '\0' ? dir : "/usr/share/zoneinfo";
}

bool SafeZoneName(std::string_view name) {
  if (name.empty() || name.size() > 255 || name[0] == '/') return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '/' && c != '_' && c != '-' &&
        c != '+' && c != '.') {
      return false;
    }
  }
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = std::min(name.find('/', start), name.size());
    std::string_view part = name.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

core::Result<std::shared_ptr<const TimeZone>> ReadZoneFile(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return core::NotFound("no such time zone file");
  std::string data(kMaxTzifBytes + 1, '\0');
  size_t n = std::fread(data.data(), 1, data.size(), f);
  std::fclose(f);
  if (n == 0 || n > kMaxTzifBytes) return core::NotFound("unreadable time zone file");
  data.resize(n);
  auto zone = TimeZone::Parse(data);
  if (!zone.ok()) return core::NotFound(zone.status().message());
  return zone;
}

// Lower-cased relative path -> real relative path of every regular file under the zone dir.
std::map<std::string, std::string> BuildCaseIndex(const std::string& dir) {
  namespace fs = std::filesystem;
  std::map<std::string, std::string> index;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, ec), end;
  for (; !ec && it != end && index.size() < kMaxIndexedZones; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string rel = fs::relative(it->path(), dir, ec).generic_string();
    std::string lower = rel;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    index.emplace(std::move(lower), std::move(rel));
  }
  return index;
}

}  // namespace

core::Result<std::shared_ptr<const TimeZone>> LoadTimeZone(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "utc") return TimeZone::Utc();
  if (!SafeZoneName(name)) return core::InvalidArgument("bad time zone name");
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const TimeZone>, std::less<>> cache;
  static std::optional<std::map<std::string, std::string>> case_index;
  static const std::string dir = ZoneDir();
  std::lock_guard<std::mutex> lock(mu);
  std::string real(name);
  if (auto it = cache.find(real); it != cache.end()) return it->second;
  auto zone = ReadZoneFile(dir + "/" + real);
  if (!zone.ok()) {
    if (!case_index) case_index = BuildCaseIndex(dir);
    auto it = case_index->find(lower);
    if (it == case_index->end()) return core::NotFound("unknown time zone");
    real = it->second;
    if (auto cached = cache.find(real); cached != cache.end()) return cached->second;
    zone = ReadZoneFile(dir + "/" + real);
    if (!zone.ok()) return zone.status();
  }
  cache.emplace(real, *zone);
  return zone;
}

std::shared_ptr<const TimeZone> DefaultTimeZone() {
  static const std::shared_ptr<const TimeZone> zone = [] {
    const char* env = std::getenv("TZ");
    std::string_view name = env != nullptr ? env : "";
    if (!name.empty() && name[0] == ':') name.remove_prefix(1);
    std::string dir = ZoneDir() + "/";
    if (name.substr(0, dir.size()) == dir) name.remove_prefix(dir.size());
    if (name.empty()) return TimeZone::Utc();
    auto loaded = LoadTimeZone(name);
    return loaded.ok() ? *loaded : TimeZone::Utc();
  }();
  return zone;
}

}  // namespace meridian::query::internal
