// The Grafana export of dashboard files (`meridian dashboards export-grafana`): one Grafana
// dashboard JSON per file, and the file-provisioning YAML that loads them with a Graphite
// datasource pointing at Meridian.
//
// Mapping (Grafana's classic dashboard model, schemaVersion kGrafanaSchemaVersion):
//   uid = ours; graphTooltip 1 (shared crosshair); time: graphite times → Grafana's ("-6h" →
//   "now-6h", an absolute time → ISO 8601 UTC); refresh "30s"/"1m"/…; tags;
//   annotations → Graphite-datasource annotations on events with those tags (after Grafana's
//   built-in one); variables → templating.list query variables (query = our query,
//   multi, includeAll, allValue (when set), regex as /re/, current = the defaults (absent: Grafana
//   picks the first option or All), refresh on load, sorted
//   alphabetically); panels → type timeseries, gridPos from width/height (our 12 columns are
//   Grafana's 24: w = 2 × width; panels flow left to right, wrapping), targets [{refId A.., target,
//   datasource}], fieldConfig.defaults unit/min/max/decimals/thresholds (base step + ours) and
//   stacking, options.legend table with calcs (last → lastNotNull, avg → mean, total → sum).
// Output is deterministic: keys sorted, arrays in file order, 2-space indentation.
#pragma once

#include <string>

#include "dashboards/dashboard.h"

namespace meridian::dashboards {

// What Grafana 11 writes: defaultDashboard.schemaVersion of npm @grafana/schema 11.6.0 (the
// last Grafana 11 line; 13.2.3 has 42). Grafana migrates older schema versions forward on load.
inline constexpr int kGrafanaSchemaVersion = 41;

struct GrafanaExportOptions {
  std::string datasource_name = "Meridian";
  std::string datasource_url = "http://localhost:8080";
  // The datasource's uid, referenced by every panel, target, variable and annotation: the
  // slug of datasource_name (GrafanaDatasourceUid).
  std::string DatasourceUid() const;
};

// The dashboard JSON (text, ending in a newline). REQUIRES: `dashboard` parsed without errors.
std::string GrafanaDashboardJson(const Dashboard& dashboard, const GrafanaExportOptions& options);

// provisioning/dashboards/meridian.yaml: a file provider reading `dashboards_path`.
std::string GrafanaDashboardProvider(const std::string& dashboards_path);
// provisioning/datasources/meridian.yaml: the Graphite datasource (graphiteVersion 1.1).
std::string GrafanaDatasource(const GrafanaExportOptions& options);

// Graphite time text → Grafana's ("now", "now-6h", or ISO 8601 UTC). INVALID_ARGUMENT is not
// possible for a parsed dashboard; for anything else the text comes back unchanged.
std::string GrafanaTime(const std::string& graphite_time);

}  // namespace meridian::dashboards
