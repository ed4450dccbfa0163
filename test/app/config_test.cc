#include "app/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

namespace meridian::app {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;
using ::testing::StartsWith;

Config MustParse(std::string_view yaml) {
  auto c = ParseConfig(yaml, "meridian.yaml");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? *c : Config{};
}

std::string ParseError(std::string_view yaml) {
  auto c = ParseConfig(yaml, "meridian.yaml");
  EXPECT_FALSE(c.ok()) << yaml;
  return c.ok() ? "" : c.status().message();
}

TEST(ConfigTest, EmbeddedDefaultParsesToTheStructDefaults) {
  Config parsed = MustParse(kDefaultConfigYaml);
  Config defaults;
  defaults.source_name = "meridian.yaml";
  defaults.instance = DefaultInstanceName();
  EXPECT_EQ(parsed, defaults);
  EXPECT_EQ(parsed.data_dir, "./data");
  EXPECT_EQ(parsed.graphite.listen.ToString(), "0.0.0.0:2003");
  EXPECT_TRUE(parsed.graphite.udp);
  EXPECT_EQ(parsed.http.listen.ToString(), "0.0.0.0:8080");
  EXPECT_EQ(parsed.storage.sync_interval, milliseconds(1000));
  EXPECT_EQ(parsed.storage.self_metrics_interval, milliseconds(10000));
  EXPECT_EQ(storage::FormatRetentions(parsed.storage.schemas[1].archives), "10s:6h,1m:1w,10m:5y");
}

TEST(ConfigTest, GraphiteConnectionAndUdpKnobsParse) {
  Config c = MustParse(
      "graphite: { max_connections_per_source: 0, idle_timeout: 90s,"
      " udp_receive_buffer_bytes: 1048576 }\n");
  EXPECT_EQ(c.graphite.max_connections_per_source, 0u);
  EXPECT_EQ(c.graphite.idle_timeout, milliseconds(90000));
  EXPECT_EQ(c.graphite.udp_receive_buffer_bytes, 1048576u);
  EXPECT_EQ(MustParse("graphite: { idle_timeout: 0 }\n").graphite.idle_timeout, milliseconds(0));
  Config d = MustParse("");
  EXPECT_EQ(d.graphite.idle_timeout, milliseconds(600000));
  EXPECT_EQ(d.graphite.max_connections_per_source, 1000u);
  EXPECT_EQ(d.graphite.udp_receive_buffer_bytes, 16u << 20);
}

TEST(ConfigTest, PickleReceiverKnobsParseAndDefaultToCarbonsPort) {
  Config d = MustParse("");
  EXPECT_TRUE(d.graphite.pickle);
  EXPECT_EQ(d.graphite.pickle_listen.ToString(), "0.0.0.0:2004");
  EXPECT_EQ(d.graphite.max_pickle_frame_bytes, 1u << 20);
  Config c = MustParse(
      "graphite: { pickle: false, pickle_listen: \"127.0.0.1:0\", max_pickle_frame_bytes: 4096 "
      "}\n");
  EXPECT_FALSE(c.graphite.pickle);
  EXPECT_EQ(c.graphite.pickle_listen, (ListenAddress{"127.0.0.1", 0}));
  EXPECT_EQ(c.graphite.max_pickle_frame_bytes, 4096u);
  EXPECT_THAT(
      ParseConfig("graphite:\n  max_pickle_frame_bytes: 100\n", "meridian.yaml").status().message(),
      ::testing::HasSubstr("meridian.yaml:2: graphite.max_pickle_frame_bytes: '100' is not "
                           "an integer in 1024..268435456"));
  EXPECT_THAT(ParseConfig("graphite: { pickle: sure }\n", "meridian.yaml").status().message(),
              ::testing::HasSubstr("meridian.yaml:1: graphite.pickle: 'sure' is not a boolean"));
  EXPECT_THAT(ParseConfig("graphite: { pickle_listen: \"::1:2004\" }\n", "meridian.yaml")
                  .status()
                  .message(),
              ::testing::HasSubstr("graphite.pickle_listen"));
  Overrides off;
  off.pickle_listen = "off";
  ASSERT_TRUE(ApplyOverrides(d, off).ok());
  EXPECT_FALSE(d.graphite.pickle);
  Overrides on;
  on.pickle_listen = "127.0.0.1:0";
  ASSERT_TRUE(ApplyOverrides(d, on).ok());
  EXPECT_TRUE(d.graphite.pickle);
  EXPECT_EQ(d.graphite.pickle_listen, (ListenAddress{"127.0.0.1", 0}));
  Overrides bad;
  bad.pickle_listen = "nope";
  EXPECT_THAT(ApplyOverrides(d, bad).message(), ::testing::HasSubstr("--pickle-listen: "));
}

TEST(ConfigTest, EmptyDocumentKeepsDefaultsAndInstanceDefaultsToSanitizedHostName) {
  Config c = MustParse("");
  EXPECT_EQ(c.storage.schemas, DefaultSchemaRules());
  EXPECT_FALSE(c.instance.empty());
  EXPECT_EQ(c.instance.find('.'), std::string::npos);
  EXPECT_EQ(DefaultInstanceName().find('.'), std::string::npos);
}

TEST(ConfigTest, ParsesEveryDocumentedKey) {
  Config c = MustParse(R"(
instance: us-east-1
data_dir: /var/lib/meridian
graphite: { listen: "127.0.0.1:0", udp: false, max_line_bytes: 4096, max_connections: 50 }
http:
  listen: "[::1]:8081"
storage:
  sync_interval: 500ms
  max_pending_points: 1000
  points_per_block: 120
  self_metrics_interval: 1min
  schemas:
    - { name: self, pattern: "^meridian\\.", retentions: "10s:1d" }
  aggregation:
    - { pattern: "\\.max$", method: max, xFilesFactor: 0.1 }
    - { pattern: ".*" }
)");
  EXPECT_EQ(c.instance, "us-east-1");
  EXPECT_EQ(c.data_dir, "/var/lib/meridian");
  EXPECT_EQ(c.graphite.listen, (ListenAddress{"127.0.0.1", 0}));
  EXPECT_FALSE(c.graphite.udp);
  EXPECT_EQ(c.graphite.max_line_bytes, 4096u);
  EXPECT_EQ(c.graphite.max_connections, 50u);
  EXPECT_EQ(c.http.listen, (ListenAddress{"::1", 8081}));
  EXPECT_EQ(c.storage.sync_interval, milliseconds(500));
  EXPECT_EQ(c.storage.max_pending_points, 1000u);
  EXPECT_EQ(c.storage.points_per_block, 120u);
  EXPECT_EQ(c.storage.self_metrics_interval, milliseconds(60000));
  ASSERT_EQ(c.storage.schemas.size(), 1u);
  EXPECT_EQ(c.storage.schemas[0], (storage::SchemaRule{"self", "^meridian\\.", {{10, 8640}}}));
  ASSERT_EQ(c.storage.aggregation.size(), 2u);
  EXPECT_EQ(c.storage.aggregation[0],
            (storage::AggregationRule{"aggregation[0]", "\\.max$", storage::AggregationMethod::kMax,
                                      0.1}));
  EXPECT_EQ(c.storage.aggregation[1].method, storage::AggregationMethod::kAverage);
  EXPECT_EQ(c.storage.aggregation[1].x_files_factor, 0.5);
}

TEST(ConfigTest, ParsesTheAggregatorSectionAndBuildsItsRules) {
  auto c = ParseConfig(R"(aggregator:
  rules_file: agg.conf
  rules:
    - "totals.<dc> (60) = sum servers.<dc>.*.requests"
  rewrite: { pre: ["^collectd\\. = servers."], post: [] }
  forward_all: false
  max_intervals: 7
  flush_interval: 250ms
)",
                       "m.yaml");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_TRUE(c->aggregator.enabled());
  EXPECT_FALSE(c->aggregator.forward_all);
  EXPECT_EQ(c->aggregator.max_intervals, 7);
  EXPECT_EQ(c->aggregator.flush_interval, milliseconds(250));
  ASSERT_EQ(c->aggregator.rules.size(), 1u);
  EXPECT_EQ(c->aggregator.rules[0].source, "m.yaml:4");
  c->config_dir = "/etc/carbon";
  std::string read_path;
  auto rules = BuildAggregatorRules(*c, [&](const std::string& path) -> core::Result<std::string> {
    read_path = path;
    return std::string("# carbon's file\nfile.<x> (10) = max a.<x>\n");
  });
  ASSERT_TRUE(rules.ok()) << rules.status().message();
  EXPECT_EQ(read_path, "/etc/carbon/agg.conf");
  ASSERT_EQ((*rules)->rules().size(), 2u);  // the file's first, then the inline one
  EXPECT_EQ((*rules)->rules()[0].rule().source, "/etc/carbon/agg.conf:2");
  EXPECT_EQ((*rules)->pre().size(), 1u);
  EXPECT_FALSE(Config{}.aggregator.enabled());
}

