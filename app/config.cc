#include "app/config.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <utility>

#include "app/internal/config_parser.h"

namespace meridian::app {

using core::InvalidArgument;
using core::Result;
using core::Status;

const char* const kDefaultConfigYaml =
    R"yaml(# Meridian configuration (this is the embedded default; every key is optional).
# instance: us-east-1          # default: hostname with dots replaced by _ (used in meridian.<instance>.* self-metrics)
data_dir: ./data
graphite: { listen: "0.0.0.0:2003", udp: true, max_line_bytes: 16384, max_connections: 10000,
            max_connections_per_source: 1000, idle_timeout: 10m, udp_receive_buffer_bytes: 16777216,
            pickle: true, pickle_listen: "0.0.0.0:2004", max_pickle_frame_bytes: 1048576 }
http:
  listen: "0.0.0.0:8080"
  max_series_per_request: 100000
  max_points_per_request: 5000000
  max_concurrent_queries: 8    # renders at once; more → 503
  query_timeout: 30s           # every request's time bound; past it → 504
  max_connections: 10000       # open connections; more → 503 (idle ones cost memory, not threads)
  max_header_bytes: 65536
  max_header_fields: 100
  max_url_bytes: 32768
  max_body_bytes: 8388608      # form POSTs (Grafana's render), chunked or not
  header_timeout: 10s          # TLS handshake + request headers
  body_timeout: 30s
  idle_timeout: 60s            # keep-alive
  write_timeout: 30s           # a reader making no progress is closed
  worker_threads: 0            # 0 = one per core
  max_queued_requests: 1024
  max_response_bytes: 268435456  # largest answer body (render, find, expand, tags); more → 422
  memory_budget_bytes: 1073741824  # values all running renders may hold; more → 503 retry
  compress_min_bytes: 1024     # br/gzip for answers this big, when the client accepts it
  stream_min_bytes: 1048576    # longer renders go out chunked as they are written; 0 = never
  shutdown_timeout: 10s        # SIGTERM: in-flight requests are cancelled and given this long
  # tls: { cert_file: /etc/meridian/tls.crt, key_file: /etc/meridian/tls.key, client_ca_file: "" }
  # auth: { tokens_file: /etc/meridian/tokens.yaml, anonymous_read: false }
storage:
  sync_interval: 1s            # how often the WAL is fsynced; kill -9 loses at most this
  max_pending_points: 250000   # backpressure threshold of the write queue
  points_per_block: 360        # slots per sealed block of each archive
  self_metrics_interval: 10s
  schemas:        # carbon storage-schemas semantics: first match wins, unanchored regex
    - { pattern: "^meridian\\.", retentions: "10s:1d,1m:30d" }
    - { pattern: ".*",           retentions: "10s:6h,1m:7d,10m:5y" }
  aggregation:
    - { pattern: "\\.count$", method: sum, xFilesFactor: 0 }
    - { pattern: ".*",        method: average, xFilesFactor: 0.5 }
  # carbon_schemas_file: /etc/carbon/storage-schemas.conf     (alternative to schemas:)
  # carbon_aggregation_file: /etc/carbon/storage-aggregation.conf
# dashboards:                  # README "Dashboards"; the built-in self-metrics one is always there
#   dir: ./dashboards          # *.yaml / *.yml, recursive, hot-reloaded; relative to this file
#   max_files: 1000
#   max_file_bytes: 1048576
#   max_variable_options: 1000
#   max_alert_match_series: 10000
events:                        # graphite-web's events API (/events/); README "Events"
  max_events: 100000           # events kept; the oldest is deleted past it
  retention: 90d               # older events are dropped
  max_event_bytes: 65536       # POST /events/ body; more → 413
# aggregator:                  # carbon-aggregator at ingest; README "Aggregation rules"
#   rules_file: /etc/carbon/aggregation-rules.conf
#   rewrite_rules_file: /etc/carbon/rewrite-rules.conf
#   rules: ["totals.<dc>.requests (60) = sum servers.<dc>.*.requests"]
#   rewrite: { pre: ["^collectd\\. = hosts."], post: [] }
#   forward_all: true          # carbon's FORWARD_ALL: write the inputs too
#   max_intervals: 5           # carbon's MAX_AGGREGATION_INTERVALS
# alerting:                    # README "Alert rules"; off unless rules_dir is set
#   rules_dir: ./rules
#   nagios: { command_file: /var/lib/nagios4/rw/nagios.cmd }
#   nsca: { host: nagios.example.com, port: 5667, password: secret, encryption: xor }
)yaml";

std::vector<storage::SchemaRule> DefaultSchemaRules() {
  return {{"schemas[0]", "^meridian\\.", {{10, 8640}, {60, 43200}}},
          {"schemas[1]", ".*", {{10, 2160}, {60, 10080}, {600, 262800}}}};
}

