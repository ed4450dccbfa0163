// RocksStore: the Store implementation (see storage/store.h for the data path).
//
// Threads: one writer thread owns every mutation (catalog, heads, RocksDB writes); readers
// (HTTP threads) take shared locks. Lock order: catalog_mu_ before heads_mu_.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/metrics.h"
#include "storage/internal/layout.h"
#include "storage/internal/log_record.h"
#include "storage/internal/name_tree.h"
#include "storage/internal/rocks_db.h"
#include "storage/internal/series_map.h"
#include "storage/internal/tag_index.h"
#include "storage/store.h"

namespace meridian::storage::internal {

// In-memory state of one archive of one series that is not yet in sealed blocks.
struct ArchiveHead {
  std::vector<HeadPoint> points;  // arrival order
  std::vector<int64_t> pending;   // block windows holding data that is not final-sealed yet
};

struct SeriesHead {
  std::vector<ArchiveHead> archives;
  bool Empty() const;
};

class RocksStore final : public Store {
 public:
  RocksStore(const StoreOptions& options, const core::Clock& clock, core::MetricsRegistry& metrics,
             std::unique_ptr<RocksDb> db);
  ~RocksStore() override;

  core::Status Start();
  // Serve reads only: the database was opened read-only because the disk was full at start-up.
  // No writer runs; TryWrite refuses and WriteProblem() says `why`. REQUIRES: before Start().
  void SetReadOnly(std::string why);  // loads the catalog, replays the log, starts the writer

  bool TryWrite(PointBatch& batch) override;
  core::Status Flush() override;
  core::Result<std::vector<FindMatch>> Find(std::string_view pattern,
                                            const core::Deadline& deadline) const override;
  core::Result<std::vector<std::string>> ExpandLeaves(
      std::string_view pattern, const core::Deadline& deadline) const override;
  core::Result<SeriesData> Fetch(std::string_view name, int64_t from, int64_t until,
                                 const core::Deadline& deadline) const override;
  core::Result<std::vector<std::string>> FindTagged(const std::vector<std::string>& expressions,
                                                    const core::Deadline& deadline) const override;
  core::Result<std::vector<std::string>> TagNames(std::string_view filter, size_t limit,
                                                  const core::Deadline& deadline) const override;
  core::Result<std::vector<TagValueCount>> TagValues(std::string_view tag, std::string_view filter,
                                                     size_t limit,
                                                     const core::Deadline& deadline) const override;
  core::Status DeleteTaggedSeries(const std::vector<std::string>& names) override;
  core::Result<std::vector<std::string>> AllLeaves(const core::Deadline& deadline) const override;
  core::Status WriteRecords(const std::vector<std::pair<std::string, std::string>>& puts,
                            const std::vector<std::string>& deletes) override;
  core::Status ScanRecords(
      std::string_view prefix,
      const std::function<bool(std::string_view, std::string_view)>& fn) const override;
  StoreStats Stats() const override;
  std::string WriteProblem() const override;
  std::string HealthProblem() const override;
  core::Status Close() override;

 private:
  struct Counters {
    core::Counter* points_written;
    core::Counter* points_too_old;
    core::Counter* series_created;
    core::Counter* blocks_sealed;
    core::Counter* blocks_written;
    core::Counter* checkpoints;
    core::Counter* write_errors;
    core::Counter* batches_refused;
    core::Counter* batches_refused_disk;
    core::Counter* corrupt_reads;
    core::Counter* write_pauses;
    core::Counter* files_verified;
    core::Gauge* bad_files;
    core::Gauge* disk_free;
    core::Gauge* writes_paused;
    core::Gauge* queue_points;
    core::Gauge* head_points;
  };

  // Catalog (rocks_store.cc).
  core::Status LoadCatalog();
  uint32_t LayoutIndex(const SchemaLayout& layout);
  uint64_t ResolveOrCreate(std::string_view name, uint64_t hash, WriteBatch& wb,
                           std::vector<uint64_t>* created);
  void IndexName(uint64_t id, std::string_view name);
  core::Status LoadTagDeletions();
  core::Status ApplyTagDeletions(const std::vector<std::string>& names);
  void RetagIfDeleted(uint64_t id, WriteBatch& wb);

  // Write path (rocks_store.cc).
  void WriterLoop();
  // Pauses or resumes writes from the free space of the data dir (writer thread, once a second).
  void CheckDiskSpace(int64_t now);
  // A RocksDB write on the writer thread: a failure pauses writes (ingest waits) until
  // RetryFailedWrites() finds RocksDB writable again. Returns the write's status.
  core::Status WriteOrPause(WriteBatch& wb, std::string_view what);
  void NoteWriteFailure(const core::Status& st, std::string_view what, int64_t now);
  // While a write is failing: resumes RocksDB and writes the log records that failed, in order;
  // clears the pause once all are written (writer thread, every loop).
  void RetryFailedWrites(int64_t now);
  // writes_paused_ and the reason from the disk-space and write-failure states (writer thread).
  void UpdatePause();
  void ApplyBatches(std::span<const PointBatch> batches, int64_t now);
  void AddToHead(const LogPoint& p, int64_t now);
  core::Status ReplayLog();

