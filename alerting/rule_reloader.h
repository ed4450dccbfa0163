// RuleReloader: loads the rule files into an AlertEngine and reloads them on request (SIGHUP,
// POST /api/rules/reload) or when the files change. An invalid rule set is rejected with its
// errors and the running one stays.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "alerting/engine.h"
#include "alerting/rule.h"
#include "core/clock.h"
#include "core/metrics.h"

namespace meridian::alerting {

struct ReloadOutcome {
  int64_t time = 0;
  bool ok = false;
  std::vector<std::string> errors;  // RuleError::ToString() lines; empty when ok
  size_t files = 0;
  size_t groups = 0;
  size_t rules = 0;
};

class RuleReloader {
 public:
  // `engine`, `clock` and `metrics` must outlive the reloader.
  RuleReloader(AlertEngine& engine, std::vector<std::string> paths, const core::Clock& clock,
               core::MetricsRegistry& metrics);
  ~RuleReloader();

  // Loads every path; on success replaces the engine's rules. Thread-safe; reloads serialize.
  ReloadOutcome Reload();
  ReloadOutcome last() const;

  // Asks for a reload on the reloader's own thread (never the caller's: HTTP workers stay free)
  // and calls `done` there with its outcome. Requests that arrive while a reload is waiting to
  // start share it (coalesced, counted); one arriving while a reload runs gets the next one,
  // which reads the files again. After Stop(), `done` gets a rejected outcome at once.
  void RequestReload(std::function<void(const ReloadOutcome&)> done);

  // Polls the rule files (names, sizes, modification times) every `interval` and reloads when
  // they changed and then stayed the same for one more interval (a checkout in progress is not
  // loaded half-way). Stop() ends it (also done by the destructor).
  void StartWatching(std::chrono::milliseconds interval);
  void Stop();

 private:
  std::string Fingerprint() const;
  void WatchLoop(std::chrono::milliseconds interval);
  void RequestLoop();

  AlertEngine& engine_;
  const std::vector<std::string> paths_;
  const core::Clock& clock_;
  core::Counter& reloads_ok_;
  core::Counter& reloads_failed_;
  core::Counter& requests_;
  core::Counter& coalesced_;

  std::mutex reload_mu_;  // one reload at a time
  mutable std::mutex mu_;
  ReloadOutcome last_;
  std::string fingerprint_;
  bool stopping_ = false;
  std::condition_variable cv_;
  std::thread watcher_;
  std::vector<std::function<void(const ReloadOutcome&)>> waiting_;
  std::thread requests_thread_;
};

}  // namespace meridian::alerting
