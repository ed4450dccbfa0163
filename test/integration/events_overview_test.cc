// graphite-web's events API and the regions overview on real `meridian serve` processes:
// events posted and read back in graphite-web's shapes, kept across a restart and a kill -9;
// three federated regions on one /api/overview (series, ingest rate, a CRITICAL check with its
// since), and a killed region shown down with its error within federation.timeout.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "support/graphite_web.h"
#include "support/meridian_process.h"
#include "support/process.h"
#include "support/raw_http.h"

namespace meridian::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

json GetJson(const MeridianProcess& m, const std::string& path, const HttpParams& params = {}) {
  auto r = m.Get(path, params);
  if (!r.ok() || r->status != 200) return nullptr;
  return json::parse(r->body, nullptr, false);
}

core::Result<RawResponse> Send(const MeridianProcess& m, const std::string& method,
                               const std::string& path, const std::string& body,
                               const std::string& type = "application/json") {
  return RawRequest(m.http_port(),
                    fmt::format("{} {} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {}\r\n"
                                "Content-Length: {}\r\nConnection: close\r\n\r\n{}",
                                method, path, type, body.size(), body));
}

std::unique_ptr<MeridianProcess> Start(const std::string& yaml) {
  MeridianOptions o;
  o.binary = MERIDIAN_BINARY;
  o.config_yaml = yaml;
  auto m = MeridianProcess::Start(o);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? std::move(*m) : nullptr;
}

TEST(EventsServeTest, PostThenGetDataRoundTripsInGraphiteWebShapes) {
  auto m = Start("instance: one\n");
  ASSERT_NE(m, nullptr);
  const int64_t when = Now() - 120;
  auto r = Send(*m, "POST", "/events/",
                fmt::format(R"({{"what": "deploy web v2", "tags": ["deploy", "web"],
                                 "data": "sha 1234", "when": {}}})",
                            when));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(json::parse(r->body, nullptr, false)["id"], 1);
  // A space-separated string, "when" defaulted, posted the way curl -d does (form type) with a
  // '%' that is not percent-encoding: a JSON body, not a form.
  r = Send(*m, "POST", "/events/",
           R"({"what": "db failover", "tags": "db deploy", "data": "50% done"})",
           "application/x-www-form-urlencoded");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;

  // What Grafana's Graphite datasource asks: from/until as graphite times, tags.
  auto got = m->Get("/events/get_data", {{"from", "-1h"}, {"until", "now"}, {"tags", "deploy"}});
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->status, 200) << got->body;
  EXPECT_EQ(got->Header("Content-Type"), "application/json");
  const std::string first = fmt::format(
      R"({{"when":{},"what":"deploy web v2","data":"sha 1234","tags":["deploy","web"],"id":1}})",
      when);
  EXPECT_TRUE(got->body.starts_with("[" + first + ",{")) << got->body;
  json all = json::parse(got->body);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1]["what"], "db failover");
  EXPECT_EQ(all[1]["tags"], json({"db", "deploy"}));
  EXPECT_EQ(all[1]["data"], "50% done");
  EXPECT_GE(all[1]["when"].get<int64_t>(), when);
  // Intersection by default, union on request.
  EXPECT_EQ(GetJson(*m, "/events/get_data", {{"tags", "deploy web"}}).size(), 1u);
  EXPECT_EQ(GetJson(*m, "/events/get_data", {{"tags", "web db"}, {"set", "union"}}).size(), 2u);
  EXPECT_EQ(GetJson(*m, "/events/get_data", {{"from", "-1min"}, {"tags", "web"}}).size(), 0u);
  // The detail view and the list.
  auto one = GetJson(*m, "/events/1");
  EXPECT_EQ(one["what"], "deploy web v2");
  EXPECT_EQ(GetJson(*m, "/events/", {{"format", "json"}}).size(), 2u);
  auto del = Send(*m, "DELETE", "/events/2", "");
  ASSERT_TRUE(del.ok());
  EXPECT_EQ(del->status, 200) << del->body;
  EXPECT_EQ(GetJson(*m, "/events/get_data").size(), 1u);
}