  // Sealing (rocks_store_seal.cc).
  void Sweep(int64_t now, bool everything);
  core::Status SealWindow(uint64_t id, size_t archive, int64_t window, bool final, WriteBatch& wb,
                          std::vector<HeadPoint>* rollup);
  core::Status Checkpoint(int64_t now);
  core::Status LoadPending();

  // Read path (rocks_store_read.cc).
  // Fills `grid` from blocks and heads. A block that does not decode (or data RocksDB reports
  // corrupt) is skipped — its slots stay null — counted, logged and described in `damaged`.
  core::Status ReadArchive(uint64_t id, std::string_view name, const SchemaLayout& layout,
                           const SeriesHead* head, size_t archive, int64_t from, int64_t until,
                           const core::Deadline& deadline, std::vector<double>* grid,
                           std::vector<std::string>* damaged) const;
  void ReportDamage(std::string_view name, std::string what,
                    std::vector<std::string>* damaged) const;
  // The start-up checksum scan (StoreOptions::verify_on_start; its own thread, stopped by
  // Close): every live SST file read once; damaged ones logged, counted, kept for /health.
  void VerifyFiles();

  const StoreOptions options_;
  // Write guard: set by the writer thread, read by TryWrite and /health. Paused while the disk is
  // low (disk_low_) or a RocksDB write is failing (write_failing_).
  std::atomic<bool> writes_paused_{false};
  bool disk_low_ = false;             // writer thread
  std::string disk_reason_;           // writer thread
  bool write_failing_ = false;        // writer thread
  std::string write_reason_;          // writer thread
  int64_t last_write_error_log_ = 0;  // writer thread
  // Log records whose write failed, retried in order before anything else is written: their
  // points are already in the heads (visible to reads), and reach disk once RocksDB resumes.
  std::deque<WriteBatch> unwritten_;
  bool read_only_ = false;  // set before Start(): no writer thread
  mutable std::mutex pause_mu_;
  std::string pause_reason_;                           // under pause_mu_
  int64_t last_space_check_ = 0;                       // writer thread
  int64_t last_pause_log_ = 0;                         // writer thread
  mutable std::atomic<int64_t> damage_log_minute_{0};  // damage lines: at most 20 a minute
  mutable std::atomic<int> damage_logged_{0};
  const core::Clock& clock_;
  std::unique_ptr<RocksDb> db_;
  Counters counters_;

  // Catalog: written only by the writer thread, under catalog_mu_ exclusively.
  mutable std::shared_mutex catalog_mu_;
  SeriesMap series_map_;                 // name -> id (ids are dense)
  NameTree name_tree_;                   // untagged names
  TagIndex tag_index_;                   // tagged names
  std::vector<uint32_t> series_layout_;  // id -> index in layouts_
  std::deque<SchemaLayout> layouts_;     // stable addresses: readers keep pointers
  std::vector<bool> tag_deleted_;        // by id: removed from the tag index by DeleteTaggedSeries

  // Heads: written only by the writer thread, under heads_mu_ exclusively.
  mutable std::shared_mutex heads_mu_;
  std::vector<std::unique_ptr<SeriesHead>> heads_;  // by id; null when nothing is pending
  std::vector<uint64_t> active_;                    // ids with a head
  std::vector<uint64_t> dirty_pending_;             // ids whose pending windows changed
  size_t head_points_ = 0;

  // Queue between TryWrite and the writer.
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::condition_variable applied_cv_;
  std::deque<PointBatch> queue_;
  std::deque<std::function<void()>> tasks_;  // run on the writer thread after queued batches
  size_t queued_points_ = 0;
  uint64_t enqueued_batches_ = 0;
  uint64_t applied_batches_ = 0;
  uint64_t flush_requests_ = 0;
  uint64_t flushes_done_ = 0;
  bool stop_ = false;
  bool closed_ = false;

  // Writer-thread state.
  uint64_t log_seq_ = 0;
  uint64_t log_bytes_since_checkpoint_ = 0;
  int64_t last_sweep_ = 0;
  int64_t last_sync_us_ = 0;
  int64_t last_checkpoint_ = 0;
  std::thread writer_;

  std::thread verifier_;
  std::atomic<bool> verifier_stop_{false};
  mutable std::mutex bad_files_mu_;
  std::vector<std::string> bad_files_;  // under bad_files_mu_: "000012.sst (blocks): why"
};

// OpenRocksStore with RocksDB's I/O going through `env` (null = the default): tests inject
// write failures here.
core::Result<std::unique_ptr<Store>> OpenRocksStoreWithEnv(const StoreOptions& options,
                                                           const core::Clock& clock,
                                                           core::MetricsRegistry& metrics,
                                                           rocksdb::Env* env);

}  // namespace meridian::storage::internal
