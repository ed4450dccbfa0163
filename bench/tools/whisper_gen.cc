// whisper_gen: writes a tree of FILLED whisper files for bench/import_compare (fixed seed).
//
//   whisper_gen OUT_DIR [--files N] [--retentions 60:10080,600:4320,3600:8760] [--now EPOCH]
//
// Every slot of every archive holds a point ending at `now` (default: the current time), laid
// out as whisper lays out a ring: the slot of interval t is ((t - base) / step) mod points.
// Series are servers.dc<N>.host-<NNNN>.<metric>; metrics alternate gauges with 1-2 decimals
// (random walks), monotonic counters, constants and sparse small integers; coarser archives hold
// averaged-looking values (full doubles), as whisper's rollups do. Header: average, xff 0.5.
#include <fmt/format.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace {

struct Archive {
  uint32_t step;
  uint32_t points;
};

void Put32(std::string* out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((v >> (i * 8)) & 0xff));
}

void Put64(std::string* out, uint64_t v) {
  Put32(out, static_cast<uint32_t>(v >> 32));
  Put32(out, static_cast<uint32_t>(v));
}

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

// One value of series kind `kind` at slot k of an archive (coarse = averaged-looking).
double NextValue(int kind, bool coarse, std::mt19937_64& rng, double* state) {
  std::uniform_real_distribution<double> step(-1.0, 1.0);
  switch (kind) {
    case 0:  // gauge, 1-2 decimals
      *state += step(rng);
      return coarse ? *state + step(rng) / 7.0 : std::round(*state * 100.0) / 100.0;
    case 1:  // counter
      *state += static_cast<double>(rng() % 50);
      return *state;
    case 2:  // constant
      return 42.5;
    default:  // sparse small integers (mostly 0)
      return rng() % 10 == 0 ? static_cast<double>(rng() % 4) : 0.0;
  }
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
  std::mt19937_64 rng(20261204);
  std::string file;
  uint64_t bytes = 0;
  for (int64_t f = 0; f < files; ++f) {
    const int64_t host = f / 20;
    const int kind = static_cast<int>(f % 4);
    const std::filesystem::path path = out_dir / "servers" / fmt::format("dc{}", host % 4) /
                                       fmt::format("host-{:04}", host) /
                                       fmt::format("metric{:02}.wsp", f % 20);
    std::filesystem::create_directories(path.parent_path());
    file.clear();
    Put32(&file, 1);  // average
    Put32(&file, archives.back().step * archives.back().points);
    Put32(&file, std::bit_cast<uint32_t>(0.5f));
    Put32(&file, static_cast<uint32_t>(archives.size()));
    uint32_t offset = 16 + 12 * static_cast<uint32_t>(archives.size());
    for (const Archive& a : archives) {
      Put32(&file, offset);
      Put32(&file, a.step);
      Put32(&file, a.points);
      offset += a.points * 12;
    }
    for (size_t a = 0; a < archives.size(); ++a) {
      const Archive& ar = archives[a];
      const int64_t last = now - now % ar.step;
      const int64_t first = last - static_cast<int64_t>(ar.points - 1) * ar.step;
      double state = 20.0 + static_cast<double>(f % 97);
      // Slot k holds interval first + k * step: base = first, so the ring starts at the oldest.
      for (uint32_t k = 0; k < ar.points; ++k) {
        Put32(&file, static_cast<uint32_t>(first + static_cast<int64_t>(k) * ar.step));
        Put64(&file, std::bit_cast<uint64_t>(NextValue(kind, a > 0, rng, &state)));
      }
    }
    std::FILE* out = std::fopen(path.c_str(), "wb");
    if (out == nullptr || std::fwrite(file.data(), 1, file.size(), out) != file.size() ||
        std::fclose(out) != 0) {
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