TEST(ConfigTest, BrokenAggregatorRulesNameTheirLine) {
  auto c = ParseConfig("aggregator:\n  rules:\n    - \"a (60) = median b\"\n", "m.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(),
              StartsWith("m.yaml:3: aggregator.rules[0]: unknown method 'median'"));
  auto rw = ParseConfig("aggregator:\n  rewrite:\n    pre: [\"(a)\\\\1 = x\"]\n", "m.yaml");
  ASSERT_FALSE(rw.ok());
  EXPECT_THAT(rw.status().message(), HasSubstr("aggregator.rewrite.pre[0]: invalid regex"));
  Config file_config;
  file_config.aggregator.rules_file = "agg.conf";
  auto broken =
      BuildAggregatorRules(file_config, [](const std::string&) -> core::Result<std::string> {
        return std::string("ok (60) = sum a\nbroken\n");
      });
  ASSERT_FALSE(broken.ok());
  EXPECT_THAT(broken.status().message(), StartsWith("aggregator.rules_file: agg.conf:2: expected"));
}

TEST(ConfigTest, ParsesTheAlertingSection) {
  Config c = MustParse(R"(
alerting:
  rules_dir: /srv/rules
  reload_check_interval: 2s
  max_series_per_rule: 500
  max_fetched_series_per_rule: 5000
  max_points_per_rule: 100000
  query_timeout: 3s
  forget_after: 2d
  history_retention: 90d
  max_history_entries: 1000
  nagios: { command_file: /var/lib/nagios4/rw/nagios.cmd, max_queued_results: 10,
            max_queued_bytes: 10000 }
  nsca: { host: nagios.example.com, port: 5668, password: s3cret, encryption: none,
          packet: legacy, max_queued_results: 20, max_queued_bytes: 20000, timeout: 1500ms }
)");
  const AlertingConfig& a = c.alerting;
  EXPECT_EQ(a.rules_dir, "/srv/rules");
  EXPECT_EQ(a.reload_check_interval, milliseconds(2000));
  EXPECT_EQ(a.max_series_per_rule, 500u);
  EXPECT_EQ(a.max_fetched_series_per_rule, 5000u);
  EXPECT_EQ(a.max_points_per_rule, 100000u);
  EXPECT_EQ(a.query_timeout, milliseconds(3000));
  EXPECT_EQ(a.forget_after, milliseconds(2LL * 86400 * 1000));
  EXPECT_EQ(a.history_retention, milliseconds(90LL * 86400 * 1000));
  EXPECT_EQ(a.max_history_entries, 1000u);
  EXPECT_EQ(a.nagios, (NagiosSinkConfig{"/var/lib/nagios4/rw/nagios.cmd", 10, 10000}));
  EXPECT_EQ(a.nsca, (NscaSinkConfig{"nagios.example.com", 5668, "s3cret", "none", "legacy", 20,
                                    20000, milliseconds(1500)}));
  EXPECT_EQ(MustParse("{}").alerting, AlertingConfig{});  // off by default
}

