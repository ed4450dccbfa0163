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
  // an existing database without writing anything (every write then fails).
  static core::Result<std::unique_ptr<RocksDb>> Open(const std::string& dir,
                                                     const core::Clock& clock,
                                                     bool read_only = false);
  ~RocksDb();

  core::Status Write(WriteBatch& batch);
  // NOT_FOUND when absent.
  core::Result<std::string> Get(Family f, std::string_view key) const;
  // Calls fn(key, value) for keys in [begin, end) in order until fn returns false.
  core::Status Scan(Family f, std::string_view begin, std::string_view end,
                    const std::function<bool(std::string_view, std::string_view)>& fn) const;
  core::Status SyncWal();
  core::Status FlushAll();
  // Compacts a family's whole key range (reclaims deleted log records).
  core::Status CompactFamily(Family f);
  // Live SST + WAL bytes.
  uint64_t DiskBytes() const;
  // Reads every SST file and checks RocksDB's block checksums (CORRUPTION naming the file).
  core::Status VerifyChecksums() const;

 private:
  struct Impl;
  explicit RocksDb(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace meridian::storage::internal
