// `meridian rules check` and `meridian export-nagios` as a rules repo's CI runs them, with the
// export checked by the real Nagios (Debian nagios4-core): `nagios4 -v` accepts it, and a
// running Nagios turns a stale service UNKNOWN through the exported command.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "support/process.h"

namespace meridian {
namespace {

using testing::CliRun;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ReadFileOrEmpty;
using testing::RunProgram;
using testing::TempDir;
using testing::WriteFile;

constexpr char kNagios[] = "/usr/sbin/nagios4";

CliRun Meridian(const TempDir& dir, std::vector<std::string> args) {
  return RunProgram(dir, MERIDIAN_BINARY, std::move(args));
}

constexpr std::string_view kDbRules = R"(group: eu-west-db
interval: 10s
rules:
  - name: pg-conns
    target: eu-west.db*.pg.conns
    window: 1min
    reduce: avg
    warning: "~:150"
    critical: "~:300"
    for: 30s
    keep_firing_for: 1min
    no_data: unknown
    nagios:
      host: "{node:1}"
      service: "pg-conns"
    output: "{name} connections {value}"
  - name: disk
    target: sumSeries(eu-west.db*.disk.used)
    critical: "90"
    nagios: {host: eu-west-db, service: disk used}
)";

constexpr std::string_view kLbRules = R"(group: lb
interval: 1min
rules:
  - name: rps
    target: lb.rps
    warning: "100:"
    nagios: {host: lb-1.example.com}
)";

void WriteValidRules(const TempDir& dir) {
  std::filesystem::create_directories(dir.path() / "rules/lb");
  std::filesystem::create_directories(dir.path() / "rules/.git");
  ASSERT_TRUE(WriteFile(dir.path() / "rules/db.yaml", kDbRules).ok());
  ASSERT_TRUE(WriteFile(dir.path() / "rules/lb/lb.yml", kLbRules).ok());
  // Not rule files: skipped.
  ASSERT_TRUE(WriteFile(dir.path() / "rules/README.md", "not: [yaml").ok());
  ASSERT_TRUE(WriteFile(dir.path() / "rules/.hidden.yaml", "not: [yaml").ok());
  ASSERT_TRUE(WriteFile(dir.path() / "rules/.git/x.yaml", "not: [yaml").ok());
}

TEST(RulesCheckCliTest, ValidDirectoryPasses) {
  TempDir dir("rules-cli");
  WriteValidRules(dir);
  CliRun run = Meridian(dir, {"rules", "check", dir.Sub("rules")});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, "2 rule files, 2 groups, 3 rules: OK\n");
  EXPECT_EQ(run.err, "");
}

TEST(RulesCheckCliTest, BrokenFilesNameFileLineAndRule) {
  TempDir dir("rules-cli");
  WriteValidRules(dir);
  const std::string bad = dir.Sub("zz-bad.yaml");  // sorts after rules/: reported as the second
  ASSERT_TRUE(WriteFile(bad,
                        "group: lb\n"
                        "rules:\n"
                        "  - name: broken\n"
                        "    target: sumSeries(a.b\n"
                        "    warning: \"~:x\"\n"
                        "    nagios: {host: eu-west-db, service: disk used}\n"
                        "  - name: taken\n"
                        "    target: a.b\n"
                        "    warning: \"1\"\n"
                        "    nagios: {host: eu-west-db, service: disk used}\n")
                  .ok());
  CliRun run = Meridian(dir, {"rules", "check", dir.Sub("rules"), bad});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_THAT(run.err,
              HasSubstr(bad + ":4: group lb: rule broken: target: target 'sumSeries(a.b'"));
  EXPECT_THAT(run.err, HasSubstr(bad + ":5: group lb: rule broken: warning: threshold range"));
  EXPECT_THAT(run.err, HasSubstr(bad + ":1: group lb: group name already used in " +
                                 dir.Sub("rules/lb/lb.yml") + ":1"));
  EXPECT_THAT(run.err, HasSubstr(":7: group lb: rule taken: host 'eu-west-db' service 'disk "
                                 "used' is already used by rule 'disk' of group 'eu-west-db' (" +
                                 dir.Sub("rules/db.yaml") + ":17)"));
  EXPECT_THAT(run.err, HasSubstr("4 errors in 3 rule files\n"));
}

