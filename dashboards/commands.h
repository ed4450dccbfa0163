// The dashboards command-line tools: `meridian dashboards check` and
// `meridian dashboards export-grafana`. Each takes the arguments after its command words, writes
// to stdout/stderr and returns the process exit code.
#pragma once

#include <span>
#include <string>

namespace meridian::dashboards {

// `meridian dashboards check PATH…` (files, or directories searched recursively for *.yaml and
// *.yml): 0 when every file is valid, 1 with one "file:line: message" line per error on stderr
// (or when no dashboard file was found), 2 for a usage error.
int DashboardsCheckCommand(std::span<const std::string> args);

// `meridian dashboards export-grafana DIR --out OUT [--datasource-name Meridian]
// [--datasource-url http://localhost:8080]`: writes OUT/dashboards/<file>.json per dashboard
// file (the directory structure kept), OUT/provisioning/dashboards/meridian.yaml and
// OUT/provisioning/datasources/meridian.yaml. A file with errors: nothing is written, the errors
// are printed as by `check`, exit 1. 2 for a usage error or a write failure.
int ExportGrafanaCommand(std::span<const std::string> args);

}  // namespace meridian::dashboards
