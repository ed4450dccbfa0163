#include "app/internal/config_parser.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <functional>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "app/internal/yaml_reader.h"
#include "storage/schema.h"

namespace meridian::app::internal {
namespace {

using core::InvalidArgument;
using core::Result;
using core::Status;

// Walks the YAML tree into a Config.
class ConfigParser : private YamlReader {
 public:
  using YamlReader::YamlReader;

  Status Pattern(const YAML::Node& node, const std::string& path, std::string& out) const {
    ASSIGN_OR_RETURN(out, String(node, path));
    Status st = storage::ValidatePattern(out);
    return st.ok() ? st : Error(node, path, st.message());
  }

  Status Top(const YAML::Node& root, Config& c) const {
    return ForEachKey(root, "",
                      {"instance", "data_dir", "graphite", "http", "storage", "alerting",
                       "federation", "dashboards", "events", "aggregator"},
                      [&](const std::string& key, const YAML::Node& v, const std::string& path) {
                        if (key == "instance") return Instance(v, path, c.instance);
                        if (key == "data_dir") {
                          ASSIGN_OR_RETURN(c.data_dir, String(v, path));
                          return c.data_dir.empty() ? Error(v, path, "must not be empty")
                                                    : Status::Ok();
                        }
                        if (key == "graphite") return Graphite(v, path, c.graphite);
                        if (key == "http") return Http(v, path, c.http);
                        if (key == "alerting") return Alerting(v, path, c.alerting);
                        if (key == "federation") return Federation(v, path, c.federation);
                        if (key == "dashboards") return Dashboards(v, path, c.dashboards);
                        if (key == "events") return Events(v, path, c.events);
                        if (key == "aggregator") return Aggregator(v, path, c.aggregator);
                        return Storage(v, path, c.storage);
                      });
  }