TEST(RulesCheckCliTest, UsageAndMissingPaths) {
  TempDir dir("rules-cli");
  CliRun run = Meridian(dir, {"rules", "check"});
  EXPECT_EQ(run.code, 2);
  EXPECT_THAT(run.err, HasSubstr("usage: meridian rules check PATH..."));
  run = Meridian(dir, {"rules", "check", dir.Sub("nope")});
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.err, HasSubstr(dir.Sub("nope") + ": no such file or directory"));
  std::filesystem::create_directories(dir.path() / "empty");
  run = Meridian(dir, {"rules", "check", dir.Sub("empty")});
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.err, HasSubstr("no rule files"));
}

// A minimal nagios.cfg around the exported objects, everything in `dir`.
std::string NagiosConfig(const TempDir& dir, const std::string& objects,
                         std::string_view extra = "") {
  const std::string d = dir.path().string();
  const std::string contacts = dir.Sub("contacts.cfg");
  EXPECT_TRUE(WriteFile(contacts,
                        "define contact {\n"
                        "    contact_name                  nobody\n"
                        "    host_notifications_enabled    0\n"
                        "    service_notifications_enabled 0\n"
                        "    host_notification_period      meridian-24x7\n"
                        "    service_notification_period   meridian-24x7\n"
                        "    host_notification_options     n\n"
                        "    service_notification_options  n\n"
                        "    host_notification_commands    meridian-stale\n"
                        "    service_notification_commands meridian-stale\n"
                        "}\n")
                  .ok());
  const std::string cfg = dir.Sub("nagios.cfg");
  std::string text = "cfg_file=" + objects + "\ncfg_file=" + contacts + "\n";
  for (std::string_view key :
       {"log_file=nagios.log", "object_cache_file=objects.cache",
        "precached_object_file=objects.precache", "status_file=status.dat", "temp_file=nagios.tmp",
        "lock_file=nagios.lock", "state_retention_file=retention.dat", "command_file=nagios.cmd"}) {
    const size_t eq = key.find('=');
    text += std::string(key.substr(0, eq + 1)) + d + "/" + std::string(key.substr(eq + 1)) + "\n";
  }
  text += "temp_path=" + d + "\ncheck_result_path=" + d +
          "\nnagios_user=root\nnagios_group=root\n"
          "illegal_object_name_chars=`~!$%^&*|'\"<>?,()=\n"
          "illegal_macro_output_chars=`~$&|'\"<>\n" +
          std::string(extra);
  EXPECT_TRUE(WriteFile(cfg, text).ok());
  return cfg;
}

TEST(ExportNagiosCliTest, NagiosAcceptsTheExport) {
  TempDir dir("export-nagios");
  WriteValidRules(dir);
  CliRun run = Meridian(dir, {"export-nagios", "--rules", dir.Sub("rules")});
  ASSERT_EQ(run.code, 0) << run.err;
  // The templated rule needs --url: skipped, and said so.
  EXPECT_THAT(run.err, HasSubstr("skipping group eu-west-db rule pg-conns"));
  EXPECT_THAT(run.out, HasSubstr("host_name                    lb-1.example.com\n"));
  EXPECT_THAT(run.out, HasSubstr("service_description          disk used\n"
                                 "    freshness_threshold          60\n"));
  EXPECT_THAT(run.out, HasSubstr("service_description          rps\n"
                                 "    freshness_threshold          180\n"));
  const std::string objects = dir.Sub("meridian.cfg");
  ASSERT_TRUE(WriteFile(objects, run.out).ok());
  CliRun verify = RunProgram(dir, kNagios, {"-v", NagiosConfig(dir, objects)});
  EXPECT_EQ(verify.code, 0) << verify.out << verify.err;
  EXPECT_THAT(verify.out, HasSubstr("Total Errors:   0"));
  EXPECT_THAT(verify.out, HasSubstr("Checked 2 services."));
  EXPECT_THAT(verify.out, HasSubstr("Checked 2 hosts."));

  // Same rules, same text.
  EXPECT_EQ(Meridian(dir, {"export-nagios", "--rules", dir.Sub("rules")}).out, run.out);
}

