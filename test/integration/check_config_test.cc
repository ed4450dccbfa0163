// `meridian serve --check-config`: the real binary on real files — every problem listed with its
// file and line, nothing bound, the store not opened (it runs beside the running service).
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/meridian_process.h"
#include "support/pki.h"
#include "support/process.h"

namespace meridian::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kRule[] = R"(group: lb
interval: 1min
rules:
  - name: rps
    target: lb.rps
    warning: "100:"
    nagios: {host: lb-1.example.com}
)";

constexpr char kDashboard[] = R"(title: Web
panels:
  - title: CPU
    targets: ["servers.*.cpu.user"]
)";

constexpr char kTokens[] = R"(tokens:
  - { name: grafana, token: "0123456789abcdef0123", scope: read }
)";

CliRun CheckConfig(const TempDir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), {"serve", "--check-config"});
  return RunProgram(dir, MERIDIAN_BINARY, std::move(args));
}

// A directory with a valid rule, a valid dashboard, a tokens file, a peer token and TLS files.
struct Files {
  explicit Files(const TempDir& dir) : root(dir.path()), pki(dir.path()) {
    std::filesystem::create_directories(root / "rules");
    std::filesystem::create_directories(root / "dashboards");
    EXPECT_TRUE(WriteFile(root / "rules" / "lb.yaml", kRule).ok());
    EXPECT_TRUE(WriteFile(root / "dashboards" / "web.yaml", kDashboard).ok());
    EXPECT_TRUE(WriteFile(root / "tokens.yaml", kTokens).ok());
    EXPECT_TRUE(WriteFile(root / "peer.token", "0123456789abcdef0123\n").ok());
    EXPECT_TRUE(pki.MakeCa("ca").ok());
    EXPECT_TRUE(pki.MakeCert("server", "ca", "127.0.0.1", "subjectAltName=IP:127.0.0.1").ok());
    EXPECT_TRUE(pki.MakeCert("other", "ca", "127.0.0.1", "subjectAltName=IP:127.0.0.1").ok());
  }
  std::string P(const std::string& name) const { return (root / name).string(); }
  std::filesystem::path root;
  Pki pki;
};

TEST(CheckConfigTest, EmbeddedDefaultIsValid) {
  TempDir dir("check-config");
  const CliRun r = CheckConfig(dir, {"--data-dir", dir.Sub("data")});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("<default config>: OK"));
  EXPECT_THAT(r.out, HasSubstr("will be created"));
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("data"))) << "the check must not create the store";
}

TEST(CheckConfigTest, ValidConfigWithEveryFileIsOk) {
  TempDir dir("check-config");
  Files f(dir);
  const std::string config = dir.Sub("meridian.yaml");
  ASSERT_TRUE(WriteFile(config, fmt::format(R"(data_dir: {0}/data
graphite: {{ listen: "127.0.0.1:2003" }}
http:
  listen: "[::1]:8080"
  tls: {{ cert_file: {0}/server.pem, key_file: {0}/server.key, client_ca_file: {0}/ca.pem }}
  auth: {{ tokens_file: {0}/tokens.yaml }}
alerting: {{ rules_dir: {0}/rules }}
dashboards: {{ dir: dashboards }}
federation:
  peers:
    - {{ name: us, url: "https://us.example.com:8443", token_file: {0}/peer.token,
        tls: {{ ca_file: {0}/ca.pem }} }}
)",
                                            dir.path().string()))
                  .ok());
  const CliRun r = CheckConfig(dir, {"--config", config});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(config + ": OK"));
  EXPECT_THAT(r.out, HasSubstr("http.tls"));
  EXPECT_THAT(r.out, HasSubstr("1 tokens"));
  EXPECT_THAT(r.out, HasSubstr("1 files, 1 groups, 1 rules"));
  EXPECT_THAT(r.out, HasSubstr("federation: 1 peers"));
  EXPECT_EQ(r.err, "");
}

