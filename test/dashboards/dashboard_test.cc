#include "dashboards/dashboard.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace meridian::dashboards {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> Errors(std::string_view yaml) {
  std::vector<std::string> out;
  for (const DashboardError& e : ParseDashboard(yaml, "d.yaml").errors) out.push_back(e.ToString());
  return out;
}

constexpr std::string_view kGood = R"y(title: Web tier
description: the web hosts
tags: [web, prod]
refresh: 1m
time: { from: -6h, until: now }
annotations:
  - { name: Deploys, tags: [deploy], color: "#8888ff" }
variables:
  - { name: region, query: "*", default: eu }
  - name: host
    query: "$region.web*"
    multi: true
    include_all: true
    all_value: "*"
    regex: "^web[0-9]+$"
panels:
  - title: CPU user
    targets: ["$region.$host.cpu.user", "alias(sumSeries(${region}.*.cpu.user),'total')"]
    unit: percent
    min: 0
    max: 100
    decimals: 1
    thresholds: [{ value: 80, color: orange }, { value: 90, color: red }]
    legend: [last, max]
    stack: true
    width: 12
    height: 10
  - title: Requests
    targets: ["[[region]].*.requests"]
)y";

TEST(DashboardParseTest, ReadsEveryField) {
  ParsedDashboard p = ParseDashboard(kGood, "d.yaml");
  ASSERT_THAT(p.errors, IsEmpty());
  const Dashboard& d = p.dashboard;
  EXPECT_EQ(d.title, "Web tier");
  EXPECT_EQ(d.description, "the web hosts");
  EXPECT_THAT(d.tags, ElementsAre("web", "prod"));
  EXPECT_EQ(d.refresh_seconds, 60);
  EXPECT_EQ(d.time_from, "-6h");
  EXPECT_EQ(d.time_until, "now");
  ASSERT_EQ(d.annotations.size(), 1u);
  EXPECT_EQ(d.annotations[0], (Annotation{"Deploys", {"deploy"}, "#8888ff"}));
  ASSERT_EQ(d.variables.size(), 2u);
  EXPECT_EQ(d.variables[0].name, "region");
  EXPECT_THAT(d.variables[0].defaults, ElementsAre("eu"));
  EXPECT_FALSE(d.variables[0].multi);
  EXPECT_TRUE(d.variables[1].multi);
  EXPECT_TRUE(d.variables[1].include_all);
  EXPECT_EQ(d.variables[1].all_value, "*");
  EXPECT_EQ(d.variables[1].regex, "^web[0-9]+$");
  EXPECT_EQ(d.variables[1].line, 10);
  ASSERT_EQ(d.panels.size(), 2u);
  const Panel& p0 = d.panels[0];
  EXPECT_EQ(p0.unit, "percent");
  EXPECT_EQ(p0.min, 0);
  EXPECT_EQ(p0.max, 100);
  EXPECT_EQ(p0.decimals, 1);
  EXPECT_EQ(p0.thresholds, (std::vector<Threshold>{{80, "orange"}, {90, "red"}}));
  EXPECT_THAT(p0.legend, ElementsAre("last", "max"));
  EXPECT_TRUE(p0.stack);
  EXPECT_EQ(p0.width, 12);
  EXPECT_EQ(p0.height, 10);
  const Panel& p1 = d.panels[1];
  EXPECT_EQ(p1.unit, "none");
  EXPECT_THAT(p1.legend, ElementsAre("last", "min", "max", "avg"));
  EXPECT_EQ(p1.width, 6);
  EXPECT_EQ(p1.height, 8);
  EXPECT_FALSE(p1.min.has_value());
}

TEST(DashboardParseTest, DefaultsWhenOptionalKeysAreAbsent) {
  ParsedDashboard p = ParseDashboard("title: T\npanels: []\n", "d.yaml");
  ASSERT_THAT(p.errors, IsEmpty());
  EXPECT_EQ(p.dashboard.refresh_seconds, 0);
  EXPECT_EQ(p.dashboard.time_from, "-1h");
  EXPECT_EQ(p.dashboard.time_until, "now");
}

TEST(DashboardParseTest, RefreshOffIsEmptyOrOff) {
  EXPECT_THAT(Errors("title: T\nrefresh: \"\"\npanels: []\n"), IsEmpty());
  EXPECT_THAT(Errors("title: T\nrefresh: \"off\"\npanels: []\n"), IsEmpty());
}