TEST(ConfigTest, ParsesTheFederationSection) {
  Config c = MustParse(R"(
federation:
  timeout: 1500ms
  partial: deny
  fanout_threads: 4
  max_pending_calls: 64
  push_down: false
  probe_wait: 100ms
  peers:
    - name: us-east
      url: https://meridian-us.example.com:8443
      role: region
      prefix: us
      tags: { region: us }
      token_file: /etc/meridian/us.token
      connect_timeout: 500ms
      max_connections: 4
      compression: false
      max_response_bytes: 1048576
      backoff_min: 2s
      backoff_max: 1min
      tls: { ca_file: /etc/ssl/ca.pem, cert_file: /etc/ssl/me.pem, key_file: /etc/ssl/me.key }
    - { name: shard-2, url: "http://10.0.0.2:8080", role: shard, token: abc }
    - { name: old, url: "http://graphite:80/graphite", role: graphite }
)");
  const FederationConfig& f = c.federation;
  EXPECT_EQ(f.timeout, milliseconds(1500));
  EXPECT_FALSE(f.partial_allowed);
  EXPECT_EQ(f.fanout_threads, 4u);
  EXPECT_EQ(f.max_pending_calls, 64u);
  EXPECT_FALSE(f.push_down);
  EXPECT_EQ(f.probe_wait, milliseconds(100));
  EXPECT_EQ(MustParse("{}").federation.probe_wait, milliseconds(250));
  EXPECT_TRUE(MustParse("{}").federation.push_down);  // on by default
  ASSERT_EQ(f.peers.size(), 3u);
  const query::federation::PeerConfig& us = f.peers[0].peer;
  EXPECT_EQ(us.name, "us-east");
  EXPECT_EQ(us.url, "https://meridian-us.example.com:8443");
  EXPECT_EQ(us.role, query::federation::PeerRole::kRegion);
  EXPECT_EQ(us.mount.prefix, "us");
  EXPECT_EQ(us.mount.tags, (std::map<std::string, std::string>{{"region", "us"}}));
  EXPECT_EQ(f.peers[0].token_file, "/etc/meridian/us.token");
  EXPECT_EQ(us.token, "");
  EXPECT_EQ(us.connect_timeout, milliseconds(500));
  EXPECT_FALSE(us.compression);
  EXPECT_TRUE(f.peers[1].peer.compression);  // on by default
  EXPECT_EQ(us.max_connections, 4u);
  EXPECT_EQ(us.max_response_bytes, 1048576u);
  EXPECT_EQ(us.backoff_min, milliseconds(2000));
  EXPECT_EQ(us.backoff_max, milliseconds(60000));
  EXPECT_EQ(us.ca_file, "/etc/ssl/ca.pem");
  EXPECT_EQ(us.cert_file, "/etc/ssl/me.pem");
  EXPECT_EQ(us.key_file, "/etc/ssl/me.key");
  EXPECT_EQ(f.peers[1].peer.role, query::federation::PeerRole::kShard);
  EXPECT_EQ(f.peers[1].peer.token, "abc");
  EXPECT_EQ(f.peers[2].peer.role, query::federation::PeerRole::kGraphite);
  EXPECT_EQ(MustParse("{}").federation, FederationConfig{});  // no peers by default
  EXPECT_TRUE(MustParse("{}").alerting.partial_is_unknown);
  EXPECT_EQ(MustParse("http: { compress_min_bytes: 0 }").http.compress_min_bytes, 0u);
  EXPECT_EQ(MustParse("{}").http.compress_min_bytes, 1024u);
  EXPECT_EQ(MustParse("{}").storage.min_free_bytes, uint64_t{256} << 20);
  EXPECT_EQ(MustParse("storage: { min_free_bytes: 0 }").storage.min_free_bytes, 0u);
  EXPECT_TRUE(MustParse("{}").storage.verify_on_start);
  EXPECT_FALSE(MustParse("storage: { verify_on_start: false }").storage.verify_on_start);
  EXPECT_FALSE(MustParse("alerting: { partial_is_unknown: false }").alerting.partial_is_unknown);
}

