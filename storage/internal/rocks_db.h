// The RocksDB database behind RocksStore: column families, options, key layout and the
// retention compaction filter. The only file (with rocks_db.cc) that includes RocksDB headers.
//
// Column families:
//   index   BE64 series id                          -> varint len, schema layout, name
//   blocks  BE64 id | u8 archive | BE32 block start  -> BE32 expiry time, encoded block
//   log     BE64 sequence                            -> LogRecord (replayed at open)
//   meta    "p" BE64 id -> pending windows; "log_floor" etc.
// Expired blocks are dropped by compaction (the expiry is the block's end + the archive's
// retention), never by scans.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace meridian::storage::internal {

enum class Family { kIndex = 0, kBlocks = 1, kLog = 2, kMeta = 3 };

std::string BlockKey(uint64_t id, uint8_t archive, int64_t block_start);
std::string LogKey(uint64_t seq);
std::string IdKey(uint64_t id);

// A group of writes applied atomically with one WAL append.
class WriteBatch {
 public:
  WriteBatch();
  ~WriteBatch();
  WriteBatch(WriteBatch&&) noexcept;
  WriteBatch& operator=(WriteBatch&&) noexcept;
  void Put(Family f, std::string_view key, std::string_view value);
  void Delete(Family f, std::string_view key);
  void DeleteRange(Family f, std::string_view begin, std::string_view end);
  size_t Count() const;
  size_t ByteSize() const;

 private:
  friend class RocksDb;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class RocksDb {
 public:
  // Opens or creates <dir>. `clock` drives the retention compaction filter. `read_only`: opens
  // an existing database without writing anything (every write then fails). `env`: the
  // environment RocksDB does its I/O through (null = the default; tests inject faults here).
  static core::Result<std::unique_ptr<RocksDb>> Open(const std::string& dir,
                                                     const core::Clock& clock,
                                                     bool read_only = false,
                                                     rocksdb::Env* env = nullptr);
  ~RocksDb();

  core::Status Write(WriteBatch& batch);
  // NOT_FOUND when absent.
  core::Result<std::string> Get(Family f, std::string_view key) const;
  // Calls fn(key, value) for keys in [begin, end) in order until fn returns false.
  core::Status Scan(Family f, std::string_view begin, std::string_view end,
                    const std::function<bool(std::string_view, std::string_view)>& fn) const;
  core::Status SyncWal();
  // After a failed write RocksDB refuses every write (a background error): resumes it, or where
  // RocksDB cannot resume (a failed WAL write) closes and reopens the database. OK when writes
  // may go on (also when there was no error), else why not yet. Thread-safe: readers wait.
  core::Status Recover();
  core::Status FlushAll();
  // Compacts a family's whole key range (reclaims deleted log records).
  core::Status CompactFamily(Family f);
  // Live SST + WAL bytes.
  uint64_t DiskBytes() const;
  // Reads every SST file and checks RocksDB's block checksums (CORRUPTION naming the file).
  core::Status VerifyChecksums() const;
  // A scan that survives damage: where RocksDB reports data unreadable (a checksum mismatch, a
  // block that does not decompress) it calls lost(last_good_key, resumed_at_key, why) — "" for
  // "from the start" and "to the end" — and goes on from the first key past the damaged block
  // it can find (a binary search over seek targets), so only the damaged block's keys are lost.
  // Other errors end the scan.
  core::Status SalvageScan(
      Family f, const std::function<void(std::string_view, std::string_view)>& fn,
      const std::function<void(std::string_view, std::string_view, const std::string&)>& lost)
      const;
  struct LiveFile {
    std::string path;    // full path of the SST file
    std::string family;  // "index", "blocks", "log", "meta" (or "default")
    uint64_t bytes = 0;
  };
  std::vector<LiveFile> LiveFiles() const;
  // Reads one SST file and checks its block checksums: CORRUPTION naming what failed; NOT_FOUND
  // when a compaction removed the file meanwhile.
  core::Status VerifyFile(const std::string& path) const;

 private:
  struct Impl;
  explicit RocksDb(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace meridian::storage::internal
