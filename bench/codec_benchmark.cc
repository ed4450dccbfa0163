// Block codec throughput and size per kind of series, on 720-point blocks (2 h at 10 s).
//
//   codec_benchmark --benchmark_counters_tabular=true
//
// items_per_second = points encoded or decoded per second; bytes_per_point = size of the chosen
// encoding (slot runs and header included); xor_bytes_per_point = the same block forced to the
// Gorilla XOR codec, for comparison. The label names the codec EncodeBlock chose.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "storage/internal/block_codec.h"

namespace meridian::storage::internal {
namespace {

constexpr uint32_t kBlockPoints = 720;

enum class Kind {
  kGauge2Decimals,
  kGauge2DecimalsGappy,
  kCounter,
  kConstant,
  kSparseSmallInts,
  kRandomDoubles
};

std::vector<SlotValue> MakeBlock(Kind kind) {
  std::mt19937_64 rng(42);
  std::normal_distribution<double> step(0, 0.5);
  std::uniform_real_distribution<double> uniform(-1e6, 1e6);
  std::vector<SlotValue> points;
  double v = kind == Kind::kCounter ? 123456789 : 12.37;
  for (uint32_t slot = 0; slot < kBlockPoints; ++slot) {
    switch (kind) {
      case Kind::kGauge2Decimals:
      case Kind::kGauge2DecimalsGappy:
        v = std::round((v + step(rng)) * 100) / 100;
        break;
      case Kind::kCounter:
        v += 950 + static_cast<double>(rng() % 100);
        break;
      case Kind::kConstant:
        v = 42.5;
        break;
      case Kind::kSparseSmallInts:
        v = rng() % 30 == 0 ? static_cast<double>(rng() % 5 + 1) : 0;
        break;
      case Kind::kRandomDoubles:
        v = uniform(rng);
        break;
    }
    if (kind == Kind::kGauge2DecimalsGappy && rng() % 4 == 0) continue;
    points.push_back({slot, v});
  }
  return points;
}

const char* CodecName(ValueCodec codec) {
  switch (codec) {
    case ValueCodec::kConstant:
      return "constant";
    case ValueCodec::kDecimalDelta:
      return "decimal_delta";
    case ValueCodec::kDecimalDeltaOfDelta:
      return "decimal_dod";
    case ValueCodec::kXor:
      return "xor";
  }
  return "?";
}

void ReportSize(benchmark::State& state, const std::vector<SlotValue>& points,
                const std::string& encoded) {
  std::string xor_only;
  EncodeBlockWithCodec(points, ValueCodec::kXor, &xor_only).IgnoreError();  // XOR takes any data.
  const double n = static_cast<double>(points.size());
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(points.size()));
  state.counters["bytes_per_point"] = static_cast<double>(encoded.size()) / n;
  state.counters["xor_bytes_per_point"] = static_cast<double>(xor_only.size()) / n;
  core::Result<ValueCodec> codec = PeekValueCodec(encoded);
  state.SetLabel(codec.ok() ? CodecName(*codec) : "corrupt");
}

void BM_Encode(benchmark::State& state, Kind kind) {
  const std::vector<SlotValue> points = MakeBlock(kind);
  std::string encoded;
  for (auto _ : state) {
    encoded.clear();
    EncodeBlock(points, &encoded);
    benchmark::DoNotOptimize(encoded.data());
  }
  ReportSize(state, points, encoded);
}

void BM_Decode(benchmark::State& state, Kind kind) {
  const std::vector<SlotValue> points = MakeBlock(kind);
  std::string encoded;
  EncodeBlock(points, &encoded);
  std::vector<SlotValue> decoded;
  for (auto _ : state) {
    decoded.clear();
    if (!DecodeBlock(encoded, &decoded).ok()) {
      state.SkipWithError("decode failed");
      break;
    }
    benchmark::DoNotOptimize(decoded.data());
  }
  ReportSize(state, points, encoded);
}

#define MERIDIAN_CODEC_BENCHMARKS(name, kind) \
  BENCHMARK_CAPTURE(BM_Encode, name, kind);   \
  BENCHMARK_CAPTURE(BM_Decode, name, kind)

MERIDIAN_CODEC_BENCHMARKS(gauge_2_decimals, Kind::kGauge2Decimals);
MERIDIAN_CODEC_BENCHMARKS(gauge_2_decimals_gappy, Kind::kGauge2DecimalsGappy);
MERIDIAN_CODEC_BENCHMARKS(counter, Kind::kCounter);
MERIDIAN_CODEC_BENCHMARKS(constant, Kind::kConstant);
MERIDIAN_CODEC_BENCHMARKS(sparse_small_ints, Kind::kSparseSmallInts);
MERIDIAN_CODEC_BENCHMARKS(random_doubles, Kind::kRandomDoubles);

}  // namespace
}  // namespace meridian::storage::internal

BENCHMARK_MAIN();
