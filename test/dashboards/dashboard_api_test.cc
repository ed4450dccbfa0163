// The dashboards routes as plain functions of a Request, over the built-in dashboard (a library
// without a directory: no disk) and a fake source.
#include "dashboards/dashboard_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/fake_clock.h"
#include "support/fake_series_source.h"

namespace meridian::dashboards {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;

// Delegates to a fake and reports `missing` as a federation peer that did not answer finds.
class PartialSource final : public query::SeriesSource {
 public:
  explicit PartialSource(query::SeriesSource& inner) : inner_(inner) {}
  std::string missing;
  core::Result<std::vector<storage::FindMatch>> Find(std::string_view p,
                                                     const query::ReadOptions& o) override {
    if (!missing.empty() && o.scope.report != nullptr)
      o.scope.report->AddMissing(missing, "timeout");
    return inner_.Find(p, o);
  }
  core::Result<std::vector<std::string>> Expand(std::string_view p,
                                                const query::ReadOptions& o) override {
    return inner_.Expand(p, o);
  }
  core::Result<std::vector<std::string>> FindTagged(const std::vector<std::string>& e,
                                                    const query::ReadOptions& o) override {
    return inner_.FindTagged(e, o);
  }
  core::Result<std::vector<std::string>> TagNames(std::string_view f, size_t l,
                                                  const query::ReadOptions& o) override {
    return inner_.TagNames(f, l, o);
  }
  core::Result<std::vector<storage::TagValueCount>> TagValues(
      std::string_view t, std::string_view f, size_t l, const query::ReadOptions& o) override {
    return inner_.TagValues(t, f, l, o);
  }
  core::Result<std::vector<std::string>> AllLeaves(const query::ReadOptions& o) override {
    return inner_.AllLeaves(o);
  }
  core::Result<storage::SeriesData> Fetch(std::string_view n, int64_t from, int64_t until,
                                          const query::ReadOptions& o) override {
    return inner_.Fetch(n, from, until, o);
  }

 private:
  query::SeriesSource& inner_;
};

class DashboardApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* n : {"meridian.a.storage_series", "meridian.b.storage_series",
                          "meridian.a.ingest_points_received_total"}) {
      fake_.Add(n, 0, 60, {1});
    }
    alerting::Rule r;
    r.name = "too-many-series";
    r.target = "meridian.a.storage_series";
    alerting::RuleGroup g;
    g.name = "self";
    g.rules.push_back(r);
    auto set = std::make_shared<alerting::RuleSet>();
    set->groups.push_back(g);
    rules_ = set;
    ASSERT_TRUE(RegisterDashboardRoutes(router_, library_, source_, [this] { return rules_; },
                                        clock_, metrics_, {})
                    .ok());
  }

  http::Response Call(http::Method m, const std::string& path, http::Params params = {}) {
    http::Router::Match match = router_.Find(m, path);
    if (match.route == nullptr) return http::Response::Text(match.status, "");
    http::Request req;
    req.method = m;
    req.path = path;
    req.params = std::move(params);
    req.path_args = match.path_args;
    return match.route->handler(req);
  }

  static json Body(const http::Response& r) { return json::parse(r.body); }

  testing::FakeClock clock_;
  core::MetricsRegistry metrics_;
  testing::FakeSeriesSource fake_;
  PartialSource source_{fake_};
  DashboardLibrary library_{LibraryOptions{}, clock_, metrics_};
  std::shared_ptr<const alerting::RuleSet> rules_;
  http::Router router_;
};

TEST_F(DashboardApiTest, ListsTheBuiltInDashboard) {
  http::Response r = Call(http::Method::kGet, "/api/dashboards");
  ASSERT_EQ(r.status, 200);
  json j = Body(r);
  EXPECT_EQ(j["dir"], "");
  EXPECT_EQ(j["loaded_at"], clock_.NowSeconds());
  ASSERT_EQ(j["dashboards"].size(), 1u);
  EXPECT_EQ(j["dashboards"][0]["uid"], "meridian");
  EXPECT_EQ(j["dashboards"][0]["title"], "Meridian self-metrics");
  EXPECT_EQ(j["dashboards"][0]["file"], "<built-in>");
  EXPECT_EQ(j["dashboards"][0]["errors"], json::array());
  EXPECT_EQ(j["errors"], json::array());
}

