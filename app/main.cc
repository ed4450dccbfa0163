// meridian: the command line. `meridian serve` runs the service; see README.md.
#include <fmt/format.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "alerting/commands.h"
#include "app/config.h"
#include "app/config_check.h"
#include "app/rules_test_command.h"
#include "app/server.h"
#include "core/clock.h"
#include "dashboards/commands.h"
#include "migrate/whisper_importer.h"
#include "storage/verify.h"

#ifdef MERIDIAN_WITH_JEMALLOC
// jemalloc's options, read at its start: a background thread returns freed pages to the system
// (decay of a few seconds), so the memory of a burst of large answers comes back after it instead
// of staying as glibc's per-thread arenas keep it. MALLOC_CONF in the environment still applies
// on top (e.g. MALLOC_CONF=stats_print:true).
extern "C" {
// NOLINTNEXTLINE: the name is jemalloc's.
const char* malloc_conf = "background_thread:true,dirty_decay_ms:5000,muzzy_decay_ms:5000";
}
#endif

namespace {

constexpr const char* kUsage = R"(usage: meridian <command> [options]

commands:
  serve [--config FILE] [--data-dir DIR] [--graphite-listen HOST:PORT] [--http-listen HOST:PORT]
        [--pickle-listen HOST:PORT|off] [--check-config]
        Run Meridian. Without --config it uses the embedded default configuration
        (data in ./data, Graphite plaintext on :2003 TCP+UDP, pickle on :2004, HTTP on :8080).
        SIGHUP reloads the aggregation rules, dashboard files, alert rules, tokens and
        federation.peers; SIGINT/SIGTERM stop (draining connections, syncing the store).
        --check-config: validate the config and every file it names (rules, dashboards,
        tokens, TLS, data_dir), without opening the store or binding ports; print OK or every
        error with file:line (exit 0 valid, 1 errors, 2 usage).
  rules check PATH...   Validate alert rule files/directories (exit 1 on any error).
  rules test [--config FILE] TEST_FILE...
        Run alert rule unit tests (storage schemas from --config, else the defaults).
  dashboards check PATH...   Validate dashboard files/directories (exit 1 on any error).
  dashboards export-grafana DIR --out OUT [--datasource-name NAME] [--datasource-url URL]
        Write Grafana dashboard JSON and provisioning files for the dashboard files in DIR.
  export-nagios --rules DIR [--url URL]
        Print Nagios host/service definitions for the passive checks the rules produce.
  check --url URL --target EXPR -w RANGE -c RANGE [--window 5min] [--reduce avg]
        [--label NAME] [-t|--timeout 10s]
        A Nagios plugin: evaluates a target on a running Meridian (exit 0-3).
  verify [--config FILE] [--data-dir DIR]
        Check a stopped store: RocksDB's checksums and every block of every series
        (exit 0 clean, 1 problems found, 2 cannot check).
  repair [--config FILE] [--data-dir DIR]
        The same, deleting the blocks that do not decode (exit 0 when it leaves the store
        clean, 1 when file-level corruption remains).
  import-whisper DIR [--data-dir DIR | --config FILE] [--jobs N] [--progress]
        [--tagged-names FILE] [--max-file-bytes N] [--commit-files N] [--compact]
        Import every whisper file under DIR (carbon's LOCAL_DATA_DIR) into a STOPPED store:
        each file's own archives, aggregation and xFilesFactor; resumable (a rerun skips what
        is done). --tagged-names: graphite-web's tagged series names, one per line, naming
        carbon's hash-named _tagged files. Exit 0 all imported, 1 some files failed (one line
        each), 2 cannot import.
  default-config   Print the embedded default configuration.
  version          Print the version.
)";