TEST(EventsServeTest, BadBodiesAre400WithAClearMessageAndTooBigIs413) {
  auto m = Start("events: { max_event_bytes: 1024 }\n");
  ASSERT_NE(m, nullptr);
  for (auto [body, says] :
       {std::pair{"{not json", "not valid JSON"}, std::pair{R"({"tags": "x"})", "is required"},
        std::pair{R"({"what": "x", "tags": 3})", "must be an array"},
        std::pair{R"({"what": "x", "when": "soon"})", "must be a number"}}) {
    auto r = Send(*m, "POST", "/events/", body);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 400) << body;
    EXPECT_NE(r->body.find(says), std::string::npos) << r->body;
  }
  auto big =
      Send(*m, "POST", "/events/", R"({"what": "x", "data": ")" + std::string(4000, 'z') + "\"}");
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->status, 413);
  EXPECT_NE(big->body.find("events.max_event_bytes"), std::string::npos) << big->body;
  EXPECT_EQ(GetJson(*m, "/events/get_data").size(), 0u);
  auto metrics = m->Get("/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("meridian_events_rejected_total{reason=\"too_large\"} 1"),
            std::string::npos);
}

TEST(EventsServeTest, EventsSurviveARestartAndAKillMinus9AfterTheReply) {
  auto m = Start("instance: one\n");
  ASSERT_NE(m, nullptr);
  auto r = Send(*m, "POST", "/events/", R"({"what": "before restart", "tags": "a"})");
  ASSERT_TRUE(r.ok() && r->status == 200);
  ASSERT_TRUE(m->Stop().ok());
  ASSERT_TRUE(m->Restart().ok()) << m->Log();
  EXPECT_EQ(GetJson(*m, "/events/get_data").size(), 1u);
  // The store promises: a process kill loses nothing that was written (records go with its log).
  r = Send(*m, "POST", "/events/", R"({"what": "before kill", "tags": "b"})");
  ASSERT_TRUE(r.ok() && r->status == 200);
  EXPECT_EQ(json::parse(r->body)["id"], 2);
  m->Kill();
  ASSERT_TRUE(m->Restart().ok()) << m->Log();
  auto all = GetJson(*m, "/events/get_data");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]["what"], "before restart");
  EXPECT_EQ(all[1]["what"], "before kill");
  r = Send(*m, "POST", "/events/", R"({"what": "after"})");
  ASSERT_TRUE(r.ok() && r->status == 200);
  EXPECT_EQ(json::parse(r->body)["id"], 3);  // ids are never reused
}

std::string Rules() {
  return "group: latency\ninterval: 1s\nrules:\n  - name: slow\n    target: app.*.latency\n"
         "    window: 1min\n    reduce: last\n    critical: \"~:300\"\n"
         "    nagios: { host: \"{node:1}\", service: latency }\n";
}

