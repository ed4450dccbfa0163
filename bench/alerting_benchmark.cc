// Alert engine throughput (issue 4): 1,000 rules over 10,000 series in a real RocksStore.
//
//   alerting_benchmark --benchmark_counters_tabular=true
//
// Dataset (fixed seed): region.hostNNNN.app.metricM, 1,000 hosts x 10 metrics, one point per 10 s
// over the last 10 minutes (schema 10s:6h,1m:7d), gauges 0..100 that random-walk around a
// per-series level. Rules: 10 groups of 100 (interval 60s), rule r matches the 10 hosts of block
// r / 10 for metric r % 10 (`region.host0BB?.app.metricM`), window 5min, reduce avg, warning
// "70", critical "90", host "{node:1}"; every 50th rule is alias(sumSeries(...)) (one check),
// every 20th scale(..., 0.5) and every 25th aliasByNode(..., 1, 3), with matching thresholds.
// Each full round fetches 10,000 series and evaluates 9,820 checks.
//
// Rows: Query = the rules' targets through query::Evaluator only (no engine); FirstRound = a
// fresh engine (no check states yet); SteadyRound = repeated rounds at the same time (states
// exist, nothing transitions). Memory = MemoryStateStore; Rocks = states persisted in the same
// RocksDB store (Store::WriteRecords, as `meridian serve` does). Then a summary against the
// target of 10,000 series-evaluations in < 1 s. Reported, never asserted.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <stdlib.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "alerting/engine.h"
#include "alerting/rule.h"
#include "alerting/state_store.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "query/evaluator.h"
#include "query/function_registry.h"
#include "query/series_source.h"
#include "storage/store.h"

namespace meridian::alerting {
namespace {

constexpr int kHosts = 1000;
constexpr int kMetrics = 10;
constexpr int64_t kStep = 10;
constexpr int64_t kPoints = 60;  // 10 minutes
constexpr int kGroups = 10;
constexpr int kRulesPerGroup = 100;

// The engine's StateStore over Meridian's store, as app/internal/store_state_store.h, with a key
// namespace so that every FirstRound iteration starts without states.
class RecordsStateStore final : public StateStore {
 public:
  RecordsStateStore(storage::Store& store, std::string ns) : store_(store), ns_(std::move(ns)) {}
  core::Status Write(const StateWrite& write) override {
    std::vector<std::pair<std::string, std::string>> puts;
    puts.reserve(write.puts.size());
    for (const auto& [k, v] : write.puts) puts.emplace_back(ns_ + k, v);
    std::vector<std::string> deletes;
    for (const std::string& k : write.deletes) deletes.push_back(ns_ + k);
    return store_.WriteRecords(puts, deletes);
  }
  core::Status Scan(std::string_view prefix,
                    const std::function<bool(std::string_view, std::string_view)>& fn) override {
    return store_.ScanRecords(
        ns_ + std::string(prefix),
        [&](std::string_view k, std::string_view v) { return fn(k.substr(ns_.size()), v); });
  }

