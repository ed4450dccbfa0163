// Store: durable, compressed Graphite series with whisper-style rollups and retention.
//
// Data path (DESIGN.md steps 2-5): TryWrite() enqueues a batch; one writer thread resolves names
// to series ids, appends the batch to a write-ahead log record (one RocksDB write per batch) and
// to per-series in-memory heads. Heads seal into compressed blocks, per archive, once their
// block window is older than the seal grace; sealing an archive's window computes the next
// archive's points (whisper aggregation + xFilesFactor). Reads merge blocks and heads and
// compute not-yet-sealed rollups on the fly, so a read never waits for a seal.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/deadline.h"
#include "core/metrics.h"
#include "core/status.h"
#include "storage/schema.h"
#include "storage/types.h"

namespace meridian::storage {

struct StoreOptions {
  std::string data_dir;  // RocksDB lives in <data_dir>/db. Required.
  // storage-schemas + storage-aggregation rules; no rules = carbon's implicit defaults.
  SchemaSet schemas = *SchemaSet::Create({}, {});
  // How often the write-ahead log is fsynced (ms). A process kill (-9) loses nothing that was
  // applied; a power loss loses at most this much; 0 = fsync after every applied batch. Queued
  // points are applied within
  // apply_interval_ms. Default 1000.
  int64_t sync_interval_ms = 1000;
  // The writer applies queued points at least this often (ms). Default 200.
  int64_t apply_interval_ms = 200;
  // Points queued but not yet applied; TryWrite() refuses beyond this (backpressure). Default 250k.
  size_t max_pending_points = 250'000;
  // Slots per block of each archive (rounded up so a block holds whole coarser slots). Default 360.
  uint32_t points_per_block = 360;
  // A block window is sealed (and rolled up) this long after it ends (s). Default 60.
  int64_t seal_grace_seconds = 60;
  // Heads are written out as (partial) blocks and the log truncated this often (s). Default 300.
  int64_t checkpoint_interval_seconds = 300;
  // ... or as soon as heads hold this many points. Default 8M (~130 MB).
  size_t max_head_points = 8'000'000;
  // Find() answers more matches than this with RESOURCE_EXHAUSTED. Default 100k.
  size_t max_find_results = 100'000;
  // ... or matches whose paths hold more bytes than this, checked before they are built (a "**"
  // over one name of thousands of nodes lists thousands of near-copies of it). Default 256 MiB.
  size_t max_find_bytes = size_t{256} << 20;
  // Writes pause (TryWrite refuses: ingest applies backpressure) while the data dir's filesystem
  // has less free space than this, and resume by themselves once it has 10% more; reads go on.
  // Checked every second. 0 = never check. Default 256 MiB.
  uint64_t min_free_bytes = uint64_t{256} << 20;
  // After opening, a background thread reads every SST file once and checks RocksDB's block
  // checksums (reads check them too, but only what they touch): a damaged file is logged,
  // counted and named by HealthProblem() before a query meets it. Default true.
  bool verify_on_start = true;

  core::Status Validate() const;
};

struct FindMatch {
  std::string path;
  bool is_leaf = false;
  bool has_children = false;
};

// One series over a fetch window, on whisper's grid: values[i] is the slot at start + i*step;
// NaN = no data (null).
struct SeriesData {
  std::string name;
  int64_t start = 0;
  int64_t end = 0;
  int64_t step = 0;
  std::vector<double> values;
  // What could not be read (a corrupt block: its slots are null here, not data), one readable
  // line each. Empty normally; readers report it (query::LocalSource → X-Meridian-Partial).
  std::vector<std::string> damaged = {};
};

struct StoreStats {
  uint64_t series = 0;
  uint64_t head_points = 0;
  uint64_t pending_points = 0;
};

struct TagValueCount {
  std::string value;
  size_t count = 0;  // series carrying this value
};

class Store {
 public:
  virtual ~Store() = default;

