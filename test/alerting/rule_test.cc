#include "alerting/rule.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace meridian::alerting {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr std::string_view kIssueExample = R"(group: eu-west-db
interval: 10s                     # evaluation period of this group
rules:
  - name: pg-conns
    target: eu-west.db*.pg.conns  # any render expression; each resulting series is one check
    window: 1min                  # data considered at each evaluation
    reduce: avg                   # last, avg, min, max, sum, count, median, p95 …
    warning: "~:150"              # Nagios threshold ranges ([@][start:][end], ~ = -inf)
    critical: "~:300"
    for: 30s                      # must hold this long before the state changes (default 0)
    keep_firing_for: 1min         # optional, against flapping
    no_data: unknown              # unknown | ok | warning | critical | keep
    nagios:
      host: "{node:1}"            # {node:N}, {tag:NAME}, {name}
      service: "pg-conns"
    output: "{name} connections {value}"   # optional; perfdata is always added
)";

std::vector<std::string> Errors(std::string_view yaml) {
  std::vector<std::string> out;
  for (const RuleError& e : ParseRuleGroup(yaml, "r.yaml").errors) out.push_back(e.ToString());
  return out;
}

// A valid one-rule group with `extra` lines appended to the rule (indented 4 spaces).
std::string OneRule(std::string_view rule_body) {
  return "group: g\nrules:\n  - name: r\n" + std::string(rule_body);
}
constexpr std::string_view kMinimalBody =
    "    target: a.b\n    critical: \"10\"\n    nagios:\n      host: h\n";

TEST(ParseRuleGroupTest, IssueExampleLoads) {
  LoadedRules loaded = ParseRuleGroup(kIssueExample, "eu.yaml");
  ASSERT_THAT(loaded.errors, ::testing::IsEmpty()) << loaded.errors.front().ToString();
  ASSERT_EQ(loaded.rules.groups.size(), 1u);
  const RuleGroup& g = loaded.rules.groups[0];
  EXPECT_EQ(g.name, "eu-west-db");
  EXPECT_EQ(g.interval, std::chrono::seconds(10));
  EXPECT_EQ(g.file, "eu.yaml");
  EXPECT_EQ(g.line, 1);
  ASSERT_EQ(g.rules.size(), 1u);
  const Rule& r = g.rules[0];
  EXPECT_EQ(r.name, "pg-conns");
  EXPECT_EQ(r.line, 4);
  EXPECT_EQ(r.target, "eu-west.db*.pg.conns");
  EXPECT_EQ(r.window, std::chrono::seconds(60));
  EXPECT_EQ(r.window_text, "1min");
  EXPECT_EQ(r.reduce, (Reducer{ReduceKind::kAvg, 0}));
  EXPECT_EQ(r.reduce_text, "avg");
  ASSERT_TRUE(r.warning && r.critical);
  EXPECT_EQ(*r.warning, *ParseThresholdRange("~:150"));
  EXPECT_EQ(r.warning_text, "~:150");
  EXPECT_EQ(r.critical_text, "~:300");
  EXPECT_EQ(r.for_duration, std::chrono::seconds(30));
  EXPECT_EQ(r.keep_firing_for, std::chrono::seconds(60));
  EXPECT_EQ(r.no_data, NoDataPolicy::kUnknown);
  EXPECT_EQ(r.host.text(), "{node:1}");
  EXPECT_FALSE(r.host.is_static());
  EXPECT_EQ(*r.host.Render(SeriesRef{"eu-west.db1.pg.conns"}), "db1");
  EXPECT_EQ(r.service.text(), "pg-conns");
  EXPECT_EQ(r.output.text(), "{name} connections {value}");
}

TEST(ParseRuleGroupTest, Defaults) {
  LoadedRules loaded = ParseRuleGroup(OneRule(kMinimalBody), "r.yaml");
  ASSERT_TRUE(loaded.errors.empty()) << loaded.errors[0].ToString();
  const RuleGroup& g = loaded.rules.groups.at(0);
  EXPECT_EQ(g.interval, std::chrono::seconds(60));
  const Rule& r = g.rules.at(0);
  EXPECT_EQ(r.window, std::chrono::seconds(300));
  EXPECT_EQ(r.window_text, "5min");
  EXPECT_EQ(r.reduce.kind, ReduceKind::kAvg);
  EXPECT_FALSE(r.warning.has_value());
  EXPECT_EQ(r.for_duration, std::chrono::seconds(0));
  EXPECT_EQ(r.keep_firing_for, std::chrono::seconds(0));
  EXPECT_EQ(r.no_data, NoDataPolicy::kUnknown);
  EXPECT_EQ(r.service.text(), "r");  // the rule name
  EXPECT_EQ(r.output.text(), kDefaultOutputTemplate);
}

