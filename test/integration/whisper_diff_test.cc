// Differential test: the same Graphite plaintext stream goes into a real carbon-cache (whisper
// files) and into Meridian, both configured with the same storage schemas and aggregation rules;
// then, for windows served by each archive, Meridian's /render JSON must equal whisper.fetch for
// every series: same timestamps, same values (relative 1e-9), same nulls.
//
// The stream is built so that whisper's result does not depend on carbon's batching or on the
// few seconds between sending and writing (see Dataset): every region sits minutes away from an
// archive boundary; several raw timestamps in one coarse slot are always sent in ascending order
// (whisper keeps the largest within a batch, the latest across batches: the same point); and a
// re-sent duplicate is always the newest timestamp of its slot.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "support/carbon_cache.h"
#include "support/meridian_process.h"
#include "support/process.h"

namespace meridian::testing {
namespace {

using std::chrono::seconds;

constexpr char kRetentions[] = "10s:1h,1m:1d,10m:30d";

// One aggregation rule, written identically to storage-aggregation.conf and Meridian's YAML.
struct Rule {
  const char* name;
  const char* pattern;
  const char* method;
  double xff;
};
constexpr Rule kRules[] = {
    {"count", "\\.count$", "sum", 0.0},
    {"max", "\\.max$", "max", 0.1},
    {"last", "\\.last$", "last", 0.5},
    {"default", ".*", "average", 0.5},
};

std::string SchemasConf() {
  return fmt::format("[everything]\npattern = .*\nretentions = {}\n", kRetentions);
}

std::string AggregationConf() {
  std::string out;
  for (const Rule& r : kRules) {
    out += fmt::format("[{}]\npattern = {}\nxFilesFactor = {}\naggregationMethod = {}\n\n", r.name,
                       r.pattern, r.xff, r.method);
  }
  return out;
}

std::string MeridianYaml() {
  std::string out = fmt::format(
      "storage:\n  schemas:\n    - pattern: '.*'\n      retentions: '{}'\n  aggregation:\n",
      kRetentions);
  for (const Rule& r : kRules) {
    out += fmt::format("    - pattern: '{}'\n      method: {}\n      xFilesFactor: {}\n", r.pattern,
                       r.method, r.xff);
  }
  return out;
}

// A series family: name pattern, how values evolve, how often a slot has a point.
struct Family {
  const char* name_format;  // fmt pattern with the series index.
  int count;
  int presence_permille;  // Chance that a raw 10 s slot / old minute has data.
  enum class Kind { kGauge, kCounter, kPositive, kSmallInt, kConstant } kind;
};
constexpr Family kFamilies[] = {
    {"diff.gauge.s{:02}.value", 8, 800, Family::Kind::kGauge},
    {"diff.sparse.s{:02}.value", 3, 400, Family::Kind::kGauge},
    {"diff.requests.s{:02}.count", 6, 700, Family::Kind::kCounter},
    {"diff.latency.s{:02}.max", 4, 600, Family::Kind::kPositive},
    {"diff.status.s{:02}.last", 4, 500, Family::Kind::kSmallInt},
    {"diff.const.s{:02}.value", 2, 900, Family::Kind::kConstant},
};

struct Line {
  int64_t ts;
  int series;
  std::string text;
};

// The generated stream (fixed seed). Regions, relative to `base` (a 10-minute boundary <= now):
//   raw:      [base-40min, base)    -> archive 0 (10 s), up to one point per 10 s slot, some
//                                      timestamps unaligned; gaps make xFilesFactor matter.
//   old:      [base-6h, base-80min) -> older than archive 0's 1 h: written straight into the 1 m
//                                      archive, 1-3 raw points per minute (last one wins).
//   very old: [base-40h, base-26h)  -> older than 1 d: straight into the 10 m archive.
class Dataset {
 public:
  explicit Dataset(int64_t base) : base_(base), rng_(20240131) {
    for (const Family& f : kFamilies) {
      for (int i = 0; i < f.count; ++i) AddSeries(f, i);
    }
    std::stable_sort(lines_.begin(), lines_.end(), [](const Line& a, const Line& b) {
      return a.ts != b.ts ? a.ts < b.ts : a.series < b.series;
    });
    for (const Line& dup : duplicates_) lines_.push_back(dup);
    metrics_.push_back("diff.zsentinel.s00.value");
    lines_.push_back({base_ - 60, -1, fmt::format("{} 1 {}\n", metrics_.back(), base_ - 60)});
  }

