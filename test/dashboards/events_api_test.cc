#include "dashboards/events_api.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "alerting/state_store.h"
#include "dashboards/record_event_store.h"
#include "support/fake_clock.h"

namespace meridian::dashboards {
namespace {

using nlohmann::json;
constexpr int64_t kNow = 1'700'000'000;

alerting::Transition T(int64_t time, std::string rule, std::string host,
                       std::optional<alerting::CheckState> from, alerting::CheckState to) {
  alerting::Transition t;
  t.time = time;
  t.group = "web";
  t.rule = std::move(rule);
  t.host = std::move(host);
  t.service = "cpu load";
  t.from = from;
  t.to = to;
  t.value = 95;
  t.output = "CRITICAL - load 95";
  return t;
}

class EventsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = RecordEventStore::Open(records_, {}, clock_, metrics_);
    ASSERT_TRUE(s.ok());
    store_ = std::move(s).value();
    TransitionLister lister = [this](const alerting::HistoryQuery& q) {
      // AlertEngine::History's contract: window, newest first, at most limit.
      std::vector<alerting::Transition> out;
      for (auto it = transitions_.rbegin(); it != transitions_.rend(); ++it) {
        if (it->time >= q.from && it->time <= q.until && out.size() < q.limit) out.push_back(*it);
      }
      return out;
    };
    EventsApiOptions o;
    o.max_event_bytes = 1024;
    ASSERT_TRUE(RegisterEventRoutes(router_, *store_, lister, clock_, metrics_, o).ok());
  }

  http::Response Call(http::Method m, std::string path, http::Params params = {},
                      std::string body = "",
                      std::vector<std::pair<std::string, std::string>> headers = {}) {
    auto match = router_.Find(m, path);
    EXPECT_NE(match.route, nullptr) << path;
    if (match.route == nullptr) return http::Response::Text(match.status, "");
    http::Request req;
    req.method = m;
    req.path = path;
    req.params = std::move(params);
    req.body = std::move(body);
    req.headers = std::move(headers);
    req.path_args = match.path_args;
    return match.route->handler(req);
  }
  json Post(const std::string& body, int want = 200) {
    auto r = Call(http::Method::kPost, "/events/", {}, body);
    EXPECT_EQ(r.status, want) << r.body;
    return json::parse(r.body, nullptr, false);
  }
  json GetData(http::Params params) {
    auto r = Call(http::Method::kGet, "/events/get_data", std::move(params));
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.content_type, "application/json");
    return json::parse(r.body, nullptr, false);
  }

  alerting::MemoryStateStore records_;
  testing::FakeClock clock_{kNow};
  core::MetricsRegistry metrics_;
  std::unique_ptr<RecordEventStore> store_;
  std::vector<alerting::Transition> transitions_;  // oldest first
  http::Router router_;
};

TEST_F(EventsApiTest, PostThenGetDataInGraphiteWebShape) {
  EXPECT_EQ(Post(R"({"what": "deploy v2", "tags": ["deploy", "web"], "data": "sha abc",
                     "when": 1699999000})")["id"],
            1);
  EXPECT_EQ(Post(R"({"what": "restart", "tags": "restart web"})")["id"], 2);
  auto r = Call(http::Method::kGet, "/events/get_data", {{"from", "-1h"}});
  ASSERT_EQ(r.status, 200);
  // graphite-web's Event.as_dict order: when, what, data, tags, id.
  EXPECT_EQ(r.body,
            R"([{"when":1699999000,"what":"deploy v2","data":"sha abc","tags":["deploy","web"],)"
            R"("id":1},{"when":1700000000,"what":"restart","data":"","tags":["restart","web"],)"
            R"("id":2}])");
}

