// RocksStore against a real RocksDB in a temp dir, time from a FakeClock.
#include "storage/store.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "core/metrics.h"
#include "support/corrupt_block.h"
#include "support/fake_clock.h"

namespace meridian::storage {
namespace {

constexpr int64_t kT0 = 1'700'000'000;  // a multiple of 10 s

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("meridian-store-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto schemas =
        SchemaSet::Create({{"short", "^short\\.", *ParseRetentions("10s:1h,1m:1d,10m:30d")},
                           {"default", ".*", *ParseRetentions("10s:6h,1m:7d")}},
                          {{"count", "\\.count$", AggregationMethod::kSum, 0.0},
                           {"default", ".*", AggregationMethod::kAverage, 0.5}});
    ASSERT_TRUE(schemas.ok()) << schemas.status().ToString();
    options_.schemas = *schemas;
    options_.data_dir = dir_.string();
    options_.seal_grace_seconds = 60;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Open() {
    auto s = OpenRocksStore(options_, clock_, metrics_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void Write(const std::string& name, int64_t ts, double v) {
    PointBatch b;
    b.Add(name, ts, v);
    ASSERT_TRUE(store_->TryWrite(b));
  }
  SeriesData Fetch(const std::string& name, int64_t from, int64_t until) {
    auto r = store_->Fetch(name, from, until, {});
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : SeriesData{};
  }
  double At(const SeriesData& d, int64_t ts) {
    if (d.step == 0 || ts < d.start || ts >= d.end) return -12345;
    return d.values[(ts - d.start) / d.step];
  }

  std::filesystem::path dir_;
  StoreOptions options_;
  testing::FakeClock clock_{kT0};
  core::MetricsRegistry metrics_;
  std::unique_ptr<Store> store_;
};

TEST_F(StoreTest, WrittenPointsAreReadBackOnWhisperGrid) {
  Open();
  const int64_t base = kT0 - 600;  // kT0 is a multiple of 10
  for (int i = 0; i < 30; ++i) Write("web01.cpu.user", base + 10 * i + 3, i * 1.5);
  ASSERT_TRUE(store_->Flush().ok());
  SeriesData d = Fetch("web01.cpu.user", base - 1, kT0);
  EXPECT_EQ(d.step, 10);
  EXPECT_EQ(d.start, base);  // floor(from/step)*step + step
  for (int i = 0; i < 30; ++i) EXPECT_EQ(At(d, base + 10 * i), i * 1.5) << i;
  EXPECT_TRUE(std::isnan(At(d, base + 300)));
}

// A block that does not decode (bit rot, a bad disk) costs its own slots, not the read: the rest
// of the series and every other series answer, and the loss is described, counted and logged.
TEST_F(StoreTest, ACorruptBlockIsSkippedDescribedAndCounted) {
  options_.points_per_block = 8;  // 2-minute blocks (whole 1 m slots): the hour is many blocks
  Open();
  const int64_t base = kT0 - 3600;
  for (int i = 0; i < 300; ++i) {
    Write("good.a", base + 10 * i, i);
    Write("bad.b", base + 10 * i, 1000 + i);
  }
  ASSERT_TRUE(store_->Flush().ok());
  ASSERT_TRUE(store_->Close().ok());  // everything written out as blocks
  store_.reset();

  ASSERT_TRUE(testing::CorruptFirstBlock(dir_ / "db", "bad.b", clock_).ok());
  Open();
  SeriesData bad = Fetch("bad.b", base - 1, base + 3000);
  ASSERT_EQ(bad.step, 10);
  ASSERT_EQ(bad.damaged.size(), 1u);
  EXPECT_TRUE(bad.damaged[0].starts_with("corrupt block (archive 0, ")) << bad.damaged[0];
  EXPECT_NE(bad.damaged[0].find("unknown format version"), std::string::npos) << bad.damaged[0];
  int present = 0, missing = 0;
  for (int i = 0; i < 300; ++i) {
    const double v = At(bad, base + 10 * i);
    if (std::isnan(v)) {
      ++missing;
    } else {
      EXPECT_EQ(v, 1000 + i) << i;
      ++present;
    }
  }
  EXPECT_GT(missing, 0);
  EXPECT_LE(missing, 12);  // one block's slots at most
  EXPECT_EQ(present + missing, 300);
  SeriesData good = Fetch("good.a", base - 1, base + 3000);
  EXPECT_TRUE(good.damaged.empty());
  for (int i = 0; i < 300; ++i) EXPECT_EQ(At(good, base + 10 * i), i) << i;
  EXPECT_EQ(metrics_.GetCounter("storage_corrupt_reads_total", "").Value(), 1u);
}

TEST_F(StoreTest, UnknownSeriesIsNotFound) {
  Open();
  auto r = store_->Fetch("no.such.series", kT0 - 60, kT0, {});
  EXPECT_EQ(r.status().code(), core::StatusCode::kNotFound);
}

TEST_F(StoreTest, DuplicatesAndOutOfOrderPointsLastWriteWins) {
  Open();
  const int64_t base = kT0 - 100;
  Write("a.b", base + 20, 2);
  Write("a.b", base, 0);
  Write("a.b", base + 10, 1);
  Write("a.b", base + 10, 11);  // same timestamp: later arrival wins
  Write("a.b", base + 21, 3);   // same slot, later timestamp wins (whisper's update_many)
  Write("a.b", base + 20, 99);  // ... even against a later arrival with an earlier timestamp
  ASSERT_TRUE(store_->Flush().ok());
  SeriesData d = Fetch("a.b", base - 10, kT0);
  EXPECT_EQ(At(d, base), 0);
  EXPECT_EQ(At(d, base + 10), 11);
  EXPECT_EQ(At(d, base + 20), 3);
}

TEST_F(StoreTest, SpecialValuesRoundTripThroughSealedBlocks) {
  options_.points_per_block = 8;
  Open();
  const int64_t base = kT0 - 3000;
  const double values[] = {INFINITY, -INFINITY, -0.0, 9007199254740993.0, 1e-300, 42.5};
  for (int i = 0; i < 6; ++i) Write("special", base + 10 * i, values[i]);
  clock_.AdvanceSeconds(600);  // past window end + grace: the sweep seals the block
  ASSERT_TRUE(store_->Flush().ok());
  SeriesData d = Fetch("special", base - 10, clock_.NowSeconds());
  for (int i = 0; i < 6; ++i) {
    double got = At(d, base + 10 * i);
    EXPECT_EQ(std::signbit(got), std::signbit(values[i])) << i;
    EXPECT_EQ(got, values[i]) << i;
  }
}

TEST_F(StoreTest, RollupsMatchWhisperAggregationAndXFilesFactor) {
  Open();
  // Minute m0: 6 of 6 points; m1: 3 of 6 (xff 0.5 passes); m2: 2 of 6 (fails → null).
  const int64_t m0 = (kT0 / 60) * 60 - 1200;  // 20 min ago (within 10s:1h), minute-aligned
  for (int i = 0; i < 6; ++i) Write("short.gauge", m0 + 10 * i, i + 1);    // avg 3.5
  for (int i = 0; i < 3; ++i) Write("short.gauge", m0 + 60 + 10 * i, 10);  // avg 10
  for (int i = 0; i < 2; ++i) Write("short.gauge", m0 + 120 + 10 * i, 7);
  for (int i = 0; i < 6; ++i) Write("short.hits.count", m0 + 10 * i, 2);  // sum 12
  ASSERT_TRUE(store_->Flush().ok());
  // Archive 1 (1m) is chosen when now - from > 1h. Before sealing: rolled up on the fly.
  auto check = [&](const char* when) {
    const int64_t now = clock_.NowSeconds();
    SeriesData d = Fetch("short.gauge", now - 3600 * 5, now);
    ASSERT_EQ(d.step, 60) << when;
    EXPECT_DOUBLE_EQ(At(d, m0), 3.5) << when;
    EXPECT_DOUBLE_EQ(At(d, m0 + 60), 10) << when;
    EXPECT_TRUE(std::isnan(At(d, m0 + 120))) << when;
    SeriesData c = Fetch("short.hits.count", now - 3600 * 5, now);
    EXPECT_DOUBLE_EQ(At(c, m0), 12) << when;
  };
  check("on the fly");
  clock_.AdvanceSeconds(2 * 3600);  // the 10s windows are now sealed and rolled up
  ASSERT_TRUE(store_->Flush().ok());
  check("after sealing");
  ASSERT_TRUE(store_->Close().ok());
  store_.reset();
  Open();
  check("after restart");
}

TEST_F(StoreTest, PointsOlderThanFinestRetentionGoStraightToCoarserArchive) {
  Open();
  // Two hours old: beyond 10s:1h, so whisper writes it aligned into the 1m archive, no
  // aggregation: the last point of the minute wins.
  const int64_t old = (kT0 / 60) * 60 - 2 * 3600;
  Write("short.backfill", old + 5, 1);
  Write("short.backfill", old + 30, 2);
  ASSERT_TRUE(store_->Flush().ok());
  SeriesData d = Fetch("short.backfill", old - 600, kT0);
  ASSERT_EQ(d.step, 60);
  EXPECT_EQ(At(d, old), 2);
}

TEST_F(StoreTest, CascadedSealsKeepFinerRollupsInCoarserArchives) {
  // One 6h window of the 1m archive gets points two ways: written directly (older than 1h) and
  // rolled up from the 10s archive. Both windows come due in the same sweep; the 10m archive must
  // see both (a regression: the direct window's seal used to drop the fresh rollup points).
  const int64_t w1 = (kT0 / 21600) * 21600;  // a 1m-archive window boundary
  clock_.SetSeconds(w1 + 3 * 3600);
  Open();
  for (int i = 0; i < 10; ++i) Write("short.mixed", w1 + 600 + 60 * i, 4);   // 2h+ old: direct 1m
  for (int i = 0; i < 60; ++i) Write("short.mixed", w1 + 9600 + 10 * i, 8);  // 10s archive
  ASSERT_TRUE(store_->Flush().ok());
  clock_.SetSeconds(w1 + 3 * 86400);  // everything is due: seals cascade 10s -> 1m -> 10m
  ASSERT_TRUE(store_->Flush().ok());
  SeriesData d = Fetch("short.mixed", clock_.NowSeconds() - 20 * 86400, clock_.NowSeconds());
  ASSERT_EQ(d.step, 600);
  EXPECT_DOUBLE_EQ(At(d, w1 + 600), 4);
  EXPECT_DOUBLE_EQ(At(d, w1 + 9600), 8);
}

TEST_F(StoreTest, FreshFineDataReachesTheCoarsestArchiveThroughAnEmptyMiddleWindow) {
  // 10 min of 10 s points just after a 6 h boundary of the 1m archive: their 10s window is still
  // pending and the 1m window holding them has received nothing yet. A read served by the 10m
  // archive must still roll them up on the fly (a regression: it looked only at the 1m archive's
  // own pending windows and answered null — what whisper_diff_test hit 10 min after 00/06/12/18h).
  const int64_t w1 = (kT0 / 21600) * 21600;
  clock_.SetSeconds(w1 + 900);
  Open();
  for (int i = 0; i < 60; ++i) Write("short.fresh", w1 + 10 * i, 5);
  ASSERT_TRUE(store_->Flush().ok());
  SeriesData d = Fetch("short.fresh", clock_.NowSeconds() - 2 * 86400, clock_.NowSeconds());
  ASSERT_EQ(d.step, 600);
  EXPECT_DOUBLE_EQ(At(d, w1), 5);
}

TEST_F(StoreTest, DeletedTaggedSeriesLeaveTheTagIndexUntilTheirNextPoint) {
  Open();
  Write("cpu;dc=eu;host=a", kT0 - 100, 1);
  Write("cpu;dc=eu;host=b", kT0 - 100, 2);
  Write("plain.series", kT0 - 100, 3);
  ASSERT_TRUE(store_->Flush().ok());
  ASSERT_TRUE(store_->DeleteTaggedSeries({"cpu;host=a;dc=eu", "plain.series", "no;such=1"}).ok());
  auto names = store_->FindTagged({"dc=eu"}, {});
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, std::vector<std::string>{"cpu;dc=eu;host=b"});
  EXPECT_EQ(At(Fetch("cpu;dc=eu;host=a", kT0 - 200, kT0), kT0 - 100), 1);  // data stays
  ASSERT_TRUE(store_->Close().ok());
  store_.reset();
  Open();  // the deletion is persisted
  EXPECT_EQ(*store_->FindTagged({"dc=eu"}, {}), std::vector<std::string>{"cpu;dc=eu;host=b"});
  Write("cpu;dc=eu;host=a", kT0 - 90, 5);  // a new point registers it again
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(store_->FindTagged({"dc=eu"}, {})->size(), 2u);
  ASSERT_TRUE(store_->Close().ok());
  store_.reset();
  Open();
  EXPECT_EQ(store_->FindTagged({"dc=eu"}, {})->size(), 2u);
}

TEST_F(StoreTest, PointsOlderThanEveryArchiveAreDroppedAndCounted) {
  Open();
  Write("short.ancient", kT0 - 31 * 86400, 1);
  ASSERT_TRUE(store_->Flush().ok());
  std::string text = metrics_.RenderPrometheus();
  EXPECT_NE(text.find("meridian_storage_points_dropped_total{reason=\"too_old\"} 1"),
            std::string::npos);
}

TEST_F(StoreTest, LatePointAfterSealIsMergedNotLost) {
  Open();
  const int64_t base = (kT0 / 3600) * 3600 - 3 * 3600;
  clock_.SetSeconds(base + 600);
  Write("late.series", base, 1);
  Write("late.series", base + 20, 3);
  ASSERT_TRUE(store_->Flush().ok());
  clock_.SetSeconds(base + 3 * 3600);  // the window seals
  ASSERT_TRUE(store_->Flush().ok());
  Write("late.series", base + 10, 2);  // late: its window is already sealed
  ASSERT_TRUE(store_->Flush().ok());
  SeriesData d = Fetch("late.series", base - 10, base + 100);
  EXPECT_EQ(At(d, base), 1);
  EXPECT_EQ(At(d, base + 10), 2);
  EXPECT_EQ(At(d, base + 20), 3);
}

TEST_F(StoreTest, CleanRestartKeepsEverythingAndTheNameIndex) {
  Open();
  std::mt19937 rng(7);
  const int64_t base = kT0 - 3000;
  std::map<std::string, std::vector<double>> written;
  for (int s = 0; s < 50; ++s) {
    std::string name = "servers.dc1.host-" + std::to_string(s) + ".load";
    for (int i = 0; i < 100; ++i) {
      double v = std::round(std::uniform_real_distribution<>(0, 100)(rng) * 100) / 100;
      Write(name, base + 10 * i, v);
      written[name].push_back(v);
    }
  }
  Write("tagged.metric;dc=eu;host=a", base, 5);
  ASSERT_TRUE(store_->Close().ok());
  store_.reset();
  Open();
  for (const auto& [name, values] : written) {
    SeriesData d = Fetch(name, base - 10, kT0);
    for (size_t i = 0; i < values.size(); ++i) ASSERT_EQ(At(d, base + 10 * i), values[i]) << name;
  }
  auto found = store_->Find("servers.dc1.*", {});
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->size(), 50u);
  EXPECT_EQ(At(Fetch("tagged.metric;dc=eu;host=a", base - 10, kT0), base), 5);
}

TEST_F(StoreTest, ReadsStopAtACancelledOrPastDeadline) {
  Open();
  Write("web01.cpu.user", kT0 - 60, 1);
  Write("cpu;dc=eu", kT0 - 60, 1);
  ASSERT_TRUE(store_->Flush().ok());
  core::Deadline cancelled = core::Deadline::Cancellable();
  cancelled.Cancel();
  const core::Deadline past =
      core::Deadline::At(std::chrono::steady_clock::now() - std::chrono::seconds(1));
  EXPECT_EQ(store_->Fetch("web01.cpu.user", kT0 - 600, kT0, cancelled).status().code(),
            core::StatusCode::kCancelled);
  EXPECT_EQ(store_->Find("web01.**", past).status().code(), core::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(store_->ExpandLeaves("*.*.*", past).status().code(),
            core::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(store_->FindTagged({"dc=eu"}, past).status().code(),
            core::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(store_->AllLeaves(cancelled).status().code(), core::StatusCode::kCancelled);
  EXPECT_EQ(store_->TagNames("", 0, past).status().code(), core::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(store_->TagValues("dc", "", 0, past).status().code(),
            core::StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(store_->Fetch("web01.cpu.user", kT0 - 600, kT0, {}).ok());
}

TEST_F(StoreTest, FindPastMaxFindBytesIsResourceExhausted) {
  options_.max_find_bytes = 64;
  Open();
  Write("a.b.c.d.e.f.g.h.i.j.k.l.m", kT0 - 60, 1);
  ASSERT_TRUE(store_->Flush().ok());
  EXPECT_EQ(store_->Find("**", {}).status().code(), core::StatusCode::kResourceExhausted);
  EXPECT_TRUE(store_->Find("a.*", {}).ok());
}

TEST_F(StoreTest, CheckpointsCutTheLogWithoutLosingPoints) {
  options_.checkpoint_interval_seconds = 1;
  Open();
  const int64_t base = kT0 - 600;
  for (int i = 0; i < 20; ++i) {
    Write("ckpt.a", base + 10 * i, i);
    clock_.AdvanceSeconds(2);  // every flush below runs a checkpoint
    ASSERT_TRUE(store_->Flush().ok());
  }
  std::string text = metrics_.RenderPrometheus();
  EXPECT_EQ(text.find("meridian_storage_checkpoints_total 0"), std::string::npos);
  ASSERT_TRUE(store_->Close().ok());
  store_.reset();
  Open();
  SeriesData d = Fetch("ckpt.a", base - 10, clock_.NowSeconds());
  for (int i = 0; i < 20; ++i) EXPECT_EQ(At(d, base + 10 * i), i) << i;
}

TEST_F(StoreTest, FullQueueRefusalLeavesBatchIntactAndAcceptedPointsAreKept) {
  options_.max_pending_points = 10;
  Open();
  // The writer drains concurrently, so how many batches get refused varies; what must hold is
  // that a refused batch is untouched (the caller retries it) and every accepted one is stored.
  int last_accepted = -1;
  for (int i = 0; i < 2000; ++i) {
    PointBatch b;
    for (int j = 0; j < 8; ++j) b.Add("q.s" + std::to_string(j), kT0 - 100, i);
    if (store_->TryWrite(b)) {
      last_accepted = i;
    } else {
      EXPECT_EQ(b.size(), 8u);
    }
  }
  ASSERT_TRUE(store_->Flush().ok());
  ASSERT_GE(last_accepted, 0);
  for (int j = 0; j < 8; ++j) {
    SeriesData d = Fetch("q.s" + std::to_string(j), kT0 - 200, kT0);
    EXPECT_EQ(At(d, kT0 - 100), last_accepted) << j;
  }
}

}  // namespace
}  // namespace meridian::storage