TEST(ConfigTest, ParsesTheDashboardsSection) {
  Config d = MustParse("");
  EXPECT_EQ(d.dashboards.dir, "");
  EXPECT_EQ(d.dashboards.max_files, 1000u);
  EXPECT_EQ(d.dashboards.max_file_bytes, 1u << 20);
  EXPECT_EQ(d.dashboards.max_variable_options, 1000u);
  EXPECT_EQ(d.dashboards.max_alert_match_series, 10000u);
  Config c = MustParse(
      "dashboards: { dir: dash, max_files: 5, max_file_bytes: 2048, max_variable_options: 7,"
      " max_alert_match_series: 9 }\n");
  EXPECT_EQ(c.dashboards.dir, "dash");
  EXPECT_EQ(c.dashboards.max_files, 5u);
  EXPECT_EQ(c.dashboards.max_file_bytes, 2048u);
  EXPECT_EQ(c.dashboards.max_variable_options, 7u);
  EXPECT_EQ(c.dashboards.max_alert_match_series, 9u);
  EXPECT_EQ(DashboardsDir(c), "dash");
  c.config_dir = "/etc/meridian";
  EXPECT_EQ(DashboardsDir(c), "/etc/meridian/dash");
  c.dashboards.dir = "/srv/dash";
  EXPECT_EQ(DashboardsDir(c), "/srv/dash");
  c.dashboards.dir = "";
  EXPECT_EQ(DashboardsDir(c), "");
}