TEST_F(DashboardApiTest, OneDashboardResolvesVariablesAndMatchesRules) {
  http::Response r = Call(http::Method::kGet, "/api/dashboards/meridian",
                          {{"var-instance", "a"}, {"from", "-6h"}});
  ASSERT_EQ(r.status, 200) << r.body;
  json j = Body(r);
  EXPECT_EQ(j["time"], (json{{"from", "-6h"}, {"until", "now"}}));
  EXPECT_EQ(j["refresh"], "30s");
  ASSERT_EQ(j["variables"].size(), 1u);
  const json& v = j["variables"][0];
  EXPECT_EQ(v["options"], (json{"a", "b"}));
  EXPECT_EQ(v["selected"], (json{"a"}));
  EXPECT_EQ(v["all"], false);
  EXPECT_EQ(v["error"], nullptr);
  bool found_series_panel = false;
  for (const json& p : j["panels"]) {
    EXPECT_EQ(p["targets"].size(), p["raw_targets"].size());
    if (p["title"] != "Series") {
      EXPECT_EQ(p["alert_rules"], json::array()) << p["title"];
      continue;
    }
    found_series_panel = true;
    EXPECT_EQ(p["targets"], (json{"aliasByNode(meridian.a.storage_series, 1)"}));
    EXPECT_EQ(p["alert_rules"], (json::array({{{"group", "self"},
                                               {"rule", "too-many-series"},
                                               {"target", "meridian.a.storage_series"}}})));
    EXPECT_EQ(p["unit"], "short");
    EXPECT_EQ(p["min"], 0);
    EXPECT_EQ(p["max"], nullptr);
    EXPECT_EQ(p["legend"], (json{"last", "max"}));
  }
  EXPECT_TRUE(found_series_panel);
  for (const auto& [k, v] : r.headers) EXPECT_NE(k, "X-Meridian-Partial");
}

TEST_F(DashboardApiTest, AllInstancesByDefault) {
  json j = Body(Call(http::Method::kGet, "/api/dashboards/meridian"));
  EXPECT_EQ(j["variables"][0]["all"], true);
  EXPECT_EQ(j["variables"][0]["selected"], (json{"a", "b"}));
  EXPECT_EQ(j["panels"][2]["targets"], (json{"aliasByNode(meridian.{a,b}.storage_series, 1)"}));
}

TEST_F(DashboardApiTest, PartialFindSetsTheHeader) {
  source_.missing = "us-east";
  http::Response r = Call(http::Method::kGet, "/api/dashboards/meridian");
  ASSERT_EQ(r.status, 200);
  EXPECT_THAT(r.headers, ::testing::Contains(std::pair<std::string, std::string>(
                             "X-Meridian-Partial", "us-east (timeout)")));
}

TEST_F(DashboardApiTest, UnknownUidIs404AndBadTimeIs400) {
  http::Response r = Call(http::Method::kGet, "/api/dashboards/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Body(r)["error"], "no dashboard with uid 'nope'");
  r = Call(http::Method::kGet, "/api/dashboards/meridian", {{"from", "yesterdayish"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(Body(r)["error"].get<std::string>(), ::testing::StartsWith("from: "));
}

TEST_F(DashboardApiTest, ReloadIsAdminOnly) {
  http::Router::Match m = router_.Find(http::Method::kPost, "/api/dashboards/reload");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->scope, http::Scope::kAdmin);
  json j = Body(Call(http::Method::kPost, "/api/dashboards/reload"));
  EXPECT_EQ(j["dashboards"], 1);
  EXPECT_EQ(j["invalid"], 0);
}

TEST_F(DashboardApiTest, WithoutAlertingNoRules) {
  http::Router router;
  ASSERT_TRUE(
      RegisterDashboardRoutes(router, library_, source_, nullptr, clock_, metrics_, {}).ok());
  http::Router::Match m = router.Find(http::Method::kGet, "/api/dashboards/meridian");
  http::Request req;
  req.path_args = m.path_args;
  req.params = {{"var-instance", "a"}};
  json j = Body(m.route->handler(req));
  for (const json& p : j["panels"]) EXPECT_EQ(p["alert_rules"], json::array());
}

}  // namespace
}  // namespace meridian::dashboards
