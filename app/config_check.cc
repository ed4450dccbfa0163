#include "app/config_check.h"

#include <fmt/format.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string_view>

#include "alerting/rule.h"
#include "app/internal/component_options.h"
#include "app/internal/yaml_key_lines.h"
#include "app/tokens_file.h"
#include "dashboards/library.h"
#include "http/server.h"

namespace meridian::app {
namespace {

namespace fs = std::filesystem;

// Collects errors, prefixing each key's problem with where the key is written.
class Checker {
 public:
  Checker(ConfigCheckReport& report, std::string yaml_text)
      : report_(report), yaml_text_(std::move(yaml_text)) {}

  // "<source>:<line>: <key>: <what>"; the key is not repeated when `what` already names a key of
  // the same section (the loaders' messages do: "http.tls.cert_file /x.pem: …").
  void KeyError(std::string_view key, std::string_view what) {
    const int line = yaml_text_.empty() ? 0 : internal::FindKeyLine(yaml_text_, key);
    const std::string_view section = key.substr(0, key.find_first_of(".["));
    const bool named = what.starts_with(section) && what.size() > section.size() &&
                       (what[section.size()] == '.' || what[section.size()] == '[');
    const std::string where =
        line > 0 ? fmt::format("{}:{}", report_.source, line) : report_.source;
    report_.errors.push_back(named ? fmt::format("{}: {}", where, what)
                                   : fmt::format("{}: {}: {}", where, key, what));
  }
  void KeyError(std::string_view key, const core::Status& st) { KeyError(key, st.message()); }
  // An error that already names its own file and line (rule, dashboard files).
  void FileError(std::string text) { report_.errors.push_back(std::move(text)); }
  void Fact(std::string text) { report_.facts.push_back(std::move(text)); }

 private:
  ConfigCheckReport& report_;
  std::string yaml_text_;
};

// data_dir: an existing directory this user can write, or a path whose nearest existing ancestor
// is a directory it can write (the store creates the rest).
void CheckDataDir(const std::string& data_dir, Checker& c) {
  std::error_code ec;
  const fs::path dir = fs::absolute(data_dir, ec).lexically_normal();
  if (ec) return c.KeyError("data_dir", fmt::format("{}: {}", data_dir, ec.message()));
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec)) {
      return c.KeyError("data_dir", fmt::format("{} exists and is not a directory", data_dir));
    }
    if (access(dir.c_str(), R_OK | W_OK | X_OK) != 0) {
      return c.KeyError("data_dir", fmt::format("{} is not writable by uid {}: {}", data_dir,
                                                getuid(), std::strerror(errno)));
    }
    return c.Fact(fmt::format("data_dir {}: exists, writable", data_dir));
  }
  fs::path ancestor = dir.parent_path();
  while (!ancestor.empty() && !fs::exists(ancestor, ec) && ancestor != ancestor.root_path()) {
    ancestor = ancestor.parent_path();
  }
  if (!fs::is_directory(ancestor, ec)) {
    return c.KeyError("data_dir", fmt::format("{} cannot be created: {} is not a directory",
                                              data_dir, ancestor.string()));
  }
  if (access(ancestor.c_str(), W_OK | X_OK) != 0) {
    return c.KeyError(
        "data_dir", fmt::format("{} cannot be created: {} is not writable by uid {}: {}", data_dir,
                                ancestor.string(), getuid(), std::strerror(errno)));
  }
  c.Fact(fmt::format("data_dir {}: will be created (in {})", data_dir, ancestor.string()));
}

// The host resolves as a passive (listening) TCP address; nothing is bound.
void CheckListen(std::string_view key, const ListenAddress& address, Checker& c) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(address.port);
  const int rc = getaddrinfo(address.host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0) {
    c.KeyError(key, fmt::format("{}: cannot resolve {}: {}", address.ToString(), address.host,
                                gai_strerror(rc)));
    return;
  }
  freeaddrinfo(found);
  c.Fact(fmt::format("{} {}", key, address.ToString()));
}

void CheckReadable(std::string_view key, const std::string& path, Checker& c) {
  if (path.empty()) return;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    c.KeyError(key, fmt::format("cannot read {}: {}", path, std::strerror(errno)));
    return;
  }
  std::fclose(f);
}

void CheckHttp(const HttpConfig& hc, Checker& c) {
  const http::ServerOptions so = internal::HttpServerOptions(hc);
  if (auto st = so.Validate(); !st.ok()) c.KeyError("http", st);
  if (so.tls.enabled()) {
    if (auto st = http::CheckTlsFiles(so.tls); !st.ok()) {
      c.KeyError("http.tls", st);
    } else {
      c.Fact(fmt::format("http.tls: {} and {} loaded", hc.tls.cert_file, hc.tls.key_file));
    }
  }
  if (!hc.auth.tokens_file.empty()) {
    auto tokens = LoadTokensFile(hc.auth.tokens_file);
    if (!tokens.ok()) {
      c.KeyError("http.auth.tokens_file", tokens.status());
    } else {
      c.Fact(
          fmt::format("http.auth.tokens_file {}: {} tokens", hc.auth.tokens_file, tokens->size()));
    }
  }
}