  std::string Text() const {
    std::string out;
    for (const Line& l : lines_) out += l.text;
    return out;
  }
  const std::vector<std::string>& metrics() const { return metrics_; }
  size_t line_count() const { return lines_.size(); }

 private:
  uint64_t Uniform(uint64_t n) { return rng_() % n; }
  bool Chance(int permille) { return static_cast<int>(Uniform(1000)) < permille; }

  void AddSeries(const Family& f, int index) {
    int series = static_cast<int>(metrics_.size());
    metrics_.push_back(fmt::vformat(f.name_format, fmt::make_format_args(index)));
    state_ = 20.0 + 13.7 * index;
    decimals_ = 1 + index % 2;
    // Very old: 10-minute slots, 1-3 points each.
    for (int64_t slot = base_ - 40 * 3600; slot < base_ - 26 * 3600; slot += 600) {
      if (Chance(750)) AddSlot(f, series, slot, 600, true);
    }
    for (int64_t minute = base_ - 6 * 3600; minute < base_ - 80 * 60; minute += 60) {
      if (Chance(std::max(f.presence_permille, 700))) AddSlot(f, series, minute, 60, true);
    }
    for (int64_t slot = base_ - 2400; slot < base_; slot += 10) {
      if (!Chance(f.presence_permille)) continue;
      int64_t offset = Chance(200) ? 1 + static_cast<int64_t>(Uniform(9)) : 0;
      AddPoint(f, series, slot + offset, Chance(30));
    }
  }

  // 1-3 distinct timestamps in [slot, slot+width), ascending; only the newest may be re-sent.
  void AddSlot(const Family& f, int series, int64_t slot, int64_t width, bool may_duplicate) {
    int n = 1 + static_cast<int>(Uniform(3));
    std::vector<int64_t> offsets;
    if (Chance(300)) offsets.push_back(0);  // Some exactly aligned.
    while (static_cast<int>(offsets.size()) < n) {
      int64_t o = static_cast<int64_t>(Uniform(static_cast<uint64_t>(width)));
      if (std::find(offsets.begin(), offsets.end(), o) == offsets.end()) offsets.push_back(o);
    }
    std::sort(offsets.begin(), offsets.end());
    for (size_t i = 0; i < offsets.size(); ++i) {
      bool newest = i + 1 == offsets.size();
      AddPoint(f, series, slot + offsets[i], newest && may_duplicate && Chance(40));
    }
  }

  void AddPoint(const Family& f, int series, int64_t ts, bool duplicate) {
    lines_.push_back({ts, series, FormatLine(f, series, ts)});
    // The re-sent value goes to the end of the stream: last write wins.
    if (duplicate) duplicates_.push_back({ts, series, FormatLine(f, series, ts)});
  }

  std::string FormatLine(const Family& f, int series, int64_t ts) {
    std::string value;
    switch (f.kind) {
      case Family::Kind::kGauge:
        state_ += (static_cast<double>(Uniform(601)) - 300.0) / 100.0;
        value = fmt::format("{:.{}f}", state_, decimals_);
        break;
      case Family::Kind::kCounter:
        counter_ += static_cast<int64_t>(Uniform(50));
        value = std::to_string(counter_);
        break;
      case Family::Kind::kPositive:
        value = fmt::format("{:.2f}", static_cast<double>(Uniform(100000)) / 100.0);
        break;
      case Family::Kind::kSmallInt:
        value = std::to_string(Uniform(4));
        break;
      case Family::Kind::kConstant:
        value = series % 2 == 0 ? "42.5" : "7";
        break;
    }
    return fmt::format("{} {} {}\n", metrics_[static_cast<size_t>(series)], value, ts);
  }

