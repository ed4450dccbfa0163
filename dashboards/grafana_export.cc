#include "dashboards/grafana_export.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>

#include "query/time_parser.h"

namespace meridian::dashboards {
namespace {

using nlohmann::json;

constexpr int kGrafanaColumns = 24;

// A YAML double-quoted scalar (JSON string syntax is valid YAML).
std::string Quoted(const std::string& s) { return json(s).dump(); }

std::string LegendCalc(const std::string& stat) {
  if (stat == "last") return "lastNotNull";
  if (stat == "avg") return "mean";
  if (stat == "total") return "sum";
  return stat;  // min, max
}

std::string GrafanaOffset(int64_t seconds) {
  const char sign = seconds < 0 ? '-' : '+';
  const int64_t s = seconds < 0 ? -seconds : seconds;
  constexpr std::pair<int64_t, char> kUnits[] = {
      {604800, 'w'}, {86400, 'd'}, {3600, 'h'}, {60, 'm'}};
  for (const auto& [size, unit] : kUnits) {
    if (s != 0 && s % size == 0) return fmt::format("now{}{}{}", sign, s / size, unit);
  }
  return fmt::format("now{}{}s", sign, s);
}

json Datasource(const GrafanaExportOptions& o) {
  return {{"type", "graphite"}, {"uid", o.DatasourceUid()}};
}

json Annotations(const Dashboard& d, const GrafanaExportOptions& o) {
  json list = json::array();
  list.push_back({{"builtIn", 1},
                  {"datasource", {{"type", "grafana"}, {"uid", "-- Grafana --"}}},
                  {"enable", true},
                  {"hide", true},
                  {"iconColor", "rgba(0, 211, 255, 1)"},
                  {"name", "Annotations & Alerts"},
                  {"type", "dashboard"}});
  for (const Annotation& a : d.annotations) {
    list.push_back({{"datasource", Datasource(o)},
                    {"enable", true},
                    {"iconColor", a.color},
                    {"name", a.name},
                    {"target",
                     {{"fromAnnotations", true},
                      {"refId", "Anno"},
                      {"tags", a.tags},
                      {"textEditor", false}}}});
  }
  return {{"list", std::move(list)}};
}

json Current(const Variable& v) {
  const bool all = std::find(v.defaults.begin(), v.defaults.end(), "$__all") != v.defaults.end() ||
                   std::find(v.defaults.begin(), v.defaults.end(), "All") != v.defaults.end();
  if (all && v.multi) return {{"selected", true}, {"text", {"All"}}, {"value", {"$__all"}}};
  if (all) return {{"selected", true}, {"text", "All"}, {"value", "$__all"}};
  if (v.multi) return {{"selected", true}, {"text", v.defaults}, {"value", v.defaults}};
  return {{"selected", true}, {"text", v.defaults.front()}, {"value", v.defaults.front()}};
}

json Templating(const Dashboard& d, const GrafanaExportOptions& o) {
  json list = json::array();
  for (const Variable& v : d.variables) {
    json var = {{"datasource", Datasource(o)},
                {"hide", 0},
                {"includeAll", v.include_all},
                {"multi", v.multi},
                {"name", v.name},
                {"options", json::array()},
                {"query", v.query},
                {"refresh", 1},
                {"regex", v.regex.empty() ? "" : "/" + v.regex + "/"},
                {"skipUrlSync", false},
                {"sort", 1},
                {"type", "query"}};
    // Absent rather than null/empty: Grafana's types (@grafana/schema) allow no null allValue
    // and a current without text/value; absent current = the first option (or All).
    if (!v.all_value.empty()) var["allValue"] = v.all_value;
    if (!v.defaults.empty()) var["current"] = Current(v);
    list.push_back(std::move(var));
  }
  return {{"list", std::move(list)}};
}

json FieldDefaults(const Panel& p) {
  json steps = json::array({{{"color", "green"}, {"value", nullptr}}});
  for (const Threshold& t : p.thresholds) steps.push_back({{"color", t.color}, {"value", t.value}});
  json defaults = {{"color", {{"mode", "palette-classic"}}},
                   {"custom",
                    {{"drawStyle", "line"},
                     {"fillOpacity", p.stack ? 30 : 0},
                     {"lineWidth", 1},
                     {"showPoints", "never"},
                     {"spanNulls", false},
                     {"stacking", {{"group", "A"}, {"mode", p.stack ? "normal" : "none"}}},
                     {"thresholdsStyle", {{"mode", p.thresholds.empty() ? "off" : "line"}}}}},
                   {"thresholds", {{"mode", "absolute"}, {"steps", std::move(steps)}}},
                   {"unit", p.unit}};
  if (p.min) defaults["min"] = *p.min;
  if (p.max) defaults["max"] = *p.max;
  if (p.decimals) defaults["decimals"] = *p.decimals;
  return defaults;
}

json Panels(const Dashboard& d, const GrafanaExportOptions& o) {
  json panels = json::array();
  int x = 0, y = 0, row_height = 0;
  for (size_t i = 0; i < d.panels.size(); ++i) {
    const Panel& p = d.panels[i];
    const int w = std::min(p.width * 2, kGrafanaColumns);
    if (x + w > kGrafanaColumns) {
      x = 0;
      y += row_height;
      row_height = 0;
    }
    json targets = json::array();
    for (size_t t = 0; t < p.targets.size(); ++t) {
      const std::string ref_id =
          t < 26 ? std::string(1, static_cast<char>('A' + t)) : fmt::format("T{}", t);
      targets.push_back(
          {{"datasource", Datasource(o)}, {"refId", ref_id}, {"target", p.targets[t]}});
    }
    json calcs = json::array();
    for (const std::string& s : p.legend) calcs.push_back(LegendCalc(s));
    panels.push_back(
        {{"datasource", Datasource(o)},
         {"fieldConfig", {{"defaults", FieldDefaults(p)}, {"overrides", json::array()}}},
         {"gridPos", {{"h", p.height}, {"w", w}, {"x", x}, {"y", y}}},
         {"id", i + 1},
         {"options",
          {{"legend",
            {{"calcs", std::move(calcs)},
             {"displayMode", "table"},
             {"placement", "bottom"},
             {"showLegend", true}}},
           {"tooltip", {{"mode", "multi"}, {"sort", "none"}}}}},
         {"targets", std::move(targets)},
         {"title", p.title},
         {"type", "timeseries"}});
    x += w;
    row_height = std::max(row_height, p.height);
  }
  return panels;
}

}  // namespace

std::string GrafanaExportOptions::DatasourceUid() const {
  std::string uid = UidSlug(datasource_name + ".x");  // UidSlug drops an extension
  return uid.empty() ? "meridian" : uid.substr(0, 40);
}

std::string GrafanaTime(const std::string& graphite_time) {
  if (graphite_time == "now") return "now";
  std::string_view offset = graphite_time;
  if (offset.starts_with("now")) offset.remove_prefix(3);
  if (auto seconds = query::ParseOffset(offset); seconds.ok()) return GrafanaOffset(*seconds);
  auto t = query::ParseTime(graphite_time, 0);
  if (!t.ok()) return graphite_time;
  const std::time_t tt = static_cast<std::time_t>(*t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
  return buf;
}

std::string GrafanaDashboardJson(const Dashboard& d, const GrafanaExportOptions& o) {
  json out = {{"annotations", Annotations(d, o)},
              {"description", d.description},
              {"editable", true},
              {"fiscalYearStartMonth", 0},
              {"graphTooltip", 1},
              {"id", nullptr},
              {"links", json::array()},
              {"panels", Panels(d, o)},
              {"refresh", RefreshText(d.refresh_seconds)},
              {"schemaVersion", kGrafanaSchemaVersion},
              {"tags", d.tags},
              {"templating", Templating(d, o)},
              {"time", {{"from", GrafanaTime(d.time_from)}, {"to", GrafanaTime(d.time_until)}}},
              {"timepicker", json::object()},
              {"timezone", ""},
              {"title", d.title},
              {"uid", d.uid},
              {"version", 1},
              {"weekStart", ""}};
  return out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string GrafanaDashboardProvider(const std::string& dashboards_path) {
  return fmt::format(
      "# Written by `meridian dashboards export-grafana`: Grafana's file provisioning of the\n"
      "# exported dashboards (copy to /etc/grafana/provisioning/dashboards/).\n"
      "apiVersion: 1\n"
      "providers:\n"
      "  - name: meridian\n"
      "    orgId: 1\n"
      "    type: file\n"
      "    disableDeletion: false\n"
      "    allowUiUpdates: false\n"
      "    updateIntervalSeconds: 30\n"
      "    options:\n"
      "      path: {}\n"
      "      foldersFromFilesStructure: true\n",
      Quoted(dashboards_path));
}

std::string GrafanaDatasource(const GrafanaExportOptions& o) {
  return fmt::format(
      "# Written by `meridian dashboards export-grafana`: the Graphite datasource the exported\n"
      "# dashboards use (copy to /etc/grafana/provisioning/datasources/).\n"
      "apiVersion: 1\n"
      "datasources:\n"
      "  - name: {}\n"
      "    uid: {}\n"
      "    type: graphite\n"
      "    access: proxy\n"
      "    url: {}\n"
      "    jsonData:\n"
      "      graphiteVersion: \"1.1\"\n"
      "      graphiteType: default\n",
      Quoted(o.datasource_name), Quoted(o.DatasourceUid()), Quoted(o.datasource_url));
}

}  // namespace meridian::dashboards