void CheckFederation(const FederationConfig& fc, Checker& c) {
  for (size_t i = 0; i < fc.peers.size(); ++i) {
    const std::string key = fmt::format("federation.peers[{}]", i);
    auto peer = ResolvePeer(fc.peers[i]);
    if (!peer.ok()) {
      c.KeyError(key + ".token_file", peer.status());
      continue;
    }
    if (auto st = peer->Validate(); !st.ok()) {
      c.KeyError(key, st);
      continue;
    }
    CheckReadable(key + ".tls.ca_file", peer->ca_file, c);
    CheckReadable(key + ".tls.cert_file", peer->cert_file, c);
    CheckReadable(key + ".tls.key_file", peer->key_file, c);
  }
  if (!fc.peers.empty()) c.Fact(fmt::format("federation: {} peers", fc.peers.size()));
}

void CheckAlerting(const AlertingConfig& ac, Checker& c) {
  if (ac.rules_dir.empty()) return;
  if (auto st = internal::AlertEngineOptions(ac).Validate(); !st.ok()) c.KeyError("alerting", st);
  if (!ac.nagios.command_file.empty()) {
    if (auto st = internal::NagiosSinkOptions(ac.nagios).Validate(); !st.ok()) {
      c.KeyError("alerting.nagios", st);
    }
  }
  if (!ac.nsca.host.empty()) {
    if (auto st = internal::NscaSinkOptions(ac.nsca).Validate(); !st.ok()) {
      c.KeyError("alerting.nsca", st);
    }
  }
  const std::vector<std::string> paths{ac.rules_dir};
  const alerting::LoadedRules loaded = alerting::LoadRules(paths);
  for (const alerting::RuleError& e : loaded.errors) c.FileError(e.ToString());
  if (loaded.errors.empty()) {
    size_t rules = 0;
    for (const alerting::RuleGroup& g : loaded.rules.groups) rules += g.rules.size();
    c.Fact(fmt::format("alerting.rules_dir {}: {} files, {} groups, {} rules", ac.rules_dir,
                       loaded.files, loaded.rules.groups.size(), rules));
  }
}

void CheckDashboards(const Config& config, Checker& c) {
  const std::string dir = DashboardsDir(config);
  if (dir.empty()) return;
  dashboards::LibraryOptions lo;
  lo.dir = dir;
  lo.max_files = config.dashboards.max_files;
  lo.max_file_bytes = config.dashboards.max_file_bytes;
  const dashboards::DashboardSet set = dashboards::LoadDashboardDir(dir, lo);
  size_t errors = 0;
  for (const dashboards::DashboardError& e : set.errors) {
    c.KeyError("dashboards.dir", e.ToString());
    ++errors;
  }
  for (const dashboards::LoadedDashboard& d : set.dashboards) {
    for (dashboards::DashboardError e : d.errors) {
      e.file = (fs::path(dir) / e.file).string();
      c.FileError(e.ToString());
      ++errors;
    }
  }
  if (errors == 0) {
    c.Fact(fmt::format("dashboards.dir {}: {} files", dir, set.dashboards.size()));
  }
}

}  // namespace

ConfigCheckReport CheckConfig(const std::string& config_path, const Overrides& overrides) {
  ConfigCheckReport report;
  report.source = config_path.empty() ? "<default config>" : config_path;
  std::string text = kDefaultConfigYaml;
  if (!config_path.empty()) {
    auto read = ReadSmallFile(config_path);
    if (!read.ok()) {
      report.errors.push_back(read.status().message());
      return report;
    }
    text = std::move(read).value();
  }
  auto parsed = ParseConfig(text, report.source);
  if (!parsed.ok()) {
    report.errors.push_back(parsed.status().message());
    return report;
  }
  Config config = std::move(parsed).value();
  if (!config_path.empty()) config.config_dir = fs::path(config_path).parent_path().string();
  Checker c(report, config_path.empty() ? "" : text);
  if (auto st = ApplyOverrides(config, overrides); !st.ok()) c.FileError(st.message());
  if (auto schemas = BuildSchemas(config); !schemas.ok()) {
    // Inline rules: the message names the config file; carbon files: it names the key and file.
    const std::string& m = schemas.status().message();
    if (m.starts_with(report.source)) {
      c.FileError(m);
    } else {
      c.KeyError("storage", m);
    }
  }
  CheckDataDir(config.data_dir, c);
  CheckListen("graphite.listen", config.graphite.listen, c);
  if (config.graphite.pickle)
    CheckListen("graphite.pickle_listen", config.graphite.pickle_listen, c);
  CheckListen("http.listen", config.http.listen, c);
  CheckHttp(config.http, c);
  CheckFederation(config.federation, c);
  CheckAlerting(config.alerting, c);
  CheckDashboards(config, c);
  if (auto rules = BuildAggregatorRules(config); !rules.ok()) {
    c.KeyError("aggregator", rules.status());
  }
  return report;
}

int PrintConfigCheck(const ConfigCheckReport& report) {
  if (report.ok()) {
    for (const std::string& fact : report.facts) fmt::print(stdout, "  {}\n", fact);
    fmt::print(stdout, "{}: OK\n", report.source);
    return 0;
  }
  for (const std::string& error : report.errors) fmt::print(stderr, "{}\n", error);
  fmt::print(stderr, "{}: {} error{}\n", report.source, report.errors.size(),
             report.errors.size() == 1 ? "" : "s");
  return 1;
}

}  // namespace meridian::app
