// A real graphite-web (Debian's 1.1.8, Django's development server) for differential tests: the
// oracle for /render semantics, and a cluster client of Meridian through CLUSTER_SERVERS.
//
// Everything lives in a temp dir: a generated settings module (GRAPHITE_SETTINGS_MODULE on
// PYTHONPATH, nothing under /etc is read), the sqlite database (TagDB = the local database),
// storage/log/index/ceres dirs. WHISPER_DIR is a CarbonCache's whisper dir (or an empty dir of
// its own). Tests wait until carbon has flushed everything to whisper
// (CarbonCache::WaitUntilWritten) before rendering, so results never depend on carbon's cache
// timing, whether or not CARBONLINK_HOSTS points at carbon's (then empty) cache.
// Start() runs `graphite-manage migrate --run-syncdb`, then `graphite-manage runserver --noreload`
// on a free loopback port, and waits until GET /version answers 200.
//
// Thread-safety: not thread-safe; use from the test thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "support/process.h"

namespace meridian::testing {

struct GraphiteWebOptions {
  // Whisper files to serve (e.g. CarbonCache::whisper_dir()). Empty = an empty dir of its own.
  std::filesystem::path whisper_dir;
  // CLUSTER_SERVERS entries, e.g. "127.0.0.1:8080" or
  // "http://127.0.0.1:8080?format=msgpack&local=1" (graphite-web reads `format`, `local` and
  // `noTags` from the query string). Empty = no cluster.
  std::vector<std::string> cluster_servers;
  // CARBONLINK_HOSTS, e.g. {"127.0.0.1:<CarbonCache::cache_query_port()>"}. Empty = none (then
  // every whisper read logs a harmless "Failed CarbonLink query" to exception.log).
  std::vector<std::string> carbonlink_hosts;
  double find_timeout_seconds = 3.0;   // FIND_TIMEOUT
  double fetch_timeout_seconds = 6.0;  // FETCH_TIMEOUT
  // REMOTE_RETRY_DELAY: seconds a failed peer is skipped. 0 (tests): every request retries it.
  double remote_retry_delay_seconds = 0.0;
  // Restores names Python 3.10/3.11 removed (collections.Hashable, inspect.getargspec,
  // inspect.formatargspec) before graphite-web imports them: without them Debian's 1.1.8 cannot
  // decode msgpack cluster answers and /functions fails. No render semantics change.
  bool python311_shims = true;
  // Extra Python lines appended to the settings module (last assignment wins).
  std::string extra_settings;
  std::chrono::milliseconds start_timeout = std::chrono::seconds(60);
};

class GraphiteWeb {
 public:
  // Writes the settings, migrates the database, starts the server and waits for /version.
  // Errors carry the server's log.
  static core::Result<std::unique_ptr<GraphiteWeb>> Start(GraphiteWebOptions options);
  ~GraphiteWeb() = default;

  uint16_t port() const { return port_; }
  // The settings module text, as written (for reports).
  const std::string& settings() const { return settings_; }
  // runserver's stdout+stderr: one line per request received ("GET /render?... HTTP/1.1" 200 n).
  std::string Log() const { return proc_ ? proc_->ReadLog() : std::string(); }
  // graphite-web's exception.log (failed remote finds/fetches are logged here with their URL).
  std::string ExceptionLog() const;

  core::Result<HttpResponse> Get(const std::string& path, const HttpParams& params = {}) const;
  // POST with a form-encoded body (what Grafana sends).
  core::Result<HttpResponse> Post(const std::string& path, const HttpParams& params) const;

  // /render with `params` as given (target, from, until, format, maxDataPoints, ...), GET or
  // POST. Any HTTP status is a successful Result.
  core::Result<HttpResponse> Render(const HttpParams& params, bool post = false) const;
  // GET /metrics/find?query=..&format=treejson, parsed. kInternal on non-200.
  core::Result<nlohmann::json> Find(const std::string& query) const;
  // POST /tags/tagMultiSeries: adds tagged series (`name;k=v;...`) to the TagDB, so that
  // seriesByTag finds them (carbon-cache in tests does not call graphite-web for tags).
  // Returns the canonical paths graphite-web reports.
  core::Result<std::vector<std::string>> TagSeries(const std::vector<std::string>& paths) const;

 private:
  explicit GraphiteWeb(GraphiteWebOptions options) : options_(std::move(options)) {}
  core::Status WriteSettings();
  core::Status Migrate();
  core::Status Launch();
  std::vector<std::string> Env() const;

  GraphiteWebOptions options_;
  TempDir dir_{"graphite-web"};
  uint16_t port_ = 0;
  std::string settings_;
  std::unique_ptr<Subprocess> proc_;
};

// POST http://127.0.0.1:port<path> with `params` as an application/x-www-form-urlencoded body
// (repeated keys kept in order). Transport failure = kUnavailable; any HTTP status is OK.
// (A sibling of HttpGet in support/process.h.)
core::Result<HttpResponse> HttpPostForm(
    uint16_t port, const std::string& path, const HttpParams& params,
    std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace meridian::testing
