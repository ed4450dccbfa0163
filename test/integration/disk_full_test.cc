// Disk full (issue 12): the data dir on a small tmpfs. When free space falls below
// storage.min_free_bytes, writes pause (ingest waits, /health says why), reads go on; when space
// returns, writes resume by themselves and every acknowledged point is there. Needs permission to
// mount a tmpfs (root, as CI runs); skipped otherwise.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/statvfs.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>

#include "support/meridian_process.h"
#include "support/process.h"

namespace meridian::testing {
namespace {

using namespace std::chrono_literals;

class SmallDisk {
 public:
  explicit SmallDisk(int mib) {
    SubprocessOptions o;
    o.argv = {"/bin/mount",        "-t", "tmpfs", "-o", fmt::format("size={}m", mib), "tmpfs",
              dir_.path().string()};
    mounted_ = RunAndCapture(o, std::filesystem::temp_directory_path(), 30s).ok();
  }
  ~SmallDisk() {
    if (!mounted_) return;
    SubprocessOptions o;
    o.argv = {"/bin/umount", "-l", dir_.path().string()};
    (void)RunAndCapture(o, std::filesystem::temp_directory_path(), 30s);  // best effort
  }
  bool mounted() const { return mounted_; }
  std::filesystem::path path() const { return dir_.path(); }
  // Writes `file` until about `leave` bytes stay free; false if less than that is free already.
  bool FillLeaving(const std::filesystem::path& file, uint64_t leave) const {
    const uint64_t free_bytes = FreeBytes();
    if (free_bytes < leave + (16u << 20)) return false;
    std::ofstream f(file, std::ios::binary);
    const std::string chunk(1 << 20, 'x');
    for (uint64_t n = 0; n + leave + chunk.size() <= free_bytes; n += chunk.size()) {
      f.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    }
    return f.good();
  }
  uint64_t FreeBytes() const {
    struct statvfs fs {};
    if (statvfs(dir_.path().c_str(), &fs) != 0) return 0;
    return static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  }

 private:
  TempDir dir_{"meridian-small-disk"};
  bool mounted_ = false;
};

bool HasValue(const MeridianProcess& m, const std::string& name, int64_t t, double v) {
  auto r = m.Render(name, std::to_string(t - 60), std::to_string(t + 60));
  if (!r.ok() || !r->is_array() || r->empty()) return false;
  for (const auto& p : (*r)[0]["datapoints"]) {
    if (p[1] == t && p[0].is_number() && p[0].get<double>() == v) return true;
  }
  return false;
}

std::string Health(const MeridianProcess& m) {
  auto r = m.Get("/health");
  return r.ok() ? r->body : "";
}

TEST(DiskFullTest, WritesPauseReadsGoOnAndEverythingAcknowledgedArrivesWhenSpaceReturns) {
  SmallDisk disk(64);
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root)";
  MeridianOptions o;
  o.binary = MERIDIAN_BINARY;
  o.config_yaml =
      "storage:\n  min_free_bytes: 16777216\n"
      "  schemas:\n    - { pattern: '.*', retentions: '10s:1d' }\n";
  o.extra_args = {"--data-dir", (disk.path() / "data").string()};
  auto started = MeridianProcess::Start(o);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  auto& m = *started;
  const int64_t t = std::time(nullptr) / 10 * 10 - 60;
  ASSERT_TRUE(m->SendTcp(fmt::format("before.x 1 {}\n", t)).ok());
  ASSERT_TRUE(WaitFor([&] { return HasValue(*m, "before.x", t, 1); }, 30s)) << m->Log();
  EXPECT_EQ(Health(*m), "ok\n");

  // Fill the disk to 8 MiB free: below the 16 MiB threshold.
  const auto filler = disk.path() / "filler";
  ASSERT_TRUE(disk.FillLeaving(filler, 8u << 20));
  ASSERT_TRUE(WaitFor([&] { return Health(*m).starts_with("degraded: writes paused"); }, 20s))
      << Health(*m) << m->Log();
  EXPECT_NE(Health(*m).find("storage.min_free_bytes (16 MiB)"), std::string::npos) << Health(*m);

  // Points sent now are acknowledged by TCP and wait in ingest; reads go on.
  std::string during;
  for (int i = 0; i < 100; ++i) during += fmt::format("during.s{} {} {}\n", i, i, t);
  ASSERT_TRUE(m->SendTcp(during).ok());
  EXPECT_TRUE(HasValue(*m, "before.x", t, 1));
  auto metrics = m->Get("/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("meridian_storage_writes_paused 1"), std::string::npos);
  EXPECT_NE(metrics->body.find("meridian_storage_write_pauses_total 1"), std::string::npos);
  EXPECT_NE(m->Log().find("writes paused: disk free"), std::string::npos) << m->Log();

  // Space returns: writes resume by themselves, and every point sent meanwhile is stored.
  std::filesystem::remove(filler);
  ASSERT_TRUE(WaitFor([&] { return Health(*m) == "ok\n"; }, 20s)) << Health(*m);
  for (int i = 0; i < 100; ++i) {
    EXPECT_TRUE(WaitFor([&] { return HasValue(*m, fmt::format("during.s{}", i), t, i); }, 30s))
        << i;
  }
  EXPECT_NE(m->Log().find("writes resumed"), std::string::npos);
  EXPECT_TRUE(m->Stop().ok()) << m->Log();
}

// Starting on a disk that is already full: the existing store opens read-only (RocksDB would
// write while opening for writing), reads are served, /health says why; a restart once space is
// back writes again.
TEST(DiskFullTest, StartingOnAFullDiskServesReadsOnly) {
  SmallDisk disk(64);
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root)";
  MeridianOptions o;
  o.binary = MERIDIAN_BINARY;
  o.config_yaml =
      "storage:\n  min_free_bytes: 16777216\n"
      "  schemas:\n    - { pattern: '.*', retentions: '10s:1d' }\n";
  o.extra_args = {"--data-dir", (disk.path() / "data").string()};
  auto started = MeridianProcess::Start(o);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  auto& m = *started;
  const int64_t t = std::time(nullptr) / 10 * 10 - 60;
  ASSERT_TRUE(m->SendTcp(fmt::format("before.x 1 {}\n", t)).ok());
  ASSERT_TRUE(WaitFor([&] { return HasValue(*m, "before.x", t, 1); }, 30s)) << m->Log();
  ASSERT_TRUE(m->Stop().ok()) << m->Log();

  const auto filler = disk.path() / "filler";
  ASSERT_TRUE(disk.FillLeaving(filler, 8u << 20));
  ASSERT_TRUE(m->Restart().ok()) << m->Log();
  EXPECT_TRUE(Health(*m).starts_with("degraded: read-only: started with disk free")) << Health(*m);
  EXPECT_TRUE(HasValue(*m, "before.x", t, 1));
  ASSERT_TRUE(m->Stop().ok()) << m->Log();  // exits 0: nothing to flush

  std::filesystem::remove(filler);
  ASSERT_TRUE(m->Restart().ok()) << m->Log();
  EXPECT_EQ(Health(*m), "ok\n");
  ASSERT_TRUE(m->SendTcp(fmt::format("after.x 2 {}\n", t)).ok());
  EXPECT_TRUE(WaitFor([&] { return HasValue(*m, "after.x", t, 2); }, 30s)) << m->Log();
  EXPECT_TRUE(HasValue(*m, "before.x", t, 1));
}

}  // namespace
}  // namespace meridian::testing
