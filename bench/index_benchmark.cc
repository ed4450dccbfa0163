// In-memory index micro-benchmarks: SeriesMap lookups (vs std::unordered_map), NameTree find with
// one wildcard over 1M names, TagIndex findSeries. Fixed seeds, realistic Graphite names
// ("servers.dcN.host-NNNNN.cpu.coreN.user"). Prints Google Benchmark's table, then a summary of
// lookup rates, the SeriesMap/unordered_map ratio and bytes per name.
//
//   /tmp/build-index/bench/index_benchmark --benchmark_min_time=0.5
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <malloc.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/glob.h"
#include "storage/internal/name_tree.h"
#include "storage/internal/series_map.h"
#include "storage/internal/tag_index.h"

namespace meridian::storage::internal {
namespace {

constexpr int kCores = 8;
constexpr size_t kLookups = 1 << 20;  // lookup sequence length, cycled

// Series i: host i / kCores (in dc host % 10), core i % kCores.
std::string SeriesName(size_t i) {
  const size_t host = i / kCores;
  return fmt::format("servers.dc{}.host-{:05}.cpu.core{}.user", host % 10, host, i % kCores);
}

// Heap bytes in use: small blocks from the arenas plus large mmap'd blocks.
size_t HeapInUse() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

struct Corpus {
  std::vector<std::string> names;
  std::vector<uint32_t> order;  // random lookup sequence of indexes, fixed seed
};

const Corpus& GetCorpus(size_t n) {
  static std::map<size_t, std::unique_ptr<Corpus>> cache;
  auto& slot = cache[n];
  if (!slot) {
    slot = std::make_unique<Corpus>();
    for (size_t i = 0; i < n; ++i) slot->names.push_back(SeriesName(i));
    std::mt19937_64 rng(42);
    std::uniform_int_distribution<uint32_t> pick(0, static_cast<uint32_t>(n - 1));
    for (size_t i = 0; i < kLookups; ++i) slot->order.push_back(pick(rng));
  }
  return *slot;
}

std::map<std::string, double> g_rates;  // benchmark label -> lookups per second
std::map<std::string, double> g_bytes_per_name;

void BM_SeriesMapFind(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  const Corpus& corpus = GetCorpus(n);
  const size_t before = HeapInUse();
  SeriesMap map;
  for (const std::string& name : corpus.names) map.Insert(name, SeriesMap::Hash(name));
  const double bytes = static_cast<double>(HeapInUse() - before) / static_cast<double>(n);
  size_t i = 0;
  uint64_t found = 0;
  for (auto _ : state) {
    const std::string& name = corpus.names[corpus.order[i++ & (kLookups - 1)]];
    found += map.Find(name, SeriesMap::Hash(name)).value_or(0);
  }
  benchmark::DoNotOptimize(found);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["bytes_per_name"] = bytes;
  state.counters["reported_bytes_per_name"] =
      static_cast<double>(map.MemoryBytes()) / static_cast<double>(n);
  g_bytes_per_name["SeriesMap/" + std::to_string(n)] = bytes;
}

// Ingest can hash a batch of names, prefetch their slots, then look them up: the misses overlap.
void BM_SeriesMapFindBatched(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  const Corpus& corpus = GetCorpus(n);
  SeriesMap map;
  for (const std::string& name : corpus.names) map.Insert(name, SeriesMap::Hash(name));
  constexpr size_t kBatch = 32;
  uint64_t hashes[kBatch];
  size_t i = 0;
  uint64_t found = 0;
  for (auto _ : state) {
    const size_t base = i;
    for (size_t b = 0; b < kBatch; ++b) {
      hashes[b] = SeriesMap::Hash(corpus.names[corpus.order[(base + b) & (kLookups - 1)]]);
      map.Prefetch(hashes[b]);
    }
    for (size_t b = 0; b < kBatch; ++b) {
      const std::string& name = corpus.names[corpus.order[(base + b) & (kLookups - 1)]];
      found += map.Find(name, hashes[b]).value_or(0);
    }
    i += kBatch;
  }
  benchmark::DoNotOptimize(found);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kBatch));
}

void BM_UnorderedMapFind(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  const Corpus& corpus = GetCorpus(n);
  const size_t before = HeapInUse();
  std::unordered_map<std::string, uint32_t> map;
  for (size_t k = 0; k < n; ++k) map.emplace(corpus.names[k], static_cast<uint32_t>(k));
  const double bytes = static_cast<double>(HeapInUse() - before) / static_cast<double>(n);
  size_t i = 0;
  uint64_t found = 0;
  for (auto _ : state) {
    const auto it = map.find(corpus.names[corpus.order[i++ & (kLookups - 1)]]);
    found += it == map.end() ? 0 : it->second;
  }
  benchmark::DoNotOptimize(found);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["bytes_per_name"] = bytes;
  g_bytes_per_name["unordered_map/" + std::to_string(n)] = bytes;
}