  // Enqueues the batch (moved out; `batch` is left empty) and returns true, or returns false
  // and leaves `batch` untouched when max_pending_points are already queued: the caller retries
  // later (ingest pauses its reads). Names must already be normalized. Thread-safe.
  virtual bool TryWrite(PointBatch& batch) = 0;
  // Waits until everything enqueued before the call is applied and visible to reads, then seals
  // what is due. Thread-safe.
  virtual core::Status Flush() = 0;

  // Reads take the request's deadline and stop with DEADLINE_EXCEEDED or CANCELLED (see
  // core::Deadline::Check) once it has passed: glob expansion and scans check it as they go.
  // Pass core::Deadline() for an unbounded read.

  // Graphite find over untagged names: matches at the pattern's depth, sorted by path.
  virtual core::Result<std::vector<FindMatch>> Find(std::string_view pattern,
                                                    const core::Deadline& deadline) const = 0;
  // Leaf names matching a glob pattern (tagged names match only literally), sorted.
  virtual core::Result<std::vector<std::string>> ExpandLeaves(
      std::string_view pattern, const core::Deadline& deadline) const = 0;
  // Whisper's fetch for one series: archive choice by now - from, clamping, grid. NOT_FOUND for
  // an unknown name; an empty SeriesData (step 0) when the window holds nothing.
  virtual core::Result<SeriesData> Fetch(std::string_view name, int64_t from, int64_t until,
                                         const core::Deadline& deadline) const = 0;
  // Canonical names of tagged series matching graphite-web tag expressions, sorted.
  virtual core::Result<std::vector<std::string>> FindTagged(
      const std::vector<std::string>& expressions, const core::Deadline& deadline) const = 0;
  // Tag names of tagged series whose start matches regex `filter` (empty = all), sorted, at
  // most `limit` (0 = all). INVALID_ARGUMENT for a bad regex.
  virtual core::Result<std::vector<std::string>> TagNames(std::string_view filter, size_t limit,
                                                          const core::Deadline& deadline) const = 0;
  // Values of a tag with series counts, filtered and limited like TagNames.
  virtual core::Result<std::vector<TagValueCount>> TagValues(
      std::string_view tag, std::string_view filter, size_t limit,
      const core::Deadline& deadline) const = 0;
  // graphite-web's /tags/delSeries: removes tagged series from the tag index, so seriesByTag and
  // the tags API no longer find them (persisted). Their data stays until retention drops it; a new
  // point for such a series registers it again, as carbon re-tags series it writes.
  // Untagged or unknown names are ignored.
  virtual core::Status DeleteTaggedSeries(const std::vector<std::string>& names) = 0;
  // Every untagged leaf name, sorted (for /metrics/index.json).
  virtual core::Result<std::vector<std::string>> AllLeaves(
      const core::Deadline& deadline) const = 0;

  // Application records kept beside the series (the alert engine's states and history): a
  // key-value space of their own, written atomically with the store's WAL durability.
  // Thread-safe.
  virtual core::Status WriteRecords(const std::vector<std::pair<std::string, std::string>>& puts,
                                    const std::vector<std::string>& deletes) = 0;
  // Calls fn(key, value) for records whose key starts with `prefix`, in key order, until fn
  // returns false.
  virtual core::Status ScanRecords(
      std::string_view prefix,
      const std::function<bool(std::string_view, std::string_view)>& fn) const = 0;

  virtual StoreStats Stats() const = 0;
  // "" while writes flow; else why they are paused ("disk free 12 MiB < storage.min_free_bytes
  // (16 MiB)"), for /health.
  virtual std::string WriteProblem() const { return ""; }
  // "" while all is well; else everything /health should say: WriteProblem(), and damaged data
  // files found by the start-up checksum scan (StoreOptions::verify_on_start).
  virtual std::string HealthProblem() const { return WriteProblem(); }
  // Drains the queue, seals and writes every head, truncates the log, syncs. Idempotent.
  virtual core::Status Close() = 0;
};

// Opens (creating if needed) the RocksDB-backed store and replays its log. Starts the writer.
core::Result<std::unique_ptr<Store>> OpenRocksStore(const StoreOptions& options,
                                                    const core::Clock& clock,
                                                    core::MetricsRegistry& metrics);

}  // namespace meridian::storage