 private:
  storage::Store& store_;
  std::string ns_;
};

std::string RuleYaml(int r) {
  const int block = r / kMetrics, metric = r % kMetrics;
  const std::string glob = fmt::format("region.host0{:02}?.app.metric{}", block, metric);
  std::string target = glob, host = "{node:1}", service = fmt::format("metric{}", metric);
  std::string warning = "70", critical = "90";
  if (r % 50 == 0) {
    target =
        fmt::format("alias(sumSeries({}),\"region.block{:02}.app.metric{}\")", glob, block, metric);
    warning = "600";
    critical = "700";
  } else if (r % 20 == 0) {
    target = fmt::format("scale({},0.5)", glob);
    warning = "35";
    critical = "45";
  } else if (r % 25 == 0) {
    target = fmt::format("aliasByNode({},1,3)", glob);
    host = "{node:0}";
    service = "{node:1}";
  }
  return fmt::format(
      "  - name: r{:04}\n    target: '{}'\n    window: 5min\n    reduce: avg\n"
      "    warning: \"{}\"\n    critical: \"{}\"\n    nagios:\n      host: \"{}\"\n"
      "      service: \"{}\"\n",
      r, target, warning, critical, host, service);
}

struct Fixture {
  std::string dir;
  core::MetricsRegistry metrics;
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<query::LocalSource> source;
  std::shared_ptr<const RuleSet> rules;
  int64_t now = 0;  // evaluation time: the last point's timestamp
  size_t checks_per_round = 0;
  std::array<size_t, 4> states{};  // results by CheckState in one round
};

void FillStore(Fixture& f) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> level(20, 95);
  std::normal_distribution<double> walk(0, 1.5);
  std::vector<double> value(kHosts * kMetrics);
  for (double& v : value) v = level(rng);
  for (int64_t p = 0; p < kPoints; ++p) {
    storage::PointBatch batch;
    const int64_t ts = f.now - (kPoints - 1 - p) * kStep;
    for (int s = 0; s < kHosts * kMetrics; ++s) {
      value[s] = std::clamp(value[s] + walk(rng), 0.0, 100.0);
      batch.Add(fmt::format("region.host{:04}.app.metric{}", s / kMetrics, s % kMetrics), ts,
                std::round(value[s] * 100) / 100);
    }
    while (!f.store->TryWrite(batch)) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (auto st = f.store->Flush(); !st.ok()) fmt::print(stderr, "flush: {}\n", st.ToString());
}

std::shared_ptr<const RuleSet> MakeRules() {
  auto set = std::make_shared<RuleSet>();
  for (int g = 0; g < kGroups; ++g) {
    std::string yaml = fmt::format("group: bench{}\ninterval: 60s\nrules:\n", g);
    for (int r = 0; r < kRulesPerGroup; ++r) yaml += RuleYaml(g * kRulesPerGroup + r);
    LoadedRules loaded = ParseRuleGroup(yaml, fmt::format("bench{}.yaml", g));
    for (const RuleError& e : loaded.errors) fmt::print(stderr, "rule error: {}\n", e.ToString());
    for (RuleGroup& group : loaded.rules.groups) set->groups.push_back(std::move(group));
  }
  return set;
}

Fixture& GetFixture() {
  static Fixture* f = [] {
    auto* fx = new Fixture;
    char tmpl[] = "/tmp/alerting_benchmark.XXXXXX";
    fx->dir = mkdtemp(tmpl);
    storage::StoreOptions o;
    o.data_dir = fx->dir;
    o.schemas =
        *storage::SchemaSet::Create({{"all", ".*", {{10, 2160}, {60, 10080}}}},
                                    {{"all", ".*", storage::AggregationMethod::kAverage, 0.5}});
    auto store = storage::OpenRocksStore(o, core::RealClock::Get(), fx->metrics);
    if (!store.ok()) {
      fmt::print(stderr, "cannot open store in {}: {}\n", fx->dir, store.status().ToString());
      std::exit(1);
    }
    fx->store = std::move(*store);
    fx->source = std::make_unique<query::LocalSource>(*fx->store);
    fx->now = core::RealClock::Get().NowSeconds() / kStep * kStep;
    FillStore(*fx);
    fx->rules = MakeRules();
    return fx;
  }();
  return *f;
}

// An engine with its own metrics registry (the engine registers gauges that point into it).
struct EngineUnderTest {
  core::MetricsRegistry metrics;
  std::unique_ptr<StateStore> states;
  std::unique_ptr<AlertEngine> engine;

  EngineUnderTest(Fixture& f, bool rocks, const std::string& ns) {
    if (rocks) {
      states = std::make_unique<RecordsStateStore>(*f.store, ns);
    } else {
      states = std::make_unique<MemoryStateStore>();
    }
    engine = std::make_unique<AlertEngine>(*f.source, query::FunctionRegistry::Default(), *states,
                                           core::RealClock::Get(), metrics);
    if (auto st = engine->Restore(); !st.ok()) fmt::print(stderr, "restore: {}\n", st.ToString());
    engine->SetRules(f.rules);
  }