  int64_t base_;
  std::mt19937_64 rng_;
  std::vector<std::string> metrics_;
  std::vector<Line> lines_;
  std::vector<Line> duplicates_;
  double state_ = 0;
  int decimals_ = 2;
  int64_t counter_ = 1000;
};

struct Comparison {
  int64_t points = 0;
  int64_t matched = 0;
  std::vector<std::string> mismatches;       // The first few, for the failure message.
  std::map<std::string, int64_t> by_family;  // "gauge" -> mismatched points.

  void Add(bool ok, const std::string& what) {
    ++points;
    if (ok) {
      ++matched;
      return;
    }
    // "diff.<family>.sNN..." -> family, so a failure says which aggregation rule is off.
    size_t a = what.find('.') + 1, b = what.find('.', a);
    ++by_family[what.substr(a, b - a)];
    if (mismatches.size() < 3) mismatches.push_back(what);
  }
};

bool SameValue(const std::optional<double>& a, const nlohmann::json& b) {
  if (!a.has_value() || b.is_null()) return !a.has_value() && b.is_null();
  if (!b.is_number()) return false;
  double x = *a, y = b.get<double>();
  return x == y || std::fabs(x - y) <= 1e-9 * std::max(std::fabs(x), std::fabs(y));
}

std::string Show(const std::optional<double>& v) { return v ? fmt::format("{}", *v) : "null"; }

// Compares one window of every series: whisper's grid against Meridian's datapoints.
void CompareWindow(const WhisperFetches& whisper, size_t w, const nlohmann::json& render,
                   Comparison& cmp) {
  std::map<std::string, const nlohmann::json*> by_name;
  for (const auto& s : render) by_name[s.value("target", "")] = &s.at("datapoints");
  for (const auto& [metric, windows] : whisper) {
    const std::optional<WhisperSeries>& expected = windows[w];
    auto it = by_name.find(metric);
    if (!expected) {
      cmp.Add(it == by_name.end(), fmt::format("{}: whisper has no data, meridian has", metric));
      continue;
    }
    if (it == by_name.end()) {
      bool all_null = std::none_of(expected->values.begin(), expected->values.end(),
                                   [](const auto& v) { return v.has_value(); });
      cmp.Add(all_null, fmt::format("{}: missing from meridian's render", metric));
      continue;
    }
    const nlohmann::json& points = *it->second;
    cmp.Add(points.size() == expected->values.size(),
            fmt::format("{}: {} datapoints, whisper has {} (from {} step {})", metric,
                        points.size(), expected->values.size(), expected->from, expected->step));
    for (size_t i = 0; i < std::min(points.size(), expected->values.size()); ++i) {
      int64_t ts = expected->from + static_cast<int64_t>(i) * expected->step;
      bool ok = points[i].size() == 2 && points[i][1] == ts &&
                SameValue(expected->values[i], points[i][0]);
      cmp.Add(ok, fmt::format("{} @{}: whisper {} meridian {}", metric, ts,
                              Show(expected->values[i]), points[i].dump()));
    }
  }
}

// Renders every window from Meridian and compares it with whisper; prints a line per window.
Comparison CompareAll(const MeridianProcess& meridian, const WhisperFetches& whisper,
                      const std::vector<TimeWindow>& windows, std::string_view label) {
  Comparison total;
  for (size_t w = 0; w < windows.size(); ++w) {
    auto render = meridian.Render("diff.*.*.*", std::to_string(windows[w].first),
                                  std::to_string(windows[w].second));
    if (!render.ok()) {
      total.Add(false, "render failed: " + render.status().ToString());
      continue;
    }
    Comparison cmp;
    CompareWindow(whisper, w, *render, cmp);
    std::cout << fmt::format("[{}] window {} ({}..{}): {}/{} points match\n", label, w,
                             windows[w].first, windows[w].second, cmp.matched, cmp.points);
    total.points += cmp.points;
    total.matched += cmp.matched;
    for (const auto& [family, n] : cmp.by_family) {
      std::cout << fmt::format("    {} mismatched points in diff.{}.*\n", n, family);
      total.by_family[family] += n;
    }
    for (auto& m : cmp.mismatches) total.mismatches.push_back(fmt::format("w{}: {}", w, m));
  }
  return total;
}

void ExpectAllMatch(const Comparison& cmp, std::string_view label) {
  double rate = cmp.points == 0
                    ? 0.0
                    : 100.0 * static_cast<double>(cmp.matched) / static_cast<double>(cmp.points);
  std::cout << fmt::format("[{}] match rate {:.4f}% ({}/{})\n", label, rate, cmp.matched,
                           cmp.points);
  std::string detail;
  for (const auto& m : cmp.mismatches) detail += "  " + m + "\n";
  EXPECT_GT(cmp.points, 0);
  EXPECT_EQ(cmp.matched, cmp.points) << label << " mismatches (first few):\n" << detail;
}

TEST(WhisperDiffTest, MeridianRenderEqualsWhisperFetchInEveryArchive) {
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  const int64_t base = now - now % 600;
  Dataset data(base);
  const std::string stream = data.Text();

  auto carbon = CarbonCache::Start({SchemasConf(), AggregationConf(), "", seconds(30)});
  ASSERT_TRUE(carbon.ok()) << carbon.status().ToString();
  auto meridian = MeridianProcess::Start({MERIDIAN_BINARY, MeridianYaml(), {}, seconds(30)});
  ASSERT_TRUE(meridian.ok()) << meridian.status().ToString();

  ASSERT_TRUE(SendTcp((*carbon)->line_port(), stream).ok());
  ASSERT_TRUE((*meridian)->SendTcp(stream).ok());
  std::cout << fmt::format("sent {} lines for {} series to both\n", data.line_count(),
                           data.metrics().size());

  ASSERT_TRUE((*carbon)->WaitUntilWritten(data.metrics(), 1, seconds(90)).ok()) << (*carbon)->Log();
  // The sentinel is the stream's last line: once visible, Meridian has taken the whole stream.
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r = (*meridian)->Render(data.metrics().back(), std::to_string(base - 600),
                                     std::to_string(base));
        if (!r.ok() || r->empty()) return false;
        for (const auto& p : (*r)[0]["datapoints"]) {
          if (!p[0].is_null()) return true;
        }
        return false;
      },
      seconds(30)))
      << (*meridian)->Log();

  // Recent windows are served by the 10 s archive, older ones by 1 m and 10 m (whisper picks by
  // now - from); `until` is fixed in the past, some bounds unaligned.
  const std::vector<TimeWindow> windows = {
      {base - 2400, base - 300},           {base - 1997, base - 63},
      {base - 5 * 3600, base - 90 * 60},   {base - 3 * 3600 - 17, base},
      {base - 39 * 3600, base - 2 * 3600}, {base - 30 * 3600 - 123, base},
  };
  auto whisper = (*carbon)->Fetch(data.metrics(), windows);
  ASSERT_TRUE(whisper.ok()) << whisper.status().ToString();

  ExpectAllMatch(CompareAll(**meridian, *whisper, windows, "live"), "live");

  // After a clean shutdown and restart everything must read back the same.
  ASSERT_TRUE((*meridian)->Stop().ok()) << (*meridian)->Log();
  ASSERT_TRUE((*meridian)->Restart().ok()) << (*meridian)->Log();
  ExpectAllMatch(CompareAll(**meridian, *whisper, windows, "restarted"), "restarted");
}

}  // namespace
}  // namespace meridian::testing
