// Dashboards as files on a real disk: the library's hot reload (with a manual clock), the real
// `meridian serve` answering /api/dashboards over a directory that changes under it, and the
// `meridian dashboards check` / `export-grafana` commands a repo's CI runs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/metrics.h"
#include "dashboards/library.h"
#include "support/graphite_web.h"
#include "support/meridian_process.h"
#include "support/process.h"

namespace meridian {
namespace {

using nlohmann::json;
using testing::CliRun;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::TempDir;
using testing::WaitFor;

// testing::WriteFile, creating the parent directories first.
core::Status WriteFile(const std::filesystem::path& path, std::string_view text) {
  std::filesystem::create_directories(path.parent_path());
  return testing::WriteFile(path, text);
}

constexpr std::string_view kWeb = R"y(title: Web
variables:
  - { name: host, query: "web.*", multi: true, include_all: true }
panels:
  - { title: CPU, targets: ["web.$host.cpu"] }
)y";

constexpr std::string_view kBroken = R"y(title: Broken
panels:
  - { title: P, targets: ["nosuch(a.b)"], width: 20 }
)y";

std::vector<std::string> Titles(const dashboards::DashboardSet& set) {
  std::vector<std::string> out;
  for (const auto& d : set.dashboards) out.push_back(d.dashboard.title);
  return out;
}

TEST(DashboardLibraryTest, ListsFilesRecursivelyWithTheirErrors) {
  TempDir dir;
  ASSERT_TRUE(WriteFile(dir.path() / "web.yaml", kWeb).ok());
  ASSERT_TRUE(WriteFile(dir.path() / "team" / "broken.yml", kBroken).ok());
  ASSERT_TRUE(WriteFile(dir.path() / ".hidden.yaml", kWeb).ok());
  ASSERT_TRUE(WriteFile(dir.path() / "notes.txt", "x").ok());
  core::ManualClock clock;
  core::MetricsRegistry metrics;
  dashboards::DashboardLibrary library({dir.path().string()}, clock, metrics);
  auto set = library.Current();
  EXPECT_THAT(Titles(*set), ElementsAre("Meridian self-metrics", "Broken", "Web"));
  const auto* broken = set->Find("team-broken");
  ASSERT_NE(broken, nullptr);
  EXPECT_EQ(broken->dashboard.file, "team/broken.yml");
  std::vector<std::string> errors;
  for (const auto& e : broken->errors) errors.push_back(e.ToString());
  EXPECT_THAT(errors,
              ElementsAre(HasSubstr("team/broken.yml:3: panels[0].targets[0]: target "
                                    "'nosuch(a.b)': unknown function 'nosuch'"),
                          "team/broken.yml:3: panels[0].width: 20 is out of range (1..12)"));
  EXPECT_TRUE(set->Find("web")->errors.empty());
  EXPECT_TRUE(set->errors.empty());
}