TEST(ParseRuleGroupTest, TaggedTargetsAndOffsetLoad) {
  LoadedRules loaded = ParseRuleGroup(R"y(group: g
interval: 30s
offset: 1min
rules:
  - name: cpu
    target: "sumSeries(seriesByTag('name=cpu.load', 'dc=eu'))"
    critical: "~:4"
    nagios: { host: "{tag:dc}", service: load }
)y",
                                      "g.yaml");
  ASSERT_THAT(loaded.errors, ::testing::IsEmpty()) << loaded.errors.front().ToString();
  EXPECT_EQ(loaded.rules.groups[0].offset, std::chrono::seconds(60));
  EXPECT_EQ(ParseRuleGroup("group: g\noffset: -1s\nrules: []\n", "g.yaml").errors.size(), 1u);
}

TEST(ParseRuleGroupTest, JsonIsYaml) {
  EXPECT_THAT(Errors(R"({"group": "g", "rules": [{"name": "r", "target": "a", "warning": "1",
                        "nagios": {"host": "h"}}]})"),
              ::testing::IsEmpty());
}

TEST(ParseRuleGroupTest, RuleErrorFormatOmitsUnknownParts) {
  EXPECT_EQ((RuleError{"f", 3, "g", "r", "m"}).ToString(), "f:3: group g: rule r: m");
  EXPECT_EQ((RuleError{"f", 3, "g", "", "m"}).ToString(), "f:3: group g: m");
  EXPECT_EQ((RuleError{"f", 0, "", "", "m"}).ToString(), "f: m");
}

TEST(ParseRuleGroupTest, YamlSyntaxErrorHasLine) {
  EXPECT_THAT(Errors("group: g\nrules: [\n  a\n"),
              ElementsAre(HasSubstr("r.yaml:4: YAML syntax error: end of sequence flow")));
}

TEST(ParseRuleGroupTest, EmptyFileAndWrongRoot) {
  EXPECT_THAT(Errors("# only a comment\n"), ElementsAre("r.yaml: empty file: expected a mapping "
                                                        "with group and rules"));
  EXPECT_THAT(Errors("- a\n- b\n"), ElementsAre(HasSubstr("r.yaml:1: a rule file must be a "
                                                          "mapping with keys group, interval and "
                                                          "rules, found a list")));
}

TEST(ParseRuleGroupTest, SecondDocumentIsAnError) {
  EXPECT_THAT(Errors(OneRule(kMinimalBody) + "---\ngroup: h\n"),
              ElementsAre(HasSubstr("r.yaml:8: only one YAML document")));
}

TEST(ParseRuleGroupTest, AnchorsAliasesMergeKeysAndTagsAreRejected) {
  EXPECT_THAT(Errors(OneRule("    target: &t a.b\n    critical: \"1\"\n    nagios: {host: h}\n")),
              ElementsAre("r.yaml:4: YAML anchors (&name) are not supported: write the value out"));
  EXPECT_THAT(Errors("group: g\nx: &a {k: 1}\nrules:\n  - <<: *a\n"),
              ::testing::Contains(HasSubstr("r.yaml:4: YAML merge keys (<<) are not supported")));
  EXPECT_THAT(Errors("group: g\nx: &a {k: 1}\nrules:\n  - <<: *a\n"),
              ::testing::Contains(HasSubstr("r.yaml:4: YAML aliases (*name) are not supported")));
  EXPECT_THAT(Errors(OneRule("    target: !!int 5\n    critical: \"1\"\n    nagios: {host: h}\n")),
              ::testing::Contains(HasSubstr("r.yaml:4: YAML tags (tag:yaml.org,2002:int)")));
  EXPECT_THAT(Errors(OneRule("    target: !!str a\n    critical: \"1\"\n    nagios: {host: h}\n")),
              ::testing::IsEmpty());
}

TEST(ParseRuleGroupTest, DuplicateKeysAreErrorsWithBothLines) {
  EXPECT_THAT(Errors(OneRule(std::string(kMinimalBody) + "    target: c.d\n")),
              ElementsAre("r.yaml:8: duplicate key 'target' (first at line 4)"));
  EXPECT_THAT(Errors("group: g\ngroup: h\nrules: []\n"),
              ElementsAre("r.yaml:2: duplicate key 'group' (first at line 1)"));
}

