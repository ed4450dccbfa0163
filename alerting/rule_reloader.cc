#include "alerting/rule_reloader.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace meridian::alerting {
namespace {

namespace fs = std::filesystem;

bool IsRuleFile(const fs::path& p) {
  const std::string ext = p.extension().string();
  return (ext == ".yaml" || ext == ".yml") && !p.filename().string().starts_with(".");
}

// "path size mtime" of one file, or of every rule file below a directory.
void AddFingerprint(const fs::path& root, std::vector<std::string>& out) {
  std::error_code ec;
  auto add = [&](const fs::path& p) {
    std::error_code e;
    const auto size = fs::file_size(p, e);
    const auto mtime = fs::last_write_time(p, e).time_since_epoch().count();
    out.push_back(fmt::format("{} {} {}", p.string(), e ? 0 : size, e ? 0 : mtime));
  };
  if (!fs::is_directory(root, ec)) {
    add(root);
    return;
  }
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().filename().string().starts_with(".")) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(ec) && IsRuleFile(it->path())) add(it->path());
  }
}

}  // namespace

RuleReloader::RuleReloader(AlertEngine& engine, std::vector<std::string> paths,
                           const core::Clock& clock, core::MetricsRegistry& metrics)
    : engine_(engine),
      paths_(std::move(paths)),
      clock_(clock),
      reloads_ok_(metrics.GetCounter("alert_rule_reloads_total", "Rule reloads by result.",
                                     {{"result", "ok"}})),
      reloads_failed_(metrics.GetCounter("alert_rule_reloads_total", "Rule reloads by result.",
                                         {{"result", "rejected"}})),
      requests_(metrics.GetCounter("alert_rule_reload_requests_total",
                                   "Reloads asked for through the API (POST /api/rules/reload).")),
      coalesced_(metrics.GetCounter("alert_rule_reload_requests_coalesced_total",
                                    "API reload requests answered by a reload another request "
                                    "started.")) {}

RuleReloader::~RuleReloader() { Stop(); }

std::string RuleReloader::Fingerprint() const {
  std::vector<std::string> parts;
  for (const std::string& p : paths_) AddFingerprint(p, parts);
  std::sort(parts.begin(), parts.end());
  std::string out;
  for (const std::string& p : parts) out += p + "\n";
  return out;
}

ReloadOutcome RuleReloader::Reload() {
  std::lock_guard reload_lock(reload_mu_);
  // The fingerprint is taken before reading so that a change during the load triggers another.
  std::string fingerprint = Fingerprint();
  LoadedRules loaded = LoadRules(paths_);
  ReloadOutcome outcome;
  outcome.time = clock_.NowSeconds();
  outcome.files = loaded.files;
  outcome.ok = loaded.errors.empty();
  for (const RuleError& e : loaded.errors) outcome.errors.push_back(e.ToString());
  if (outcome.ok) {
    outcome.groups = loaded.rules.groups.size();
    for (const RuleGroup& g : loaded.rules.groups) outcome.rules += g.rules.size();
    engine_.SetRules(std::make_shared<const RuleSet>(std::move(loaded.rules)));
    reloads_ok_.Add();
  } else {
    reloads_failed_.Add();
    fmt::print(stderr, "meridian: alert rules rejected ({} errors); the running rules stay:\n",
               outcome.errors.size());
    for (const std::string& e : outcome.errors) fmt::print(stderr, "  {}\n", e);
  }
  std::lock_guard lock(mu_);
  fingerprint_ = std::move(fingerprint);
  last_ = outcome;
  return outcome;
}

ReloadOutcome RuleReloader::last() const {
  std::lock_guard lock(mu_);
  return last_;
}

void RuleReloader::StartWatching(std::chrono::milliseconds interval) {
  std::lock_guard lock(mu_);
  if (watcher_.joinable()) return;
  stopping_ = false;
  watcher_ = std::thread([this, interval] { WatchLoop(interval); });
}

void RuleReloader::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
  if (requests_thread_.joinable()) requests_thread_.join();
}

void RuleReloader::RequestReload(std::function<void(const ReloadOutcome&)> done) {
  requests_.Add();
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      waiting_.push_back(std::move(done));
      if (!requests_thread_.joinable()) requests_thread_ = std::thread([this] { RequestLoop(); });
      cv_.notify_all();
      return;
    }
  }
  ReloadOutcome stopped;
  stopped.time = clock_.NowSeconds();
  stopped.errors.push_back("meridian is stopping: rules not reloaded");
  done(stopped);
}

void RuleReloader::RequestLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
    if (waiting_.empty()) return;
    // Everyone waiting now is answered by one reload that starts after they asked.
    auto batch = std::move(waiting_);
    waiting_.clear();
    lock.unlock();
    if (batch.size() > 1) coalesced_.Add(batch.size() - 1);
    const ReloadOutcome outcome = Reload();
    for (auto& done : batch) done(outcome);
    batch.clear();
    lock.lock();
  }
}

void RuleReloader::WatchLoop(std::chrono::milliseconds interval) {
  // A change is applied once the files have looked the same for one whole interval, so that a
  // `git pull` caught half-way does not load an incomplete (but valid) rule set.
  std::string settling;
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, interval, [this] { return stopping_; })) {
    const std::string known = fingerprint_;
    lock.unlock();
    std::string now = Fingerprint();
    if (now == known) {
      settling.clear();
    } else if (now != settling) {
      settling = std::move(now);
    } else {
      settling.clear();
      const ReloadOutcome outcome = Reload();
      if (outcome.ok) {
        fmt::print(stderr,
                   "meridian: alert rules reloaded after a file change: {} groups, {} rules\n",
                   outcome.groups, outcome.rules);
      }
    }
    lock.lock();
  }
}

}  // namespace meridian::alerting