int Serve(const std::vector<std::string>& args) {
  using meridian::app::Config;
  std::string config_path;
  meridian::app::Overrides overrides;
  bool check_only = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--check-config") {
      check_only = true;
      continue;
    }
    auto value = [&](const char* flag) -> const std::string* {
      if (i + 1 >= args.size()) {
        fmt::print(stderr, "meridian serve: {} needs a value\n", flag);
        return nullptr;
      }
      return &args[++i];
    };
    const std::string* v = nullptr;
    if (a == "--config") {
      if (!(v = value("--config"))) return 2;
      config_path = *v;
    } else if (a == "--data-dir") {
      if (!(v = value("--data-dir"))) return 2;
      overrides.data_dir = *v;
    } else if (a == "--pickle-listen") {
      if (!(v = value("--pickle-listen"))) return 2;
      overrides.pickle_listen = *v;
    } else if (a == "--graphite-listen") {
      if (!(v = value("--graphite-listen"))) return 2;
      overrides.graphite_listen = *v;
    } else if (a == "--http-listen") {
      if (!(v = value("--http-listen"))) return 2;
      overrides.http_listen = *v;
    } else {
      fmt::print(stderr, "meridian serve: unknown option '{}'\n{}", a, kUsage);
      return 2;
    }
  }
  if (check_only) {
    return meridian::app::PrintConfigCheck(meridian::app::CheckConfig(config_path, overrides));
  }
  auto config = config_path.empty() ? meridian::app::ParseConfig(meridian::app::kDefaultConfigYaml,
                                                                 "<default config>")
                                    : meridian::app::LoadConfigFile(config_path);
  if (!config.ok()) {
    fmt::print(stderr, "meridian: {}\n", config.status().message());
    return 1;
  }
  if (auto st = meridian::app::ApplyOverrides(*config, overrides); !st.ok()) {
    fmt::print(stderr, "meridian: {}\n", st.message());
    return 1;
  }
  // Block the stop signals in every thread; the main thread waits for them with sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  // Thousands of HTTP and Graphite connections need descriptors: take the hard limit.
  if (rlimit lim{}; getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }

  auto server = meridian::app::Server::Start(*config, meridian::core::RealClock::Get());
  if (!server.ok()) {
    fmt::print(stderr, "meridian: cannot start: {}\n", server.status().ToString());
    return 1;
  }
  fmt::print(
      stderr,
      "meridian: instance {} serving Graphite on {} (port {}), HTTP on {} (port {}), data in {}\n",
      config->instance, config->graphite.listen.ToString(), (*server)->graphite_port(),
      config->http.listen.ToString(), (*server)->http_port(), config->data_dir);
  if ((*server)->pickle_port() != 0) {
    fmt::print(stderr, "meridian: Graphite pickle on {} (port {})\n",
               config->graphite.pickle_listen.ToString(), (*server)->pickle_port());
  }
  int sig = 0;
  // SIGHUP reloads aggregation rules, dashboards, alert rules, tokens and federation peers (the
  // config file is re-read); SIGINT/SIGTERM stop.
  while (sigwait(&signals, &sig) == 0 && sig == SIGHUP) {
    fmt::print(stderr, "meridian: SIGHUP: reloading{}\n",
               config_path.empty() ? "" : " (re-reading " + config_path + ")");
    if (config_path.empty()) {
      (*server)->Reload();
      continue;
    }
    auto fresh = meridian::app::LoadConfigFile(config_path);
    meridian::core::Status st =
        fresh.ok() ? meridian::app::ApplyOverrides(*fresh, overrides) : fresh.status();
    if (!st.ok()) {
      fmt::print(stderr, "meridian: {} not reloaded (the running config stays): {}\n", config_path,
                 st.message());
      (*server)->Reload();
    } else {
      (*server)->Reload(&*fresh);
    }
  }
  fmt::print(stderr, "meridian: {} received, draining and syncing\n", strsignal(sig));
  const meridian::core::Status st = (*server)->Shutdown();
  if (!st.ok()) fmt::print(stderr, "meridian: shutdown: {}\n", st.ToString());
  if ((*server)->requests_abandoned()) {
    // Requests that ignored their cancellation still run on detached threads: everything is
    // flushed, so leave without running destructors under them.
    std::fflush(stderr);
    std::_Exit(st.ok() ? 0 : 1);
  }
  if (!st.ok()) return 1;
  fmt::print(stderr, "meridian: stopped cleanly\n");
  return 0;
}