TEST(ParseRuleGroupTest, NonStringMapKey) {
  EXPECT_THAT(Errors("group: g\n? [a]\n: 1\nrules: []\n"),
              ElementsAre(HasSubstr("r.yaml:2: a mapping key must be a string, found a list")));
}

TEST(ParseRuleGroupTest, GroupLevelErrors) {
  EXPECT_THAT(Errors("interval: 10s\nrules: []\n"),
              ElementsAre("r.yaml:1: missing required key 'group'"));
  EXPECT_THAT(Errors("group: g\n"), ElementsAre("r.yaml:1: group g: missing required key 'rules'"));
  EXPECT_THAT(Errors("group: g\nrules: {a: 1}\n"),
              ElementsAre("r.yaml:2: group g: rules: expected a list of rules, found a mapping"));
  EXPECT_THAT(Errors("group: g h\nrules: []\n"),
              ElementsAre("r.yaml:1: group g h: group: 'g h' must be 1 to 200 characters of A-Z "
                          "a-z 0-9 _ . -"));
  EXPECT_THAT(Errors("group: [g]\nrules: []\n"),
              ElementsAre("r.yaml:1: group: expected a string, found a list"));
  EXPECT_THAT(Errors("group: g\nrules: []\nversion: 1\n"),
              ElementsAre("r.yaml:3: group g: unknown key 'version' (expected group, interval, "
                          "offset, rules)"));
  EXPECT_THAT(Errors("group: g\ninterval: 500ms\nrules: []\n"),
              ElementsAre(HasSubstr("r.yaml:2: group g: interval: invalid duration '500ms'")));
  EXPECT_THAT(Errors("group: g\ninterval: 0s\nrules: []\n"),
              ElementsAre("r.yaml:2: group g: interval: '0s' is too short (at least 1s)"));
  EXPECT_THAT(Errors("group: g\ninterval:\nrules: []\n"),
              ElementsAre("r.yaml:3: group g: interval: missing value"));
  EXPECT_THAT(Errors("group: g\nrules:\n  - just text\n"),
              ElementsAre("r.yaml:3: group g: a rule must be a mapping (name, target, ...), found "
                          "a string"));
}

TEST(ParseRuleGroupTest, EmptyRuleListIsValid) {
  LoadedRules loaded = ParseRuleGroup("group: g\nrules: []\n", "r.yaml");
  EXPECT_TRUE(loaded.errors.empty());
  ASSERT_EQ(loaded.rules.groups.size(), 1u);
  EXPECT_TRUE(loaded.rules.groups[0].rules.empty());
}

TEST(ParseRuleGroupTest, MissingRuleKeys) {
  EXPECT_THAT(
      Errors("group: g\nrules:\n  - target: a\n    critical: \"1\"\n    nagios: {host: h}\n"),
      ElementsAre("r.yaml:3: group g: missing required key 'name'"));
  EXPECT_THAT(Errors(OneRule("    critical: \"1\"\n    nagios: {host: h}\n")),
              ElementsAre("r.yaml:3: group g: rule r: missing required key 'target'"));
  EXPECT_THAT(Errors(OneRule("    target: a\n    nagios: {host: h}\n")),
              ElementsAre("r.yaml:3: group g: rule r: needs a 'warning' or a 'critical' threshold "
                          "(or both)"));
  EXPECT_THAT(Errors(OneRule("    target: a\n    critical: \"1\"\n")),
              ElementsAre("r.yaml:3: group g: rule r: missing required key 'nagios' (with host "
                          "and service)"));
  EXPECT_THAT(Errors(OneRule("    target: a\n    critical: \"1\"\n    nagios: {service: s}\n")),
              ElementsAre("r.yaml:6: group g: rule r: nagios: missing required key 'host'"));
  EXPECT_THAT(Errors(OneRule("    target: a\n    critical: \"1\"\n    nagios: h\n")),
              ElementsAre("r.yaml:6: group g: rule r: nagios: expected a mapping with host and "
                          "service, found a string"));
}