TEST(OverviewServeTest, ThreeRegionsWithSeriesRatesAndProblemsAndAKilledOneIsDown) {
  TempDir rules("meridian-overview-rules");
  std::filesystem::create_directories(rules.path());
  ASSERT_TRUE(WriteFile(rules.path() / "r.yaml", Rules()).ok());
  auto b = Start("instance: b\n");
  auto c = Start("instance: c\nalerting:\n  rules_dir: " + rules.path().string() + "\n");
  ASSERT_NE(b, nullptr);
  ASSERT_NE(c, nullptr);
  auto a =
      Start(fmt::format("instance: a\nfederation:\n  timeout: 2s\n  peers:\n"
                        "    - {{ name: b, url: \"http://127.0.0.1:{}\", role: region }}\n"
                        "    - {{ name: c, url: \"http://127.0.0.1:{}\", role: region }}\n",
                        b->http_port(), c->http_port()));
  ASSERT_NE(a, nullptr);
  const std::string t = std::to_string(Now());
  ASSERT_TRUE(a->SendTcp("web.a.cpu 1 " + t + "\nweb.a.mem 2 " + t + "\n").ok());
  ASSERT_TRUE(b->SendTcp("web.b.cpu 1 " + t + "\n").ok());
  ASSERT_TRUE(c->SendTcp("app.web9.latency 900 " + t + "\n").ok());

  json ov;
  auto region = [&](const std::string& name) -> json {
    for (const auto& r : ov["regions"]) {
      if (r["name"] == name) return r;
    }
    return nullptr;
  };
  // Wait until the points are in, the rate has a second of history, and c's check fired.
  ASSERT_TRUE(WaitFor(
      [&] {
        ov = GetJson(*a, "/api/overview");
        if (!ov.is_object() || ov["regions"].size() != 3) return false;
        json ra = region("a"), rc = region("c");
        return ra["ingest_points_per_second"].get<double>() > 0 && rc["up"] == true &&
               rc["alerts"]["CRITICAL"] == 1;
      },
      60s))
      << ov.dump();
  EXPECT_EQ(ov["regions"][0]["name"], "a");
  EXPECT_EQ(ov["regions"][0]["role"], "self");
  EXPECT_EQ(ov["regions"][1]["name"], "b");
  EXPECT_EQ(ov["regions"][2]["name"], "c");
  for (const std::string name : {"a", "b", "c"}) {
    json r = region(name);
    EXPECT_EQ(r["up"], true) << r.dump();
    EXPECT_GE(r["series"].get<int64_t>(), 1) << r.dump();
    EXPECT_EQ(r["health"], "ok");
  }
  EXPECT_EQ(region("b")["instance"], "b");
  EXPECT_EQ(region("a")["alerting"], false);
  json rc = region("c");
  EXPECT_EQ(rc["alerting"], true);
  ASSERT_EQ(rc["problems"].size(), 1u) << rc.dump();
  EXPECT_EQ(rc["problems"][0]["host"], "web9");
  EXPECT_EQ(rc["problems"][0]["service"], "latency");
  EXPECT_EQ(rc["problems"][0]["state"], "CRITICAL");
  EXPECT_GT(rc["problems"][0]["state_since"].get<int64_t>(), 0);
  EXPECT_LE(rc["problems"][0]["state_since"].get<int64_t>(), Now());
  // c's /api/status is its own (what a asked for).
  json sc = GetJson(*c, "/api/status");
  EXPECT_EQ(sc["name"], "c");
  EXPECT_EQ(sc["alerts"]["CRITICAL"], 1);

  // The transition is an event on c, tagged as documented, for Grafana's annotations.
  json ev = GetJson(*c, "/events/get_data", {{"from", "-1h"}, {"tags", "alert critical"}});
  ASSERT_EQ(ev.size(), 1u) << ev.dump();
  EXPECT_EQ(ev[0]["what"], "slow web9/latency → CRITICAL");
  EXPECT_EQ(ev[0]["tags"],
            json({"alert", "critical", "rule:latency/slow", "host:web9", "service:latency"}));
  EXPECT_EQ(ev[0]["when"], rc["problems"][0]["state_since"]);
  EXPECT_LT(ev[0]["id"].get<int64_t>(), 0);

  // Cross-region events: a's get_data merges every region's, tagged region:<name>.
  auto posted = Send(*b, "POST", "/events/", R"({"what": "deploy on b", "tags": "deploy"})");
  ASSERT_TRUE(posted.ok() && posted->status == 200);
  json merged = GetJson(*a, "/events/get_data", {{"from", "-1h"}});
  ASSERT_EQ(merged.size(), 2u) << merged.dump();
  std::vector<std::string> whats;
  for (const auto& e : merged) whats.push_back(e["what"]);
  EXPECT_NE(std::find(whats.begin(), whats.end(), "deploy on b"), whats.end());
  json c_alerts = GetJson(*a, "/events/get_data", {{"tags", "alert critical region:c"}});
  ASSERT_EQ(c_alerts.size(), 1u) << c_alerts.dump();
  EXPECT_EQ(c_alerts[0]["what"], "slow web9/latency → CRITICAL");

  // Kill c: a still answers (within federation.timeout), with c down and why, the others up.
  c->Kill();
  auto partial = a->Get("/events/get_data", {{"tags", "deploy"}});
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(partial->status, 200);
  EXPECT_EQ(partial->Header("X-Meridian-Partial").rfind("c (", 0), 0u)
      << partial->Header("X-Meridian-Partial");
  EXPECT_EQ(json::parse(partial->body).size(), 1u);
  ov = GetJson(*a, "/api/overview");
  ASSERT_TRUE(ov.is_object());
  ASSERT_EQ(ov["regions"].size(), 3u);
  EXPECT_EQ(region("c")["up"], false);
  EXPECT_FALSE(region("c")["error"].get<std::string>().empty());
  EXPECT_FALSE(region("c").contains("series"));
  EXPECT_EQ(region("a")["up"], true);
  EXPECT_EQ(region("b")["up"], true);
  EXPECT_GE(region("b")["series"].get<int64_t>(), 1);

  // Stop b without closing its sockets (a hung region): a answers by federation.timeout with b
  // down, instead of waiting for it.
  ASSERT_EQ(::kill(b->pid(), SIGSTOP), 0);
  // kill() returns before every thread of b has stopped: wait for the kernel to say so, or a
  // request can still slip through.
  ASSERT_TRUE(WaitFor(
      [&] {
        std::ifstream stat("/proc/" + std::to_string(b->pid()) + "/stat");
        std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
        const size_t paren = text.rfind(") ");
        return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] == 'T';
      },
      10s));
  ov = GetJson(*a, "/api/overview");
  ::kill(b->pid(), SIGCONT);
  ASSERT_TRUE(ov.is_object());
  EXPECT_EQ(region("b")["up"], false);
  EXPECT_NE(region("b")["error"].get<std::string>().find("timeout"), std::string::npos)
      << region("b").dump();
  EXPECT_EQ(region("a")["up"], true);
}