TEST(DashboardLibraryTest, ReloadsChangedFilesAtMostOncePerSecond) {
  TempDir dir;
  ASSERT_TRUE(WriteFile(dir.path() / "web.yaml", kWeb).ok());
  core::ManualClock clock;
  core::MetricsRegistry metrics;
  dashboards::DashboardLibrary library({dir.path().string()}, clock, metrics);
  auto first = library.Current();
  ASSERT_TRUE(WriteFile(dir.path() / "web.yaml", "title: Web, renamed\npanels: []\n").ok());
  EXPECT_EQ(library.Current(), first);  // checked less than a second ago
  clock.AdvanceMicros(999'999);
  EXPECT_EQ(library.Current(), first);
  clock.AdvanceMicros(1);
  auto second = library.Current();
  EXPECT_NE(second, first);
  EXPECT_EQ(second->Find("web")->dashboard.title, "Web, renamed");
  clock.AdvanceSeconds(5);
  EXPECT_EQ(library.Current(), second);  // nothing changed: the same snapshot
  ASSERT_TRUE(WriteFile(dir.path() / "new.yaml", kBroken).ok());
  auto third = library.Reload();  // explicit: no wait
  EXPECT_THAT(Titles(*third), ElementsAre("Meridian self-metrics", "Broken", "Web, renamed"));
}

TEST(DashboardLibraryTest, LimitsAreErrorsAndCounted) {
  TempDir dir;
  for (const char* name : {"a.yaml", "b.yaml", "c.yaml"}) {
    ASSERT_TRUE(WriteFile(dir.path() / name, kWeb).ok());
  }
  ASSERT_TRUE(WriteFile(dir.path() / "d.yaml", std::string(5000, '#')).ok());
  core::ManualClock clock;
  core::MetricsRegistry metrics;
  dashboards::LibraryOptions o{dir.path().string(), 3, 4096};
  dashboards::DashboardLibrary library(o, clock, metrics);
  auto set = library.Current();
  EXPECT_EQ(set->dashboards.size(), 4u);  // built-in + the first three
  ASSERT_EQ(set->errors.size(), 1u);
  EXPECT_THAT(set->errors[0].message, HasSubstr("4 dashboard files, only the first 3 loaded"));
  o.max_files = 10;
  dashboards::DashboardLibrary bigger(o, clock, metrics);
  const auto* d = bigger.Current()->Find("d");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->dashboard.title, "d.yaml");
  ASSERT_EQ(d->errors.size(), 1u);
  EXPECT_THAT(d->errors[0].message, HasSubstr("dashboards.max_file_bytes"));
  const std::string prom = metrics.RenderPrometheus();
  EXPECT_THAT(prom, HasSubstr("meridian_dashboards_files_skipped_total 1"));
  EXPECT_THAT(prom, HasSubstr("meridian_dashboards_files_too_large_total 1"));
}

TEST(DashboardLibraryTest, MissingDirectoryIsAnErrorNotAFailure) {
  core::ManualClock clock;
  core::MetricsRegistry metrics;
  dashboards::DashboardLibrary library({"/nonexistent/dashboards"}, clock, metrics);
  auto set = library.Current();
  EXPECT_THAT(Titles(*set), ElementsAre("Meridian self-metrics"));
  ASSERT_EQ(set->errors.size(), 1u);
  EXPECT_EQ(set->errors[0].ToString(), "/nonexistent/dashboards:0: no such directory");
}

json GetJson(const testing::MeridianProcess& m, const std::string& path,
             const testing::HttpParams& params = {}) {
  auto r = m.Get(path, params);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) return json();
  EXPECT_EQ(r->status, 200) << path << ": " << r->body;
  return json::parse(r->body, nullptr, false);
}