TEST(DashboardParseTest, ReportsSyntaxErrorWithItsLine) {
  EXPECT_THAT(Errors("title: T\npanels: [\n  - x\n"),
              ElementsAre(::testing::StartsWith("d.yaml:3: YAML syntax error")));
}

TEST(DashboardParseTest, ReportsEmptyFile) {
  EXPECT_THAT(Errors(""),
              ElementsAre("d.yaml:0: empty file (expected a dashboard: title, panels)"));
}

TEST(DashboardParseTest, ReportsMissingRequiredKeys) {
  EXPECT_THAT(Errors("description: x\n"),
              ElementsAre("d.yaml:1: missing required key 'title'",
                          "d.yaml:1: missing required key 'panels' (a list of panels)"));
  EXPECT_THAT(Errors("title: T\npanels:\n  - { targets: [a.b] }\n  - { title: x }\n"),
              ElementsAre("d.yaml:3: panels[0]: missing required key 'title'",
                          "d.yaml:4: panels[1]: missing required key 'targets' (graphite render "
                          "targets)"));
}

TEST(DashboardParseTest, ReportsUnknownAndDuplicateKeys) {
  EXPECT_THAT(Errors("title: T\ncolour: red\npanels: []\n"),
              ElementsAre("d.yaml:2: unknown key 'colour' (expected title, description, tags, "
                          "refresh, time, annotations, variables, panels)"));
  EXPECT_THAT(Errors("title: T\ntitle: U\npanels: []\n"),
              ElementsAre("d.yaml:2: duplicate key 'title' (first at line 1)"));
}

TEST(DashboardParseTest, ReportsWrongTypes) {
  EXPECT_THAT(Errors("title: [a]\npanels: {}\n"),
              ElementsAre("d.yaml:1: title: expected a string, found a list",
                          "d.yaml:2: panels: expected a list, found a mapping"));
  EXPECT_THAT(Errors("- a\n"),
              ElementsAre("d.yaml:1: expected a mapping (a dashboard: title, panels, ...), found "
                          "a list"));
  EXPECT_THAT(Errors("title: yes\npanels: []\n"),
              ElementsAre("d.yaml:1: title: 'yes' must be quoted: YAML 1.1 tools read it as a "
                          "boolean"));
}

TEST(DashboardParseTest, ReportsPanelRangesAndValues) {
  EXPECT_THAT(Errors(R"y(title: T
panels:
  - title: P
    targets: [a.b]
    unit: parsec
    min: 10
    max: 5
    decimals: 11
    width: 13
    height: 0
    stack: maybe
    legend: [last, median, last]
    thresholds: [{ value: 5, color: red }, { value: 3, color: "not a color" }]
)y"),
              ElementsAre("d.yaml:5: panels[0].unit: unknown unit 'parsec' (expected none, short, "
                          "percent, percentunit, bytes, bits, bps, Bps, s, ms, ops or reqps)",
                          "d.yaml:7: panels[0].max: must be greater than min",
                          "d.yaml:8: panels[0].decimals: 11 is out of range (0..10)",
                          "d.yaml:9: panels[0].width: 13 is out of range (1..12)",
                          "d.yaml:10: panels[0].height: 0 is out of range (1..100)",
                          "d.yaml:11: panels[0].stack: expected true or false, found 'maybe'",
                          "d.yaml:12: panels[0].legend[1]: unknown legend value 'median' "
                          "(expected last, min, max, avg or total)",
                          "d.yaml:12: panels[0].legend[2]: 'last' repeated",
                          "d.yaml:13: panels[0].thresholds[1].color: 'not a color' is not a color "
                          "(a name or #rrggbb)",
                          "d.yaml:13: panels[0].thresholds[1].value: thresholds must be in "
                          "ascending order"));
}

TEST(DashboardParseTest, ReportsNonNumbers) {
  EXPECT_THAT(Errors("title: T\npanels:\n  - { title: P, targets: [a], min: \"1\", max: x }\n"),
              ElementsAre("d.yaml:3: panels[0].min: expected a number, found '1'",
                          "d.yaml:3: panels[0].max: expected a number, found 'x'"));
}

