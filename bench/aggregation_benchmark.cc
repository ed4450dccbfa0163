// The aggregation sink on the ingest hot path: batches of 4096 points (100k series named as
// graphite_load names them, time-major) through AggregatingSink into a sink that accepts
// everything, with 0, 10 and 100 carbon aggregation rules (the name cache warm, as in steady
// state), plus the cold first pass. Fixed seed. Reports points/s.
//
//   build/bench/aggregation_benchmark --benchmark_repetitions=3
//       --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <random>
#include <string>
#include <vector>

#include "aggregation/aggregating_sink.h"
#include "core/clock.h"

namespace {

using namespace meridian;

constexpr const char* kMetrics[] = {
    "cpu.user",          "cpu.system",        "cpu.iowait",          "load.shortterm",
    "load.longterm",     "memory.used_pct",   "disk.root.used_pct",  "http.latency_ms",
    "net.eth0.rx_bytes", "net.eth0.tx_bytes", "http.requests.count", "disk.root.writes",
    "memory.total",      "cpu.cores",         "disk.root.total",     "processes.zombies",
    "users.logged_in",   "http.status.5xx",   "oom.kills",           "ntp.offset_ms"};
constexpr const char* kMethods[] = {"sum", "avg", "max", "min", "p90"};
constexpr int kSeries = 100'000;
constexpr int kBatch = 4096;

class NullSink final : public ingest::PointSink {
 public:
  bool TryWrite(storage::PointBatch& batch) override {
    points += batch.size();
    return true;
  }
  uint64_t points = 0;
};

// N rules like a site's per-region totals: regions.<dc>.<metric>.<method> over every host.
std::string Rules(int n) {
  std::string text;
  for (int i = 0; i < n; ++i) {
    const char* metric = kMetrics[i % 20];
    const char* method = kMethods[(i / 20) % 5];
    text += fmt::format("regions.<dc>.{0}.{1}{2} (60) = {1} servers.<dc>.*.{0}\n", metric, method,
                        i / 100 == 0 ? "" : fmt::format(".r{}", i / 100));
  }
  return text;
}

std::vector<storage::PointBatch> Batches() {
  std::vector<std::string> names;
  for (int s = 0; s < kSeries; ++s) {
    const int host = s / 20;
    names.push_back(fmt::format("servers.dc{}.host-{:05}.{}", host % 4, host, kMetrics[s % 20]));
  }
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> value(0, 100);
  std::vector<storage::PointBatch> batches;
  storage::PointBatch b;
  const int64_t t0 = 1'700'000'000;
  for (int t = 0; t < 3; ++t) {
    for (const std::string& n : names) {
      b.Add(n, t0 + 10 * t, value(rng));
      if (b.size() == kBatch) batches.push_back(std::move(b)), b = {};
    }
  }
  if (!b.empty()) batches.push_back(std::move(b));
  return batches;
}

void BM_AggregatingSink(benchmark::State& state) {
  const int rules = static_cast<int>(state.range(0));
  const bool warm = state.range(1) != 0;
  static const std::vector<storage::PointBatch> kBatches = Batches();
  core::ManualClock clock(1'700'000'030);
  uint64_t points = 0;
  for (auto _ : state) {
    state.PauseTiming();
    core::MetricsRegistry registry;
    NullSink store;
    aggregation::AggregatingSinkOptions o;
    o.max_intervals = 1000;
    auto sink = aggregation::AggregatingSink::Create(o, store, clock, registry).value();
    auto parsed = aggregation::ParseAggregationRules(Rules(rules), "bench", 10000).value();
    sink->SetRules(aggregation::RuleSet::Build(parsed, {}).value());
    std::vector<storage::PointBatch> batches = kBatches;
    if (warm) {  // steady state: every name seen before
      std::vector<storage::PointBatch> warmup = kBatches;
      for (auto& b : warmup) sink->TryWrite(b);
    }
    state.ResumeTiming();
    for (auto& b : batches) {
      sink->TryWrite(b);
      points += b.size();
    }
    state.PauseTiming();
    sink.reset();
    state.ResumeTiming();
  }
  state.counters["points/s"] =
      benchmark::Counter(static_cast<double>(points), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_AggregatingSink)
    ->ArgNames({"rules", "warm"})
    ->Args({0, 1})
    ->Args({10, 1})
    ->Args({100, 1})
    ->Args({100, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