  Status Alerting(const YAML::Node& node, const std::string& path, AlertingConfig& a) const {
    using std::chrono::milliseconds;
    constexpr milliseconds kDay(86'400'000);
    return ForEachKey(
        node, path,
        {"rules_dir", "reload_check_interval", "max_series_per_rule", "max_fetched_series_per_rule",
         "max_points_per_rule", "query_timeout", "forget_after", "history_retention",
         "max_history_entries", "partial_is_unknown", "nagios", "nsca"},
        [&](const std::string& key, const YAML::Node& v, const std::string& p) -> Status {
          if (key == "rules_dir") {
            ASSIGN_OR_RETURN(a.rules_dir, String(v, p));
          } else if (key == "reload_check_interval") {
            ASSIGN_OR_RETURN(a.reload_check_interval,
                             Duration(v, p, milliseconds(100), milliseconds(3'600'000)));
          } else if (key == "max_series_per_rule") {
            ASSIGN_OR_RETURN(a.max_series_per_rule, Uint(v, p, 1, 10'000'000));
          } else if (key == "max_fetched_series_per_rule") {
            ASSIGN_OR_RETURN(a.max_fetched_series_per_rule, Uint(v, p, 1, 100'000'000));
          } else if (key == "max_points_per_rule") {
            ASSIGN_OR_RETURN(a.max_points_per_rule, Uint(v, p, 1, 10'000'000'000));
          } else if (key == "query_timeout") {
            ASSIGN_OR_RETURN(a.query_timeout,
                             Duration(v, p, milliseconds(100), milliseconds(3'600'000)));
          } else if (key == "forget_after") {
            ASSIGN_OR_RETURN(a.forget_after, Duration(v, p, milliseconds(0), 3650 * kDay));
            if (a.forget_after.count() % 1000 != 0) {
              return Error(v, p, "must be whole seconds (0 = never)");
            }
          } else if (key == "history_retention") {
            ASSIGN_OR_RETURN(a.history_retention,
                             Duration(v, p, milliseconds(60'000), 3650 * kDay));
          } else if (key == "max_history_entries") {
            ASSIGN_OR_RETURN(a.max_history_entries, Uint(v, p, 1, 100'000'000));
          } else if (key == "partial_is_unknown") {
            ASSIGN_OR_RETURN(a.partial_is_unknown, Bool(v, p));
          } else if (key == "nagios") {
            return Nagios(v, p, a.nagios);
          } else {
            return Nsca(v, p, a.nsca);
          }
          return Status::Ok();
        });
  }

  // A list of rule lines, each checked now so that errors name their line of the config.
  Status Lines(const YAML::Node& node, const std::string& path, std::vector<ConfigLine>& out,
               const std::function<Status(const ConfigLine&)>& check) const {
    if (!node.IsSequence()) return Error(node, path, "expected a list of rule lines");
    out.clear();
    for (size_t i = 0; i < node.size(); ++i) {
      const std::string item_path = fmt::format("{}[{}]", path, i);
      ASSIGN_OR_RETURN(std::string text, String(node[i], item_path));
      ConfigLine line{std::move(text), Where(node[i])};
      if (Status st = check(line); !st.ok()) return Error(node[i], item_path, st.message());
      out.push_back(std::move(line));
    }
    return Status::Ok();
  }

  Status Aggregator(const YAML::Node& node, const std::string& path, AggregatorConfig& a) const {
    using std::chrono::milliseconds;
    auto rewrite_line = [](const ConfigLine& line) -> Status {
      const size_t eq = line.text.find('=');
      if (eq == std::string::npos) return InvalidArgument("expected 'regex = replacement'");
      aggregation::RewriteRule rule;
      rule.pattern = line.text.substr(0, eq);
      rule.replacement = line.text.substr(eq + 1);
      while (!rule.pattern.empty() && std::isspace(static_cast<unsigned char>(rule.pattern.back())))
        rule.pattern.pop_back();
      while (!rule.replacement.empty() &&
             std::isspace(static_cast<unsigned char>(rule.replacement.front())))
        rule.replacement.erase(0, 1);
      return aggregation::CompiledRewrite::Compile(rule).status();
    };
    return ForEachKey(
        node, path,
        {"rules_file", "rewrite_rules_file", "rules", "rewrite", "forward_all", "max_intervals",
         "max_rules", "max_buffers", "max_buffered_values", "max_cached_names", "flush_interval"},
        [&](const std::string& key, const YAML::Node& v, const std::string& p) -> Status {
          if (key == "rules_file" || key == "rewrite_rules_file") {
            std::string& file = key == "rules_file" ? a.rules_file : a.rewrite_rules_file;
            ASSIGN_OR_RETURN(file, String(v, p));
            return file.empty() ? Error(v, p, "must not be empty") : Status::Ok();
          }
          if (key == "rules") {
            return Lines(v, p, a.rules, [](const ConfigLine& line) -> Status {
              // The message without its own "source:" prefix: Error() adds file:line and key.
              auto rule = aggregation::ParseAggregationRule(line.text, "rule");
              if (rule.ok()) return Status::Ok();
              return InvalidArgument(rule.status().message().substr(6));
            });
          }
          if (key == "rewrite") {
            return ForEachKey(
                v, p, {"pre", "post"},
                [&](const std::string& k, const YAML::Node& lines, const std::string& lp) {
                  return Lines(lines, lp, k == "pre" ? a.rewrite_pre : a.rewrite_post,
                               rewrite_line);
                });
          }
          if (key == "forward_all") return Into(Bool(v, p), a.forward_all);
          if (key == "max_intervals") return Into(Uint(v, p, 1, 1000), a.max_intervals);
          if (key == "max_rules") return Into(Uint(v, p, 1, 1'000'000), a.max_rules);
          if (key == "max_buffers") return Into(Uint(v, p, 1, 1'000'000'000), a.max_buffers);
          if (key == "max_buffered_values") {
            return Into(Uint(v, p, 1, 1'000'000'000), a.max_buffered_values);
          }
          if (key == "max_cached_names") {
            return Into(Uint(v, p, 1, 1'000'000'000), a.max_cached_names);
          }
          return Into(Duration(v, p, milliseconds(10), milliseconds(3'600'000)), a.flush_interval);
        });
  }

  Status Dashboards(const YAML::Node& node, const std::string& path, DashboardsConfig& d) const {
    return ForEachKey(
        node, path,
        {"dir", "max_files", "max_file_bytes", "max_variable_options", "max_alert_match_series"},
        [&](const std::string& key, const YAML::Node& v, const std::string& p) -> Status {
          if (key == "dir") return Into(String(v, p), d.dir);
          if (key == "max_files") return Into(Uint(v, p, 1, 100'000), d.max_files);
          if (key == "max_file_bytes") {
            return Into(Uint(v, p, 1024, 64 << 20), d.max_file_bytes);
          }
          if (key == "max_variable_options") {
            return Into(Uint(v, p, 1, 1'000'000), d.max_variable_options);
          }
          return Into(Uint(v, p, 1, 10'000'000), d.max_alert_match_series);
        });
  }

  Status Events(const YAML::Node& node, const std::string& path, EventsConfig& e) const {
    using std::chrono::milliseconds;
    return ForEachKey(
        node, path, {"max_events", "retention", "max_event_bytes"},
        [&](const std::string& key, const YAML::Node& v, const std::string& p) -> Status {
          if (key == "max_events") return Into(Uint(v, p, 1, 100'000'000), e.max_events);
          if (key == "max_event_bytes") return Into(Uint(v, p, 256, 8 << 20), e.max_event_bytes);
          ASSIGN_OR_RETURN(e.retention, Duration(v, p, milliseconds(1000),
                                                 milliseconds(100LL * 365 * 86'400'000)));
          if (e.retention.count() % 1000 != 0) return Error(v, p, "must be whole seconds");
          return Status::Ok();
        });
  }

  Status Federation(const YAML::Node& node, const std::string& path, FederationConfig& f) const {
    using std::chrono::milliseconds;
    return ForEachKey(
        node, path,
        {"peers", "timeout", "partial", "fanout_threads", "max_pending_calls", "push_down",
         "probe_wait"},
        [&](const std::string& key, const YAML::Node& v, const std::string& p) -> Status {
          if (key == "timeout") {
            return Into(Duration(v, p, milliseconds(10), milliseconds(3'600'000)), f.timeout);
          }
          if (key == "probe_wait") {
            return Into(Duration(v, p, milliseconds(0), milliseconds(3'600'000)), f.probe_wait);
          }
          if (key == "fanout_threads") return Into(Uint(v, p, 1, 1024), f.fanout_threads);
          if (key == "push_down") return Into(Bool(v, p), f.push_down);
          if (key == "max_pending_calls") {
            return Into(Uint(v, p, 1, 1'000'000), f.max_pending_calls);
          }
          if (key == "partial") {
            ASSIGN_OR_RETURN(std::string s, String(v, p));
            if (s != "allow" && s != "deny") return Error(v, p, "expected allow or deny");
            f.partial_allowed = s == "allow";
            return Status::Ok();
          }
          return Peers(v, p, f.peers);
        });
  }

  Status Peers(const YAML::Node& node, const std::string& path,
               std::vector<FederationPeerConfig>& out) const {
    using std::chrono::milliseconds;
    namespace fed = query::federation;
    if (!node.IsSequence()) return Error(node, path, "expected a list of {name, url, role, ...}");
    out.clear();
    for (size_t i = 0; i < node.size(); ++i) {
      const std::string pp = fmt::format("{}[{}]", path, i);
      FederationPeerConfig c;
      bool has_name = false, has_url = false;
      RETURN_IF_ERROR(ForEachKey(
          node[i], pp,
          {"name", "url", "role", "prefix", "tags", "token", "token_file", "connect_timeout",
           "max_connections", "max_response_bytes", "tls", "backoff_min", "backoff_max",
           "compression"},
          [&](const std::string& key, const YAML::Node& v, const std::string& p) -> Status {
            if (key == "name") {
              has_name = true;
              return Into(String(v, p), c.peer.name);
            }
            if (key == "url") {
              has_url = true;
              return Into(String(v, p), c.peer.url);
            }
            if (key == "role") {
              ASSIGN_OR_RETURN(std::string r, String(v, p));
              if (r == "region") {
                c.peer.role = fed::PeerRole::kRegion;
              } else if (r == "shard") {
                c.peer.role = fed::PeerRole::kShard;
              } else if (r == "replica") {
                c.peer.role = fed::PeerRole::kReplica;
              } else if (r == "graphite") {
                c.peer.role = fed::PeerRole::kGraphite;
              } else {
                return Error(v, p, "expected region, shard, replica or graphite");
              }
              return Status::Ok();
            }
            if (key == "prefix") {
              ASSIGN_OR_RETURN(c.peer.mount.prefix, String(v, p));
              const std::string& x = c.peer.mount.prefix;
              if (x.empty() || x.front() == '.' || x.back() == '.' ||
                  x.find("..") != std::string::npos ||
                  x.find_first_of("*?[]{};= \t") != std::string::npos) {
                return Error(v, p, "a dotted metric path prefix (no wildcards, no empty nodes)");
              }
              return Status::Ok();
            }
            if (key == "tags") {
              if (!v.IsMap()) return Error(v, p, "expected a mapping of tag: value");
              for (const auto& kv : v) {
                const std::string tag = kv.first.Scalar();
                ASSIGN_OR_RETURN(std::string value, String(kv.second, p + "." + tag));
                if (tag.empty() || tag == "name" || value.empty() ||
                    tag.find_first_of(";!^=~ ") != std::string::npos ||
                    value.find_first_of("; ~") != std::string::npos) {
                  return Error(kv.first, p + "." + tag,
                               "a tag name other than 'name' and a non-empty value, without "
                               "';', spaces or '~'");
                }
                c.peer.mount.tags[tag] = value;
              }
              return Status::Ok();
            }
            if (key == "token") return Into(String(v, p), c.peer.token);
            if (key == "token_file") return Into(String(v, p), c.token_file);
            if (key == "connect_timeout") {
              return Into(Duration(v, p, milliseconds(10), milliseconds(600'000)),
                          c.peer.connect_timeout);
            }
            if (key == "backoff_min" || key == "backoff_max") {
              return Into(Duration(v, p, milliseconds(10), milliseconds(3'600'000)),
                          key == "backoff_min" ? c.peer.backoff_min : c.peer.backoff_max);
            }
            if (key == "max_connections")
              return Into(Uint(v, p, 1, 10'000), c.peer.max_connections);
            if (key == "compression") return Into(Bool(v, p), c.peer.compression);
            if (key == "max_response_bytes") {
              return Into(Uint(v, p, 1024, uint64_t{1} << 40), c.peer.max_response_bytes);
            }
            return ForEachKey(
                v, p, {"ca_file", "cert_file", "key_file", "verify"},
                [&](const std::string& k, const YAML::Node& tv, const std::string& tp) -> Status {
                  if (k == "verify") return Into(Bool(tv, tp), c.peer.tls_verify);
                  std::string& f = k == "ca_file"     ? c.peer.ca_file
                                   : k == "cert_file" ? c.peer.cert_file
                                                      : c.peer.key_file;
                  return Into(String(tv, tp), f);
                });
          }));
      if (!has_name || !has_url) {
        return Error(node[i], pp, has_name ? "missing 'url'" : "missing 'name'");
      }
      if (!c.peer.token.empty() && !c.token_file.empty()) {
        return Error(node[i], pp, "give token or token_file, not both");
      }
      if (c.peer.backoff_max < c.peer.backoff_min) {
        return Error(node[i], pp + ".backoff_max", "must be >= backoff_min");
      }
      if (c.peer.cert_file.empty() != c.peer.key_file.empty()) {
        return Error(node[i], pp + ".tls", "cert_file and key_file go together");
      }
      if (!c.peer.url.starts_with("http://") && !c.peer.url.starts_with("https://")) {
        return Error(node[i], pp + ".url", "expected http://host:port or https://host:port");
      }
      for (const FederationPeerConfig& other : out) {
        if (other.peer.name == c.peer.name) {
          return Error(node[i], pp + ".name", fmt::format("duplicate peer name '{}'", c.peer.name));
        }
      }
      out.push_back(std::move(c));
    }
    return Status::Ok();
  }

  Status Nagios(const YAML::Node& node, const std::string& path, NagiosSinkConfig& n) const {
    return ForEachKey(node, path, {"command_file", "max_queued_results", "max_queued_bytes"},
                      [&](const std::string& key, const YAML::Node& v, const std::string& p) {
                        if (key == "command_file") return Into(String(v, p), n.command_file);
                        if (key == "max_queued_bytes") {
                          return Into(Uint(v, p, 4096, 1ULL << 40), n.max_queued_bytes);
                        }
                        return Into(Uint(v, p, 1, 100'000'000), n.max_queued_results);
                      });
  }

  Status Nsca(const YAML::Node& node, const std::string& path, NscaSinkConfig& n) const {
    return ForEachKey(
        node, path,
        {"host", "port", "password", "encryption", "packet", "max_queued_results",
         "max_queued_bytes", "timeout"},
        [&](const std::string& key, const YAML::Node& v, const std::string& p) -> Status {
          if (key == "host") return Into(String(v, p), n.host);
          if (key == "password") return Into(String(v, p), n.password);
          if (key == "port") return Into(Uint(v, p, 1, 65535), n.port);
          if (key == "max_queued_bytes")
            return Into(Uint(v, p, 4096, 1ULL << 40), n.max_queued_bytes);
          if (key == "max_queued_results") {
            return Into(Uint(v, p, 1, 100'000'000), n.max_queued_results);
          }
          if (key == "timeout") {
            return Into(Duration(v, p, std::chrono::milliseconds(100), std::chrono::minutes(10)),
                        n.timeout);
          }
          std::string& out = key == "encryption" ? n.encryption : n.packet;
          ASSIGN_OR_RETURN(out, String(v, p));
          const bool ok = key == "encryption" ? (out == "none" || out == "xor")
                                              : (out == "v3" || out == "legacy");
          return ok ? Status::Ok()
                    : Error(v, p,
                            key == "encryption" ? "expected none or xor" : "expected v3 or legacy");
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

  Status Http(const YAML::Node& node, const std::string& path, HttpConfig& h) const {
    using std::chrono::milliseconds;
    auto duration = [&](const YAML::Node& v, const std::string& p, milliseconds& out) {
      return Into(Duration(v, p, milliseconds(100), milliseconds(86'400'000)), out);
    };
    return ForEachKey(
        node, path,
        {"listen",
         "max_series_per_request",
         "max_points_per_request",
         "max_concurrent_queries",
         "query_timeout",
         "max_connections",
         "max_header_bytes",
         "max_header_fields",
         "max_url_bytes",
         "max_body_bytes",
         "header_timeout",
         "body_timeout",
         "idle_timeout",
         "write_timeout",
         "worker_threads",
         "max_queued_requests",
         "compress_min_bytes",
         "stream_min_bytes",
         "shutdown_timeout",
         "tls",
         "auth",
         "max_response_bytes",
         "memory_budget_bytes"},
        [&](const std::string& key, const YAML::Node& v, const std::string& p) -> Status {
          if (key == "listen") return Into(Listen(v, p), h.listen);
          if (key == "memory_budget_bytes") {
            return Into(Uint(v, p, 0, uint64_t{1} << 44), h.memory_budget_bytes);
          }
          if (key == "max_response_bytes") {
            return Into(Uint(v, p, 4096, uint64_t{1} << 40), h.max_response_bytes);
          }
          if (key == "max_concurrent_queries") {
            return Into(Uint(v, p, 1, 10'000), h.max_concurrent_queries);
          }
          if (key == "query_timeout") {
            return Into(Duration(v, p, milliseconds(100), milliseconds(3'600'000)),
                        h.query_timeout);
          }
          if (key == "max_series_per_request") {
            return Into(Uint(v, p, 1, 100'000'000), h.max_series_per_request);
          }
          if (key == "max_points_per_request") {
            return Into(Uint(v, p, 1, 10'000'000'000), h.max_points_per_request);
          }
          if (key == "max_connections") return Into(Uint(v, p, 1, 1'000'000), h.max_connections);
          if (key == "max_header_bytes") {
            return Into(Uint(v, p, 1024, 64 << 20), h.max_header_bytes);
          }
          if (key == "max_header_fields") return Into(Uint(v, p, 8, 100'000), h.max_header_fields);
          if (key == "max_url_bytes") return Into(Uint(v, p, 256, 64 << 20), h.max_url_bytes);
          if (key == "max_body_bytes") return Into(Uint(v, p, 1024, 1 << 30), h.max_body_bytes);
          if (key == "header_timeout") return duration(v, p, h.header_timeout);
          if (key == "body_timeout") return duration(v, p, h.body_timeout);
          if (key == "idle_timeout") return duration(v, p, h.idle_timeout);
          if (key == "write_timeout") return duration(v, p, h.write_timeout);
          if (key == "shutdown_timeout") return duration(v, p, h.shutdown_timeout);
          if (key == "worker_threads") return Into(Uint(v, p, 0, 1024), h.worker_threads);
          if (key == "compress_min_bytes") {
            return Into(Uint(v, p, 0, 1 << 30), h.compress_min_bytes);
          }
          if (key == "stream_min_bytes") return Into(Uint(v, p, 0, 1 << 30), h.stream_min_bytes);
          if (key == "max_queued_requests") {
            return Into(Uint(v, p, 1, 1'000'000), h.max_queued_requests);
          }
          if (key == "tls") return HttpTls(v, p, h.tls);
          return HttpAuth(v, p, h.auth);
        });
  }

  Status HttpTls(const YAML::Node& node, const std::string& path, HttpTlsConfig& t) const {
    RETURN_IF_ERROR(ForEachKey(
        node, path, {"cert_file", "key_file", "client_ca_file"},
        [&](const std::string& key, const YAML::Node& v, const std::string& p) -> Status {
          std::string& out = key == "cert_file"  ? t.cert_file
                             : key == "key_file" ? t.key_file
                                                 : t.client_ca_file;
          return Into(String(v, p), out);
        }));
    if (t.cert_file.empty() != t.key_file.empty()) {
      return Error(node, path, "cert_file and key_file go together");
    }
    if (!t.client_ca_file.empty() && t.cert_file.empty()) {
      return Error(node, path, "client_ca_file needs cert_file and key_file");
    }
    return Status::Ok();
  }

  Status HttpAuth(const YAML::Node& node, const std::string& path, HttpAuthConfig& a) const {
    return ForEachKey(
        node, path, {"tokens_file", "anonymous_read"},
        [&](const std::string& key, const YAML::Node& v, const std::string& p) -> Status {
          if (key == "tokens_file") return Into(String(v, p), a.tokens_file);
          return Into(Bool(v, p), a.anonymous_read);
        });
  }

  Status Graphite(const YAML::Node& node, const std::string& path, GraphiteConfig& g) const {
    return ForEachKey(
        node, path,
        {"listen", "udp", "max_line_bytes", "max_connections", "max_connections_per_source",
         "idle_timeout", "udp_receive_buffer_bytes", "pickle", "pickle_listen",
         "max_pickle_frame_bytes"},
        [&](const std::string& key, const YAML::Node& v, const std::string& p) -> Status {
          if (key == "listen") {
            ASSIGN_OR_RETURN(g.listen, Listen(v, p));
          } else if (key == "udp") {
            ASSIGN_OR_RETURN(g.udp, Bool(v, p));
          } else if (key == "max_line_bytes") {
            ASSIGN_OR_RETURN(g.max_line_bytes, Uint(v, p, 64, 1 << 20));
          } else if (key == "max_connections_per_source") {
            ASSIGN_OR_RETURN(g.max_connections_per_source, Uint(v, p, 0, 1'000'000));
          } else if (key == "idle_timeout") {
            return IdleTimeout(v, p, g.idle_timeout);
          } else if (key == "udp_receive_buffer_bytes") {
            ASSIGN_OR_RETURN(g.udp_receive_buffer_bytes, Uint(v, p, 0, 1 << 30));
          } else if (key == "pickle") {
            ASSIGN_OR_RETURN(g.pickle, Bool(v, p));
          } else if (key == "pickle_listen") {
            ASSIGN_OR_RETURN(g.pickle_listen, Listen(v, p));
          } else if (key == "max_pickle_frame_bytes") {
            ASSIGN_OR_RETURN(g.max_pickle_frame_bytes, Uint(v, p, 1024, 256 << 20));
          } else {
            ASSIGN_OR_RETURN(g.max_connections, Uint(v, p, 1, 1'000'000));
          }
          return Status::Ok();
        });
  }

  // "0" (or 0s) turns it off; otherwise 1s..1d, whole seconds are plenty.
  Status IdleTimeout(const YAML::Node& v, const std::string& p,
                     std::chrono::milliseconds& out) const {
    using std::chrono::milliseconds;
    ASSIGN_OR_RETURN(std::string s, String(v, p));
    if (s == "0") {
      out = milliseconds(0);
      return Status::Ok();
    }
    ASSIGN_OR_RETURN(out, Duration(v, p, milliseconds(0), milliseconds(86'400'000)));
    if (out.count() != 0 && out < milliseconds(1000)) {
      return Error(v, p, "must be 0 (never) or at least 1s");
    }
    return Status::Ok();
  }

  Status Storage(const YAML::Node& node, const std::string& path, StorageConfig& s) const {
    using std::chrono::milliseconds;
    bool has_schemas = false, has_aggregation = false;
    YAML::Node schemas_file, aggregation_file;  // null unless given
    RETURN_IF_ERROR(ForEachKey(
        node, path,
        {"sync_interval", "max_pending_points", "points_per_block", "self_metrics_interval",
         "min_free_bytes", "verify_on_start", "schemas", "aggregation", "carbon_schemas_file",
         "carbon_aggregation_file"},
        [&](const std::string& key, const YAML::Node& v, const std::string& p) -> Status {
          if (key == "sync_interval") {
            ASSIGN_OR_RETURN(s.sync_interval,
                             Duration(v, p, milliseconds(0), milliseconds(600000)));
          } else if (key == "max_pending_points") {
            ASSIGN_OR_RETURN(s.max_pending_points, Uint(v, p, 1, 1'000'000'000));
          } else if (key == "points_per_block") {
            ASSIGN_OR_RETURN(s.points_per_block, Uint(v, p, 8, 65536));
          } else if (key == "min_free_bytes") {
            ASSIGN_OR_RETURN(s.min_free_bytes, Uint(v, p, 0, uint64_t{1} << 40));
          } else if (key == "verify_on_start") {
            ASSIGN_OR_RETURN(s.verify_on_start, Bool(v, p));
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
    RETURN_IF_ERROR(UseCarbonFile(schemas_file, has_schemas, path + ".carbon_schemas_file",
                                  "storage.schemas", s.schemas));
    return UseCarbonFile(aggregation_file, has_aggregation, path + ".carbon_aggregation_file",
                         "storage.aggregation", s.aggregation);
  }

  // A carbon_*_file that is given replaces its inline rule list, which then must not be given too.
  template <typename Rule>
  Status UseCarbonFile(const YAML::Node& file, bool has_rules, const std::string& file_path,
                       std::string_view rules_key, std::vector<Rule>& rules) const {
    if (!file.IsDefined() || file.IsNull()) return Status::Ok();
    if (has_rules) {
      return Error(file, file_path,
                   fmt::format("cannot be combined with {}; keep one of them", rules_key));
    }
    rules.clear();
    return Status::Ok();
  }

  Status Schemas(const YAML::Node& node, const std::string& path,
                 std::vector<storage::SchemaRule>& out) const {
    if (!node.IsSequence()) return Error(node, path, "expected a list of {pattern, retentions}");
    return RuleList(
        node, path, "schemas", {"name", "pattern", "retentions"}, {"pattern", "retentions"},
        storage::SchemaRule{"", "", {}},
        [&](const std::string&, const YAML::Node& v, const std::string& p,
            storage::SchemaRule& rule) -> Status {
          ASSIGN_OR_RETURN(std::string spec, String(v, p));
          auto archives = storage::ParseRetentions(spec);
          if (!archives.ok()) return Error(v, p, archives.status().message());
          rule.archives = std::move(archives).value();
          return Status::Ok();
        },
        out);
  }

  Status Aggregations(const YAML::Node& node, const std::string& path,
                      std::vector<storage::AggregationRule>& out) const {
    if (!node.IsSequence()) return Error(node, path, "expected a list of {pattern, method, ...}");
    return RuleList(
        node, path, "aggregation", {"name", "pattern", "method", "xFilesFactor"}, {"pattern"},
        storage::AggregationRule{"", "", storage::kDefaultAggregationMethod,
                                 storage::kDefaultXFilesFactor},
        [&](const std::string& key, const YAML::Node& v, const std::string& p,
            storage::AggregationRule& rule) -> Status {
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
        },
        out);
  }

  // Reads a list of rules into `out`, each a mapping of `known` keys in which every `required` key
  // is given. Sets "name" (default "<kind>[i]") and "pattern" of a copy of `defaults`;
  // read_key(key, value, path, rule) reads the other keys.
  // REQUIRES: node.IsSequence().
  template <typename Rule, typename ReadKey>
  Status RuleList(const YAML::Node& node, const std::string& path, std::string_view kind,
                  std::initializer_list<std::string_view> known,
                  std::initializer_list<std::string_view> required, const Rule& defaults,
                  const ReadKey& read_key, std::vector<Rule>& out) const {
    out.clear();
    for (size_t i = 0; i < node.size(); ++i) {
      const std::string rule_path = fmt::format("{}[{}]", path, i);
      Rule rule = defaults;
      rule.name = fmt::format("{}[{}]", kind, i);
      std::vector<std::string> given;
      RETURN_IF_ERROR(ForEachKey(
          node[i], rule_path, known,
          [&](const std::string& key, const YAML::Node& v, const std::string& p) -> Status {
            given.push_back(key);
            if (key == "name") {
              ASSIGN_OR_RETURN(rule.name, String(v, p));
              return Status::Ok();
            }
            if (key == "pattern") return Pattern(v, p, rule.pattern);
            return read_key(key, v, p, rule);
          }));
      for (std::string_view key : required) {
        if (std::find(given.begin(), given.end(), key) == given.end()) {
          return Error(node[i], rule_path, fmt::format("missing '{}'", key));
        }
      }
      out.push_back(std::move(rule));
    }
    return Status::Ok();
  }
};

}  // namespace

Status ParseConfigYaml(std::string_view yaml_text, std::string_view source_name, Config& config) {
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
  return Status::Ok();
}

}  // namespace meridian::app::internal