TEST(DashboardParseTest, ReportsBadRefreshAndTime) {
  EXPECT_THAT(Errors("title: T\nrefresh: 2s\npanels: []\n"),
              ElementsAre("d.yaml:2: refresh: '2s' is too short (at least 5s, or \"\" for off)"));
  EXPECT_THAT(Errors("title: T\nrefresh: soon\npanels: []\n"),
              ElementsAre(::testing::StartsWith("d.yaml:2: refresh: invalid duration 'soon'")));
  EXPECT_THAT(Errors("title: T\ntime: { from: yesterdayish }\npanels: []\n"),
              ElementsAre(::testing::StartsWith("d.yaml:2: time.from: ")));
  EXPECT_THAT(Errors("title: T\ntime: { from: now, until: -1h }\npanels: []\n"),
              ElementsAre("d.yaml:2: time: from 'now' is not before until '-1h'"));
  EXPECT_THAT(Errors("title: T\ntime: { from: -1h, to: now }\npanels: []\n"),
              ElementsAre("d.yaml:2: time: unknown key 'to' (expected from, until)"));
}

TEST(DashboardParseTest, ReportsBadAnnotations) {
  EXPECT_THAT(Errors("title: T\nannotations:\n  - { name: D }\n  - { name: E, tags: [], color: "
                     "\"#12\" }\npanels: []\n"),
              ElementsAre("d.yaml:3: annotations[0]: missing required key 'tags' (events with all "
                          "these tags)",
                          "d.yaml:4: annotations[1].tags: at least one tag",
                          "d.yaml:4: annotations[1].color: '#12' is not a color (a name or "
                          "#rrggbb)"));
}

TEST(DashboardParseTest, ReportsBadVariables) {
  EXPECT_THAT(Errors(R"y(title: T
variables:
  - { name: 1x, query: "*" }
  - { name: a, query: "*" }
  - { name: a, query: "*" }
  - { name: b, query: "$c.*" }
  - { name: c, query: "sumSeries(a.*)" }
  - { name: d, query: "*", regex: "(" , default: [x, z] }
  - { name: e }
panels: []
)y"),
              ElementsAre("d.yaml:3: variables[0].name: '1x' must match [A-Za-z_][A-Za-z0-9_]*",
                          "d.yaml:5: variables[2].name: variable 'a' is already defined",
                          "d.yaml:6: variables[3].query: unknown variable 'c' (a query may use "
                          "only the variables above it)",
                          "d.yaml:7: variables[4].query: 'sumSeries(a.*)' is not a find pattern "
                          "(a path like a.*.b)",
                          ::testing::StartsWith("d.yaml:8: variables[5].default: several values"),
                          ::testing::StartsWith("d.yaml:8: variables[5].regex: "),
                          "d.yaml:9: variables[6]: missing required key 'query' (a graphite find "
                          "pattern)"));
}

TEST(DashboardParseTest, ChecksTargetsLikeRulesCheck) {
  EXPECT_THAT(Errors(R"y(title: T
variables:
  - { name: r, query: "*" }
panels:
  - title: P
    targets:
      - "nosuchFunction($r.a)"
      - "sumSeries($r.a"
      - "$nope.a"
      - "grep($r.*, '(')"
      - "  "
      - "sumSeries($r.{a,b}.x)"
      - "scale($r.a)"
      - "alias($r.a, 'x', 'y')"
      - "alias($r.a, nme='x')"
)y"),
              ElementsAre("d.yaml:7: panels[0].targets[0]: target 'nosuchFunction($r.a)': unknown "
                          "function 'nosuchFunction'",
                          ::testing::StartsWith("d.yaml:8: panels[0].targets[1]: target "
                                                "'sumSeries(x.a': expected"),
                          "d.yaml:9: panels[0].targets[2]: unknown variable 'nope'",
                          ::testing::StartsWith("d.yaml:10: panels[0].targets[3]: target "
                                                "'grep($r.*, '(')': grep: "),
                          "d.yaml:11: panels[0].targets[4]: empty",
                          "d.yaml:13: panels[0].targets[6]: target 'scale($r.a)': scale: missing "
                          "required argument 'factor'",
                          "d.yaml:14: panels[0].targets[7]: target 'alias($r.a, 'x', 'y')': alias: "
                          "takes at most 2 arguments",
                          "d.yaml:15: panels[0].targets[8]: target 'alias($r.a, nme='x')': alias: "
                          "unexpected keyword argument 'nme'"));
}

