#include "app/config.h"

#include <fmt/format.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <utility>

namespace meridian::app {

using core::InvalidArgument;
using core::Result;
using core::Status;

const char* const kDefaultConfigYaml =
    R"yaml(# Meridian configuration (this is the embedded default; every key is optional).
# instance: us-east-1          # default: hostname with dots replaced by _ (used in meridian.<instance>.* self-metrics)
data_dir: ./data
graphite: { listen: "0.0.0.0:2003", udp: true, max_line_bytes: 16384, max_connections: 10000 }
http: { listen: "0.0.0.0:8080" }
storage:
  sync_interval: 1s            # how often the WAL is fsynced; kill -9 loses at most this
  max_pending_points: 250000    # backpressure threshold of the write queue
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
      {"ms", 1}, {"s", 1000}, {"m", 60000}, {"min", 60000}, {"h", 3600000}};
  for (auto [name, ms] : kUnits) {
    if (unit == name) return std::chrono::milliseconds(n * ms);
  }
  return InvalidArgument(
      fmt::format("'{}': {} (units: ms, s, m/min, h)", text,
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

namespace {

// Walks the YAML tree; every error carries "<source>:<line>: <key.path>: ".
class ConfigParser {
 public:
  explicit ConfigParser(std::string_view source) : source_(source) {}

  Status Error(const YAML::Node& node, std::string_view path, std::string_view what) const {
    const YAML::Mark mark = node.Mark();
    if (mark.is_null()) return InvalidArgument(fmt::format("{}: {}: {}", source_, path, what));
    return InvalidArgument(fmt::format("{}:{}: {}: {}", source_, mark.line + 1, path, what));
  }

  using KeyFn = std::function<Status(const std::string& key, const YAML::Node& value,
                                     const std::string& path)>;
  // Visits a mapping's entries; unknown or repeated keys are errors (typos must not pass).
  Status ForEachKey(const YAML::Node& map, const std::string& path,
                    std::initializer_list<std::string_view> known, const KeyFn& fn) const {
    if (!map.IsMap()) return Error(map, path.empty() ? "(top level)" : path, "expected a mapping");
    std::vector<std::string> seen;
    for (const auto& entry : map) {
      if (!entry.first.IsScalar()) return Error(entry.first, path, "keys must be plain names");
      const std::string& key = entry.first.Scalar();
      std::string key_path = path.empty() ? key : path + "." + key;
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        std::string names;
        for (std::string_view k : known) names += fmt::format("{}{}", names.empty() ? "" : ", ", k);
        return Error(entry.first, key_path,
                     fmt::format("unknown key (expected one of: {})", names));
      }
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
        return Error(entry.first, key_path, "duplicate key");
      }
      seen.push_back(key);
      RETURN_IF_ERROR(fn(key, entry.second, key_path));
    }
    return Status::Ok();
  }

  Result<std::string> String(const YAML::Node& node, const std::string& path) const {
    if (node.IsNull()) return Error(node, path, "expected a value, got nothing");
    if (!node.IsScalar()) return Error(node, path, "expected a single value, not a list or map");
    return node.Scalar();
  }

  Result<bool> Bool(const YAML::Node& node, const std::string& path) const {
    ASSIGN_OR_RETURN(std::string s, String(node, path));
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
    return Error(node, path, fmt::format("'{}' is not a boolean (true/false)", node.Scalar()));
  }

  Result<uint64_t> Uint(const YAML::Node& node, const std::string& path, uint64_t min,
                        uint64_t max) const {
    ASSIGN_OR_RETURN(std::string s, String(node, path));
    uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || v < min || v > max) {
      return Error(node, path, fmt::format("'{}' is not an integer in {}..{}", s, min, max));
    }
    return v;
  }

  Result<std::chrono::milliseconds> Duration(const YAML::Node& node, const std::string& path,
                                             std::chrono::milliseconds min,
                                             std::chrono::milliseconds max) const {
    ASSIGN_OR_RETURN(std::string s, String(node, path));
    auto d = ParseDuration(s);
    if (!d.ok()) return Error(node, path, d.status().message());
    if (*d < min || *d > max) {
      return Error(node, path,
                   fmt::format("{} is outside {}ms..{}ms", s, min.count(), max.count()));
    }
    return *d;
  }

  Result<ListenAddress> Listen(const YAML::Node& node, const std::string& path) const {
    ASSIGN_OR_RETURN(std::string s, String(node, path));
    auto addr = ParseListenAddress(s);
    if (!addr.ok()) return Error(node, path, addr.status().message());
    return *addr;
  }

  Status Pattern(const YAML::Node& node, const std::string& path, std::string& out) const {
    ASSIGN_OR_RETURN(out, String(node, path));
    Status st = storage::ValidatePattern(out);
    return st.ok() ? st : Error(node, path, st.message());
  }

  Status Top(const YAML::Node& root, Config& c) const {
    return ForEachKey(root, "", {"instance", "data_dir", "graphite", "http", "storage"},
                      [&](const std::string& key, const YAML::Node& v, const std::string& path) {
                        if (key == "instance") return Instance(v, path, c.instance);
                        if (key == "data_dir") {
                          ASSIGN_OR_RETURN(c.data_dir, String(v, path));
                          return c.data_dir.empty() ? Error(v, path, "must not be empty")
                                                    : Status::Ok();
                        }
                        if (key == "graphite") return Graphite(v, path, c.graphite);
                        if (key == "http") {
                          return ForEachKey(v, path, {"listen"}, [&](auto&, auto& lv, auto& lp) {
                            ASSIGN_OR_RETURN(c.http.listen, Listen(lv, lp));
                            return Status::Ok();
                          });
                        }
                        return Storage(v, path, c.storage);
                      });
  }

  Status Instance(const YAML::Node& v, const std::string& path, std::string& out) const {
    ASSIGN_OR_RETURN(out, String(v, path));
    bool ok = !out.empty() && std::all_of(out.begin(), out.end(), [](unsigned char ch) {
      return std::isalnum(ch) || ch == '_' || ch == '-';
    });
    return ok ? Status::Ok()
              : Error(v, path, "use letters, digits, '_' and '-' only (one Graphite node)");
  }

  Status Graphite(const YAML::Node& node, const std::string& path, GraphiteConfig& g) const {
    return ForEachKey(
        node, path, {"listen", "udp", "max_line_bytes", "max_connections"},
        [&](const std::string& key, const YAML::Node& v, const std::string& p) -> Status {
          if (key == "listen") {
            ASSIGN_OR_RETURN(g.listen, Listen(v, p));
          } else if (key == "udp") {
            ASSIGN_OR_RETURN(g.udp, Bool(v, p));
          } else if (key == "max_line_bytes") {
            ASSIGN_OR_RETURN(g.max_line_bytes, Uint(v, p, 64, 1 << 20));
          } else {
            ASSIGN_OR_RETURN(g.max_connections, Uint(v, p, 1, 1'000'000));
          }
          return Status::Ok();
        });
  }

  Status Storage(const YAML::Node& node, const std::string& path, StorageConfig& s) const {
    using std::chrono::milliseconds;
    bool has_schemas = false, has_aggregation = false;
    YAML::Node schemas_file, aggregation_file;  // null unless given
    RETURN_IF_ERROR(ForEachKey(
        node, path,
        {"sync_interval", "max_pending_points", "points_per_block", "self_metrics_interval",
         "schemas", "aggregation", "carbon_schemas_file", "carbon_aggregation_file"},
        [&](const std::string& key, const YAML::Node& v, const std::string& p) -> Status {
          if (key == "sync_interval") {
            ASSIGN_OR_RETURN(s.sync_interval,
                             Duration(v, p, milliseconds(0), milliseconds(600000)));
          } else if (key == "max_pending_points") {
            ASSIGN_OR_RETURN(s.max_pending_points, Uint(v, p, 1, 1'000'000'000));
          } else if (key == "points_per_block") {
            ASSIGN_OR_RETURN(s.points_per_block, Uint(v, p, 1, 65536));
          } else if (key == "self_metrics_interval") {
            ASSIGN_OR_RETURN(s.self_metrics_interval,
                             Duration(v, p, milliseconds(1000), milliseconds(3600000)));
          } else if (key == "schemas") {
            has_schemas = true;
            return Schemas(v, p, s.schemas);
          } else if (key == "aggregation") {
            has_aggregation = true;
            return Aggregations(v, p, s.aggregation);
          } else {
            bool schemas = key == "carbon_schemas_file";
            std::string& file = schemas ? s.carbon_schemas_file : s.carbon_aggregation_file;
            ASSIGN_OR_RETURN(file, String(v, p));
            if (file.empty()) return Error(v, p, "must not be empty");
            (schemas ? schemas_file : aggregation_file) = v;
          }
          return Status::Ok();
        }));
    if (schemas_file.IsDefined() && !schemas_file.IsNull()) {
      if (has_schemas) {
        return Error(schemas_file, path + ".carbon_schemas_file",
                     "cannot be combined with storage.schemas; keep one of them");
      }
      s.schemas.clear();
    }
    if (aggregation_file.IsDefined() && !aggregation_file.IsNull()) {
      if (has_aggregation) {
        return Error(aggregation_file, path + ".carbon_aggregation_file",
                     "cannot be combined with storage.aggregation; keep one of them");
      }
      s.aggregation.clear();
    }
    return Status::Ok();
  }

  Status Schemas(const YAML::Node& node, const std::string& path,
                 std::vector<storage::SchemaRule>& out) const {
    if (!node.IsSequence()) return Error(node, path, "expected a list of {pattern, retentions}");
    out.clear();
    for (size_t i = 0; i < node.size(); ++i) {
      const std::string rule_path = fmt::format("{}[{}]", path, i);
      storage::SchemaRule rule{fmt::format("schemas[{}]", i), "", {}};
      bool has_pattern = false, has_retentions = false;
      RETURN_IF_ERROR(ForEachKey(
          node[i], rule_path, {"name", "pattern", "retentions"},
          [&](const std::string& key, const YAML::Node& v, const std::string& p) -> Status {
            if (key == "name") {
              ASSIGN_OR_RETURN(rule.name, String(v, p));
              return Status::Ok();
            }
            if (key == "pattern") {
              has_pattern = true;
              return Pattern(v, p, rule.pattern);
            }
            has_retentions = true;
            ASSIGN_OR_RETURN(std::string spec, String(v, p));
            auto archives = storage::ParseRetentions(spec);
            if (!archives.ok()) return Error(v, p, archives.status().message());
            rule.archives = std::move(archives).value();
            return Status::Ok();
          }));
      if (!has_pattern || !has_retentions) {
        return Error(node[i], rule_path,
                     has_pattern ? "missing 'retentions'" : "missing 'pattern'");
      }
      out.push_back(std::move(rule));
    }
    return Status::Ok();
  }

  Status Aggregations(const YAML::Node& node, const std::string& path,
                      std::vector<storage::AggregationRule>& out) const {
    if (!node.IsSequence()) return Error(node, path, "expected a list of {pattern, method, ...}");
    out.clear();
    for (size_t i = 0; i < node.size(); ++i) {
      const std::string rule_path = fmt::format("{}[{}]", path, i);
      storage::AggregationRule rule{fmt::format("aggregation[{}]", i), "",
                                    storage::kDefaultAggregationMethod,
                                    storage::kDefaultXFilesFactor};
      bool has_pattern = false;
      RETURN_IF_ERROR(ForEachKey(
          node[i], rule_path, {"name", "pattern", "method", "xFilesFactor"},
          [&](const std::string& key, const YAML::Node& v, const std::string& p) -> Status {
            if (key == "name") {
              ASSIGN_OR_RETURN(rule.name, String(v, p));
              return Status::Ok();
            }
            if (key == "pattern") {
              has_pattern = true;
              return Pattern(v, p, rule.pattern);
            }
            ASSIGN_OR_RETURN(std::string text, String(v, p));
            if (key == "method") {
              auto method = storage::ParseAggregationMethod(text);
              if (!method.ok()) return Error(v, p, method.status().message());
              rule.method = *method;
              return Status::Ok();
            }
            double xff = -1;
            auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), xff);
            if (ec != std::errc() || ptr != text.data() + text.size() || !(xff >= 0 && xff <= 1)) {
              return Error(v, p, fmt::format("'{}' is not a number in [0, 1]", text));
            }
            rule.x_files_factor = xff;
            return Status::Ok();
          }));
      if (!has_pattern) return Error(node[i], rule_path, "missing 'pattern'");
      out.push_back(std::move(rule));
    }
    return Status::Ok();
  }

 private:
  std::string source_;
};

}  // namespace

Result<Config> ParseConfig(std::string_view yaml_text, std::string_view source_name) {
  Config config;
  config.source_name = std::string(source_name);
  ConfigParser parser(source_name);
  try {
    YAML::Node root = YAML::Load(std::string(yaml_text));
    if (!root.IsNull()) RETURN_IF_ERROR(parser.Top(root, config));
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) {
      return InvalidArgument(fmt::format("{}: invalid YAML: {}", source_name, e.msg));
    }
    return InvalidArgument(
        fmt::format("{}:{}: invalid YAML: {}", source_name, e.mark.line + 1, e.msg));
  }
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

Result<storage::SchemaSet> BuildSchemas(const Config& config) {
  return BuildSchemas(config, [](const std::string& path) { return ReadSmallFile(path); });
}

}  // namespace meridian::app
