// A damaged RocksDB data file (issue 12): bytes of one SST data block flipped on disk, as a bad
// sector would. The start-up checksum scan names the file in /health; renders answer the rest,
// marked partial; `meridian verify` reports the unreadable range; `meridian repair` rebuilds the
// store from every readable record; afterwards every query answers unmarked.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/meridian_process.h"
#include "support/process.h"

namespace meridian::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr int kSeries = 300;
constexpr int kPoints = 300;

// The largest SST file of the store: the blocks family's (the others are small).
fs::path LargestSst(const fs::path& db_dir) {
  fs::path best;
  uintmax_t best_size = 0;
  for (const auto& e : fs::directory_iterator(db_dir)) {
    if (e.path().extension() != ".sst" || e.file_size() <= best_size) continue;
    best = e.path();
    best_size = e.file_size();
  }
  return best;
}

// Overwrites 64 bytes a third of the way into the file: inside a data block (the index, filter
// and footer blocks are at the end).
bool DamageMiddle(const fs::path& file) {
  const uintmax_t size = fs::file_size(file);
  if (size < 64 * 1024) return false;
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(size / 3));
  const std::string junk(64, '\x5a');
  f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  return f.good();
}

struct Answer {
  int status = 0;
  std::string partial;
  int complete_series = 0;  // series with all kPoints values
  int series = 0;
};

Answer RenderAll(const MeridianProcess& m, int64_t base) {
  Answer a;
  auto r = m.Get("/render", {{"target", "disk.*.v"},
                             {"from", std::to_string(base - 1)},
                             {"until", std::to_string(base + 10 * kPoints)},
                             {"format", "json"}});
  if (!r.ok()) return a;
  a.status = r->status;
  a.partial = r->Header("X-Meridian-Partial");
  auto json = nlohmann::json::parse(r->body, nullptr, false);
  if (!json.is_array()) return a;
  for (const auto& s : json) {
    ++a.series;
    int n = 0;
    for (const auto& p : s["datapoints"]) n += p[0].is_null() ? 0 : 1;
    a.complete_series += n == kPoints ? 1 : 0;
  }
  return a;
}

TEST(FileCorruptionTest, DamagedDataFileIsNamedAnsweredAroundAndRebuiltByRepair) {
  MeridianOptions o;
  o.binary = MERIDIAN_BINARY;
  o.config_yaml =
      "storage:\n  points_per_block: 8\n  schemas:\n    - { pattern: '.*', retentions: '10s:1d' "
      "}\n";
  auto started = MeridianProcess::Start(o);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  MeridianProcess& m = **started;
  const int64_t base = std::time(nullptr) / 600 * 600 - 7200;
  for (int s = 0; s < kSeries; ++s) {
    std::string lines;
    for (int i = 0; i < kPoints; ++i) {
      // Irregular values (XOR-encoded, ~8 bytes a point) so the blocks file spans many data
      // blocks.
      lines += fmt::format("disk.s{:03}.v {:.9f} {}\n", s, std::sin(s * 7.1 + i * 0.37) * 1e6,
                           base + 10 * i);
    }
    ASSERT_TRUE(m.SendTcp(lines).ok());
  }
  ASSERT_TRUE(WaitFor([&] { return RenderAll(m, base).complete_series == kSeries; }, 60s));
  ASSERT_TRUE(m.Stop().ok()) << m.Log();  // a clean stop writes every block into SST files

  const fs::path sst = LargestSst(m.data_dir() / "db");
  ASSERT_FALSE(sst.empty());
  ASSERT_TRUE(DamageMiddle(sst)) << sst << " is too small to hold several data blocks";
  ASSERT_TRUE(m.Restart().ok()) << m.Log();

  // The background scan at start-up names the file in /health before any query meets it.
  std::string health;
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r = m.Get("/health");
        health = r.ok() ? r->body : "";
        return health.find("damaged data files") != std::string::npos;
      },
      30s))
      << health << m.Log();
  EXPECT_NE(health.find(sst.filename().string()), std::string::npos) << health;
  EXPECT_NE(m.Log().find("is damaged"), std::string::npos) << m.Log();

  // Renders answer with what can be read, marked partial.
  Answer damaged = RenderAll(m, base);
  EXPECT_EQ(damaged.status, 200);
  EXPECT_NE(damaged.partial.find("storage (damaged data"), std::string::npos) << damaged.partial;
  EXPECT_EQ(damaged.series, kSeries);
  EXPECT_LT(damaged.complete_series, kSeries);
  EXPECT_GT(damaged.complete_series, kSeries / 2);

  ASSERT_TRUE(m.Stop().ok()) << m.Log();
  TempDir scratch("meridian-file-corruption");
  auto run = [&](const char* command) {
    return RunProgram(scratch, MERIDIAN_BINARY, {command, "--data-dir", m.data_dir().string()});
  };
  auto verify = run("verify");
  EXPECT_EQ(verify.code, 1) << verify.out << verify.err;
  EXPECT_NE(verify.out.find("blocks: unreadable after series 'disk.s"), std::string::npos)
      << verify.out;
  EXPECT_NE(verify.out.find("RocksDB checksums: FAILED"), std::string::npos) << verify.out;

  auto repair = run("repair");
  EXPECT_EQ(repair.code, 0) << repair.out << repair.err;
  EXPECT_NE(repair.out.find("rebuilt the store from"), std::string::npos) << repair.out;
  auto again = run("verify");
  EXPECT_EQ(again.code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("0 unreadable ranges; RocksDB checksums: ok"), std::string::npos)
      << again.out;

  ASSERT_TRUE(m.Restart().ok()) << m.Log();
  Answer repaired = RenderAll(m, base);
  EXPECT_EQ(repaired.status, 200);
  EXPECT_EQ(repaired.partial, "");
  EXPECT_EQ(repaired.series, kSeries);
  // Only the damaged block's records are gone: what reads could answer before, they still do.
  EXPECT_GE(repaired.complete_series, damaged.complete_series);
  auto h = m.Get("/health");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->body.find("damaged"), std::string::npos) << h->body;
  // New points are written after the repair.
  ASSERT_TRUE(m.SendTcp(fmt::format("disk.new.v 1 {}\n", base + 10)).ok());
  EXPECT_TRUE(WaitFor(
      [&] {
        auto r = m.Render("disk.new.v", std::to_string(base), std::to_string(base + 20));
        return r.ok() && r->is_array() && !r->empty();
      },
      30s));
}

}  // namespace
}  // namespace meridian::testing