TEST(DashboardParseTest, MultiVariablePlaceholderIsAGlobAlternation) {
  // {x,y} inside braces would be a nested alternation: still a valid path.
  EXPECT_THAT(Errors("title: T\nvariables: [{ name: h, query: \"*\", multi: true }]\npanels:\n"
                     "  - { title: P, targets: [\"a.$h.b\", \"sumSeries(a.[[h]].b)\"] }\n"),
              IsEmpty());
}

TEST(DashboardParseTest, TemplateFunctionVariablesAreNotDashboardVariables) {
  EXPECT_THAT(Errors("title: T\npanels:\n  - { title: P, targets: [\"template(a.$x.b, x='y')\"] "
                     "}\n"),
              IsEmpty());
}

TEST(DashboardParseTest, RejectsYamlAliases) {
  EXPECT_THAT(Errors("title: &t T\ndescription: *t\npanels: []\n"),
              ::testing::Contains(::testing::HasSubstr("anchors")));
}

TEST(DashboardUidTest, SlugOfRelativePath) {
  EXPECT_EQ(UidSlug("web.yaml"), "web");
  EXPECT_EQ(UidSlug("Team A/Web Tier.yml"), "team-a-web-tier");
  EXPECT_EQ(UidSlug("a.b/c.d.yaml"), "a-b-c-d");
  EXPECT_EQ(UidSlug("x/.yaml"), "x--yaml");
  EXPECT_THAT(DashboardUids(std::vector<std::string>{".yaml"}).front(),
              ::testing::MatchesRegex("-[0-9a-f]{8}"));
}

TEST(DashboardUidTest, LongCollidingOrReservedSlugsGetAHash) {
  const std::vector<std::string> paths = {
      "a/b.yaml",   "a-b.yaml", "meridian.yaml",
      "reload.yml", "ok.yaml",  "a-very-long-directory-name/with-a-long-dashboard-file-name.yaml"};
  const std::vector<std::string> uids = DashboardUids(paths);
  ASSERT_EQ(uids.size(), paths.size());
  EXPECT_THAT(uids[0], ::testing::MatchesRegex("a-b-[0-9a-f]{8}"));
  EXPECT_THAT(uids[1], ::testing::MatchesRegex("a-b-[0-9a-f]{8}"));
  EXPECT_NE(uids[0], uids[1]);
  EXPECT_THAT(uids[2], ::testing::MatchesRegex("meridian-[0-9a-f]{8}"));
  EXPECT_THAT(uids[3], ::testing::MatchesRegex("reload-[0-9a-f]{8}"));
  EXPECT_EQ(uids[4], "ok");
  EXPECT_EQ(uids[5].size(), 40u);
  EXPECT_THAT(uids[5], ::testing::MatchesRegex("a-very-long-directory-name-with-[0-9a-f]{8}"));
  EXPECT_EQ(DashboardUids(paths), uids);  // stable
}

TEST(DashboardRefreshTest, GrafanaNotation) {
  EXPECT_EQ(RefreshText(0), "");
  EXPECT_EQ(RefreshText(5), "5s");
  EXPECT_EQ(RefreshText(90), "90s");
  EXPECT_EQ(RefreshText(300), "5m");
  EXPECT_EQ(RefreshText(7200), "2h");
  EXPECT_EQ(RefreshText(86400), "1d");
}

TEST(BuiltinDashboardTest, ParsesWithoutErrorsOverSelfMetrics) {
  ParsedDashboard p = ParseDashboard(kBuiltinDashboardYaml, "builtin");
  EXPECT_THAT(p.errors, IsEmpty());
  const Dashboard d = BuiltinDashboard();
  EXPECT_EQ(d.uid, "meridian");
  EXPECT_EQ(d.title, "Meridian self-metrics");
  ASSERT_EQ(d.variables.size(), 1u);
  EXPECT_EQ(d.variables[0].name, "instance");
  EXPECT_EQ(d.variables[0].query, "meridian.*");
  EXPECT_GE(d.panels.size(), 6u);
  for (const Panel& p : d.panels) {
    for (const std::string& t : p.targets)
      EXPECT_THAT(t, ::testing::HasSubstr("meridian.$instance."));
  }
}

}  // namespace
}  // namespace meridian::dashboards