TEST(ConfigTest, ErrorsNameFileLineAndKeyPath) {
  struct Case {
    std::string_view yaml, want;
  };
  const Case cases[] = {
      // Unknown keys, at any depth: typos must not be silently ignored.
      {"data_dir: x\ndatadir: y\n", "meridian.yaml:2: datadir: unknown key"},
      {"storage:\n  sync_intervall: 1s\n", "meridian.yaml:2: storage.sync_intervall: unknown"},
      {"storage:\n  schemas:\n    - { pattern: a, retentions: 60:1d, retention: x }\n",
       "meridian.yaml:3: storage.schemas[0].retention: unknown key"},
      {"data_dir: a\ndata_dir: b\n", "meridian.yaml:2: data_dir: duplicate key"},
      {"dashboards:\n  dirs: x\n", "meridian.yaml:2: dashboards.dirs: unknown key"},
      {"dashboards: { max_files: 0 }\n", "dashboards.max_files: '0' is not an integer in 1"},
      {"dashboards: { max_file_bytes: 10 }\n", "dashboards.max_file_bytes: '10' is not an integer"},
      // Types.
      {"graphite: 2003\n", "meridian.yaml:1: graphite: expected a mapping"},
      {"graphite: { udp: maybe }\n", "graphite.udp: 'maybe' is not a boolean"},
      {"graphite:\n  max_connections: lots\n", "meridian.yaml:2: graphite.max_connections: 'lots'"},
      {"graphite:\n  max_line_bytes: 0\n", "graphite.max_line_bytes: '0' is not an integer in 64"},
      {"graphite: { idle_timeout: 10 }\n", "meridian.yaml:1: graphite.idle_timeout: '10': a unit"},
      {"graphite: { idle_timeout: 500ms }\n",
       "graphite.idle_timeout: must be 0 (never) or at least"},
      {"graphite: { idle_timeout: 2d }\n", "graphite.idle_timeout: 2d is outside"},
      {"graphite: { max_connections_per_source: -1 }\n",
       "graphite.max_connections_per_source: '-1' is not an integer in 0..1000000"},
      {"graphite: { udp_receive_buffer_bytes: 2147483648 }\n",
       "graphite.udp_receive_buffer_bytes: '2147483648' is not an integer in 0..1073741824"},
      {"data_dir: [a, b]\n", "meridian.yaml:1: data_dir: expected a single value"},
      {"data_dir:\n", "data_dir: expected a value, got nothing"},
      {"- a\n- b\n", "meridian.yaml:1: (top level): expected a mapping"},
      {"instance: us.east\n", "instance: use letters, digits"},
      // Durations.
      {"storage:\n  sync_interval: 10\n", "meridian.yaml:2: storage.sync_interval: '10': a unit"},
      {"storage:\n  sync_interval: 1w\n", "storage.sync_interval: '1w': unknown unit 'w'"},
      // Alerting.
      {"alerting:\n  rule_dir: x\n", "meridian.yaml:2: alerting.rule_dir: unknown key"},
      {"alerting:\n  nsca: { encryption: des }\n",
       "alerting.nsca.encryption: expected none or xor"},
      {"alerting:\n  nsca: { packet: v2 }\n", "alerting.nsca.packet: expected v3 or legacy"},
      {"alerting:\n  nsca:\n    port: 0\n", "meridian.yaml:3: alerting.nsca.port: '0' is not"},
      {"alerting:\n  nagios: { command_file: [a] }\n", "alerting.nagios.command_file: expected"},
      {"alerting:\n  max_series_per_rule: 0\n", "alerting.max_series_per_rule: '0'"},
      {"alerting:\n  history_retention: 10s\n", "alerting.history_retention: 10s is outside"},
      {"storage:\n  sync_interval: 11min\n", "storage.sync_interval: 11min is outside"},
      {"storage:\n  self_metrics_interval: 0s\n", "storage.self_metrics_interval: 0s is outside"},
      // Federation.
      {"federation:\n  peers:\n    - { name: a }\n",
       "meridian.yaml:3: federation.peers[0]: missing 'url'"},
      {"federation:\n  peers:\n    - { url: 'http://a:1' }\n",
       "federation.peers[0]: missing 'name'"},
      {"federation:\n  peers:\n    - { name: a, url: 'ftp://a' }\n",
       "federation.peers[0].url: expected http"},
      {"federation:\n  peers:\n    - { name: a, url: 'http://a:1', role: mirror }\n",
       "federation.peers[0].role: expected region, shard, replica or graphite"},
      {"federation:\n  peers:\n    - { name: a, url: 'http://a:1' }\n    - { name: a, url: "
       "'http://b:1' }\n",
       "meridian.yaml:4: federation.peers[1].name: duplicate peer name 'a'"},
      {"federation:\n  peers:\n    - { name: a, url: 'http://a:1', token: x, token_file: y }\n",
       "federation.peers[0]: give token or token_file, not both"},
      {"federation:\n  peers:\n    - { name: a, url: 'http://a:1', prefix: 'eu.*' }\n",
       "federation.peers[0].prefix: a dotted metric path prefix"},
      {"federation:\n  peers:\n    - { name: a, url: 'http://a:1', tags: { name: x } }\n",
       "federation.peers[0].tags.name: a tag name other than 'name'"},
      {"federation:\n  peers:\n    - { name: a, url: 'http://a:1', tls: { ca: x } }\n",
       "federation.peers[0].tls.ca: unknown key"},
      {"federation:\n  peers:\n    - { name: a, url: 'http://a:1', backoff_min: 1min, backoff_max: "
       "1s }\n",
       "federation.peers[0].backoff_max: must be >= backoff_min"},
      {"federation:\n  partial: maybe\n",
       "meridian.yaml:2: federation.partial: expected allow or deny"},
      {"federation:\n  timeout: 0s\n", "federation.timeout: 0s is outside"},
      {"federation:\n  peers: { name: a }\n", "federation.peers: expected a list"},
      // Retentions, patterns, methods.
      {"storage:\n  schemas:\n    - { pattern: a, retentions: '60:1d' }\n"
       "    - { pattern: b,\n        retentions: '10s:6x' }\n",
       "meridian.yaml:5: storage.schemas[1].retentions: archive '10s:6x': invalid duration"},
      {"storage:\n  schemas:\n    - { pattern: '(', retentions: '60:1d' }\n",
       "meridian.yaml:3: storage.schemas[0].pattern: invalid pattern '('"},
      {"storage:\n  schemas:\n    - { pattern: a }\n",
       "meridian.yaml:3: storage.schemas[0]: missing 'retentions'"},
      {"storage:\n  schemas: { pattern: a }\n", "storage.schemas: expected a list"},
      {"storage:\n  aggregation:\n    - { pattern: a, method: median }\n",
       "storage.aggregation[0].method: unknown aggregation method 'median'"},
      {"storage:\n  aggregation:\n    - { pattern: a, xFilesFactor: 2 }\n",
       "storage.aggregation[0].xFilesFactor: '2' is not a number in [0, 1]"},
      {"storage:\n  aggregation:\n    - { method: sum }\n", "storage.aggregation[0]: missing"},
      // Byte budget of answers.
      {"http: { max_response_bytes: 100 }\n", "http.max_response_bytes"},
      {"http: { max_response_bytes: -1 }\n", "http.max_response_bytes"},
      // Listen addresses.
      {"http: { listen: 'localhost' }\n", "http.listen: 'localhost' is not host:port"},
      {"http: { listen: '0.0.0.0:65536' }\n", "port must be a number in 0..65535"},
      {"graphite: { listen: '::1:2003' }\n", "write IPv6 addresses as [addr]:port"},
      // Carbon files exclude the inline rules.
      {"storage:\n  schemas: []\n  carbon_schemas_file: s.conf\n",
       "meridian.yaml:3: storage.carbon_schemas_file: cannot be combined with storage.schemas"},
      {"storage:\n  carbon_aggregation_file: a.conf\n  aggregation: []\n",
       "meridian.yaml:2: storage.carbon_aggregation_file: cannot be combined"},
      {"storage:\n  carbon_schemas_file: ''\n", "storage.carbon_schemas_file: must not be empty"},
      // YAML syntax errors are caught at this edge.
      {"graphite: { listen: \n", "meridian.yaml:2: invalid YAML: end of map flow not found"},
      {"a: [\n", "meridian.yaml:2: invalid YAML:"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(ParseError(c.yaml), HasSubstr(c.want)) << c.yaml;
  }
}

TEST(ConfigTest, ParsesTheEventsSectionAndNamesItsErrors) {
  Config c = MustParse("events:\n  max_events: 50\n  retention: 7d\n  max_event_bytes: 4096\n");
  EXPECT_EQ(c.events.max_events, 50u);
  EXPECT_EQ(c.events.retention, milliseconds(7LL * 86400 * 1000));
  EXPECT_EQ(c.events.max_event_bytes, 4096u);
  EXPECT_EQ(MustParse("").events, EventsConfig{});
  EXPECT_THAT(ParseError("events:\n  max_events: 0\n"),
              HasSubstr("meridian.yaml:2: events.max_events: '0' is not an integer in 1"));
  EXPECT_THAT(ParseError("events:\n  retention: 1500ms\n"),
              HasSubstr("meridian.yaml:2: events.retention: must be whole seconds"));
  EXPECT_THAT(ParseError("events:\n  max_event_bytes: 10\n"),
              HasSubstr("events.max_event_bytes: '10' is not an integer in 256"));
  EXPECT_THAT(ParseError("events: { max_evnts: 1 }\n"), HasSubstr("events.max_evnts: unknown key"));
}

TEST(ConfigTest, MaxResponseBytesDefaultsTo256MiBAndParses) {
  EXPECT_EQ(MustParse("").http.max_response_bytes, size_t{256} << 20);
  EXPECT_EQ(MustParse("http: { max_response_bytes: 1048576 }\n").http.max_response_bytes,
            size_t{1} << 20);
}

TEST(ConfigTest, DeeplyNestedYamlIsAnErrorNotACrash) {
  std::string deep(100000, '[');
  EXPECT_THAT(ParseError("data_dir: " + deep), StartsWith("meridian.yaml"));
}

TEST(ConfigTest, CarbonFileClearsTheDefaultRuleList) {
  Config c = MustParse("storage:\n  carbon_schemas_file: storage-schemas.conf\n");
  EXPECT_TRUE(c.storage.schemas.empty());
  EXPECT_EQ(c.storage.aggregation, DefaultAggregationRules());
}

TEST(ListenAddressTest, ParsesHostPortAndBracketedIpv6) {
  EXPECT_EQ(*ParseListenAddress("0.0.0.0:2003"), (ListenAddress{"0.0.0.0", 2003}));
  EXPECT_EQ(*ParseListenAddress("localhost:0"), (ListenAddress{"localhost", 0}));
  EXPECT_EQ(*ParseListenAddress("[::]:65535"), (ListenAddress{"::", 65535}));
  EXPECT_EQ(ParseListenAddress("[::1]:8080")->ToString(), "[::1]:8080");
  for (std::string_view bad : {"", ":2003", "host:", "host:-1", "host:80x", "[::1]", "[::1]8080",
                               "[]:80", "[zz]:80", "a b:80", "host:99999999999"}) {
    EXPECT_FALSE(ParseListenAddress(bad).ok()) << bad;
  }
}

TEST(DurationTest, ParsesUnitsAndRequiresOne) {
  EXPECT_EQ(*ParseDuration("500ms"), milliseconds(500));
  EXPECT_EQ(*ParseDuration("1s"), milliseconds(1000));
  EXPECT_EQ(*ParseDuration("2m"), milliseconds(120000));
  EXPECT_EQ(*ParseDuration("1min"), milliseconds(60000));
  EXPECT_EQ(*ParseDuration("1h"), milliseconds(3600000));
  EXPECT_EQ(*ParseDuration("7d"), milliseconds(7LL * 86400000));
  for (std::string_view bad : {"", "10", "s", "1.5s", "-1s", "1 s", "1sec", "99999999999999s"}) {
    EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  }
}

TEST(OverridesTest, ReplaceFileValuesAndNameTheFlagOnError) {
  Config c = MustParse(kDefaultConfigYaml);
  ASSERT_TRUE(ApplyOverrides(c, {"/tmp/d", "127.0.0.1:0", "[::1]:0", std::nullopt}).ok());
  EXPECT_EQ(c.data_dir, "/tmp/d");
  EXPECT_EQ(c.graphite.listen, (ListenAddress{"127.0.0.1", 0}));
  EXPECT_EQ(c.http.listen, (ListenAddress{"::1", 0}));

  Config untouched = c;
  EXPECT_TRUE(ApplyOverrides(c, {}).ok());
  EXPECT_EQ(c, untouched);
  EXPECT_THAT(ApplyOverrides(c, {std::nullopt, "nope", std::nullopt, std::nullopt}).message(),
              StartsWith("--graphite-listen: "));
  EXPECT_THAT(ApplyOverrides(c, {std::nullopt, std::nullopt, "x:70000", std::nullopt}).message(),
              StartsWith("--http-listen: "));
  EXPECT_THAT(ApplyOverrides(c, {"", std::nullopt, std::nullopt, std::nullopt}).message(),
              StartsWith("--data-dir: "));
}

// An in-memory FileReader: BuildSchemas without touching the disk.
struct FakeFiles {
  std::map<std::string, std::string> files;
  core::Result<std::string> operator()(const std::string& path) const {
    auto it = files.find(path);
    if (it == files.end()) return core::IoError("cannot read " + path);
    return it->second;
  }
};

TEST(BuildSchemasTest, UsesInlineRulesByDefault) {
  auto set = BuildSchemas(MustParse(kDefaultConfigYaml), FakeFiles{});
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  storage::SeriesSchema self = set->Resolve("meridian.us-east-1.ingest_points_total");
  EXPECT_EQ(storage::FormatRetentions(self.archives), "10s:1d,1m:30d");
  storage::SeriesSchema count = set->Resolve("stats.requests.count");
  EXPECT_EQ(storage::FormatRetentions(count.archives), "10s:6h,1m:1w,10m:5y");
  EXPECT_EQ(count.method, storage::AggregationMethod::kSum);
  EXPECT_EQ(count.x_files_factor, 0);
}

TEST(BuildSchemasTest, ReadsCarbonFilesRelativeToTheConfigDirectory) {
  Config c = MustParse(
      "storage:\n  carbon_schemas_file: storage-schemas.conf\n"
      "  carbon_aggregation_file: /etc/carbon/storage-aggregation.conf\n");
  c.config_dir = "/etc/meridian";
  FakeFiles files{{{"/etc/meridian/storage-schemas.conf",
                    "[carbon]\npattern = ^carbon\\.\nretentions = 60:90d\n"},
                   {"/etc/carbon/storage-aggregation.conf",
                    "[max]\npattern = \\.max$\naggregationMethod = max\n"}}};
  auto set = BuildSchemas(c, files);
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->Resolve("carbon.agents.a").archives,
            (std::vector<storage::Archive>{{60, 129600}}));
  EXPECT_EQ(set->Resolve("other").archives, (std::vector<storage::Archive>{{60, 10080}}));
  EXPECT_EQ(set->Resolve("a.max").method, storage::AggregationMethod::kMax);
}

TEST(BuildSchemasTest, CarbonFileErrorsNameKeyFileAndLine) {
  Config c = MustParse("storage:\n  carbon_schemas_file: /s.conf\n");
  auto missing = BuildSchemas(c, FakeFiles{});
  EXPECT_THAT(missing.status().message(), HasSubstr("cannot read /s.conf"));
  auto bad = BuildSchemas(c, FakeFiles{{{"/s.conf", "[a]\npattern = x\nretentions = 60\n"}}});
  EXPECT_THAT(bad.status().message(),
              HasSubstr("storage.carbon_schemas_file: /s.conf: line 3: [a] retentions:"));
  auto bad_regex =
      BuildSchemas(c, FakeFiles{{{"/s.conf", "[a]\npattern = (\nretentions = 60:1d\n"}}});
  EXPECT_THAT(bad_regex.status().message(), HasSubstr("schema rule 'a': invalid pattern"));
}

TEST(LoadConfigFileTest, MissingFileNamesThePath) {
  auto c = LoadConfigFile("/nonexistent/meridian.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("/nonexistent/meridian.yaml"));
}

}  // namespace
}  // namespace meridian::app