// Debian's graphite-web as the oracle: the same posts give the same get_data answers (same keys
// in the same order, same values; graphite-web's empty POST answer aside), and as a peer it shows
// in the overview (probe only) and its events in the merged get_data, tagged with its region.
TEST(EventsGraphiteWebTest, SameShapesAsGraphiteWebAndItsEventsMergeAsAPeer) {
  auto web = GraphiteWeb::Start({});
  ASSERT_TRUE(web.ok()) << web.status().ToString();
  auto m = Start("instance: one\n");
  ASSERT_NE(m, nullptr);
  const int64_t t = Now() - 300;
  const std::vector<std::string> bodies = {
      fmt::format(
          R"({{"what": "deploy v2", "tags": ["deploy", "web"], "data": "sha 1", "when": {}}})", t),
      fmt::format(R"({{"what": "db", "tags": "deploy db", "when": {}}})", t + 10),
      fmt::format(R"({{"what": "quiet", "when": {}}})", t + 20)};
  for (const std::string& body : bodies) {
    auto mine = Send(*m, "POST", "/events/", body);
    ASSERT_TRUE(mine.ok() && mine->status == 200);
    auto theirs = RawRequest((*web)->port(),
                             fmt::format("POST /events/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                         "Content-Type: application/json\r\nContent-Length: {}\r\n"
                                         "Connection: close\r\n\r\n{}",
                                         body.size(), body));
    ASSERT_TRUE(theirs.ok()) << theirs.status().ToString();
    ASSERT_EQ(theirs->status, 200) << theirs->body.substr(0, 2000);
  }
  for (const HttpParams& params :
       {HttpParams{{"from", "-1h"}, {"until", "now"}}, HttpParams{{"tags", "deploy"}},
        HttpParams{{"tags", "deploy web"}}, HttpParams{{"tags", "web db"}, {"set", "union"}},
        HttpParams{{"tags", "deploy web"}, {"set", "intersection"}},
        HttpParams{{"from", std::to_string(t + 5)}, {"until", std::to_string(t + 10)}}}) {
    auto mine = m->Get("/events/get_data", params);
    auto theirs = (*web)->Get("/events/get_data", params);
    ASSERT_TRUE(mine.ok() && theirs.ok());
    ASSERT_EQ(theirs->status, 200) << theirs->body.substr(0, 2000);
    const auto a = nlohmann::ordered_json::parse(mine->body, nullptr, false);
    const auto b = nlohmann::ordered_json::parse(theirs->body, nullptr, false);
    EXPECT_EQ(a, b) << "mine:   " << mine->body << "\ntheirs: " << theirs->body;
  }

  // graphite-web as a peer of a second Meridian.
  auto front =
      Start(fmt::format("instance: front\nfederation:\n  timeout: 5s\n  peers:\n"
                        "    - {{ name: old-dc, url: \"http://127.0.0.1:{}\", role: graphite }}\n",
                        (*web)->port()));
  ASSERT_NE(front, nullptr);
  json ov = GetJson(*front, "/api/overview");
  ASSERT_EQ(ov["regions"].size(), 2u) << ov.dump();
  EXPECT_EQ(ov["regions"][1]["name"], "old-dc");
  EXPECT_EQ(ov["regions"][1]["role"], "graphite");
  EXPECT_EQ(ov["regions"][1]["up"], true) << ov.dump();
  EXPECT_FALSE(ov["regions"][1].contains("series"));
  json merged = GetJson(*front, "/events/get_data", {{"tags", "deploy region:old-dc"}});
  ASSERT_EQ(merged.size(), 2u) << merged.dump();
  EXPECT_EQ(merged[0]["what"], "deploy v2");
  EXPECT_EQ(merged[0]["tags"], json({"deploy", "web", "region:old-dc"}));
}

}  // namespace
}  // namespace meridian::testing