std::vector<storage::AggregationRule> DefaultAggregationRules() {
  return {{"aggregation[0]", "\\.count$", storage::AggregationMethod::kSum, 0},
          {"aggregation[1]", ".*", storage::AggregationMethod::kAverage, 0.5}};
}

std::string ListenAddress::ToString() const {
  return host.find(':') == std::string::npos ? fmt::format("{}:{}", host, port)
                                             : fmt::format("[{}]:{}", host, port);
}

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  std::string_view host, port;
  if (!text.empty() && text[0] == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return InvalidArgument(fmt::format("'{}' is not [ipv6]:port", text));
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
    bool ok = !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
      return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
    });
    if (!ok) return InvalidArgument(fmt::format("'{}' is not an IPv6 address", host));
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return InvalidArgument(fmt::format("'{}' is not host:port", text));
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return InvalidArgument(fmt::format("'{}': write IPv6 addresses as [addr]:port", text));
    }
    if (host.empty()) {
      return InvalidArgument(fmt::format("'{}': empty host (use 0.0.0.0 or [::])", text));
    }
    bool ok = std::all_of(host.begin(), host.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
    });
    if (!ok) return InvalidArgument(fmt::format("'{}' is not a host name or address", host));
  }
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || value > 65535) {
    return InvalidArgument(fmt::format("'{}': port must be a number in 0..65535", text));
  }
  return ListenAddress{std::string(host), static_cast<uint16_t>(value)};
}

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  std::string_view unit = text.substr(digits);
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + digits, n);
  if (digits == 0 || ec != std::errc() || n > 1'000'000'000) {
    return InvalidArgument(fmt::format("'{}' is not a duration like 500ms, 10s, 1min, 1h", text));
  }
  static constexpr std::pair<std::string_view, int64_t> kUnits[] = {
      {"ms", 1}, {"s", 1000}, {"m", 60000}, {"min", 60000}, {"h", 3600000}, {"d", 86400000}};
  for (auto [name, ms] : kUnits) {
    if (unit == name) return std::chrono::milliseconds(n * ms);
  }
  return InvalidArgument(
      fmt::format("'{}': {} (units: ms, s, m/min, h, d)", text,
                  unit.empty() ? "a unit is required" : fmt::format("unknown unit '{}'", unit)));
}

std::string DefaultInstanceName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0') return "localhost";
  std::string name(buf);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  }
  return name;
}

Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::IoError(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  std::string text(max_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return core::IoError(fmt::format("cannot read {}", path));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > max_bytes) {
    return InvalidArgument(fmt::format("{} is larger than {} bytes", path, max_bytes));
  }
  return text;
}

Result<Config> ParseConfig(std::string_view yaml_text, std::string_view source_name) {
  Config config;
  config.source_name = std::string(source_name);
  RETURN_IF_ERROR(internal::ParseConfigYaml(yaml_text, source_name, config));
  if (config.instance.empty()) config.instance = DefaultInstanceName();
  return config;
}

Result<Config> LoadConfigFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadSmallFile(path));
  ASSIGN_OR_RETURN(Config config, ParseConfig(text, path));
  config.config_dir = std::filesystem::path(path).parent_path().string();
  return config;
}

Status ApplyOverrides(Config& config, const Overrides& overrides) {
  if (overrides.data_dir) {
    if (overrides.data_dir->empty()) return InvalidArgument("--data-dir: must not be empty");
    config.data_dir = *overrides.data_dir;
  }
  if (overrides.graphite_listen) {
    auto addr = ParseListenAddress(*overrides.graphite_listen);
    if (!addr.ok()) return InvalidArgument("--graphite-listen: " + addr.status().message());
    config.graphite.listen = *addr;
  }
  if (overrides.pickle_listen) {
    if (*overrides.pickle_listen == "off") {
      config.graphite.pickle = false;
    } else {
      auto addr = ParseListenAddress(*overrides.pickle_listen);
      if (!addr.ok()) {
        return InvalidArgument("--pickle-listen: " + addr.status().message() + " (or \"off\")");
      }
      config.graphite.pickle = true;
      config.graphite.pickle_listen = *addr;
    }
  }
  if (overrides.http_listen) {
    auto addr = ParseListenAddress(*overrides.http_listen);
    if (!addr.ok()) return InvalidArgument("--http-listen: " + addr.status().message());
    config.http.listen = *addr;
  }
  return Status::Ok();
}

namespace {

std::string ResolvePath(const Config& config, const std::string& path) {
  std::filesystem::path p(path);
  if (p.is_absolute() || config.config_dir.empty()) return path;
  return (std::filesystem::path(config.config_dir) / p).string();
}

}  // namespace

std::string DashboardsDir(const Config& config) {
  return config.dashboards.dir.empty() ? "" : ResolvePath(config, config.dashboards.dir);
}

