// A real carbon-cache (Debian's graphite-carbon) in a temp dir, plus a reader of its whisper
// files through Debian's python3-whisper: the oracle for storage semantics.
//
// Everything lives under the temp dir (carbon.conf, storage-schemas.conf,
// storage-aggregation.conf, whisper files, pid, logs); /etc/carbon is never read because
// --config points at our own carbon.conf (carbon takes CONF_DIR from its directory). The line
// receiver, pickle receiver and cache-query ports are free loopback ports; rate limits are off
// (MAX_CREATES_PER_MINUTE = MAX_UPDATES_PER_SECOND = inf), tags and self-metrics are off.
//
// Thread-safety: not thread-safe; use from the test thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "support/process.h"

namespace meridian::testing {

struct CarbonCacheOptions {
  std::string storage_schemas;       // storage-schemas.conf text. REQUIRED.
  std::string storage_aggregation;   // storage-aggregation.conf text; empty = carbon defaults.
  std::string extra_cache_settings;  // Extra "KEY = value" lines for the [cache] section.
  std::chrono::milliseconds start_timeout = std::chrono::seconds(30);
};

// One whisper fetch: the grid (from, until] by step, as whisper.fetch returns it.
struct WhisperSeries {
  int64_t from = 0;   // Timestamp of values[0].
  int64_t until = 0;  // Exclusive end.
  int64_t step = 0;
  std::vector<std::optional<double>> values;
};

// (from, until) epoch seconds.
using TimeWindow = std::pair<int64_t, int64_t>;
// metric -> one entry per window; nullopt if the metric has no whisper file or whisper returned
// None (range entirely outside the retention).
using WhisperFetches = std::map<std::string, std::vector<std::optional<WhisperSeries>>>;

class CarbonCache {
 public:
  static core::Result<std::unique_ptr<CarbonCache>> Start(CarbonCacheOptions options);
  ~CarbonCache();

  uint16_t line_port() const { return line_port_; }
  uint16_t cache_query_port() const { return cache_query_port_; }
  std::filesystem::path whisper_dir() const { return dir_.path() / "storage" / "whisper"; }
  std::string Log() const { return proc_->ReadLog(); }

  // Waits until carbon has read `connections` plaintext connections to their clean close, has
  // nothing for `metrics` left in its cache, and its writer has gone quiet, i.e. every point
  // received is in the whisper files. kDeadlineExceeded otherwise.
  core::Status WaitUntilWritten(const std::vector<std::string>& metrics, int connections,
                                std::chrono::milliseconds deadline);

  // whisper.fetch(path, from, until) for every metric and window, in one python process, with
  // whisper's own clock as "now" (it picks the archive by now - from).
  core::Result<WhisperFetches> Fetch(const std::vector<std::string>& metrics,
                                     const std::vector<TimeWindow>& windows) const;

  // SIGTERM and wait; returns the exit code.
  int Stop();

 private:
  explicit CarbonCache(CarbonCacheOptions options) : options_(std::move(options)) {}
  core::Status Launch();
  core::Result<int64_t> CachedPointCount(const std::vector<std::string>& metrics) const;

  CarbonCacheOptions options_;
  TempDir dir_{"carbon-cache"};
  uint16_t line_port_ = 0;
  uint16_t pickle_port_ = 0;
  uint16_t cache_query_port_ = 0;
  std::unique_ptr<Subprocess> proc_;
};

// Debian's python with python3-whisper and carbon (not whatever python3 is first on PATH).
inline constexpr char kSystemPython[] = "/usr/bin/python3";

}  // namespace meridian::testing
