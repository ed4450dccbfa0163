// whisper_gen: writes a tree of FILLED whisper files for bench/import_compare (fixed seed).
//
//   whisper_gen OUT_DIR [--files N] [--retentions 60:10080,600:4320,3600:8760] [--now EPOCH]
//
// Every slot of every archive holds a point ending at `now` (default: the current time), laid
// out as whisper lays out a ring: the slot of interval t is ((t - base) / step) mod points.
// Series are servers.dc<N>.host-<NNNN>.<metric>; metrics alternate gauges with 2 decimals
// (random walks), monotonic counters, constants and sparse small integers, measured at the finest
// step over the whole retention; each coarser archive holds whisper's average of the finer one
// (so 10-minute averages of 1-minute gauges, and hourly averages of those: mostly full doubles).
// Header: average, xFilesFactor 0.5.
#include <fmt/format.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "whisper_file.h"

namespace {

using meridian::bench::WhisperArchive;
using Archive = WhisperArchive;

bool ParseRetentions(const std::string& spec, std::vector<Archive>* out) {
  size_t pos = 0;
  while (pos < spec.size()) {
    size_t comma = spec.find(',', pos);
    if (comma == std::string::npos) comma = spec.size();
    std::string item = spec.substr(pos, comma - pos);
    size_t colon = item.find(':');
    if (colon == std::string::npos) return false;
    Archive a{};
    auto r1 = std::from_chars(item.data(), item.data() + colon, a.step);
    auto r2 = std::from_chars(item.data() + colon + 1, item.data() + item.size(), a.points);
    if (r1.ec != std::errc() || r2.ec != std::errc() || a.step == 0 || a.points == 0) return false;
    out->push_back(a);
    pos = comma + 1;
  }
  return !out->empty();
}

// splitmix64: fast and good enough for benchmark data (fixed seed).
uint64_t NextRandom(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// The finest archive's values over the WHOLE retention of the coarsest (what the series measured),
// then each coarser archive as whisper computes it: the average of the finer archive's values in
// each coarse interval (summed in order, divided as doubles). Returns per archive its last
// `points` values, oldest first.
std::vector<std::vector<double>> MakeSeries(const std::vector<Archive>& archives, int kind,
                                            uint64_t* rng) {
  const uint64_t span = uint64_t{archives.back().step} * archives.back().points;
  std::vector<double> level(span / archives[0].step);
  int64_t hundredths = 2000 + static_cast<int64_t>(NextRandom(rng) % 5000);
  double counter = 0;
  for (double& v : level) {
    const uint64_t r = NextRandom(rng);
    switch (kind) {
      case 0:  // gauge with 2 decimals: a random walk
        hundredths += static_cast<int64_t>(r % 201) - 100;
        v = static_cast<double>(hundredths) / 100.0;
        break;
      case 1:  // counter
        counter += static_cast<double>(r % 50);
        v = counter;
        break;
      case 2:  // constant
        v = 42.5;
        break;
      default:  // sparse small integers, mostly 0
        v = r % 10 == 0 ? static_cast<double>((r >> 8) % 4) : 0.0;
    }
  }
  std::vector<std::vector<double>> out;
  for (size_t a = 0; a < archives.size(); ++a) {
    if (a > 0) {
      const size_t per = archives[a].step / archives[a - 1].step;
      std::vector<double> coarse(level.size() / per);
      for (size_t i = 0; i < coarse.size(); ++i) {
        double sum = 0;
        for (size_t k = 0; k < per; ++k) sum += level[i * per + k];
        coarse[i] = sum / static_cast<double>(per);
      }
      level.swap(coarse);
    }
    out.emplace_back(level.end() - std::min<size_t>(level.size(), archives[a].points), level.end());
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: whisper_gen OUT_DIR [--files N] [--retentions S] [--now T]\n");
    return 2;
  }
  const std::filesystem::path out_dir = argv[1];
  int64_t files = 10000;
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  std::string spec = "60:10080,600:4320,3600:8760";  // 1m:7d,10m:30d,1h:1y
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--files") {
      files = std::stoll(argv[i + 1]);
    } else if (flag == "--retentions") {
      spec = argv[i + 1];
    } else if (flag == "--now") {
      now = std::stoll(argv[i + 1]);
    } else {
      std::fprintf(stderr, "whisper_gen: unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  std::vector<Archive> archives;
  if (!ParseRetentions(spec, &archives)) {
    std::fprintf(stderr, "whisper_gen: bad retentions '%s'\n", spec.c_str());
    return 2;
  }
  uint64_t rng = 20261204;
  std::string file;
  uint64_t bytes = 0;
  for (int64_t f = 0; f < files; ++f) {
    const int64_t host = f / 20;
    const int kind = static_cast<int>(f % 4);
    const std::filesystem::path path = out_dir / "servers" / fmt::format("dc{}", host % 4) /
                                       fmt::format("host-{:04}", host) /
                                       fmt::format("metric{:02}.wsp", f % 20);
    file.clear();
    meridian::bench::PutWhisperHeader(&file, archives, 0.5f);
    const auto values = MakeSeries(archives, kind, &rng);
    for (size_t a = 0; a < archives.size(); ++a) {
      const Archive& ar = archives[a];
      const int64_t last = now - now % ar.step;
      const int64_t first = last - static_cast<int64_t>(ar.points - 1) * ar.step;
      // Slot k holds interval first + k * step: base = first, so the ring starts at the oldest.
      // (An archive longer than the coarsest's span keeps zeros: never the case for whisper.)
      const std::vector<double>& v = values[a];
      for (uint32_t k = 0; k < ar.points; ++k) {
        const size_t from_end = ar.points - 1 - k;
        const double value = from_end < v.size() ? v[v.size() - 1 - from_end] : 0.0;
        meridian::bench::PutWhisperSlot(&file, first + static_cast<int64_t>(k) * ar.step, value);
      }
    }
    if (!meridian::bench::WriteWhisperFile(path, file)) {
      std::fprintf(stderr, "whisper_gen: cannot write %s\n", path.c_str());
      return 1;
    }
    bytes += file.size();
  }
  std::printf("whisper_gen: %lld files, %llu bytes, retentions %s, now %lld\n",
              static_cast<long long>(files), static_cast<unsigned long long>(bytes), spec.c_str(),
              static_cast<long long>(now));
  return 0;
}