TEST(DashboardsServeTest, ServesFilesShowsErrorsAndHotReloads) {
  TempDir dir;
  const auto dash = dir.path() / "dashboards";
  ASSERT_TRUE(WriteFile(dash / "web.yaml", kWeb).ok());
  ASSERT_TRUE(WriteFile(dash / "broken.yaml", kBroken).ok());
  testing::MeridianOptions o;
  o.binary = MERIDIAN_BINARY;
  o.config_yaml =
      "instance: itest\nstorage: { self_metrics_interval: 1s }\n"
      "dashboards: { dir: \"" +
      dash.string() + "\", max_variable_options: 2 }\n";
  auto m = testing::MeridianProcess::Start(o);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_TRUE((*m)->SendTcp("web.a.cpu 1 " + std::to_string(std::time(nullptr)) +
                            "\n"
                            "web.b.cpu 2 " +
                            std::to_string(std::time(nullptr)) +
                            "\n"
                            "web.c.cpu 3 " +
                            std::to_string(std::time(nullptr)) + "\n")
                  .ok());

  json list = GetJson(**m, "/api/dashboards");
  EXPECT_EQ(list["dir"], dash.string());
  ASSERT_EQ(list["dashboards"].size(), 3u) << list.dump();
  EXPECT_EQ(list["dashboards"][0]["uid"], "meridian");
  EXPECT_EQ(list["dashboards"][1]["uid"], "broken");
  EXPECT_EQ(list["dashboards"][1]["errors"].size(), 2u);
  EXPECT_EQ(list["dashboards"][1]["errors"][0]["line"], 3);
  EXPECT_EQ(list["dashboards"][2]["uid"], "web");
  EXPECT_EQ(list["dashboards"][2]["errors"], json::array());

  json broken = GetJson(**m, "/api/dashboards/broken");
  EXPECT_EQ(broken["errors"].size(), 2u);
  EXPECT_EQ(broken["panels"], json::array());

  // The valid one serves; its variable is bounded at 2 options and says so.
  ASSERT_TRUE(WaitFor(
      [&] { return GetJson(**m, "/api/dashboards/web")["variables"][0]["options"].size() == 2; },
      std::chrono::seconds(10)));
  json web = GetJson(**m, "/api/dashboards/web", {{"var-host", "a"}, {"var-host", "b"}});
  EXPECT_EQ(web["variables"][0]["options"], (json{"a", "b"}));
  EXPECT_THAT(web["variables"][0]["error"].get<std::string>(),
              HasSubstr("dashboards.max_variable_options"));
  EXPECT_EQ(web["panels"][0]["targets"], (json{"web.{a,b}.cpu"}));

  // The built-in dashboard finds this instance's own self-metrics.
  ASSERT_TRUE(WaitFor(
      [&] {
        json j = GetJson(**m, "/api/dashboards/meridian");
        return j["variables"][0]["options"] == json{"itest"};
      },
      std::chrono::seconds(20)));

  // Fixing the broken file is seen without a restart or a signal.
  ASSERT_TRUE(WriteFile(dash / "broken.yaml", "title: Fixed\npanels: []\n").ok());
  EXPECT_TRUE(WaitFor(
      [&] {
        json l = GetJson(**m, "/api/dashboards");
        return l["dashboards"][1]["title"] == "Fixed" && l["dashboards"][1]["errors"].empty();
      },
      std::chrono::seconds(10)));

  // POST /api/dashboards/reload and SIGHUP rescan too.
  ASSERT_TRUE(WriteFile(dash / "extra.yaml", "title: Extra\npanels: []\n").ok());
  auto reload = testing::HttpPostForm((*m)->http_port(), "/api/dashboards/reload", {});
  ASSERT_TRUE(reload.ok());
  EXPECT_EQ(reload->status, 200) << reload->body;
  EXPECT_EQ(json::parse(reload->body)["dashboards"], 4);
  ASSERT_TRUE(WriteFile(dash / "more.yaml", "title: More\npanels: []\n").ok());
  ::kill((*m)->pid(), SIGHUP);
  EXPECT_TRUE(WaitFor([&] { return GetJson(**m, "/api/dashboards")["dashboards"].size() == 5; },
                      std::chrono::seconds(10)));
  auto missing = (*m)->Get("/api/dashboards/nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
}

CliRun Meridian(const TempDir& dir, std::vector<std::string> args) {
  return testing::RunProgram(dir, MERIDIAN_BINARY, std::move(args));
}

TEST(DashboardsCliTest, CheckExitCodes) {
  TempDir dir;
  ASSERT_TRUE(WriteFile(dir.path() / "ok" / "web.yaml", kWeb).ok());
  ASSERT_TRUE(WriteFile(dir.path() / "bad" / "broken.yaml", kBroken).ok());
  CliRun ok = Meridian(dir, {"dashboards", "check", dir.Sub("ok")});
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("1 dashboard file, 1 panel: OK"));
  CliRun bad = Meridian(dir, {"dashboards", "check", dir.Sub("ok"), dir.Sub("bad")});
  EXPECT_EQ(bad.code, 1);
  EXPECT_THAT(bad.err, HasSubstr(dir.Sub("bad") + "/broken.yaml:3: panels[0].width: 20 is out of "
                                                  "range (1..12)"));
  CliRun one = Meridian(dir, {"dashboards", "check", dir.Sub("bad") + "/broken.yaml"});
  EXPECT_EQ(one.code, 1);
  EXPECT_THAT(one.err, HasSubstr(dir.Sub("bad") + "/broken.yaml:3: panels[0].targets[0]"));
  EXPECT_EQ(Meridian(dir, {"dashboards", "check", dir.Sub("nothing")}).code, 1);
  EXPECT_EQ(Meridian(dir, {"dashboards", "check"}).code, 2);
  EXPECT_EQ(Meridian(dir, {"dashboards", "check", "--frobnicate"}).code, 2);
  EXPECT_EQ(Meridian(dir, {"dashboards", "frobnicate"}).code, 2);
  // The examples shipped in the repo pass.
  CliRun examples = Meridian(
      dir, {"dashboards", "check", std::string(MERIDIAN_SOURCE_DIR) + "/dashboards/examples"});
  EXPECT_EQ(examples.code, 0) << examples.err;
}

