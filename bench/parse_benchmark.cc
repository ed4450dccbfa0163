// Plaintext ingest hot path: line parsing alone, parsing into a PointBatch, and parsing plus the
// series lookup (name -> index) at 100k and 1M series.
//
// Data: 1M realistic 56-byte lines "servers.dcN.host-NNNNN.cpu.coreN.user 123.45 1700000000\n",
// series picked uniformly at random (fixed seed) so lookups miss the CPU caches as in production.
// Run: parse_benchmark --benchmark_counter_table=true   (items_per_second = lines/s, one core)
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ingest/line_parser.h"
#include "storage/types.h"

#if __has_include("storage/internal/series_map.h")
#include "storage/internal/series_map.h"
#define MERIDIAN_HAVE_SERIES_MAP 1
#endif

namespace meridian::ingest {
namespace {

constexpr size_t kLines = 1'000'000;
constexpr int64_t kNow = 1'700'000'000;

std::string SeriesName(size_t i) {
  // dc, host and core all vary, so names differ early and late as real hierarchies do.
  return fmt::format("servers.dc{}.host-{:05}.cpu.core{}.user", i % 10, (i / 10) % 100000,
                     (i / 1'000'000) % 8);
}

// A newline-separated buffer of kLines lines over `series` distinct names.
const std::string& Lines(size_t series, bool tagged = false) {
  static std::unordered_map<size_t, std::string> cache;
  size_t key = series * 2 + (tagged ? 1 : 0);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<size_t> pick(0, series - 1);
  std::uniform_int_distribution<int> cents(0, 99'999);
  std::string buf;
  buf.reserve(kLines * 64);
  for (size_t i = 0; i < kLines; ++i) {
    size_t s = pick(rng);
    int v = cents(rng);
    if (tagged) {
      buf += fmt::format("cpu.user;host=host-{:05};dc=dc{} {}.{:02} {}\n", (s / 10) % 100000,
                         s % 10, v / 100, v % 100, kNow);
    } else {
      buf += fmt::format("{} {}.{:02} {}\n", SeriesName(s), v / 100, v % 100, kNow);
    }
  }
  return cache.emplace(key, std::move(buf)).first->second;
}

void BM_ParseLine(benchmark::State& state) {
  const std::string& buf = Lines(100'000, state.range(0) != 0);
  ParsedLine p;
  size_t lines = 0;
  for (auto _ : state) {
    LineSplitter splitter(buf);
    std::string_view line;
    while (splitter.Next(&line)) {
      ParseResult r = ParseLine(line, kNow, &p);
      benchmark::DoNotOptimize(r);
      benchmark::DoNotOptimize(p.value);
      ++lines;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(lines));
  state.SetBytesProcessed(static_cast<int64_t>(buf.size() * state.iterations()));
  state.SetLabel(state.range(0) ? "tagged names" : "56-byte plain lines");
}
BENCHMARK(BM_ParseLine)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// What a connection does per line: parse and append to its batch (flushed every 4096 points).
void BM_ParseIntoBatch(benchmark::State& state) {
  const std::string& buf = Lines(100'000);
  ParsedLine p;
  storage::PointBatch batch;
  batch.Reserve(4096, 4096 * 48);
  size_t lines = 0;
  for (auto _ : state) {
    LineSplitter splitter(buf);
    std::string_view line;
    while (splitter.Next(&line)) {
      if (ParseLine(line, kNow, &p) == ParseResult::kOk) batch.Add(p.path, p.timestamp, p.value);
      if (batch.size() == 4096) batch.Clear();
      ++lines;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(lines));
}
BENCHMARK(BM_ParseIntoBatch)->Unit(benchmark::kMillisecond);

#ifdef MERIDIAN_HAVE_SERIES_MAP
using storage::internal::SeriesMap;

void Fill(SeriesMap* map, size_t series) {
  map->Reserve(series);
  for (size_t i = 0; i < series; ++i) {
    std::string name = SeriesName(i);
    map->Insert(name, SeriesMap::Hash(name));
  }
}

// One lookup per line, in line order.
void BM_ParseAndLookup(benchmark::State& state) {
  const size_t series = static_cast<size_t>(state.range(0));
  const std::string& buf = Lines(series);
  SeriesMap map;
  Fill(&map, series);
  ParsedLine p;
  size_t lines = 0, found = 0;
  for (auto _ : state) {
    LineSplitter splitter(buf);
    std::string_view line;
    while (splitter.Next(&line)) {
      if (ParseLine(line, kNow, &p) != ParseResult::kOk) continue;
      found += map.Find(p.path, SeriesMap::Hash(p.path)).has_value();
      ++lines;
    }
  }
  benchmark::DoNotOptimize(found);
  state.SetItemsProcessed(static_cast<int64_t>(lines));
  state.SetLabel(fmt::format("SeriesMap, {} series", series));
}
BENCHMARK(BM_ParseAndLookup)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// Parse a group of lines, hash and prefetch their slots, then look them up: the cache misses of
// the group overlap instead of being paid one after another.
void BM_ParseAndLookupPrefetched(benchmark::State& state) {
  constexpr size_t kGroup = 16;
  const size_t series = static_cast<size_t>(state.range(0));
  const std::string& buf = Lines(series);
  SeriesMap map;
  Fill(&map, series);
  std::array<ParsedLine, kGroup> parsed;
  std::array<uint64_t, kGroup> hashes{};
  size_t lines = 0, found = 0;
  for (auto _ : state) {
    LineSplitter splitter(buf);
    std::string_view line;
    bool more = true;
    while (more) {
      size_t n = 0;
      while (n < kGroup && (more = splitter.Next(&line))) {
        if (ParseLine(line, kNow, &parsed[n]) != ParseResult::kOk) continue;
        hashes[n] = SeriesMap::Hash(parsed[n].path);
        map.Prefetch(hashes[n]);
        ++n;
      }
      for (size_t i = 0; i < n; ++i) found += map.Find(parsed[i].path, hashes[i]).has_value();
      lines += n;
    }
  }
  benchmark::DoNotOptimize(found);
  state.SetItemsProcessed(static_cast<int64_t>(lines));
  state.SetLabel(fmt::format("SeriesMap + prefetch, {} series", series));
}
BENCHMARK(BM_ParseAndLookupPrefetched)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);
#endif

// The fallback map the server would use without SeriesMap: std::unordered_map, heterogeneous.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

void BM_ParseAndLookupStdUnorderedMap(benchmark::State& state) {
  const size_t series = static_cast<size_t>(state.range(0));
  const std::string& buf = Lines(series);
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> map;
  map.reserve(series);
  for (size_t i = 0; i < series; ++i) map.emplace(SeriesName(i), static_cast<uint32_t>(i));
  ParsedLine p;
  size_t lines = 0, found = 0;
  for (auto _ : state) {
    LineSplitter splitter(buf);
    std::string_view line;
    while (splitter.Next(&line)) {
      if (ParseLine(line, kNow, &p) != ParseResult::kOk) continue;
      found += map.find(p.path) != map.end();
      ++lines;
    }
  }
  benchmark::DoNotOptimize(found);
  state.SetItemsProcessed(static_cast<int64_t>(lines));
  state.SetLabel(fmt::format("std::unordered_map, {} series", series));
}
BENCHMARK(BM_ParseAndLookupStdUnorderedMap)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace meridian::ingest

BENCHMARK_MAIN();
