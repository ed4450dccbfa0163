// The meridian.yaml configuration: plain structs with the defaults of the embedded default
// config, a strict parser (unknown keys are errors; every error names `file:line: key.path`),
// command-line overrides, and the storage schemas it describes. See app/README.md
// "Configuration" for every key. No exception leaves this module: yaml-cpp's are caught here.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aggregation/aggregating_sink.h"
#include "core/status.h"
#include "query/federation/peer_client.h"
#include "storage/schema.h"

namespace meridian::app {

// The embedded default configuration, used by `meridian serve` without --config: data in ./data,
// Graphite plaintext on :2003 TCP+UDP, pickle on :2004, HTTP on :8080. Parses to Config{} (plus the
// instance).
extern const char* const kDefaultConfigYaml;

// "host:port" or "[ipv6]:port"; port 0 = pick a free port (tests).
struct ListenAddress {
  std::string host;  // IPv4 literal, host name, or IPv6 literal without brackets
  uint16_t port = 0;

  // "0.0.0.0:2003", "[::1]:8080".
  std::string ToString() const;
  bool operator==(const ListenAddress&) const = default;
};

// Accepts "0.0.0.0:2003", "localhost:0", "[::]:2003", "[::1]:8080". Rejects an empty host,
// unbracketed IPv6, characters outside host names/IP literals, and ports outside 0..65535.
core::Result<ListenAddress> ParseListenAddress(std::string_view text);

// "500ms", "1s", "10s", "1m"/"1min", "2h", "7d" → milliseconds. A unit is required.
core::Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

struct GraphiteConfig {
  ListenAddress listen{"0.0.0.0", 2003};  // plaintext TCP, and UDP when `udp`
  bool udp = true;                        // also listen for UDP datagrams on the same address
  size_t max_line_bytes = 16384;          // longer line: connection dropped (carbon); 64..1 MiB
  size_t max_connections = 10000;         // concurrent TCP connections; 1..1000000
  // At most this many TCP connections from one source IP; 0 = no limit; 0..1000000.
  size_t max_connections_per_source = 1000;
  // A TCP sender that delivered no valid point this long is closed; 0 = never; 1s..1d.
  std::chrono::milliseconds idle_timeout{600000};
  // SO_RCVBUF asked for the UDP socket (granted size is logged); 0 = system default; ..1 GiB.
  size_t udp_receive_buffer_bytes = 16 << 20;
  // carbon's pickle receiver (PICKLE_RECEIVER_PORT): carbon-relay / carbon-relay-ng destinations.
  bool pickle = true;                            // false: no pickle listener
  ListenAddress pickle_listen{"0.0.0.0", 2004};  // TCP
  // A larger length prefix closes the connection; 1 KiB..256 MiB.
  size_t max_pickle_frame_bytes = 1 << 20;
  bool operator==(const GraphiteConfig&) const = default;
};

struct HttpTlsConfig {
  std::string cert_file;       // PEM chain; set with key_file: HTTPS only
  std::string key_file;        // PEM private key
  std::string client_ca_file;  // PEM CA: clients must present a certificate it signed
  bool operator==(const HttpTlsConfig&) const = default;
};

struct HttpAuthConfig {
  std::string tokens_file;      // YAML bearer tokens (README "Security"); empty: no tokens
  bool anonymous_read = false;  // with tokens: reads need none
  bool operator==(const HttpAuthConfig&) const = default;
};

struct HttpConfig {
  ListenAddress listen{"0.0.0.0", 8080};
  size_t max_series_per_request = 100000;          // series one /render may return; more → 422
  size_t max_points_per_request = 5000000;         // values one /render may return; more → 422
  size_t max_concurrent_queries = 8;               // renders at once; more → 503
  std::chrono::milliseconds query_timeout{30000};  // wall time per request; past it → 504
  size_t max_response_bytes = size_t{256} << 20;   // largest answer body; more → 422
  // What all running renders' fetched values may hold together; more → 503. 0 = unbounded.
  uint64_t memory_budget_bytes = uint64_t{1} << 30;
  size_t max_connections = 10000;                   // open connections; more → 503
  size_t max_header_bytes = 65536;                  // request line + headers; more → 431
  size_t max_header_fields = 100;                   // header fields; more → 431
  size_t max_url_bytes = 32768;                     // request target; more → 414
  size_t max_body_bytes = 8 << 20;                  // body (chunked too); more → 413
  std::chrono::milliseconds header_timeout{10000};  // TLS handshake + headers
  std::chrono::milliseconds body_timeout{30000};    // request body
  std::chrono::milliseconds idle_timeout{60000};    // keep-alive idle
  std::chrono::milliseconds write_timeout{30000};   // no progress writing an answer
  size_t worker_threads = 0;                        // handler threads; 0 = one per core
  size_t max_queued_requests = 1024;                // queued or running handlers; more → 503
  size_t compress_min_bytes = 1024;                 // br/gzip answers this big; 0 = never
  size_t stream_min_bytes = size_t{1} << 20;  // longer answers go out chunked as written; 0 = never
  std::chrono::milliseconds shutdown_timeout{10000};  // SIGTERM: in-flight requests' bound
  HttpTlsConfig tls;
  HttpAuthConfig auth;
  bool operator==(const HttpConfig&) const = default;
};

// The schema/aggregation rules of kDefaultConfigYaml.
std::vector<storage::SchemaRule> DefaultSchemaRules();
std::vector<storage::AggregationRule> DefaultAggregationRules();

struct StorageConfig {
  // How often the WAL is fsynced; kill -9 loses at most this much. 0 = every batch. <= 10 min.
  std::chrono::milliseconds sync_interval{1000};
  size_t max_pending_points = 250000;  // write-queue backpressure threshold; 1..1e9
  size_t points_per_block = 360;       // slots per sealed block of each archive; 8..65536
  // Writes pause below this much free disk space (reads go on); 0 = never check; ..1 TiB.
  uint64_t min_free_bytes = uint64_t{256} << 20;
  // Read every data file once in the background after start-up and check its checksums.
  bool verify_on_start = true;
  std::chrono::milliseconds self_metrics_interval{10000};  // 1 s..1 h
  // Carbon storage-schemas semantics: first match wins, unanchored regex. Empty (`[]`) leaves
  // only carbon's implicit default (60:10080, average, xff 0.5).
  std::vector<storage::SchemaRule> schemas = DefaultSchemaRules();
  std::vector<storage::AggregationRule> aggregation = DefaultAggregationRules();
  // Alternatives to `schemas` / `aggregation`: carbon INI files, relative to the config file's
  // directory. Empty = not used. When set, the matching rule list above is empty.
  std::string carbon_schemas_file;
  std::string carbon_aggregation_file;
  bool operator==(const StorageConfig&) const = default;
};

// The Nagios external command pipe sink (alerting.nagios).
struct NagiosSinkConfig {
  std::string command_file;            // FIFO Nagios created; "" = off
  size_t max_queued_results = 100000;  // results waiting for Nagios; oldest dropped past it
  size_t max_queued_bytes = 64 << 20;  // and at most this many bytes of them
  bool operator==(const NagiosSinkConfig&) const = default;
};

// The NSCA client sink (alerting.nsca): send_nsca protocol v3.
struct NscaSinkConfig {
  std::string host;  // NSCA server; "" = off
  uint16_t port = 5667;
  std::string password;
  std::string encryption = "xor";  // none | xor (the server's decryption_method 0 | 1)
  std::string packet = "v3";       // v3 (4304-byte, nsca >= 2.9) | legacy (720-byte, 2.7)
  size_t max_queued_results = 100000;
  size_t max_queued_bytes = 64 << 20;
  std::chrono::milliseconds timeout{10000};  // connect and I/O
  bool operator==(const NscaSinkConfig&) const = default;
};

struct AlertingConfig {
  std::string rules_dir;  // rule files (README "Alert rules"); "" = alerting off. Relative to cwd.
  std::chrono::milliseconds reload_check_interval{5000};  // rules_dir polled for changes
  size_t max_series_per_rule = 10000;                     // checks one rule may produce
  size_t max_fetched_series_per_rule = 100000;            // series one rule's query may fetch
  size_t max_points_per_rule = 5000000;                   // values one rule's query may fetch
  std::chrono::milliseconds query_timeout{10000};
  std::chrono::milliseconds forget_after{7LL * 86400 * 1000};  // 0 = never
  std::chrono::milliseconds history_retention{30LL * 86400 * 1000};
  size_t max_history_entries = 100000;
  // A rule whose query lacked a federation peer: UNKNOWN (true), or evaluated on what answered.
  bool partial_is_unknown = true;
  NagiosSinkConfig nagios;
  NscaSinkConfig nsca;
  bool operator==(const AlertingConfig&) const = default;
};

// One federation.peers entry: the client settings, and where its token comes from.
struct FederationPeerConfig {
  query::federation::PeerConfig peer;  // peer.token: the inline `token`, or "" until read
  std::string token_file;              // read at start and on SIGHUP (relative to config_dir)
  bool operator==(const FederationPeerConfig&) const = default;
};

struct FederationConfig {
  std::vector<FederationPeerConfig> peers;  // empty: this instance answers for itself only
  std::chrono::milliseconds timeout{5000};  // the longest a federated read waits for peers
  bool partial_allowed = true;              // federation.partial: allow | deny (HTTP default)
  size_t fanout_threads = 16;               // threads calling peers, shared by every read
  size_t max_pending_calls = 1024;          // peer calls queued or running; past it "overloaded"
  bool push_down = true;  // aggregates computed at region/shard peers when exact (query/partials.h)
  std::chrono::milliseconds probe_wait{250};  // how long a read waits for a peer it probes
  bool operator==(const FederationConfig&) const = default;
};

// Dashboard files (README "Dashboards"; dashboards/library.h).
struct DashboardsConfig {
  std::string dir;                     // "" = only the built-in dashboard. Relative to config_dir.
  size_t max_files = 1000;             // files loaded; more → listed as an error; 1..100000
  size_t max_file_bytes = 1 << 20;     // a bigger file is listed with an error; 1 KiB..64 MiB
  size_t max_variable_options = 1000;  // options kept per variable; 1..1000000
  size_t max_alert_match_series = 10000;  // series per target when matching alert rules
  bool operator==(const DashboardsConfig&) const = default;
};

// graphite-web's events API (/events/…): posted events kept in the store's records.
struct EventsConfig {
  size_t max_events = 100000;  // events kept; adding past it deletes the oldest; 1..100,000,000
  std::chrono::milliseconds retention{90LL * 86400 * 1000};  // older events dropped; 1s..100y
  size_t max_event_bytes = 65536;  // POST /events/ body; more → 413; 256..8 MiB
  bool operator==(const EventsConfig&) const = default;
};

// One inline rule line of the aggregator section, with where it was written.
struct ConfigLine {
  std::string text;
  std::string source;  // "meridian.yaml:12"
  bool operator==(const ConfigLine&) const = default;
};

// carbon-aggregator at ingest (README "Aggregation rules"; aggregation/aggregating_sink.h).
// On when any rule or rewrite rule is given.
struct AggregatorConfig {
  // carbon's aggregation-rules.conf / rewrite-rules.conf; relative to config_dir; "" = none.
  // Re-read on SIGHUP (a broken file keeps the running rules).
  std::string rules_file;
  std::string rewrite_rules_file;
  std::vector<ConfigLine> rules;            // inline rule lines, after the file's
  std::vector<ConfigLine> rewrite_pre;      // inline [pre] `regex = replacement` lines
  std::vector<ConfigLine> rewrite_post;     // inline [post] lines
  bool forward_all = true;                  // carbon's FORWARD_ALL: the inputs are written too
  int64_t max_intervals = 5;                // carbon's MAX_AGGREGATION_INTERVALS; 1..1000
  size_t max_rules = 10000;                 // aggregation rules (and rewrite rules); 1..1000000
  size_t max_buffers = 1'000'000;           // (output metric, interval) buffers; 1..1e9
  size_t max_buffered_values = 10'000'000;  // values held for percentile rules; 1..1e9
  size_t max_cached_names = 1'000'000;      // input names whose matches are cached; 1..1e9
  std::chrono::milliseconds flush_interval{1000};  // due aggregates written; 10ms..1h
  bool enabled() const {
    return !rules_file.empty() || !rewrite_rules_file.empty() || !rules.empty() ||
           !rewrite_pre.empty() || !rewrite_post.empty();
  }
  bool operator==(const AggregatorConfig&) const = default;
};

struct Config {
  // Names self-metrics `meridian.<instance>.*`. Default: the host name with '.' → '_'.
  // Letters, digits, '_' and '-' only. ParseConfig always fills it.
  std::string instance;
  std::string data_dir = "./data";  // relative to the working directory, as carbon's
  GraphiteConfig graphite;
  HttpConfig http;
  StorageConfig storage;
  AlertingConfig alerting;
  FederationConfig federation;
  DashboardsConfig dashboards;
  EventsConfig events;
  AggregatorConfig aggregator;