// meridian verify|repair: the data dir from --data-dir, else --config's data_dir, else ./data.
int VerifyCommand(const std::vector<std::string>& args, bool repair) {
  const char* what = repair ? "repair" : "verify";
  std::string config_path, data_dir;
  for (size_t i = 0; i < args.size(); ++i) {
    const bool has_value = i + 1 < args.size();
    if (args[i] == "--config" && has_value) {
      config_path = args[++i];
    } else if (args[i] == "--data-dir" && has_value) {
      data_dir = args[++i];
    } else {
      fmt::print(stderr, "meridian {}: unexpected argument '{}'\n{}", what, args[i], kUsage);
      return 2;
    }
  }
  if (data_dir.empty()) {
    auto config = config_path.empty()
                      ? meridian::app::ParseConfig(meridian::app::kDefaultConfigYaml, "<default>")
                      : meridian::app::LoadConfigFile(config_path);
    if (!config.ok()) {
      fmt::print(stderr, "meridian {}: {}\n", what, config.status().message());
      return 2;
    }
    data_dir = config->data_dir;
  }
  meridian::storage::VerifyOptions o;
  o.data_dir = data_dir;
  o.repair = repair;
  auto report =
      meridian::storage::VerifyStore(o, meridian::core::RealClock::Get(),
                                     [](const std::string& line) { fmt::print("{}\n", line); });
  if (!report.ok()) {
    fmt::print(stderr, "meridian {}: {}\n", what, report.status().message());
    return 2;
  }
  fmt::print(
      "{}: {} series, {} blocks, {} that do not decode{}; {} unreadable ranges; RocksDB "
      "checksums: {}\n",
      data_dir, report->series, report->blocks, report->bad_blocks,
      repair ? fmt::format(" ({} deleted)", report->deleted_blocks) : "", report->unreadable_ranges,
      report->checksum_error.empty() ? "ok" : "FAILED");
  if (report->rebuilt) {
    fmt::print(
        "rebuilt the store from {} readable records; the damaged store is kept at {} (delete it "
        "once the data is checked)\n",
        report->salvaged_records, report->damaged_copy);
  }
  if (!repair) {
    return report->bad_blocks == 0 && report->unreadable_ranges == 0 &&
                   report->checksum_error.empty()
               ? 0
               : 1;
  }
  return report->clean() ? 0 : 1;
}

bool ParseCount(const std::string& text, uint64_t min, uint64_t* out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size() && *out >= min;
}

