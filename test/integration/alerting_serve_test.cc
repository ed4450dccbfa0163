// `meridian serve` with alerting: start-up validation, reload by HTTP, by SIGHUP and by file
// change (an invalid set is rejected and the running one stays), and the /api routes.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "support/meridian_process.h"
#include "support/process.h"

namespace meridian::testing {
namespace {

using std::chrono::seconds;

std::string Group(const std::string& name, const std::string& target) {
  return "group: " + name + "\ninterval: 1s\nrules:\n  - name: r\n    target: " + target +
         "\n    window: 1min\n    reduce: last\n    critical: \"~:300\"\n"
         "    nagios: { host: \"{node:1}\", service: " +
         name + " }\n";
}

class AlertingServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(rules_.path());
    ASSERT_TRUE(WriteFile(rules_.path() / "a.yaml", Group("a", "app.*.latency")).ok());
  }

  std::unique_ptr<MeridianProcess> Start() {
    MeridianOptions o;
    o.binary = MERIDIAN_BINARY;
    o.config_yaml =
        "alerting:\n  rules_dir: " + rules_.path().string() + "\n  reload_check_interval: 200ms\n";
    auto m = MeridianProcess::Start(o);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? std::move(*m) : nullptr;
  }

  static nlohmann::json GetJson(const MeridianProcess& m, const std::string& path,
                                const HttpParams& params = {}) {
    auto r = m.Get(path, params);
    if (!r.ok() || r->status != 200) return nullptr;
    return nlohmann::json::parse(r->body, nullptr, false);
  }

  static std::vector<std::string> GroupNames(const MeridianProcess& m) {
    std::vector<std::string> out;
    auto j = GetJson(m, "/api/rules");
    if (!j.is_object()) return out;
    for (const auto& g : j["groups"]) out.push_back(g["name"]);
    return out;
  }

  TempDir rules_{"meridian-serve-rules"};
};

// POST /api/rules/reload with curl (the test support client only GETs): body, "\n", status.
core::Result<std::string> PostReload(uint16_t port) {
  SubprocessOptions o;
  o.argv = {"/usr/bin/curl",
            "-s",
            "-w",
            "\\n%{http_code}",
            "-X",
            "POST",
            "-d",
            "",
            "http://127.0.0.1:" + std::to_string(port) + "/api/rules/reload"};
  TempDir scratch("meridian-curl");
  return RunAndCapture(o, scratch.path(), seconds(20));
}

TEST_F(AlertingServeTest, InvalidRulesAtStartUpAreAnErrorNamingEveryProblem) {
  ASSERT_TRUE(WriteFile(rules_.path() / "b.yaml", "group: b\nrules:\n  - name: x\n").ok());
  SubprocessOptions o;
  ASSERT_TRUE(WriteFile(rules_.path().parent_path() / "m.yaml",
                        "alerting: { rules_dir: " + rules_.path().string() + " }\n")
                  .ok());
  o.argv = {MERIDIAN_BINARY,     "serve",
            "--config",          (rules_.path().parent_path() / "m.yaml").string(),
            "--data-dir",        rules_.Sub("data"),
            "--graphite-listen", "127.0.0.1:0",
            "--http-listen",     "127.0.0.1:0",
            "--pickle-listen",   "off"};
  auto run = RunAndCapture(o, rules_.path(), seconds(30));
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.status().message().find("b.yaml:3: group b: rule x: missing required key 'target'"),
            std::string::npos)
      << run.status().message();
}

