// Replays the requests Grafana's Graphite datasource sends (reference/graphite-compat.md §5,
// Grafana 12: datasource.ts and pkg/tsdb/graphite) against the real binary, and checks that the
// answers parse the way Grafana parses them.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "core/regex.h"
#include "support/graphite_web.h"
#include "support/meridian_process.h"
#include "support/process.h"

namespace meridian::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class GrafanaReplayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    MeridianOptions o;
    o.binary = MERIDIAN_BINARY;
    auto p = MeridianProcess::Start(o);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    meridian_ = std::move(p).value().release();
    const int64_t now = static_cast<int64_t>(std::time(nullptr)) / 60 * 60;
    std::string lines;
    for (int i = 0; i < 60; ++i) {
      for (const char* host : {"web01", "web02"}) {
        lines += fmt::format("servers.{}.cpu.user {} {}\n", host, 10 + i % 7, now - 600 + 10 * i);
      }
      lines += fmt::format("cpu.load;dc=eu;host=a {} {}\n", i, now - 600 + 10 * i);
      lines += fmt::format("cpu.load;dc=us;host=b {} {}\n", 2 * i, now - 600 + 10 * i);
    }
    ASSERT_TRUE(meridian_->SendTcp(lines).ok());
    ASSERT_TRUE(WaitFor(
        [] {
          auto r = meridian_->Render("seriesByTag('name=cpu.load')", "-1h");
          return r.ok() && r->size() == 2;
        },
        20s));
  }
  static void TearDownTestSuite() {
    delete meridian_;
    meridian_ = nullptr;
  }
  json Post(const std::string& path, const HttpParams& params) {
    auto r = HttpPostForm(meridian_->http_port(), path, params);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return json();
    EXPECT_EQ(r->status, 200) << r->body;
    return json::parse(r->body, nullptr, false);
  }
  json GetJson(const std::string& path, const HttpParams& params) {
    auto r = meridian_->Get(path, params);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return json();
    EXPECT_EQ(r->status, 200) << r->body;
    return json::parse(r->body, nullptr, false);
  }
  static MeridianProcess* meridian_;
};

MeridianProcess* GrafanaReplayTest::meridian_ = nullptr;

TEST_F(GrafanaReplayTest, RenderPostWithRefIdWrapParsesLikeGrafana) {
  // Grafana 12: POST form, target wrapped in aliasSub(..., "(^.*$)", "\1 A"), from/until in
  // Graphite's relative form (now-1h → -1h), maxDataPoints always sent by the backend.
  json body = Post("/render", {{"target", R"t(aliasSub(servers.*.cpu.user, "(^.*$)", "\1 A"))t"},
                               {"from", "-1h"},
                               {"until", "now"},
                               {"format", "json"},
                               {"maxDataPoints", "100"}});
  ASSERT_TRUE(body.is_array());
  ASSERT_EQ(body.size(), 2u);
  for (const auto& s : body) {
    std::string target = s["target"];
    // Grafana takes the last space-separated word as the refId.
    EXPECT_EQ(target.substr(target.rfind(' ') + 1), "A");
    EXPECT_TRUE(s["tags"].contains("name"));
    ASSERT_FALSE(s["datapoints"].empty());
    for (const auto& dp : s["datapoints"]) {
      ASSERT_EQ(dp.size(), 2u);
      EXPECT_TRUE(dp[0].is_null() || dp[0].is_number());  // Go decodes float64 or null
      EXPECT_TRUE(dp[1].is_number_integer());             // epoch seconds
    }
    EXPECT_LE(s["datapoints"].size(), 100u);
  }
  EXPECT_EQ(body[0]["target"], "servers.web01.cpu.user A");
}

TEST_F(GrafanaReplayTest, HealthCheckConstantLine) {
  json body = Post("/render", {{"target", "constantLine(100)"},
                               {"from", "-1h"},
                               {"until", "now"},
                               {"format", "json"},
                               {"maxDataPoints", "100"}});
  ASSERT_EQ(body.size(), 1u);
  EXPECT_EQ(body[0]["datapoints"].size(), 3u);
  EXPECT_EQ(body[0]["datapoints"][0][0], 100.0);
}