TEST(ExportNagiosCliTest, StaleServiceGoesUnknownThroughTheExportedCommand) {
  TempDir dir("export-nagios");
  WriteValidRules(dir);
  CliRun run = Meridian(dir, {"export-nagios", "--rules", dir.Sub("rules/lb")});
  ASSERT_EQ(run.code, 0) << run.err;
  // Shrink the threshold so that the service is stale at once.
  std::string objects_text = run.out;
  const std::string from = "freshness_threshold          180";
  ASSERT_NE(objects_text.find(from), std::string::npos);
  objects_text.replace(objects_text.find(from), from.size(), "freshness_threshold 1");
  const std::string objects = dir.Sub("meridian.cfg");
  ASSERT_TRUE(WriteFile(objects, objects_text).ok());
  const std::string cfg = NagiosConfig(dir, objects,
                                       "check_service_freshness=1\n"
                                       "service_freshness_check_interval=1\n"
                                       "additional_freshness_latency=0\n"
                                       "status_update_interval=1\n");
  testing::SubprocessOptions o;
  o.argv = {kNagios, cfg};
  o.log_path = dir.Sub("nagios.stdout");
  auto nagios = testing::Subprocess::Start(o);
  ASSERT_TRUE(nagios.ok()) << nagios.status().ToString();
  const std::string status = dir.Sub("status.dat");
  EXPECT_TRUE(testing::WaitFor(
      [&] {
        const std::string s = ReadFileOrEmpty(status);
        return s.find(
                   "plugin_output=UNKNOWN - no result from Meridian within the freshness "
                   "threshold") != std::string::npos &&
               s.find("current_state=3") != std::string::npos;
      },
      std::chrono::seconds(30)))
      << ReadFileOrEmpty(dir.Sub("nagios.log"));
  (*nagios)->Stop();
}

TEST(ExportNagiosCliTest, InvalidRulesAndUsage) {
  TempDir dir("export-nagios");
  ASSERT_TRUE(WriteFile(dir.Sub("bad.yaml"), "group: g\nrules: {}\n").ok());
  CliRun run = Meridian(dir, {"export-nagios", "--rules", dir.Sub("bad.yaml")});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_THAT(run.err, HasSubstr("bad.yaml:2: group g: rules: expected a list"));
  EXPECT_EQ(Meridian(dir, {"export-nagios"}).code, 2);
  EXPECT_EQ(Meridian(dir, {"export-nagios", "--rules"}).code, 2);
  EXPECT_EQ(Meridian(dir, {"export-nagios", "--rules", "x", "--freshness-factor", "0"}).code, 2);
  EXPECT_EQ(Meridian(dir, {"export-nagios", "--bogus"}).code, 2);
  CliRun help = Meridian(dir, {"export-nagios", "--help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_THAT(help.out, HasSubstr("without --url they are skipped"));
}

TEST(ExportNagiosCliTest, TemplatedRuleWithUnreachableUrlFails) {
  TempDir dir("export-nagios");
  WriteValidRules(dir);
  const uint16_t port = testing::FreeTcpPort();  // nothing listens there
  CliRun run = Meridian(dir, {"export-nagios", "--rules", dir.Sub("rules"), "--url",
                              "http://127.0.0.1:" + std::to_string(port)});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_THAT(run.err, HasSubstr("group eu-west-db: rule pg-conns: rendering the target failed"));
}

// `meridian rules test`: promtool-style unit tests of the rules, evaluated on a real store.
class RulesTestCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.path() / "rules");
    ASSERT_TRUE(WriteFile(dir_.path() / "rules" / "db.yaml", R"(group: eu-west-db
interval: 10s
rules:
  - name: pg-conns
    target: eu-west.db*.pg.conns
    window: 30s
    reduce: max
    warning: "~:150"
    critical: "~:300"
    for: 20s
    no_data: unknown
    nagios: { host: "{node:1}", service: pg-conns }
    output: "{name} connections {value}"
)")
                    .ok());
  }

  std::string WriteTest(std::string_view name, std::string_view text) {
    const std::string path = dir_.Sub(std::string(name));
    EXPECT_TRUE(WriteFile(path, text).ok());
    return path;
  }

  TempDir dir_{"meridian-rules-test-cli"};
};

