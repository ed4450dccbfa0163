#include "support/diff_dataset.h"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <random>

namespace meridian::testing {

// Two schemas with different steps, so aggregates across them must normalize (LCM step).
const char kDiffSchemasConf[] =
    "[coarse]\npattern = ^gw\\.mixed\\.coarse\\.\nretentions = 60s:1d,10m:30d\n\n"
    "[default]\npattern = .*\nretentions = 10s:2h,1m:2d,10m:30d\n";
const char kDiffAggregationConf[] =
    "[count]\npattern = \\.count$\nxFilesFactor = 0\naggregationMethod = sum\n\n"
    "[max]\npattern = \\.max$\nxFilesFactor = 0\naggregationMethod = max\n\n"
    "[default]\npattern = .*\nxFilesFactor = 0.5\naggregationMethod = average\n";
const char kDiffMeridianYaml[] = R"(storage:
  schemas:
    - pattern: '^gw\.mixed\.coarse\.'
      retentions: '60s:1d,10m:30d'
    - pattern: '.*'
      retentions: '10s:2h,1m:2d,10m:30d'
  aggregation:
    - pattern: '\.count$'
      method: sum
      xFilesFactor: 0
    - pattern: '\.max$'
      method: max
      xFilesFactor: 0
    - pattern: '.*'
      method: average
      xFilesFactor: 0.5
)";

std::vector<DiffSeriesSpec> DiffSpecs() {
  std::vector<DiffSeriesSpec> s;
  for (int h = 1; h <= 8; ++h) {
    std::string host = fmt::format("host{:02}", h);
    // host01 has no gaps: graphite-web 1.1.8 fails on perSecond(x, max) when x has nulls.
    s.push_back(
        {"gw.web." + host + ".requests.count", DiffKind::kCounter, h == 1 ? 1000 : 950, 10});
    s.push_back({"gw.web." + host + ".latency.mean", DiffKind::kGauge, 900, 10});
    s.push_back({"gw.web." + host + ".latency.max", DiffKind::kGauge, 900, 10});
  }
  for (const char* dc : {"eu", "us"}) {
    for (const char* host : {"a", "b", "c"}) {
      s.push_back({fmt::format("gw.db.{}.{}.cpu", dc, host), DiffKind::kGauge, 1000, 10});
    }
  }
  for (int i = 0; i < 6; ++i)
    s.push_back({fmt::format("gw.gaps.s{:02}.value", i), DiffKind::kGauge, 300 + 100 * i, 10});
  for (int i = 0; i < 4; ++i) {
    s.push_back({fmt::format("gw.mixed.coarse.s{:02}", i), DiffKind::kGauge, 950, 60});
    s.push_back({fmt::format("gw.mixed.fine.s{:02}", i), DiffKind::kGauge, 950, 10});
    s.push_back({fmt::format("gw.neg.s{:02}", i), DiffKind::kNegative, 900, 10});
  }
  s.push_back({"gw.const.one", DiffKind::kConstant, 1000, 10});
  s.push_back({"gw.const.zero", DiffKind::kConstant, 1000, 10});
  s.push_back({"gw.status.code", DiffKind::kSmallInt, 800, 10});
  for (int i = 0; i < 3; ++i) {
    s.push_back({fmt::format("gw.old.s{:02}", i), DiffKind::kGauge, 900, 10, /*recent=*/false});
  }
  for (const char* tagged :
       {"cpu.load;dc=eu;host=a", "cpu.load;dc=eu;host=b", "cpu.load;dc=us;host=c",
        "mem.used;dc=eu;host=a", "mem.used;dc=us;host=c"}) {
    s.push_back({tagged, DiffKind::kGauge, 950, 10});
  }
  return s;
}

// The plaintext stream (fixed seed). Relative to `base` (a 10-minute boundary <= now):
//   recent [base-100min, base): one point per slot (10 s or 60 s), aligned -> archive 0;
//   old    [base-20h, base-3h): one point per minute -> straight into the 1 m archive (the
//          coarse schema's archive 0), so no rollup depends on carbon's batching.
// One point per slot and no duplicates: whisper's result does not depend on write order.
std::string DiffStream(const std::vector<DiffSeriesSpec>& specs, int64_t base) {
  std::mt19937_64 rng(20240601);
  auto uniform = [&rng](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  std::string out;
  for (size_t i = 0; i < specs.size(); ++i) {
    const DiffSeriesSpec& s = specs[i];
    double level = 20.0 + 10.0 * static_cast<double>(i % 10);  // 20..110: thresholds bite
    int64_t counter = 1000 * static_cast<int64_t>(i);
    auto emit = [&](int64_t ts) {
      if (uniform(1000) >= s.presence_permille) return;
      std::string value;
      switch (s.kind) {
        case DiffKind::kGauge:
          level = std::max(0.0, level + (uniform(601) - 300) / 100.0);
          value = fmt::format("{:.2f}", level);
          break;
        case DiffKind::kCounter:
          counter = uniform(2000) == 0 ? 0 : counter + uniform(50);  // rare counter reset
          value = std::to_string(counter);
          break;
        case DiffKind::kNegative:
          value = fmt::format("{:.3f}", (uniform(20001) - 10000) / 1000.0);
          break;
        case DiffKind::kSmallInt:
          value = std::to_string(uniform(5));
          break;
        case DiffKind::kConstant:
          value = s.name == "gw.const.one" ? "1" : "0";
          break;
      }
      out += fmt::format("{} {} {}\n", s.name, value, ts);
    };
    for (int64_t ts = base - 20 * 3600; ts < base - 3 * 3600; ts += 60) emit(ts);
    if (!s.recent) continue;
    for (int64_t ts = base - 100 * 60; ts < base; ts += s.step) emit(ts);
  }
  return out;
}

// "-2h", "-10min", "-1d", "now", or epoch digits -> epoch, relative to `base`.
std::optional<int64_t> ResolveDiffTime(const std::string& text, int64_t base) {
  if (text == "now") return base;
  if (!text.empty() && std::all_of(text.begin(), text.end(), ::isdigit)) return std::stoll(text);
  if (text.size() < 3 || text[0] != '-' || !std::isdigit(static_cast<unsigned char>(text[1]))) {
    return std::nullopt;
  }
  size_t unit_pos = text.find_first_not_of("0123456789", 1);
  if (unit_pos == std::string::npos) return std::nullopt;
  int64_t n = std::stoll(text.substr(1, unit_pos - 1));
  std::string unit = text.substr(unit_pos);
  const std::pair<const char*, int64_t> kUnits[] = {
      {"s", 1}, {"min", 60}, {"h", 3600}, {"d", 86400}, {"w", 7 * 86400}};
  for (const auto& [name, seconds] : kUnits) {
    if (unit == name) return base - n * seconds;
  }
  return std::nullopt;
}

std::optional<HttpParams> DiffRequestParams(const RenderTargetSpec& spec, int64_t base) {
  auto from = ResolveDiffTime(spec.Option("from", "-1h"), base);
  auto until = ResolveDiffTime(spec.Option("until", "now"), base);
  if (!from || !until) return std::nullopt;
  HttpParams params = {{"target", spec.target},
                       {"from", std::to_string(*from)},
                       {"until", std::to_string(*until)},
                       {"format", spec.Option("format", "json")}};
  for (const auto& [k, v] : spec.options) {
    if (k != "from" && k != "until" && k != "format") params.emplace_back(k, v);
  }
  return params;
}

}  // namespace meridian::testing
