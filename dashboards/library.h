// DashboardLibrary: the dashboards of a directory (recursive *.yaml / *.yml, dot-files and
// dot-dirs skipped), plus the built-in self-metrics dashboard, hot-reloaded.
//
// Usage:
//   DashboardLibrary library(options, clock, metrics);
//   std::shared_ptr<const DashboardSet> set = library.Current();   // on every API call
//   library.Reload();                                              // SIGHUP, POST …/reload
//
// Current() looks for changes at most once per second of `clock` (the set of (path, mtime,
// size) of the files) and reloads when it changed; Reload() always rescans. A file that does not
// load (unreadable, too big, invalid) is listed with its errors; the others keep working.
// Past max_files, the first max_files paths in sorted order load and the directory gets an
// error (counted). A missing or unreadable directory is a directory-level error, not a failure.
//
// Thread-safety: every method may be called from any thread at once. Scans are serialised;
// readers are never blocked by one (they keep the previous immutable set until it is swapped).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "dashboards/dashboard.h"

namespace meridian::dashboards {

struct LibraryOptions {
  std::string dir;                  // "" = no dashboard files (only the built-in one)
  size_t max_files = 1000;          // dashboard files loaded; more are an error
  size_t max_file_bytes = 1 << 20;  // a bigger file is listed with an error
};

// One listed dashboard: valid when `errors` is empty.
struct LoadedDashboard {
  Dashboard dashboard;  // uid and file always set; title = the file name when unreadable
  std::vector<DashboardError> errors;
};

// An immutable snapshot of the library.
struct DashboardSet {
  std::string dir;
  int64_t loaded_at = 0;                    // epoch seconds of the scan
  std::vector<LoadedDashboard> dashboards;  // the built-in one first, then by file path
  std::vector<DashboardError> errors;       // directory-level (cannot list, too many files)
  size_t files_skipped = 0;                 // past max_files
  size_t files_too_large = 0;               // past max_file_bytes
  const LoadedDashboard* Find(std::string_view uid) const;  // nullptr when absent
};

// Reads and parses one dashboard file: `path` is read (at most `max_file_bytes`), `file` names it
// in errors and in the result. The uid is left empty; the title falls back to the file name.
LoadedDashboard LoadDashboardFile(const std::string& path, const std::string& file,
                                  size_t max_file_bytes, bool* too_large = nullptr);

// Loads every dashboard file under `dir` (full paths in `files` order when it is not empty):
// the pure part of a scan, shared with `meridian dashboards check` and `export-grafana`.
// `file` fields are relative to `dir`. Does not add the built-in dashboard.
DashboardSet LoadDashboardDir(const std::string& dir, const LibraryOptions& options);

class DashboardLibrary {
 public:
  // `clock` and `metrics` must outlive the library. Scans the directory once.
  DashboardLibrary(LibraryOptions options, const core::Clock& clock,
                   core::MetricsRegistry& metrics);
  DashboardLibrary(const DashboardLibrary&) = delete;
  DashboardLibrary& operator=(const DashboardLibrary&) = delete;

  // The current set, after reloading it if the files changed (checked at most once a second).
  std::shared_ptr<const DashboardSet> Current();
  // Rescans now; returns the new set.
  std::shared_ptr<const DashboardSet> Reload();

 private:
  using Fingerprint = std::vector<std::string>;  // "path\0mtime\0size", sorted
  Fingerprint Scan() const;
  std::shared_ptr<const DashboardSet> Load(Fingerprint fingerprint);

  const LibraryOptions options_;
  const core::Clock& clock_;
  core::Counter& reloads_;
  core::Counter& files_skipped_;
  core::Counter& files_too_large_;
  std::mutex scan_mu_;  // serialises scans
  std::mutex mu_;       // guards the fields below
  std::shared_ptr<const DashboardSet> current_;
  Fingerprint fingerprint_;
  int64_t last_check_micros_ = 0;
};

}  // namespace meridian::dashboards