// meridian import-whisper DIR: data dir and points_per_block from --data-dir / --config (the
// embedded default config otherwise), so the blocks match the server that will serve them.
int ImportWhisperCommand(const std::vector<std::string>& args) {
  std::string config_path, data_dir;
  meridian::migrate::ImportOptions o;
  bool progress = isatty(STDERR_FILENO) != 0;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    uint64_t n = 0;
    if (a == "--config" && has_value) {
      config_path = args[++i];
    } else if (a == "--data-dir" && has_value) {
      data_dir = args[++i];
    } else if (a == "--jobs" && has_value && ParseCount(args[++i], 1, &n) && n <= 256) {
      o.jobs = static_cast<unsigned>(n);
    } else if (a == "--max-file-bytes" && has_value && ParseCount(args[++i], 1, &n)) {
      o.max_file_bytes = n;
    } else if (a == "--commit-files" && has_value && ParseCount(args[++i], 1, &n)) {
      o.commit_files = n;
    } else if (a == "--tagged-names" && has_value) {
      o.tagged_names_file = args[++i];
    } else if (a == "--progress") {
      progress = true;
    } else if (a == "--compact") {
      o.compact = true;
    } else if (!a.starts_with("-") && o.source_dir.empty()) {
      o.source_dir = a;
    } else {
      fmt::print(stderr, "meridian import-whisper: bad argument '{}'\n{}", a, kUsage);
      return 2;
    }
  }
  if (o.source_dir.empty()) {
    fmt::print(stderr, "meridian import-whisper: no whisper directory given\n{}", kUsage);
    return 2;
  }
  auto config = config_path.empty()
                    ? meridian::app::ParseConfig(meridian::app::kDefaultConfigYaml, "<default>")
                    : meridian::app::LoadConfigFile(config_path);
  if (!config.ok()) {
    fmt::print(stderr, "meridian import-whisper: {}\n", config.status().message());
    return 2;
  }
  o.data_dir = data_dir.empty() ? config->data_dir : data_dir;
  o.points_per_block = static_cast<uint32_t>(config->storage.points_per_block);
  meridian::migrate::ImportCallbacks callbacks;
  bool line_shown = false;
  callbacks.problem = [&](const std::string& line) {
    fmt::print(stderr, "{}meridian import-whisper: {}\n", line_shown ? "\r\033[K" : "", line);
    line_shown = false;
  };
  // On a terminal one line redrawn in place; forced (--progress) elsewhere, one line each time.
  const bool terminal = isatty(STDERR_FILENO) != 0;
  if (progress) {
    callbacks.progress = [&](const meridian::migrate::ImportProgress& p) {
      fmt::print(stderr, "{}import-whisper: {}{}", terminal ? "\r\033[K" : "",
                 meridian::migrate::FormatProgress(p), terminal ? "" : "\n");
      std::fflush(stderr);
      line_shown = terminal;
    };
  }
  auto summary = meridian::migrate::ImportWhisper(o, meridian::core::RealClock::Get(), callbacks);
  if (line_shown) fmt::print(stderr, "\n");
  if (!summary.ok()) {
    fmt::print(stderr, "meridian import-whisper: {}\n", summary.status().message());
    return 2;
  }
  const auto& s = *summary;
  fmt::print(
      "import-whisper: {} files: {} imported ({} replaced after a change), {} skipped (already "
      "imported), {} failed{}; {} points ({} older than retention dropped) in {:.1f} s, {:.0f} "
      "points/s; data in {}\n",
      s.files, s.imported, s.replaced, s.skipped, s.failed,
      s.too_large || s.unlisted_dirs
          ? fmt::format(" ({} over --max-file-bytes, {} directories not listable)", s.too_large,
                        s.unlisted_dirs)
          : "",
      s.points, s.dropped, s.seconds,
      s.seconds > 0 ? static_cast<double>(s.points) / s.seconds : 0.0, o.data_dir);
  return s.failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    fmt::print(args.empty() ? stderr : stdout, "{}", kUsage);
    return args.empty() ? 2 : 0;
  }
  const std::string command = args[0];
  args.erase(args.begin());
  if (command == "serve") return Serve(args);
  if (command == "rules") {
    const std::string sub = args.empty() ? "" : args[0];
    const std::span<const std::string> rest(args.data() + (args.empty() ? 0 : 1),
                                            args.size() - (args.empty() ? 0 : 1));
    if (sub == "check") return meridian::alerting::RulesCheckCommand(rest);
    if (sub == "test") return meridian::app::RulesTestCommand(rest);
    fmt::print(stderr, "meridian rules: expected 'check' or 'test'\n{}", kUsage);
    return 2;
  }
  if (command == "dashboards") {
    const std::string sub = args.empty() ? "" : args[0];
    const std::span<const std::string> rest(args.data() + (args.empty() ? 0 : 1),
                                            args.size() - (args.empty() ? 0 : 1));
    if (sub == "check") return meridian::dashboards::DashboardsCheckCommand(rest);
    if (sub == "export-grafana") return meridian::dashboards::ExportGrafanaCommand(rest);
    fmt::print(stderr, "meridian dashboards: expected 'check' or 'export-grafana'\n{}", kUsage);
    return 2;
  }
  if (command == "export-nagios") return meridian::alerting::ExportNagiosCommand(args);
  if (command == "check") return meridian::alerting::CheckCommand(args);
  if (command == "verify" || command == "repair") return VerifyCommand(args, command == "repair");
  if (command == "import-whisper") return ImportWhisperCommand(args);
  if (command == "default-config") {
    fmt::print("{}", meridian::app::kDefaultConfigYaml);
    return 0;
  }
  if (command == "version") {
    fmt::print("meridian {}\n", meridian::app::kMeridianVersion);
    return 0;
  }
  fmt::print(stderr, "meridian: unknown command '{}'\n{}", command, kUsage);
  return 2;
}