void BM_SeriesMapInsert(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  const Corpus& corpus = GetCorpus(n);
  for (auto _ : state) {
    SeriesMap map;
    for (const std::string& name : corpus.names) map.Insert(name, SeriesMap::Hash(name));
    benchmark::DoNotOptimize(map.size());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}

const NameTree& GetTree(size_t* bytes_per_name) {
  static size_t bytes = 0;
  static const NameTree* tree = [] {
    const Corpus& corpus = GetCorpus(1000000);
    const size_t before = HeapInUse();
    auto* t = new NameTree();
    for (size_t i = 0; i < corpus.names.size(); ++i) {
      t->Insert(corpus.names[i], static_cast<uint32_t>(i)).IgnoreError();  // cannot be full here
    }
    bytes = (HeapInUse() - before) / corpus.names.size();
    return t;
  }();
  *bytes_per_name = bytes;
  return *tree;
}

const char* const kPatterns[] = {
    "servers.dc3.*.cpu.core0.user",         // 12,500 matches: scan of one dc's hosts
    "servers.*.host-00042.cpu.core0.user",  // 1 match: scan of 10 dcs, then lookups
    "servers.dc2.host-0004*.cpu.*.user",    // prefix scan of 12,500 hosts, then 8 matches
    "servers.dc1.host-00011.cpu.core{1,3}.user",
};

void BM_NameTreeFind(benchmark::State& state) {
  size_t bytes = 0;
  const NameTree& tree = GetTree(&bytes);
  const char* pattern = kPatterns[state.range(0)];
  auto glob = GlobPattern::Compile(pattern);
  if (!glob.ok()) {
    state.SkipWithError(glob.status().ToString().c_str());
    return;
  }
  std::vector<NameTree::FindMatch> matches;
  NameTree::FindLimits limits;
  limits.max_results = 1000000;
  for (auto _ : state) {
    if (!tree.Find(*glob, limits, &matches).ok()) state.SkipWithError("find failed");
    benchmark::DoNotOptimize(matches.data());
  }
  state.SetLabel(pattern);
  state.counters["matches"] = static_cast<double>(matches.size());
  state.counters["bytes_per_name"] = static_cast<double>(bytes);
  g_bytes_per_name["NameTree/1000000"] = static_cast<double>(bytes);
}

void BM_TagIndexFindSeries(benchmark::State& state) {
  static const TagIndex* index = [] {
    auto* idx = new TagIndex();
    std::mt19937_64 rng(7);
    for (uint32_t i = 0; i < 200000; ++i) {
      const std::vector<TagIndex::Tag> tags = {{"dc", fmt::format("dc{}", rng() % 10)},
                                               {"host", fmt::format("host-{:05}", i / kCores)},
                                               {"core", fmt::format("core{}", i % kCores)}};
      idx->Insert(i, i % 2 ? "cpu.user" : "cpu.system", tags);
    }
    return idx;
  }();
  const std::vector<std::string> exprs = {"name=cpu.user", "dc=dc3", "host=~host-0004",
                                          "core!=core0"};
  size_t found = 0;
  for (auto _ : state) {
    auto result = index->FindSeries(exprs);
    found = result.ok() ? result->size() : 0;
    benchmark::DoNotOptimize(found);
  }
  state.counters["matches"] = static_cast<double>(found);
}

BENCHMARK(BM_SeriesMapFind)->Arg(100000)->Arg(1000000);
BENCHMARK(BM_SeriesMapFindBatched)->Arg(100000)->Arg(1000000);
BENCHMARK(BM_UnorderedMapFind)->Arg(100000)->Arg(1000000);
BENCHMARK(BM_SeriesMapInsert)->Arg(1000000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NameTreeFind)->DenseRange(0, 3)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TagIndexFindSeries)->Unit(benchmark::kMicrosecond);

// Keeps each run's lookup rate so main can print the SeriesMap / unordered_map ratio.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      const auto it = run.counters.find("items_per_second");
      if (it != run.counters.end()) g_rates[run.benchmark_name()] = it->second.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }
};

void PrintSummary() {
  fmt::print("\n{:<28} {:>16} {:>16} {:>8}\n", "series", "SeriesMap/s", "unordered_map/s", "ratio");
  for (const char* n : {"100000", "1000000"}) {
    const double ours = g_rates[std::string("BM_SeriesMapFind/") + n];
    const double batched = g_rates[std::string("BM_SeriesMapFindBatched/") + n];
    const double theirs = g_rates[std::string("BM_UnorderedMapFind/") + n];
    if (theirs <= 0) continue;
    fmt::print("{:<28} {:>16.3e} {:>16.3e} {:>7.2f}x\n", n, ours, theirs, ours / theirs);
    fmt::print("{:<28} {:>16.3e} {:>16.3e} {:>7.2f}x\n", std::string(n) + " (batched+prefetch)",
               batched, theirs, batched / theirs);
  }
  fmt::print("\n{:<28} {:>16}\n", "structure", "heap bytes/name");
  for (const auto& [label, bytes] : g_bytes_per_name)
    fmt::print("{:<28} {:>16.1f}\n", label, bytes);
}

}  // namespace
}  // namespace meridian::storage::internal

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  meridian::storage::internal::SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  meridian::storage::internal::PrintSummary();
  return 0;
}
