// Write faults injected under RocksDB (issue 12): a FileSystem whose writes fail on demand, as a
// full or failing disk makes them fail. The store must turn every failed write into a pause
// (ingest waits, /health says why), keep what it accepted, and resume by itself once writes work
// again — never an assertion, never a lost point. The real full filesystem is disk_full_test.cc.
#include <gtest/gtest.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <string>

#include "core/metrics.h"
#include "storage/internal/rocks_store.h"
#include "storage/store.h"
#include "support/fake_clock.h"
#include "support/process.h"

namespace meridian::storage {
namespace {

using namespace std::chrono_literals;

constexpr int64_t kT0 = 1'700'000'000;

// Every write, sync and file creation fails with ENOSPC while `failing` is set.
class FailingFileSystem : public rocksdb::FileSystemWrapper {
 public:
  explicit FailingFileSystem(std::shared_ptr<rocksdb::FileSystem> base)
      : rocksdb::FileSystemWrapper(std::move(base)) {}
  const char* Name() const override { return "FailingFileSystem"; }

  std::atomic<bool> failing{false};
  std::atomic<int> failures{0};

  rocksdb::IOStatus Fail() {
    ++failures;
    return rocksdb::IOStatus::NoSpace("injected: no space left on device");
  }

  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> f, FailingFileSystem* fs)
        : rocksdb::FSWritableFileOwnerWrapper(std::move(f)), fs_(fs) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->failing) return fs_->Fail();
      return FSWritableFileOwnerWrapper::Append(data, o, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->failing) return fs_->Fail();
      return FSWritableFileOwnerWrapper::Append(data, o, info, dbg);
    }
    rocksdb::IOStatus Flush(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      if (fs_->failing) return fs_->Fail();
      return FSWritableFileOwnerWrapper::Flush(o, dbg);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      if (fs_->failing) return fs_->Fail();
      return FSWritableFileOwnerWrapper::Sync(o, dbg);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
      if (fs_->failing) return fs_->Fail();
      return FSWritableFileOwnerWrapper::Fsync(o, dbg);
    }

   private:
    FailingFileSystem* fs_;
  };

  rocksdb::IOStatus NewWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override {
    if (failing) return Fail();
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->NewWritableFile(f, o, &file, dbg);
    if (s.ok()) *r = std::make_unique<File>(std::move(file), this);
    return s;
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& f, const rocksdb::FileOptions& o,
                                       std::unique_ptr<rocksdb::FSWritableFile>* r,
                                       rocksdb::IODebugContext* dbg) override {
    if (failing) return Fail();
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = target()->ReopenWritableFile(f, o, &file, dbg);
    if (s.ok()) *r = std::make_unique<File>(std::move(file), this);
    return s;
  }
};

class StoreFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs_ = std::make_shared<FailingFileSystem>(rocksdb::FileSystem::Default());
    env_ = rocksdb::NewCompositeEnv(fs_);
    options_.data_dir = dir_.path().string();
    options_.apply_interval_ms = 20;
    options_.sync_interval_ms = 0;  // every applied batch fsynced: a sync fault is met at once
    options_.min_free_bytes = 0;    // the injected faults, not free space, are under test
  }
  std::unique_ptr<Store> Open(rocksdb::Env* env) {
    auto s = internal::OpenRocksStoreWithEnv(options_, clock_, metrics_, env);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(s).value() : nullptr;
  }
  static PointBatch Batch(const std::string& name, int64_t from, int n) {
    PointBatch b;
    for (int i = 0; i < n; ++i) b.Add(name, from + 60 * i, i + 0.5);
    return b;
  }
  // The count of non-null slots of `name` over the last hour.
  static int Present(Store& store, const std::string& name) {
    auto d = store.Fetch(name, kT0 - 3600, kT0, {});
    if (!d.ok()) return -1;
    int n = 0;
    for (double v : d->values) n += std::isnan(v) ? 0 : 1;
    return n;
  }
  double Counter(const std::string& name) {
    std::string text = metrics_.RenderPrometheus();
    size_t at = text.find("\n" + name + " ");
    return at == std::string::npos ? -1 : std::stod(text.substr(at + name.size() + 2));
  }

  testing::TempDir dir_{"meridian-store-faults"};
  std::shared_ptr<FailingFileSystem> fs_;
  std::unique_ptr<rocksdb::Env> env_;
  StoreOptions options_;
  testing::FakeClock clock_{kT0};
  core::MetricsRegistry metrics_;
};

