#include "alerting/nagios_export.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "alerting/check_result.h"

namespace meridian::alerting {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

RuleSet LoadOrDie(std::string_view yaml) {
  LoadedRules loaded = ParseRuleGroup(yaml, "r.yaml");
  EXPECT_TRUE(loaded.errors.empty()) << loaded.errors.at(0).ToString();
  return loaded.rules;
}

constexpr std::string_view kRules = R"(group: g
interval: 10s
rules:
  - name: disk
    target: a.b
    critical: "90"
    nagios: {host: db1, service: disk used}
  - name: conns
    target: eu.db*.pg.conns
    warning: "100"
    nagios: {host: "{node:1}", service: "pg {node:-1}"}
  - name: load
    target: a.c
    warning: "1"
    nagios: {host: db1}
)";

TEST(NagiosExportTest, StaticChecksAndTemplatedRules) {
  RuleSet rules = LoadOrDie(kRules);
  std::vector<RuleRef> templated;
  std::vector<NagiosCheck> checks = StaticChecks(rules, &templated);
  EXPECT_EQ(checks, (std::vector<NagiosCheck>{{"db1", "disk used", seconds(10)},
                                              {"db1", "load", seconds(10)}}));
  ASSERT_EQ(templated.size(), 1u);
  EXPECT_EQ(templated[0].rule->name, "conns");
  EXPECT_EQ(templated[0].group->name, "g");
}

TEST(NagiosExportTest, ChecksForSeriesRendersEachSeries) {
  RuleSet rules = LoadOrDie(kRules);
  std::vector<RuleRef> templated;
  StaticChecks(rules, &templated);
  const SeriesRef series[] = {{"eu.db2.pg.conns"}, {"eu.db1.pg.conns"}};
  auto checks = ChecksForSeries(templated.at(0), series);
  ASSERT_TRUE(checks.ok()) << checks.status().ToString();
  EXPECT_EQ(*checks, (std::vector<NagiosCheck>{{"db2", "pg conns", seconds(10)},
                                               {"db1", "pg conns", seconds(10)}}));
}

TEST(NagiosExportTest, ChecksForSeriesRejectsUnrenderableAndInvalidNames) {
  RuleSet rules = LoadOrDie(kRules);
  std::vector<RuleRef> templated;
  StaticChecks(rules, &templated);
  const SeriesRef short_series[] = {{"eu"}};
  auto checks = ChecksForSeries(templated.at(0), short_series);
  ASSERT_FALSE(checks.ok());
  EXPECT_THAT(checks.status().message(),
              HasSubstr("group g: rule conns: series 'eu': nagios.host: {node:1}"));
  const SeriesRef bad_chars[] = {{"eu.db$1.pg.conns"}};
  checks = ChecksForSeries(templated.at(0), bad_chars);
  ASSERT_FALSE(checks.ok());
  EXPECT_THAT(checks.status().message(), HasSubstr("series 'eu.db$1.pg.conns': host:"));
}

TEST(NagiosExportTest, FormatsSharedDefinitionsHostsAndServices) {
  const NagiosCheck checks[] = {{"web", "http", seconds(30)},
                                {"db1", "disk used", seconds(10)},
                                {"db1", "load", seconds(60)},
                                {"db1", "load", seconds(10)}};  // duplicate: longest interval
  auto text = FormatNagiosObjects(checks);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_THAT(*text, HasSubstr("# Nagios objects for Meridian's passive checks: 2 hosts, 3 "
                               "services.\n"));
  EXPECT_THAT(*text, HasSubstr("define timeperiod {\n    timeperiod_name              "
                               "meridian-24x7\n"));
  EXPECT_THAT(*text, HasSubstr("    saturday                     00:00-24:00\n"));
  EXPECT_THAT(*text,
              HasSubstr("define command {\n    command_name                 meridian-stale\n"
                        "    command_line                 /bin/sh -c 'echo \"UNKNOWN - no result "
                        "from Meridian within the freshness threshold\" && exit 3'\n}\n"));
  EXPECT_THAT(*text, HasSubstr("define service {\n    name                         "
                               "meridian-service\n    register                     0\n"
                               "    active_checks_enabled        0\n"
                               "    passive_checks_enabled       1\n"
                               "    check_freshness              1\n"
                               "    check_command                meridian-stale\n"
                               "    max_check_attempts           1\n"
                               "    check_period                 meridian-24x7\n"));
  EXPECT_THAT(*text, HasSubstr("define host {\n    use                          meridian-host\n"
                               "    host_name                    db1\n"
                               "    address                      db1\n}\n\n"
                               "define host {\n    use                          meridian-host\n"
                               "    host_name                    web\n"));
  EXPECT_THAT(*text, HasSubstr("    host_name                    db1\n"
                               "    service_description          disk used\n"
                               "    freshness_threshold          60\n}\n\n"
                               "define service {\n"
                               "    use                          meridian-service\n"
                               "    host_name                    db1\n"
                               "    service_description          load\n"
                               "    freshness_threshold          180\n}\n\n"
                               "define service {\n"
                               "    use                          meridian-service\n"
                               "    host_name                    web\n"
                               "    service_description          http\n"
                               "    freshness_threshold          90\n}\n"));
  EXPECT_THAT(*text, Not(HasSubstr(";")));  // would start a comment in object files
  EXPECT_EQ(text->back(), '\n');
  EXPECT_NE(text->substr(text->size() - 2), "\n\n");
}

