// Bulk loading of whole series into a STOPPED store, for importers (`meridian import-whisper`).
//
// A series arrives complete: its own schema (archives, aggregation method, xFilesFactor — kept
// with the series exactly as a series created by ingest keeps the schema it was created with)
// and the points of EVERY archive. Each archive's points are written directly as sealed blocks
// of that archive: nothing is rolled up (the coarse archives hold the source's own values), and
// the series has no head, log or pending window, so a later `meridian serve` reads the blocks
// exactly as written.
//
//   auto loader = BulkLoader::Open({.data_dir = "/srv/meridian"}, clock);   // takes the lock
//   ASSIGN_OR_RETURN(EncodedSeries s, EncodeSeries(series, loader->points_per_block(), now));
//   RETURN_IF_ERROR(loader->Stage(s, SeriesConflict::kRefuse, {{"import/x", "marker"}}));
//   RETURN_IF_ERROR(loader->Commit());     // every staged series + record in ONE atomic write
//   RETURN_IF_ERROR(loader->Close());      // flush; the store is ready for `meridian serve`
//
// Why a stopped store: the running writer owns the catalog (ids, name tree, tag index) in
// memory and seals heads into the same block keys; bulk writes beside it would race both.
// RocksDB's lock file makes Open() fail (UNAVAILABLE) while a server holds the store.
//
// Atomicity: Commit() writes everything staged since the last Commit() — index entries,
// blocks, block deletions of replaced series, application records — as one RocksDB write
// batch. A crash (kill -9) leaves each commit entirely present or entirely absent.
//
// Thread safety: EncodeSeries() is a pure function (call it from any thread). GetRecord() may be
// called concurrently with itself and with Stage()/Commit() (RocksDB reads are thread-safe; a
// record is visible once its commit returned). Stage/Commit/Close: one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "storage/schema.h"

namespace meridian::storage {

struct BulkSeries {
  // Normalized series name (tagged names in canonical form: core::NormalizeSeriesName).
  std::string name;
  // Validated with ValidateArchives (finest first); carried with the series.
  SeriesSchema schema;
  // points[a]: archive a's points as (timestamp aligned to its step, value), any order; a
  // timestamp appearing twice keeps the later entry. NaN values are gaps (not stored).
  std::vector<std::vector<std::pair<int64_t, double>>> points;
};

// A series turned into the bytes Commit() writes (everything but its id).
struct EncodedSeries {
  struct Block {
    uint8_t archive = 0;
    int64_t start = 0;  // block window start
    std::string value;  // expiry + encoded block, as the store keeps it
  };
  std::string name;
  std::string layout;  // the persisted schema layout
  std::vector<Block> blocks;
  uint64_t points = 0;   // points stored
  uint64_t dropped = 0;  // points older than their archive's retention at `now` (not stored)
};

// Encodes `series` into sealed blocks of `points_per_block` slots (the store's
// storage.points_per_block: it fixes the block windows, so it must be the value the server will
// run with). Points of archive a older than now - retention(a) are dropped: whisper's fetch never
// returns them and the store's retention would expire them. INVALID_ARGUMENT for a schema
// ValidateArchives refuses, a points vector of another size than the archives, a timestamp that
// is not aligned to its archive's step or outside [0, 2^32).
core::Result<EncodedSeries> EncodeSeries(const BulkSeries& series, uint32_t points_per_block,
                                         int64_t now);

struct BulkLoaderOptions {
  std::string data_dir;             // the store's data dir (RocksDB in <data_dir>/db); required
  uint32_t points_per_block = 360;  // storage.points_per_block of the server that will serve it
};

// What Stage() does when the series name already exists in the store.
enum class SeriesConflict {
  kRefuse,   // ALREADY_EXISTS: nothing staged (never merge silently)
  kReplace,  // the existing series' blocks are deleted and its layout replaced
};

class BulkLoader {
 public:
  // Opens (creating if needed) the store. UNAVAILABLE when another process (a running meridian)
  // holds it; CORRUPTION when its index does not load.
  static core::Result<std::unique_ptr<BulkLoader>> Open(const BulkLoaderOptions& options,
                                                        const core::Clock& clock);
  virtual ~BulkLoader() = default;

  virtual uint32_t points_per_block() const = 0;
  // Series known (committed or staged).
  virtual uint64_t series() const = 0;
  virtual bool HasSeries(std::string_view name) const = 0;
  // An application record (Store::ScanRecords space), or nullopt.
  virtual core::Result<std::optional<std::string>> GetRecord(std::string_view key) const = 0;

  // Adds the series and `records` (application records, Store::WriteRecords keys) to the
  // pending commit. ALREADY_EXISTS under kRefuse when the name exists (nothing staged).
  virtual core::Status Stage(const EncodedSeries& series, SeriesConflict conflict,
                             const std::vector<std::pair<std::string, std::string>>& records) = 0;
  // Bytes staged and not yet committed (to size commits).
  virtual size_t staged_bytes() const = 0;
  // Writes everything staged as one atomic write. On error nothing of it is visible and the
  // loader must not be used further.
  virtual core::Status Commit() = 0;
  // Commits what is staged, writes the memtables out and syncs: everything is on disk.
  virtual core::Status Flush() = 0;
  // Compacts the block and index families (reclaims space; optional).
  virtual core::Status Compact() = 0;
  // Flush(), then no further use. Idempotent.
  virtual core::Status Close() = 0;
};

}  // namespace meridian::storage