TEST_F(GrafanaReplayTest, FunctionsListParsesAfterGrafanasInfinityPatch) {
  auto r = meridian_->Get("/functions", {});
  ASSERT_TRUE(r.ok());
  // Grafana replaces `"default": Infinity` before JSON.parse; Meridian writes 1e9999, valid JSON
  // for JavaScript (Infinity). nlohmann rejects out-of-range numbers, so patch as Grafana would.
  auto infinity = core::Regex::Compile(R"(: ?1e9999)");
  ASSERT_TRUE(infinity.ok());
  std::string text;
  size_t copied = 0;
  infinity->ForEachMatch(r->body, [&](const core::RegexMatch& m) {
    text += r->body.substr(copied, m.begin - copied) + ": 1e308";
    copied = m.end;
    return true;
  });
  text += r->body.substr(copied);
  json fns = json::parse(text, nullptr, false);
  ASSERT_TRUE(fns.is_object());
  EXPECT_GT(fns.size(), 100u);
  for (const char* name : {"aliasSub", "sumSeries", "movingAverage", "groupByNode", "scale"}) {
    ASSERT_TRUE(fns.contains(name)) << name;
    const json& f = fns[name];
    EXPECT_TRUE(f["params"].is_array());
    EXPECT_TRUE(f["group"].is_string());
    EXPECT_EQ(f["params"][0]["type"].get<std::string>().rfind("series", 0), 0u) << name;
  }
  EXPECT_EQ(fns["keepLastValue"]["params"][1]["default"], 1e308);  // was Infinity
  auto one = GetJson("/functions/aliasSub", {});
  EXPECT_EQ(one["name"], "aliasSub");
  EXPECT_EQ(meridian_->Get("/functions/noSuchFunction", {})->status, 404);
}

TEST_F(GrafanaReplayTest, MetricBrowsingFindAndExpand) {
  // Grafana's query editor: POST /metrics/find with the query in the body.
  json found = Post("/metrics/find", {{"query", "servers.*"}});
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0]["text"], "web01");
  EXPECT_EQ(found[0]["expandable"], 1);
  json expanded = GetJson("/metrics/expand", {{"query", "servers.*.cpu.*"}});
  EXPECT_EQ(expanded["results"], json::parse(R"(["servers.web01.cpu.user",
                                                  "servers.web02.cpu.user"])"));
}

TEST_F(GrafanaReplayTest, TagEditorAutocompletion) {
  EXPECT_EQ(GetJson("/tags/autoComplete/tags", {{"expr", "name=cpu.load"}, {"limit", "100"}}),
            json::parse(R"(["dc", "host"])"));
  EXPECT_EQ(GetJson("/tags/autoComplete/values",
                    {{"expr", "name=cpu.load"}, {"tag", "dc"}, {"limit", "10000"}}),
            json::parse(R"(["eu", "us"])"));
  EXPECT_EQ(GetJson("/tags/autoComplete/tags", {{"tagPrefix", "h"}, {"limit", "100"}}),
            json::parse(R"(["host"])"));
  json series = Post("/render", {{"target", "seriesByTag('name=cpu.load','dc=eu')"},
                                 {"from", "-1h"},
                                 {"format", "json"},
                                 {"maxDataPoints", "50"}});
  ASSERT_EQ(series.size(), 1u);
  EXPECT_EQ(series[0]["tags"]["dc"], "eu");
  EXPECT_EQ(series[0]["tags"]["name"], "cpu.load");
}

TEST_F(GrafanaReplayTest, DelSeriesRemovesFromTagQueries) {
  EXPECT_EQ(Post("/tags/delSeries", {{"path", "cpu.load;host=b;dc=us"}}), json(true));
  EXPECT_EQ(GetJson("/tags/findSeries", {{"expr", "name=cpu.load"}}),
            json::parse(R"(["cpu.load;dc=eu;host=a"])"));
  // A new point registers the series again (and restores the suite's shared data).
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  ASSERT_TRUE(meridian_->SendTcp(fmt::format("cpu.load;dc=us;host=b 1 {}\n", now)).ok());
  EXPECT_TRUE(WaitFor(
      [&] {
        return GetJson("/tags/findSeries", {{"expr", "name=cpu.load"}}).size() == 2;
      },
      20s));
}

TEST_F(GrafanaReplayTest, VersionIsSemver) {
  auto r = meridian_->Get("/version", {});
  ASSERT_TRUE(r.ok());
  auto semver = core::Regex::Compile(R"(\d+\.\d+\.\d+\s*)");
  ASSERT_TRUE(semver.ok());
  EXPECT_TRUE(semver->FullMatch(r->body)) << r->body;
}

TEST_F(GrafanaReplayTest, BadTargetIs400WithPosition) {
  auto r = HttpPostForm(meridian_->http_port(), "/render",
                        {{"target", "sumSeries(servers.*.cpu.user"}, {"format", "json"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("position"), std::string::npos) << r->body;
}

}  // namespace
}  // namespace meridian::testing