TEST_F(EventsApiTest, GetDataFiltersByTagsAndSet) {
  Post(R"({"what": "a", "tags": "deploy web"})");
  Post(R"({"what": "b", "tags": "deploy db"})");
  Post(R"({"what": "c", "tags": "web"})");
  auto whats = [](const json& j) {
    std::vector<std::string> out;
    for (const auto& e : j) out.push_back(e["what"]);
    return out;
  };
  EXPECT_EQ(whats(GetData({{"tags", "deploy web"}})), std::vector<std::string>{"a"});
  EXPECT_EQ(whats(GetData({{"tags", "deploy web"}, {"set", "union"}})),
            (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(whats(GetData({{"tags", "deploy"}, {"set_operation", "intersection"}})),
            (std::vector<std::string>{"a", "b"}));
  auto bad = Call(http::Method::kGet, "/events/get_data", {{"set", "xor"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("set"), std::string::npos);
}

TEST_F(EventsApiTest, GetDataTimeWindowWithGraphiteTimes) {
  Post(R"({"what": "old", "when": 1699990000})");
  Post(R"({"what": "new", "when": 1699999990})");
  EXPECT_EQ(GetData({{"from", "-1min"}, {"until", "now"}}).size(), 1u);
  EXPECT_EQ(GetData({{"from", "1699990000"}, {"until", "1699990000"}}).size(), 1u);
  EXPECT_EQ(GetData({}).size(), 2u);  // default from = 0, until = now
  auto bad = Call(http::Method::kGet, "/events/get_data", {{"from", "yesterday-ish"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("from"), std::string::npos);
}

TEST_F(EventsApiTest, BadBodiesAre400WithTheReason) {
  struct Case {
    const char* body;
    const char* says;
  };
  for (const Case& c : {Case{"not json", "not valid JSON"}, Case{"[1]", "JSON object"},
                        Case{R"({"tags": "x"})", "\"what\" is required"},
                        Case{R"({"what": ""})", "\"what\" is required"},
                        Case{R"({"what": "x", "tags": 5})", "\"tags\" must be an array"},
                        Case{R"({"what": "x", "tags": ["a", 1]})", "\"tags\" must be an array"},
                        Case{R"({"what": "x", "data": {}})", "\"data\" must be a string"},
                        Case{R"({"what": "x", "when": "now"})", "\"when\" must be a number"},
                        Case{R"({"what": "x", "when": -5})", "epoch seconds"},
                        Case{R"({"what": "x", "when": 1})", "events.retention"}}) {
    json j = Post(c.body, 400);
    ASSERT_TRUE(j.is_object()) << c.body;
    EXPECT_NE(j["error"].get<std::string>().find(c.says), std::string::npos)
        << c.body << " → " << j["error"];
  }
  EXPECT_EQ(metrics_.GetCounter("events_rejected_total", "", {{"reason", "bad_request"}}).Value(),
            10u);
  EXPECT_TRUE(GetData({}).empty());
}

TEST_F(EventsApiTest, TooLargeBodyIs413) {
  json j = Post(R"({"what": "x", "data": ")" + std::string(2000, 'y') + "\"}", 413);
  EXPECT_NE(j["error"].get<std::string>().find("events.max_event_bytes"), std::string::npos);
  EXPECT_EQ(metrics_.GetCounter("events_rejected_total", "", {{"reason", "too_large"}}).Value(),
            1u);
}

TEST_F(EventsApiTest, AlertTransitionsAreEventsWithTheDocumentedTags) {
  transitions_ = {
      T(kNow - 100, "cpu_high", "web1", std::nullopt, alerting::CheckState::kCritical),
      T(kNow - 50, "cpu_high", "web1", alerting::CheckState::kCritical, alerting::CheckState::kOk)};
  Post(R"({"what": "deploy", "tags": "deploy", "when": 1699999925})");
  json all = GetData({{"from", "-1h"}});
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0]["what"], "cpu_high web1/cpu load → CRITICAL");
  EXPECT_EQ(all[0]["when"], kNow - 100);
  EXPECT_EQ(all[0]["data"], "CRITICAL - load 95");
  EXPECT_EQ(all[0]["tags"],
            json({"alert", "critical", "rule:web/cpu_high", "host:web1", "service:cpu_load"}));
  EXPECT_LT(all[0]["id"].get<int64_t>(), 0);
  EXPECT_LE(std::abs(all[0]["id"].get<double>()), std::pow(2.0, 53));
  EXPECT_EQ(all[1]["what"], "deploy");
  EXPECT_EQ(all[2]["what"], "cpu_high web1/cpu load CRITICAL → OK");
  EXPECT_EQ(all[2]["tags"][1], "ok");
  // Tag filters apply to them; ids are stable across queries.
  json critical = GetData({{"tags", "alert critical"}});
  ASSERT_EQ(critical.size(), 1u);
  EXPECT_EQ(critical[0]["id"], all[0]["id"]);
  EXPECT_EQ(GetData({{"tags", "deploy"}}).size(), 1u);
  EXPECT_EQ(GetData({{"tags", "rule:web/cpu_high deploy"}, {"set", "union"}}).size(), 3u);
  // The detail view finds them; they cannot be deleted.
  const std::string id = std::to_string(all[0]["id"].get<int64_t>());
  auto detail = Call(http::Method::kGet, "/events/" + id);
  EXPECT_EQ(detail.status, 200);
  EXPECT_EQ(json::parse(detail.body)["what"], "cpu_high web1/cpu load → CRITICAL");
  auto del = Call(http::Method::kDelete, "/events/" + id);
  EXPECT_EQ(del.status, 400);
  EXPECT_NE(del.body.find("alert transition"), std::string::npos);
}

TEST_F(EventsApiTest, DetailListAndDelete) {
  Post(R"({"what": "deploy <b>", "tags": "deploy", "when": 1699999999})");
  auto detail = Call(http::Method::kGet, "/events/1");
  ASSERT_EQ(detail.status, 200);
  EXPECT_EQ(
      detail.body,
      R"({"id":1,"when":"2023-11-14T22:13:19Z","what":"deploy <b>","data":"","tags":["deploy"]})");
  EXPECT_EQ(Call(http::Method::kGet, "/events/9").status, 404);
  EXPECT_EQ(Call(http::Method::kGet, "/events/abc").status, 400);
  auto html = Call(http::Method::kGet, "/events/");
  EXPECT_EQ(html.content_type, "text/html; charset=utf-8");
  EXPECT_NE(html.body.find("deploy &lt;b&gt;"), std::string::npos);
  auto list = Call(http::Method::kGet, "/events/", {{"format", "json"}});
  EXPECT_EQ(json::parse(list.body).size(), 1u);
  auto accept = Call(http::Method::kGet, "/events", {}, "", {{"accept", "application/json"}});
  EXPECT_EQ(json::parse(accept.body).size(), 1u);
  EXPECT_EQ(router_.Find(http::Method::kDelete, "/events/1").route->scope, http::Scope::kAdmin);
  EXPECT_EQ(router_.Find(http::Method::kPost, "/events/").route->scope, http::Scope::kWrite);
  EXPECT_EQ(Call(http::Method::kDelete, "/events/1").status, 200);
  EXPECT_EQ(Call(http::Method::kDelete, "/events/1").status, 404);
  EXPECT_TRUE(GetData({}).empty());
}

TEST_F(EventsApiTest, JsonpWrapsAndValidatesTheCallback) {
  Post(R"({"what": "x"})");
  auto r = Call(http::Method::kGet, "/events/get_data", {{"jsonp", "cb_1"}});
  EXPECT_EQ(r.content_type, "text/javascript");
  EXPECT_TRUE(r.body.starts_with("cb_1([{")) << r.body;
  EXPECT_EQ(Call(http::Method::kGet, "/events/get_data", {{"jsonp", "alert(1)//"}}).status, 400);
}

}  // namespace
}  // namespace meridian::dashboards