TEST(NagiosExportTest, OutputIsDeterministicWhateverTheInputOrder) {
  const NagiosCheck a[] = {{"b", "x", seconds(10)}, {"a", "y", seconds(20)}};
  const NagiosCheck b[] = {
      {"a", "y", seconds(20)}, {"b", "x", seconds(10)}, {"a", "y", seconds(5)}};
  EXPECT_EQ(*FormatNagiosObjects(a), *FormatNagiosObjects(b));
}

TEST(NagiosExportTest, FreshnessFactorAndMinimum) {
  const NagiosCheck checks[] = {{"h", "s", seconds(25)}};
  NagiosExportOptions options;
  options.freshness_factor = 5;
  EXPECT_THAT(*FormatNagiosObjects(checks, options),
              HasSubstr("freshness_threshold          125\n"));
  options.freshness_factor = 1.5;
  EXPECT_THAT(*FormatNagiosObjects(checks, options),
              HasSubstr("freshness_threshold          60\n"));  // 37.5 -> 38 < 60
  options.min_freshness = seconds(0);
  EXPECT_THAT(*FormatNagiosObjects(checks, options),
              HasSubstr("freshness_threshold          38\n"));
  for (double bad : {0.0, -1.0, 1001.0, std::numeric_limits<double>::infinity()}) {
    options.freshness_factor = bad;
    EXPECT_FALSE(FormatNagiosObjects(checks, options).ok()) << bad;
  }
}

TEST(NagiosExportTest, NoChecksStillGivesSharedDefinitions) {
  auto text = FormatNagiosObjects({});
  ASSERT_TRUE(text.ok());
  EXPECT_THAT(*text, HasSubstr("0 hosts, 0 services"));
  EXPECT_THAT(*text, HasSubstr("meridian-service"));
}

TEST(NagiosExportTest, RejectsNamesNagiosConfigCannotHold) {
  for (const NagiosCheck& bad :
       {NagiosCheck{"a;b", "s", seconds(10)}, NagiosCheck{"h", "s,t", seconds(10)},
        NagiosCheck{"h", "", seconds(10)}, NagiosCheck{"h\\", "s", seconds(10)},
        NagiosCheck{"h", "line\nbreak", seconds(10)}}) {
    const NagiosCheck checks[] = {bad};
    auto text = FormatNagiosObjects(checks);
    EXPECT_FALSE(text.ok()) << bad.host << "/" << bad.service;
  }
  EXPECT_THAT(ValidateObjectName("db\\").message(), HasSubstr("ends with '\\'"));
  EXPECT_TRUE(ValidateObjectName("db\\x").ok());
}

}  // namespace
}  // namespace meridian::alerting

namespace meridian::alerting {
namespace {

TEST(NagiosExportTest, ContactGroupsGoOnBothTemplates) {
  NagiosExportOptions options;
  options.contact_groups = "dba,oncall";
  auto text = FormatNagiosObjects(std::vector<NagiosCheck>{{"db1", "disk", seconds(10)}}, options);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  size_t count = 0;
  for (size_t at = 0; (at = text->find("contact_groups", at)) != std::string::npos; ++at) ++count;
  EXPECT_EQ(count, 2u) << *text;
  EXPECT_THAT(*text, HasSubstr("dba,oncall"));
  options.contact_groups = "dba,";
  EXPECT_FALSE(options.Validate().ok());
  options.contact_groups = "d;ba";
  EXPECT_FALSE(options.Validate().ok());
  EXPECT_TRUE(FormatNagiosObjects(std::vector<NagiosCheck>{}, NagiosExportOptions{})
                  .value()
                  .find("contact_groups") == std::string::npos);
}

}  // namespace
}  // namespace meridian::alerting