TEST(ParseRuleGroupTest, RuleValueErrorsNameKeyAndLine) {
  const std::string bad_values =
      "    target: sumSeries(a.b\n"   // 4
      "    window: 0\n"               // 5
      "    reduce: p101\n"            // 6
      "    warning: \"~:x\"\n"        // 7
      "    critical: \"20:10\"\n"     // 8
      "    for: -1s\n"                // 9
      "    keep_firing_for: 1y\n"     // 10
      "    no_data: maybe\n"          // 11
      "    nagios:\n"                 // 12
      "      host: \"a;{node:1}\"\n"  // 13
      "      service: \"{value}\"\n"  // 14
      "      extra: 1\n"              // 15
      "    output: \"{bogus}\"\n"     // 16
      "    labels: {}\n";             // 17
  EXPECT_THAT(
      Errors(OneRule(bad_values)),
      ElementsAre(
          HasSubstr("r.yaml:4: group g: rule r: target: target 'sumSeries(a.b': expected"),
          "r.yaml:5: group g: rule r: window: '0' is too short (at least 1s)",
          HasSubstr("r.yaml:6: group g: rule r: reduce: bad percentile 'p101'"),
          HasSubstr("r.yaml:7: group g: rule r: warning: threshold range '~:x'"),
          HasSubstr("r.yaml:8: group g: rule r: critical: threshold range '20:10'"),
          "r.yaml:9: group g: rule r: for: invalid duration '-1s': must not be negative",
          HasSubstr("r.yaml:10: group g: rule r: keep_firing_for: invalid duration '1y': unknown "
                    "unit 'y'"),
          HasSubstr("r.yaml:11: group g: rule r: no_data: unknown no_data policy 'maybe'"),
          HasSubstr("r.yaml:13: group g: rule r: nagios.host: template 'a;{node:1}' can never "
                    "give a valid Nagios name"),
          HasSubstr("r.yaml:14: group g: rule r: nagios.service: template '{value}': template "
                    "field {value} at column 1: only allowed in output templates"),
          "r.yaml:15: group g: rule r: unknown key 'extra' (expected host, service)",
          HasSubstr("r.yaml:16: group g: rule r: output: template '{bogus}': template field "
                    "{bogus} at column 1: unknown field"),
          HasSubstr("r.yaml:17: group g: rule r: unknown key 'labels' (expected name, target")));
}

TEST(ParseRuleGroupTest, ErrorsAreCollectedAcrossRules) {
  const std::string yaml = OneRule("    target: a\n    nagios: {host: h}\n") +
                           "  - name: s\n    target: f(\n    critical: \"1\"\n"
                           "    nagios: {host: h}\n";
  EXPECT_THAT(Errors(yaml), ElementsAre(HasSubstr("r.yaml:3: group g: rule r: needs"),
                                        HasSubstr("r.yaml:7: group g: rule s: target:")));
}

TEST(ParseRuleGroupTest, TargetChecks) {
  auto with_target = [](std::string target) {
    return Errors(
        OneRule("    target: " + target + "\n    critical: \"1\"\n    nagios: {host: h}\n"));
  };
  EXPECT_THAT(with_target("\"  \""), ElementsAre("r.yaml:4: group g: rule r: target: empty"));
  EXPECT_THAT(with_target("noSuchFunction(a.b)"),
              ElementsAre("r.yaml:4: group g: rule r: target 'noSuchFunction(a.b)': unknown "
                          "function 'noSuchFunction'"));
  EXPECT_THAT(with_target("sumSeries(maxSeries(a.*), nope(b))"),
              ElementsAre(HasSubstr("unknown function 'nope'")));
  EXPECT_THAT(with_target("\"template(a.$x.b, x=1)\""), ::testing::IsEmpty());
  EXPECT_THAT(with_target("\"aliasByNode(eu.*.pg, 1)\""), ::testing::IsEmpty());
  // Arguments are bound as evaluation binds them: what would fail every evaluation is refused.
  EXPECT_THAT(with_target("\"scale(eu.*.pg)\""),
              ElementsAre(HasSubstr("scale: missing required argument 'factor'")));
  EXPECT_THAT(with_target("\"alias(eu.*.pg, 'a', 'b')\""),
              ElementsAre(HasSubstr("alias: takes at most 2 arguments")));
}

// Regexes RE2 cannot run would fail every evaluation: `rules check` names function and pattern.
TEST(ParseRuleGroupTest, TargetRegexesRe2CannotRunAreErrors) {
  auto with_target = [](std::string target) {
    return Errors(
        OneRule("    target: " + target + "\n    critical: \"1\"\n    nagios: {host: h}\n"));
  };
  EXPECT_THAT(with_target(R"T('grep(a.*, "(?<=a)b")')T"),
              ElementsAre(HasSubstr("grep: invalid regex '(?<=a)b': lookbehind")));
  EXPECT_THAT(with_target(R"T('a.*|exclude("x(?=y)")')T"),
              ElementsAre(HasSubstr("exclude: invalid regex 'x(?=y)': lookahead")));
  EXPECT_THAT(with_target(R"T('aliasSub(a.*, replace="x", search="(a)\1")')T"),
              ElementsAre(HasSubstr("aliasSub: invalid regex '(a)\\1': back-reference")));
  EXPECT_THAT(with_target(R"T('useSeriesAbove(a.*, 1, "(?P<x>a)(?P=x)", "b")')T"),
              ElementsAre(HasSubstr("useSeriesAbove: invalid regex")));
  EXPECT_THAT(with_target(R"T("seriesByTag('name=cpu', 'dc!=~e(?!u)')")T"),
              ElementsAre(HasSubstr("seriesByTag: invalid regex 'e(?!u)': lookahead")));
  EXPECT_THAT(with_target(R"T('grep(seriesByTag("k=~(a+)+$"), "(.|z)*y")')T"),
              ::testing::IsEmpty());
}