TEST_F(AlertingServeTest, ReloadsByHttpSighupAndFileChangeAndRejectsInvalidSets) {
  auto m = Start();
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(GroupNames(*m), (std::vector<std::string>{"a"}));

  // An invalid file: POST /api/rules/reload answers 422 with the errors; "a" keeps running.
  ASSERT_TRUE(WriteFile(rules_.path() / "bad.yaml", "group: bad\nrules: [ {name: x} ]\n").ok());
  auto post = PostReload(m->http_port());
  ASSERT_TRUE(post.ok()) << post.status().ToString();
  EXPECT_NE(post->find("\"status\":\"rejected\""), std::string::npos) << *post;
  EXPECT_NE(post->find("bad.yaml:2: group bad: rule x:"), std::string::npos) << *post;
  EXPECT_TRUE(post->ends_with("422")) << *post;
  EXPECT_EQ(GroupNames(*m), (std::vector<std::string>{"a"}));
  auto rules = GetJson(*m, "/api/rules");
  EXPECT_EQ(rules["last_reload"]["status"], "rejected");

  // Fixing it: the file watcher picks the change up by itself.
  ASSERT_TRUE(WriteFile(rules_.path() / "bad.yaml", Group("bad", "app.*.errors")).ok());
  EXPECT_TRUE(WaitFor([&] { return GroupNames(*m).size() == 2; }, seconds(10)));

  // SIGHUP reloads (logged as such; the watcher's own reloads say "after a file change").
  std::filesystem::remove(rules_.path() / "bad.yaml");
  ::kill(m->pid(), SIGHUP);
  EXPECT_TRUE(WaitFor(
      [&] { return m->Log().find("alert rules reloaded: 1 groups, 1 rules") != std::string::npos; },
      seconds(10)))
      << m->Log();
  EXPECT_EQ(GroupNames(*m), (std::vector<std::string>{"a"}));

  // A valid POST answers 200 with counts.
  post = PostReload(m->http_port());
  ASSERT_TRUE(post.ok());
  EXPECT_NE(post->find("\"status\":\"ok\""), std::string::npos) << *post;
  EXPECT_TRUE(post->ends_with("200")) << *post;
}

TEST_F(AlertingServeTest, AlertsApiFiltersAndHistoryParameters) {
  auto m = Start();
  ASSERT_NE(m, nullptr);
  const int64_t now =
      std::chrono::duration_cast<seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  ASSERT_TRUE(m->SendTcp("app.web1.latency 100 " + std::to_string(now) + "\napp.web2.latency 900 " +
                         std::to_string(now) + "\n")
                  .ok());
  ASSERT_TRUE(WaitFor(
      [&] {
        auto j = GetJson(*m, "/api/alerts", {{"state", "CRITICAL"}});
        return j.is_array() && j.size() == 1 && j[0]["host"] == "web2";
      },
      seconds(20)));
  auto ok = GetJson(*m, "/api/alerts", {{"state", "OK"}});
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(ok[0]["host"], "web1");
  EXPECT_EQ(ok[0]["output"], "OK - app.web1.latency last(1min) = 100 | r=100;;~:300");
  auto history = GetJson(*m, "/api/alerts/history", {{"from", "-1h"}, {"host", "web2"}});
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0]["to"], "CRITICAL");
  EXPECT_TRUE(history[0]["from"].is_null());
  auto bad = m->Get("/api/alerts/history", {{"limit", "0"}});
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
  bad = m->Get("/api/alerts/history", {{"from", "yesterday-ish"}});
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
  auto metrics = m->Get("/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("meridian_alert_checks{state=\"CRITICAL\"} 1"), std::string::npos);

  // kill -9: the states and the history were written with the store's log; nothing is lost.
  const auto before = GetJson(*m, "/api/alerts", {{"host", "web2"}});
  m->Kill();
  ASSERT_TRUE(m->Restart().ok()) << m->Log();
  auto after = GetJson(*m, "/api/alerts", {{"host", "web2"}});
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0]["state"], "CRITICAL");
  EXPECT_EQ(after[0]["state_since"], before[0]["state_since"]);
  EXPECT_EQ(GetJson(*m, "/api/alerts/history", {{"host", "web2"}}).size(), 1u);
}

}  // namespace
}  // namespace meridian::testing