Result<storage::SchemaSet> BuildSchemas(const Config& config, const FileReader& read) {
  std::vector<storage::SchemaRule> schemas = config.storage.schemas;
  std::vector<storage::AggregationRule> aggregation = config.storage.aggregation;
  if (!config.storage.carbon_schemas_file.empty()) {
    std::string path = ResolvePath(config, config.storage.carbon_schemas_file);
    ASSIGN_OR_RETURN(std::string text, read(path));
    auto rules = storage::ParseCarbonSchemasFile(text);
    if (!rules.ok()) {
      return InvalidArgument(
          fmt::format("storage.carbon_schemas_file: {}: {}", path, rules.status().message()));
    }
    schemas = std::move(rules).value();
  }
  if (!config.storage.carbon_aggregation_file.empty()) {
    std::string path = ResolvePath(config, config.storage.carbon_aggregation_file);
    ASSIGN_OR_RETURN(std::string text, read(path));
    auto rules = storage::ParseCarbonAggregationFile(text);
    if (!rules.ok()) {
      return InvalidArgument(
          fmt::format("storage.carbon_aggregation_file: {}: {}", path, rules.status().message()));
    }
    aggregation = std::move(rules).value();
  }
  auto set = storage::SchemaSet::Create(std::move(schemas), std::move(aggregation));
  if (!set.ok()) {
    return InvalidArgument(
        fmt::format("{}: storage: {}", config.source_name, set.status().message()));
  }
  return set;
}

Result<query::federation::PeerConfig> ResolvePeer(const FederationPeerConfig& p) {
  query::federation::PeerConfig pc = p.peer;
  if (p.token_file.empty()) return pc;
  auto text = ReadSmallFile(p.token_file, 64 << 10);
  if (!text.ok()) {
    return InvalidArgument(
        fmt::format("federation.peers[{}].token_file: {}", pc.name, text.status().message()));
  }
  std::string token = std::move(text).value();
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) {
    token.pop_back();
  }
  if (token.empty() || token.find_first_of(" \t\r\n") != std::string::npos) {
    return InvalidArgument(
        fmt::format("federation.peers[{}].token_file {}: expected one token on one line", pc.name,
                    p.token_file));
  }
  pc.token = std::move(token);
  return pc;
}

Result<std::shared_ptr<const aggregation::RuleSet>> BuildAggregatorRules(const Config& config,
                                                                         const FileReader& read) {
  const AggregatorConfig& a = config.aggregator;
  std::vector<aggregation::AggregationRule> rules;
  aggregation::RewriteRules rewrites;
  if (!a.rules_file.empty()) {
    const std::string path = ResolvePath(config, a.rules_file);
    auto text = read(path);
    if (!text.ok()) {
      return InvalidArgument(fmt::format("aggregator.rules_file: {}", text.status().message()));
    }
    auto parsed = aggregation::ParseAggregationRules(*text, path, a.max_rules);
    if (!parsed.ok()) {
      return InvalidArgument(fmt::format("aggregator.rules_file: {}", parsed.status().message()));
    }
    rules = std::move(parsed).value();
  }
  for (const ConfigLine& line : a.rules) {
    if (rules.size() >= a.max_rules) {
      return InvalidArgument(fmt::format("{}: aggregator.rules: more than {} rules (max_rules)",
                                         line.source, a.max_rules));
    }
    ASSIGN_OR_RETURN(auto rule, aggregation::ParseAggregationRule(line.text, line.source));
    rules.push_back(std::move(rule));
  }
  if (!a.rewrite_rules_file.empty()) {
    const std::string path = ResolvePath(config, a.rewrite_rules_file);
    auto text = read(path);
    if (!text.ok()) {
      return InvalidArgument(
          fmt::format("aggregator.rewrite_rules_file: {}", text.status().message()));
    }
    auto parsed = aggregation::ParseRewriteRules(*text, path, a.max_rules);
    if (!parsed.ok()) {
      return InvalidArgument(
          fmt::format("aggregator.rewrite_rules_file: {}", parsed.status().message()));
    }
    rewrites = std::move(parsed).value();
  }
  for (auto [lines, out] :
       {std::pair{&a.rewrite_pre, &rewrites.pre}, std::pair{&a.rewrite_post, &rewrites.post}}) {
    for (const ConfigLine& line : *lines) {
      ASSIGN_OR_RETURN(aggregation::RewriteRule rule,
                       aggregation::ParseRewriteRule(line.text, line.source));
      out->push_back(std::move(rule));
    }
  }
  if (rewrites.pre.size() + rewrites.post.size() > a.max_rules) {
    return InvalidArgument(
        fmt::format("aggregator: more than {} rewrite rules (max_rules)", a.max_rules));
  }
  return aggregation::RuleSet::Build(rules, rewrites);
}

Result<std::shared_ptr<const aggregation::RuleSet>> BuildAggregatorRules(const Config& config) {
  return BuildAggregatorRules(
      config, [](const std::string& path) { return ReadSmallFile(path, size_t{16} << 20); });
}

Result<storage::SchemaSet> BuildSchemas(const Config& config) {
  return BuildSchemas(config, [](const std::string& path) { return ReadSmallFile(path); });
}

}  // namespace meridian::app