TEST_F(StoreFaultsTest, FailingWritesPauseIngestAndEverythingAcceptedIsWrittenOnceTheyWork) {
  auto store = Open(env_.get());
  ASSERT_NE(store, nullptr);
  PointBatch a = Batch("faults.a", kT0 - 3000, 20);
  ASSERT_TRUE(store->TryWrite(a));
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_EQ(store->WriteProblem(), "");

  fs_->failing = true;
  PointBatch b = Batch("faults.b", kT0 - 3000, 20);  // accepted before the failure shows
  ASSERT_TRUE(store->TryWrite(b));
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_GT(fs_->failures.load(), 0);
  // The failure paused writes with the reason (for /health) and is counted.
  EXPECT_NE(store->WriteProblem().find("storage write failed"), std::string::npos)
      << store->WriteProblem();
  // The writer retries every apply interval; reads must keep working meanwhile.
  ASSERT_TRUE(
      testing::WaitFor([&] { return Counter("meridian_storage_write_errors_total") >= 5; }, 20s));
  EXPECT_EQ(Counter("meridian_storage_writes_paused"), 1);
  PointBatch c = Batch("faults.c", kT0 - 3000, 20);
  EXPECT_FALSE(store->TryWrite(c));  // refused: the sender keeps it and retries
  EXPECT_EQ(c.size(), 20u);
  // Reads go on, and see what was accepted (it is in memory until it reaches disk).
  EXPECT_EQ(Present(*store, "faults.a"), 20);
  EXPECT_EQ(Present(*store, "faults.b"), 20);

  fs_->failing = false;  // space is back: the writer resumes RocksDB and writes what failed
  ASSERT_TRUE(testing::WaitFor([&] { return store->WriteProblem().empty(); }, 20s))
      << store->WriteProblem();
  EXPECT_EQ(Counter("meridian_storage_writes_paused"), 0);
  ASSERT_TRUE(store->TryWrite(c));
  ASSERT_TRUE(store->Flush().ok());
  ASSERT_TRUE(store->Close().ok());
  store.reset();

  // Reopened without faults: every accepted point is on disk.
  store = Open(nullptr);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Present(*store, "faults.a"), 20);
  EXPECT_EQ(Present(*store, "faults.b"), 20);
  EXPECT_EQ(Present(*store, "faults.c"), 20);
}

// A failing disk at shutdown: Close reports the failure rather than asserting, and a restart
// (with a working disk) still has what was written before the failure.
TEST_F(StoreFaultsTest, ClosingWhileWritesFailReportsItAndKeepsWhatWasWritten) {
  auto store = Open(env_.get());
  ASSERT_NE(store, nullptr);
  PointBatch a = Batch("faults.a", kT0 - 3000, 20);
  ASSERT_TRUE(store->TryWrite(a));
  ASSERT_TRUE(store->Flush().ok());
  fs_->failing = true;
  PointBatch b = Batch("faults.b", kT0 - 3000, 5);
  ASSERT_TRUE(store->TryWrite(b));
  ASSERT_TRUE(store->Flush().ok());
  EXPECT_NE(store->WriteProblem(), "");
  EXPECT_FALSE(store->Close().ok());
  store.reset();
  fs_->failing = false;

  store = Open(nullptr);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(Present(*store, "faults.a"), 20);
}

}  // namespace
}  // namespace meridian::storage