TEST(ParseRuleGroupTest, NamesCharsetAndYaml11Booleans) {
  EXPECT_THAT(Errors("group: g\nrules:\n  - name: pg conns\n" + std::string(kMinimalBody)),
              ElementsAre("r.yaml:3: group g: rule pg conns: name: 'pg conns' must be 1 to 200 "
                          "characters of A-Z a-z 0-9 _ . -"));
  EXPECT_THAT(Errors(OneRule("    target: a\n    critical: \"1\"\n    nagios: {host: yes}\n")),
              ElementsAre("r.yaml:6: group g: rule r: host: 'yes' must be quoted: YAML 1.1 tools "
                          "read it as a boolean"));
  EXPECT_THAT(Errors(OneRule("    target: a\n    critical: \"1\"\n    nagios: {host: \"yes\"}\n")),
              ::testing::IsEmpty());
  EXPECT_THAT(Errors("group: off\nrules: []\n"), ElementsAre(HasSubstr("'off' must be quoted")));
}

TEST(ParseRuleGroupTest, StaticNamesAreValidatedForNagios) {
  EXPECT_THAT(
      Errors(OneRule("    target: a\n    critical: \"1\"\n    nagios: {host: \"db(1)\"}\n")),
      ElementsAre(HasSubstr("r.yaml:6: group g: rule r: nagios.host: 'db(1)' is not a valid "
                            "Nagios name")));
  EXPECT_THAT(Errors(OneRule(
                  "    target: a\n    critical: \"1\"\n    nagios: {host: h, service: \" s\"}\n")),
              ElementsAre(HasSubstr("nagios.service: ' s' is not a valid Nagios name")));
  EXPECT_THAT(Errors(OneRule("    target: a\n    critical: \"1\"\n    nagios: {host: \"\"}\n")),
              ElementsAre(HasSubstr("nagios.host: '' is not a valid Nagios name")));
  // Templated names are fine when some series can give a valid name.
  EXPECT_THAT(Errors(OneRule("    target: a\n    critical: \"1\"\n"
                             "    nagios: {host: \"db-{node:-1}\", service: \"{tag:svc} x\"}\n")),
              ::testing::IsEmpty());
}

TEST(ParseRuleGroupTest, DuplicateRuleNames) {
  const std::string yaml = OneRule(kMinimalBody) + "  - name: r\n" + std::string(kMinimalBody);
  EXPECT_THAT(Errors(yaml),
              ElementsAre("r.yaml:8: group g: rule r: duplicate rule name (first at line 3)"));
}

TEST(ParseRuleGroupTest, SameStaticHostAndServiceInOneGroup) {
  const std::string yaml = OneRule(std::string(kMinimalBody) + "      service: s\n") +
                           "  - name: q\n" + std::string(kMinimalBody) + "      service: s\n";
  EXPECT_THAT(Errors(yaml),
              ElementsAre("r.yaml:9: group g: rule q: host 'h' service 's' is already used by "
                          "rule 'r' of group 'g' (r.yaml:3)"));
  // Different services on one host are fine; the default service is the rule name.
  EXPECT_THAT(Errors(OneRule(kMinimalBody) + "  - name: q\n" + std::string(kMinimalBody)),
              ::testing::IsEmpty());
}

TEST(ParseRuleGroupTest, PlainScalarThresholdsAndDurations) {
  LoadedRules loaded =
      ParseRuleGroup(OneRule("    target: a\n    warning: 10\n    critical: 20\n    window: 90s\n"
                             "    for: 0\n    nagios: {host: h}\n"),
                     "r.yaml");
  ASSERT_TRUE(loaded.errors.empty()) << loaded.errors[0].ToString();
  const Rule& r = loaded.rules.groups[0].rules[0];
  EXPECT_EQ(r.warning_text, "10");
  EXPECT_EQ(*r.critical, (ThresholdRange{0, 20, false}));
  EXPECT_EQ(r.window, std::chrono::seconds(90));
}

}  // namespace
}  // namespace meridian::alerting
