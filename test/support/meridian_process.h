// Runs the real `meridian serve` binary for integration tests: a temp data dir, free loopback
// ports (Graphite TCP+UDP, Graphite pickle and HTTP), an optional YAML config; readiness = GET
// /health is 200. The data dir survives Stop()/Kill()/Restart() and is removed with the object.
//
// Thread-safety: not thread-safe; use from the test thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "support/process.h"

namespace meridian::testing {

struct MeridianOptions {
  std::string binary;  // Path of the meridian executable (tests pass MERIDIAN_BINARY).
  // YAML written to <dir>/meridian.yaml and passed as --config; empty = no --config.
  std::string config_yaml;
  std::vector<std::string> extra_args;  // Appended after the serve flags.
  std::chrono::milliseconds start_timeout = std::chrono::seconds(30);
  // HTTPS only (http.tls): readiness is the start-up log line, not GET /health.
  bool tls = false;
  std::vector<std::string> env = {};  // "NAME=value" added to (or replacing) the environment.
};

class MeridianProcess {
 public:
  // Starts the server and waits for /health. The error carries the server log on failure.
  static core::Result<std::unique_ptr<MeridianProcess>> Start(MeridianOptions options);
  ~MeridianProcess() = default;

  uint16_t graphite_port() const { return graphite_port_; }
  uint16_t pickle_port() const { return pickle_port_; }  // carbon's pickle receiver (TCP)
  uint16_t http_port() const { return http_port_; }
  std::filesystem::path data_dir() const { return dir_.path() / "data"; }
  pid_t pid() const { return proc_ ? proc_->pid() : -1; }
  std::string Log() const { return proc_ ? proc_->ReadLog() : std::string(); }

  // SIGTERM and wait: OK only if the server exits 0 within `deadline`.
  core::Status Stop(std::chrono::milliseconds deadline = std::chrono::seconds(30));
  // SIGKILL (a crash): nothing gets a chance to flush.
  void Kill();
  // Starts again on the same data dir and ports (after Stop or Kill) and waits for /health.
  core::Status Restart();

  // Rewrites the config file and sends SIGHUP: the server re-reads it (federation.peers change
  // live). Returns once the signal is sent; callers wait for the effect they need.
  core::Status Reconfigure(const std::string& config_yaml);

  core::Status SendTcp(std::string_view lines) const;
  core::Status SendUdp(std::string_view lines) const;
  core::Result<HttpResponse> Get(const std::string& path, const HttpParams& params = {}) const;

  // GET /render?target=..&from=..&until=..&format=json, parsed. `from`/`until` are passed as
  // given (epoch seconds or graphite-web relative times); empty `until` is omitted.
  // Errors: kUnavailable (transport), kInternal (non-200, body in message), kCorruption (bad JSON).
  core::Result<nlohmann::json> Render(const std::string& target, const std::string& from,
                                      const std::string& until = "") const;
  // GET /metrics/find?query=..&format=treejson, parsed; same errors as Render.
  core::Result<nlohmann::json> Find(const std::string& query) const;

 private:
  explicit MeridianProcess(MeridianOptions options) : options_(std::move(options)) {}
  core::Status Launch();

  MeridianOptions options_;
  TempDir dir_{"meridian-server"};
  uint16_t graphite_port_ = 0;
  uint16_t pickle_port_ = 0;
  uint16_t http_port_ = 0;
  int launches_ = 0;
  std::unique_ptr<Subprocess> proc_;
};

// Parses a graphite-web JSON body: kCorruption with a snippet of the body if it is not JSON.
core::Result<nlohmann::json> ParseJsonBody(const HttpResponse& response, std::string_view what);

}  // namespace meridian::testing