TEST(CheckConfigTest, EveryProblemIsListedWithItsFileAndLine) {
  TempDir dir("check-config");
  Files f(dir);
  ASSERT_TRUE(WriteFile(f.root / "rules" / "bad.yaml", "group: g\nrules:\n  - name: r\n").ok());
  ASSERT_TRUE(WriteFile(f.root / "dashboards" / "bad.yaml", "title: x\npanels: 7\n").ok());
  ASSERT_TRUE(WriteFile(f.root / "a-file", "not a directory").ok());
  const std::string config = dir.Sub("meridian.yaml");
  ASSERT_TRUE(WriteFile(config, fmt::format(R"(data_dir: {0}/a-file/data
http:
  tls: {{ cert_file: {0}/missing.pem,
         key_file: {0}/server.key }}
  auth: {{ tokens_file: {0}/no-tokens.yaml }}
alerting: {{ rules_dir: {0}/rules }}
dashboards: {{ dir: {0}/dashboards }}
federation:
  peers:
    - {{ name: us, url: "http://us.example.com:8080", token_file: {0}/no.token }}
)",
                                            dir.path().string()))
                  .ok());
  const CliRun r = CheckConfig(dir, {"--config", config});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_THAT(r.err, HasSubstr(config + ":1: data_dir: " + dir.Sub("a-file/data") +
                               " cannot be created: " + dir.Sub("a-file") + " is not a directory"));
  EXPECT_THAT(r.err, HasSubstr(config + ":3: http.tls.cert_file " + dir.Sub("missing.pem") +
                               ": cannot read: No such file or directory"));
  EXPECT_THAT(r.err, HasSubstr(config + ":5: http.auth.tokens_file " + dir.Sub("no-tokens.yaml") +
                               ": cannot read"));
  EXPECT_THAT(r.err, HasSubstr(config + ":10: federation.peers[us].token_file: cannot read " +
                               dir.Sub("no.token")));
  // The rule file's three problems and the dashboard's one, each at its own file and line.
  EXPECT_THAT(r.err, HasSubstr(dir.Sub("rules/bad.yaml") + ":3: group g: rule r: missing required "
                                                           "key 'target'"));
  EXPECT_THAT(r.err, HasSubstr(dir.Sub("dashboards/bad.yaml") + ":2: panels: "));
  EXPECT_THAT(r.err, HasSubstr(config + ": 8 errors"));
}

TEST(CheckConfigTest, ParseErrorsStopWithFileAndLine) {
  TempDir dir("check-config");
  const std::string config = dir.Sub("meridian.yaml");
  ASSERT_TRUE(WriteFile(config, "data_dir: /tmp\ngraphite:\n  lisen: \"0.0.0.0:2003\"\n").ok());
  const CliRun r = CheckConfig(dir, {"--config", config});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr(config + ":3: graphite.lisen: unknown key"));
  EXPECT_THAT(r.err, HasSubstr("1 error"));

  const CliRun missing = CheckConfig(dir, {"--config", dir.Sub("nope.yaml")});
  EXPECT_EQ(missing.code, 1);
  EXPECT_THAT(missing.err, HasSubstr("nope.yaml"));

  const CliRun bad_flag = CheckConfig(dir, {"--http-listen", "nowhere"});
  EXPECT_EQ(bad_flag.code, 1);
  EXPECT_THAT(bad_flag.err, HasSubstr("--http-listen: "));
}

TEST(CheckConfigTest, KeyThatDoesNotMatchItsCertificateIsAnError) {
  TempDir dir("check-config");
  Files f(dir);
  const std::string config = dir.Sub("meridian.yaml");
  ASSERT_TRUE(WriteFile(config, fmt::format("data_dir: {0}/data\n"
                                            "http:\n"
                                            "  tls:\n"
                                            "    cert_file: {0}/server.pem\n"
                                            "    key_file: {0}/other.key\n",
                                            dir.path().string()))
                  .ok());
  const CliRun r = CheckConfig(dir, {"--config", config});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr(config + ":3: http.tls.key_file " + dir.Sub("other.key") + ": "));
}

TEST(CheckConfigTest, DataDirThatIsAFileIsAnError) {
  TempDir dir("check-config");
  ASSERT_TRUE(WriteFile(dir.path() / "store", "x").ok());
  const CliRun r = CheckConfig(dir, {"--data-dir", dir.Sub("store")});
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.err, HasSubstr("data_dir: " + dir.Sub("store") + " exists and is not a directory"));
}

TEST(CheckConfigTest, BrokenAggregationRulesFileIsNamedWithItsLine) {
  TempDir dir("check-config");
  ASSERT_TRUE(WriteFile(dir.path() / "aggregation-rules.conf",
                        "# carbon-aggregator rules\n"
                        "prod.applications.<app>.all.requests (60) = sum "
                        "prod.applications.<app>.*.requests\n"
                        "broken line without a method\n")
                  .ok());
  ASSERT_TRUE(WriteFile(dir.path() / "meridian.yaml",
                        fmt::format("data_dir: {}\naggregator:\n  rules_file: {}\n",
                                    dir.Sub("data"), dir.Sub("aggregation-rules.conf")))
                  .ok());
  const CliRun r = CheckConfig(dir, {"--config", dir.Sub("meridian.yaml")});
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("aggregation-rules.conf:3"));
}

// The running service holds its ports and the store's lock: a check beside it still passes,
// because it binds nothing and opens nothing.
TEST(CheckConfigTest, RunsBesideTheRunningServiceItChecks) {
  MeridianOptions o;
  o.binary = MERIDIAN_BINARY;
  auto m = MeridianProcess::Start(o);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  TempDir dir("check-config");
  const CliRun r =
      CheckConfig(dir, {"--data-dir", (*m)->data_dir().string(), "--graphite-listen",
                        fmt::format("127.0.0.1:{}", (*m)->graphite_port()), "--http-listen",
                        fmt::format("127.0.0.1:{}", (*m)->http_port())});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("exists, writable"));
  EXPECT_THAT(r.out, Not(HasSubstr("will be created")));
  EXPECT_TRUE((*m)->Stop().ok()) << (*m)->Log();
}

}  // namespace
}  // namespace meridian::testing