TEST(DashboardsCliTest, ExportGrafanaWritesDashboardsAndProvisioning) {
  TempDir dir;
  const std::string examples = std::string(MERIDIAN_SOURCE_DIR) + "/dashboards/examples";
  const std::string out = dir.Sub("grafana");
  CliRun run =
      Meridian(dir, {"dashboards", "export-grafana", examples, "--out", out, "--datasource-name",
                     "Meridian EU", "--datasource-url", "http://meridian-eu:8080"});
  ASSERT_EQ(run.code, 0) << run.err;
  for (const char* name : {"web-tier", "regions"}) {
    json d = json::parse(testing::ReadFileOrEmpty(out + "/dashboards/" + name + ".json"), nullptr,
                         false);
    ASSERT_FALSE(d.is_discarded()) << name;
    EXPECT_EQ(d["uid"], name);
    EXPECT_EQ(d["panels"][0]["datasource"]["uid"], "meridian-eu");
  }
  const std::string ds = testing::ReadFileOrEmpty(out + "/provisioning/datasources/meridian.yaml");
  EXPECT_THAT(ds, HasSubstr("type: graphite"));
  EXPECT_THAT(ds, HasSubstr("uid: \"meridian-eu\""));
  EXPECT_THAT(ds, HasSubstr("url: \"http://meridian-eu:8080\""));
  EXPECT_THAT(ds, HasSubstr("graphiteVersion: \"1.1\""));
  const std::string provider =
      testing::ReadFileOrEmpty(out + "/provisioning/dashboards/meridian.yaml");
  EXPECT_THAT(provider, HasSubstr("path: \"" + out + "/dashboards\""));

  // Invalid files: nothing written, exit 1.
  ASSERT_TRUE(WriteFile(dir.path() / "bad" / "broken.yaml", kBroken).ok());
  CliRun bad =
      Meridian(dir, {"dashboards", "export-grafana", dir.Sub("bad"), "--out", dir.Sub("out2")});
  EXPECT_EQ(bad.code, 1);
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("out2")));
  EXPECT_EQ(Meridian(dir, {"dashboards", "export-grafana", examples}).code, 2);
  // a.yaml and a.yml would both be a.json: refused, nothing written.
  ASSERT_TRUE(WriteFile(dir.path() / "twins" / "a.yaml", kWeb).ok());
  ASSERT_TRUE(WriteFile(dir.path() / "twins" / "a.yml", kWeb).ok());
  CliRun twins =
      Meridian(dir, {"dashboards", "export-grafana", dir.Sub("twins"), "--out", dir.Sub("out3")});
  EXPECT_EQ(twins.code, 1);
  EXPECT_THAT(twins.err, HasSubstr("would be written to a.json"));
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("out3")));
}

}  // namespace
}  // namespace meridian
