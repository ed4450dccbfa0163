// The Grafana export against golden files (test/dashboards/testdata/grafana/*.json). To refresh
// them after a deliberate change: MERIDIAN_UPDATE_GOLDEN=1 build/test/dashboards_tests, then
// review the diff.
#include "dashboards/grafana_export.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace meridian::dashboards {
namespace {

const std::string kDir = std::string(MERIDIAN_SOURCE_DIR) + "/test/dashboards/testdata/grafana/";

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Compares `text` with the golden file (or rewrites it when MERIDIAN_UPDATE_GOLDEN is set).
void ExpectGolden(const std::string& name, const std::string& text) {
  const std::string path = kDir + name;
  if (std::getenv("MERIDIAN_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << text;
  }
  EXPECT_EQ(text, Read(path)) << "golden file " << path;
}

Dashboard Load(const std::string& file) {
  ParsedDashboard p = ParseDashboard(Read(kDir + file), file);
  EXPECT_THAT(p.errors, ::testing::IsEmpty());
  p.dashboard.uid = DashboardUids(std::vector<std::string>{file}).front();
  p.dashboard.file = file;
  return p.dashboard;
}

TEST(GrafanaExportTest, FullDashboardMatchesGolden) {
  ExpectGolden("full.json", GrafanaDashboardJson(Load("full.yaml"), {}));
}

TEST(GrafanaExportTest, MinimalDashboardMatchesGolden) {
  GrafanaExportOptions o;
  o.datasource_name = "Graphite EU";
  ExpectGolden("minimal.json", GrafanaDashboardJson(Load("minimal.yaml"), o));
}

TEST(GrafanaExportTest, ProvisioningMatchesGolden) {
  ExpectGolden("provider.yaml", GrafanaDashboardProvider("/var/lib/grafana/meridian/dashboards"));
  GrafanaExportOptions o;
  o.datasource_url = "https://meridian.example.com:8080";
  ExpectGolden("datasource.yaml", GrafanaDatasource(o));
}

TEST(GrafanaExportTest, KeyFieldsOfTheMapping) {
  const nlohmann::json j = nlohmann::json::parse(GrafanaDashboardJson(Load("full.yaml"), {}));
  EXPECT_EQ(j["uid"], "full");
  EXPECT_EQ(j["schemaVersion"], kGrafanaSchemaVersion);
  EXPECT_EQ(j["graphTooltip"], 1);
  EXPECT_EQ(j["refresh"], "90s");
  EXPECT_EQ(j["time"]["from"], "now-30d");
  EXPECT_EQ(j["time"]["to"], "now-1h");
  // 8 + 6 columns of 12 do not fit one row: the second panel wraps; Grafana's grid is 24 wide.
  EXPECT_EQ(j["panels"][0]["gridPos"], (nlohmann::json{{"h", 8}, {"w", 16}, {"x", 0}, {"y", 0}}));
  EXPECT_EQ(j["panels"][1]["gridPos"], (nlohmann::json{{"h", 6}, {"w", 12}, {"x", 0}, {"y", 8}}));
  EXPECT_EQ(j["panels"][2]["gridPos"], (nlohmann::json{{"h", 8}, {"w", 24}, {"x", 0}, {"y", 14}}));
  EXPECT_EQ(j["panels"][0]["options"]["legend"]["calcs"],
            (nlohmann::json{"lastNotNull", "min", "max", "mean", "sum"}));
  EXPECT_EQ(j["panels"][0]["targets"][1]["refId"], "B");
  EXPECT_EQ(j["panels"][1]["fieldConfig"]["defaults"]["custom"]["stacking"]["mode"], "normal");
  const nlohmann::json& host = j["templating"]["list"][1];
  EXPECT_EQ(host["allValue"], "web*");
  EXPECT_EQ(host["regex"], "/^web[0-9]+$/");
  EXPECT_EQ(host["current"]["value"], (nlohmann::json{"web01", "web02"}));
  EXPECT_EQ(j["templating"]["list"][2]["current"]["value"], "$__all");
  EXPECT_FALSE(j["templating"]["list"][0].contains("allValue"));
}

TEST(GrafanaTimeTest, GraphiteToGrafana) {
  EXPECT_EQ(GrafanaTime("now"), "now");
  EXPECT_EQ(GrafanaTime("-6h"), "now-6h");
  EXPECT_EQ(GrafanaTime("-90min"), "now-90m");
  EXPECT_EQ(GrafanaTime("-7d"), "now-1w");
  EXPECT_EQ(GrafanaTime("-45s"), "now-45s");
  EXPECT_EQ(GrafanaTime("now-1d"), "now-1d");
  EXPECT_EQ(GrafanaTime("20240101"), "2024-01-01T00:00:00.000Z");
}

}  // namespace
}  // namespace meridian::dashboards