  size_t Round(Fixture& f, std::array<size_t, 4>* states_seen = nullptr) {
    size_t checks = 0;
    for (const RuleGroup& g : f.rules->groups) {
      const std::vector<CheckResult> results = engine->EvaluateGroup(g, f.now);
      checks += results.size();
      if (states_seen) {
        for (const CheckResult& r : results) ++(*states_seen)[static_cast<int>(r.state)];
      }
    }
    return checks;
  }
};

void SetRoundCounters(benchmark::State& state, size_t checks) {
  using benchmark::Counter;
  state.counters["checks"] = static_cast<double>(checks);
  state.counters["series_evals/s"] =
      Counter(static_cast<double>(checks), Counter::kIsIterationInvariantRate);
  state.counters["rule_evals/s"] =
      Counter(kGroups * kRulesPerGroup, Counter::kIsIterationInvariantRate);
}

void BM_Query(benchmark::State& state) {
  Fixture& f = GetFixture();
  size_t series = 0;
  for (auto _ : state) {
    series = 0;
    for (const RuleGroup& g : f.rules->groups) {
      for (const Rule& r : g.rules) {
        query::Evaluator evaluator(*f.source, query::FunctionRegistry::Default(), {});
        auto result = evaluator.EvaluateTarget(r.target, {f.now - 300, f.now, f.now});
        if (result.ok()) series += result->size();
      }
    }
  }
  SetRoundCounters(state, series);
}

void BM_FirstRound(benchmark::State& state, bool rocks) {
  Fixture& f = GetFixture();
  size_t checks = 0;
  int run = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto engine = std::make_unique<EngineUnderTest>(f, rocks, fmt::format("first{}/", run++));
    state.ResumeTiming();
    checks = engine->Round(f);
    state.PauseTiming();
    engine.reset();
    state.ResumeTiming();
  }
  SetRoundCounters(state, checks);
}

void BM_SteadyRound(benchmark::State& state, bool rocks) {
  Fixture& f = GetFixture();
  EngineUnderTest engine(f, rocks, "steady/");
  engine.Round(f);  // creates every check
  std::array<size_t, 4> seen{};
  f.checks_per_round = engine.Round(f, &seen);
  f.states = seen;
  size_t checks = 0;
  for (auto _ : state) checks = engine.Round(f);
  SetRoundCounters(state, checks);
}

BENCHMARK(BM_Query)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_FirstRound, Memory, false)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_FirstRound, Rocks, true)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_SteadyRound, Memory, false)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_SteadyRound, Rocks, true)->Unit(benchmark::kMillisecond)->UseRealTime();

struct RowFigures {
  std::string name;
  double ms_per_round = 0;
  double checks = 0;
};
std::vector<RowFigures> g_rows;  // in run order

// Keeps each run's time per round for the summary.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      const auto it = run.counters.find("checks");
      if (it == run.counters.end() || run.iterations == 0) continue;
      g_rows.push_back({run.benchmark_name(),
                        run.real_accumulated_time * 1e3 / static_cast<double>(run.iterations),
                        it->second.value});
    }
    ConsoleReporter::ReportRuns(runs);
  }
};

void PrintSummary() {
  const Fixture& f = GetFixture();
  fmt::print(
      "\n{} series, {} rules in {} groups; one round = {} checks "
      "(OK {}, WARNING {}, CRITICAL {}, UNKNOWN {})\n",
      kHosts * kMetrics, kGroups * kRulesPerGroup, kGroups, f.checks_per_round, f.states[0],
      f.states[1], f.states[2], f.states[3]);
  fmt::print("{:<40} {:>10} {:>16} {:>14} {:>20}\n", "row", "ms/round", "series-evals/s",
             "rule-evals/s", "10k evals vs 1 s");
  for (const RowFigures& row : g_rows) {
    if (row.checks <= 0 || row.ms_per_round <= 0) continue;
    const double per_10k_ms = row.ms_per_round * 10'000 / row.checks;
    fmt::print("{:<40} {:>10.1f} {:>16.0f} {:>14.0f} {:>12.0f} ms {:>5}\n", row.name,
               row.ms_per_round, row.checks / row.ms_per_round * 1e3,
               kGroups * kRulesPerGroup / row.ms_per_round * 1e3, per_10k_ms,
               per_10k_ms < 1000 ? "met" : "MISSED");
  }
}

}  // namespace
}  // namespace meridian::alerting

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  meridian::alerting::SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  meridian::alerting::PrintSummary();
  meridian::alerting::Fixture& f = meridian::alerting::GetFixture();
  if (auto st = f.store->Close(); !st.ok()) fmt::print(stderr, "close: {}\n", st.ToString());
  std::filesystem::remove_all(f.dir);
  return 0;
}