constexpr std::string_view kPassingTest = R"(rule_files: [rules/db.yaml]
tests:
  - name: db2 goes critical after 20s and db1 stays OK
    interval: 10s
    input_series:
      - series: eu-west.db1.pg.conns
        values: "100x12"
      - series: eu-west.db2.pg.conns
        values: "100 100 400x4 100x6"
      - series: eu-west.db3.pg.conns
        values: "200 200 _x10"
    expected:
      - at: 10s
        checks:
          - { host: db1, service: pg-conns, state: OK,
              output: "OK - eu-west.db1.pg.conns connections 100 | pg-conns=100;~:150;~:300" }
          - { host: db2, service: pg-conns, state: OK }
          - { host: db3, service: pg-conns, state: OK }
      - at: 30s
        checks:
          - { host: db2, service: pg-conns, state: OK }       # pending: held 10s of 20s
          - { host: db3, service: pg-conns, state: WARNING }
      - at: 40s
        checks:
          - { host: db2, service: pg-conns, state: CRITICAL }
      - at: 100s
        checks:
          - { host: db2, service: pg-conns, state: OK }       # max over 30s dropped below 150
          - { host: db3, service: pg-conns, state: UNKNOWN }  # stopped reporting
)";

TEST_F(RulesTestCliTest, PassingTestsExitZero) {
  const std::string test = WriteTest("db_test.yaml", kPassingTest);
  CliRun run = Meridian(dir_, {"rules", "test", test});
  EXPECT_EQ(run.code, 0) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("PASS " + test + ":3: db2 goes critical after 20s"));
  EXPECT_THAT(run.out, Not(HasSubstr("FAIL")));
}

TEST_F(RulesTestCliTest, FailingTestPrintsADiffAndExitsOne) {
  std::string text(kPassingTest);
  text.replace(text.find("state: CRITICAL"), 15, "state: WARNING");
  const std::string test = WriteTest("db_test.yaml", text);
  CliRun run = Meridian(dir_, {"rules", "test", test});
  EXPECT_EQ(run.code, 1) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("FAIL " + test + ":3:"));
  EXPECT_THAT(run.out, HasSubstr("  at 40s:"));
  EXPECT_THAT(run.out, HasSubstr("  - host=db2 service=pg-conns state=WARNING"));
  EXPECT_THAT(run.out, HasSubstr("  + host=db2 service=pg-conns state=CRITICAL output="));
  EXPECT_THAT(run.out, HasSubstr("1 test(s) failed"));
}

TEST_F(RulesTestCliTest, BrokenTestFileOrRulesAreErrors) {
  const std::string bad_values = WriteTest("bad_values.yaml", R"(rule_files: [rules/db.yaml]
tests:
  - input_series:
      - { series: a.b, values: "1 2 x3" }
    expected: []
)");
  CliRun run = Meridian(dir_, {"rules", "test", bad_values});
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.err, HasSubstr(bad_values + ":4: values: 'x3'"));

  const std::string missing_rules = WriteTest("missing.yaml", R"(rule_files: [nope.yaml]
tests: []
)");
  run = Meridian(dir_, {"rules", "test", missing_rules});
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.err, HasSubstr("nope.yaml"));

  run = Meridian(dir_, {"rules", "test"});
  EXPECT_EQ(run.code, 2);

  // A runaway `at` is refused, not run for hours.
  const std::string far = WriteTest("far.yaml", R"(rule_files: [rules/db.yaml]
tests:
  - input_series: [ { series: eu-west.db1.pg.conns, values: "1" } ]
    expected: [ { at: 3000d, checks: [] } ]
)");
  run = Meridian(dir_, {"rules", "test", far});
  EXPECT_EQ(run.code, 1);
  EXPECT_THAT(run.out, HasSubstr("more than 1000000 group evaluations"));
}

}  // namespace
}  // namespace meridian