  // Where it came from, for messages, and the base of relative carbon_*_file paths ("" = cwd).
  std::string source_name = "<default config>";
  std::string config_dir;
  bool operator==(const Config&) const = default;
};

// dashboards.dir resolved against the config file's directory ("" stays "").
std::string DashboardsDir(const Config& config);

// Host name with '.' (and anything outside [A-Za-z0-9_-]) replaced by '_'; "localhost" if the
// host name is unavailable.
std::string DefaultInstanceName();

// Parses YAML text; absent keys keep their defaults. Errors read
// "<source_name>:<line>: <key.path>: <what>", e.g.
// "meridian.yaml:7: storage.schemas[1].retentions: archive '10s:6x': invalid duration: ...".
// Unknown and duplicate keys, wrong types, bad durations/retentions/patterns/addresses, values
// out of range, and `schemas` together with `carbon_schemas_file` (same for aggregation) fail.
core::Result<Config> ParseConfig(std::string_view yaml_text, std::string_view source_name);

// Reads (at most 1 MiB) and parses `path`; config_dir = the file's directory.
core::Result<Config> LoadConfigFile(const std::string& path);

// Command-line flags that override the file. Errors name the flag.
struct Overrides {
  std::optional<std::string> data_dir;         // --data-dir DIR
  std::optional<std::string> graphite_listen;  // --graphite-listen HOST:PORT
  std::optional<std::string> http_listen;      // --http-listen HOST:PORT
  std::optional<std::string> pickle_listen;    // --pickle-listen HOST:PORT|off
};
core::Status ApplyOverrides(Config& config, const Overrides& overrides);

// Reads a whole file; the seam lets tests run without disk.
using FileReader = std::function<core::Result<std::string>(const std::string& path)>;
// Reads at most `max_bytes`; larger files are an error.
core::Result<std::string> ReadSmallFile(const std::string& path, size_t max_bytes = 1 << 20);

// The peer's client settings with its token_file read (at most 64 KiB, one token on one line;
// trailing whitespace dropped). Errors name federation.peers[<name>].token_file.
core::Result<query::federation::PeerConfig> ResolvePeer(const FederationPeerConfig& peer);

// The store's schemas: the rule lists, or the carbon files (read through `read`, relative paths
// against config.config_dir) when configured. Errors name the key and file.
core::Result<storage::SchemaSet> BuildSchemas(const Config& config, const FileReader& read);
core::Result<storage::SchemaSet> BuildSchemas(const Config& config);

// The aggregator's rules: its files (read through `read`, relative to config_dir) then its inline
// lines. Errors name the key and "file:line".
core::Result<std::shared_ptr<const aggregation::RuleSet>> BuildAggregatorRules(
    const Config& config, const FileReader& read);
core::Result<std::shared_ptr<const aggregation::RuleSet>> BuildAggregatorRules(
    const Config& config);

}  // namespace meridian::app
