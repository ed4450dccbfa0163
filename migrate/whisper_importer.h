// The whisper importer behind `meridian import-whisper DIR --data-dir D`: every *.wsp file under
// DIR becomes a series of a STOPPED Meridian store (storage/bulk_load.h says why stopped), with
// the file's own archives, aggregation method and xFilesFactor, and every archive's points as
// whisper stores them (no rollup is recomputed: coarse archives keep whisper's values).
//
//   ImportOptions o{.source_dir = "/var/lib/graphite/whisper", .data_dir = "/srv/meridian"};
//   auto summary = ImportWhisper(o, core::RealClock::Get(), {.problem = print, .progress = draw});
//
// Per file (see whisper_file.h, whisper_tree.h): the name comes from the path; the points are
// those whisper's fetch can return, minus those already older than their archive's retention.
//   - Resumable and atomic: a file's series (index entry + blocks) and its marker record
//     (`import/whisper/<absolute path>` -> "<size> <mtime ns> <series>") go into the same
//     RocksDB write batch, so after a crash (kill -9) a file is entirely imported or not at all.
//     A rerun skips files whose marker matches their size and mtime; a file that changed since
//     its import replaces the series it created (all its archives).
//   - A series that already exists and was not imported from this file (live data, another
//     file mapping to the same name): the file fails, nothing is merged.
//   - An unreadable, empty, truncated or impossible file fails with one line through `problem`;
//     the other files are imported.
// Parsing and encoding run on `jobs` threads; one thread stages and commits in batches.
//
// Errors: INVALID_ARGUMENT (options), NOT_FOUND (no source dir), UNAVAILABLE (the store is held
// by a running meridian), others from RocksDB (the import stops; what was committed stays, and a
// rerun resumes). Per-file failures are not errors: they are counted in the summary.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/clock.h"
#include "core/status.h"

namespace meridian::migrate {

struct ImportOptions {
  std::string source_dir;  // whisper root (carbon's LOCAL_DATA_DIR). Required.
  std::string data_dir;    // Meridian data dir (storage.data_dir). Required.
  // storage.points_per_block of the server that will serve the store (fixes block windows).
  uint32_t points_per_block = 360;
  // Threads reading, parsing and encoding files. 0 = std::thread::hardware_concurrency().
  unsigned jobs = 0;
  // A commit (one atomic RocksDB write) happens once this many bytes are staged (default 32 MiB)
  // or this many files (default 1000); kill -9 loses at most the files of one uncommitted batch.
  size_t commit_bytes = size_t{32} << 20;
  size_t commit_files = 1000;
  // Larger files fail (one line) instead of being read into memory. Default 1 GiB.
  uint64_t max_file_bytes = uint64_t{1} << 30;
  // Compact the store at the end (smallest size on disk right away; slower).
  bool compact = false;
  // A file of tagged series names, one per line (LoadTaggedNames), naming carbon's hash-named
  // `_tagged` files (TAG_HASH_FILENAMES, carbon's default). Empty = none.
  std::string tagged_names_file;

  core::Status Validate() const;
};

struct ImportProgress {
  uint64_t files_total = 0;
  uint64_t files_done = 0;  // imported + skipped + failed
  uint64_t points = 0;      // imported so far
  double seconds = 0;       // since the start
};

struct ImportSummary {
  uint64_t files = 0;          // *.wsp files found
  uint64_t imported = 0;       // newly imported (including `replaced`)
  uint64_t replaced = 0;       // re-imported because the file changed since its import
  uint64_t skipped = 0;        // already imported (marker matches)
  uint64_t failed = 0;         // reported through `problem` (files, and unlisted_dirs)
  uint64_t too_large = 0;      // of `failed`: larger than max_file_bytes
  uint64_t unlisted_dirs = 0;  // of `failed`: directories that could not be listed
  uint64_t points = 0;         // points written
  uint64_t dropped = 0;        // points older than their archive's retention (not written)
  double seconds = 0;
};

struct ImportCallbacks {
  // One line per file that fails ("<path>: <why>") or directory that cannot be listed.
  std::function<void(const std::string&)> problem = [](const std::string&) {};
  // Called from the committing thread at most every 200 ms, and once at the end.
  std::function<void(const ImportProgress&)> progress = [](const ImportProgress&) {};
};

core::Result<ImportSummary> ImportWhisper(const ImportOptions& options, const core::Clock& clock,
                                          const ImportCallbacks& callbacks);

// "files 120/10000 (1%), 2.8M points, 5.1M points/s, ETA 0:42" (for the terminal line).
std::string FormatProgress(const ImportProgress& progress);

}  // namespace meridian::migrate
