// Dashboards as files: the model of one dashboard YAML file (schema: dashboards/CONTRACT.md and
// README "Dashboards"), its strict parser and validator, the uids derived from file paths, and
// the built-in self-metrics dashboard. Pure: nothing here reads files or the clock (the library,
// library.h, does). Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace meridian::dashboards {

// One problem in a dashboard file: "file:line: message" (line 0 = the file as a whole).
struct DashboardError {
  std::string file;
  int line = 0;
  std::string message;
  std::string ToString() const;
  bool operator==(const DashboardError&) const = default;
};

struct Threshold {
  double value = 0;
  std::string color;  // a CSS color name or #rgb / #rrggbb
  bool operator==(const Threshold&) const = default;
};

// Events drawn on every panel: graphite events whose tags include all of `tags`.
struct Annotation {
  std::string name;
  std::vector<std::string> tags;  // at least one
  std::string color = "#8888ff";
  bool operator==(const Annotation&) const = default;
};

// A template variable whose options are the last nodes of a graphite find.
struct Variable {
  std::string name;   // [A-Za-z_][A-Za-z0-9_]*, unique in the dashboard
  std::string query;  // find pattern; may reference earlier variables only
  bool multi = false;
  bool include_all = false;
  std::string all_value;              // "" = {every,option}
  std::vector<std::string> defaults;  // "default:"; empty = first option (or All)
  std::string regex;                  // RE2 filter on option names; "" = none
  int line = 0;
  bool operator==(const Variable&) const = default;
};

// The units a panel may declare (CONTRACT.md), in the order the README lists them.
inline constexpr std::string_view kUnits[] = {"none",  "short", "percent", "percentunit",
                                              "bytes", "bits",  "bps",     "Bps",
                                              "s",     "ms",    "ops",     "reqps"};
// Legend statistics, in display order.
inline constexpr std::string_view kLegendStats[] = {"last", "min", "max", "avg", "total"};

struct Panel {
  std::string title;
  std::vector<std::string> targets;  // graphite render targets, variables unexpanded
  std::string unit = "none";
  std::optional<double> min;
  std::optional<double> max;
  std::optional<int> decimals;        // 0..10
  std::vector<Threshold> thresholds;  // sorted by value as written (validated ascending)
  std::vector<std::string> legend = {"last", "min", "max", "avg"};
  bool stack = false;
  int width = 6;   // grid columns of 12: 1..12
  int height = 8;  // rows of 30 px: 1..100
  int line = 0;
  bool operator==(const Panel&) const = default;
};

struct Dashboard {
  std::string uid;   // set by the loader (DashboardUids), "" from ParseDashboard
  std::string file;  // path relative to the dashboards dir ("<built-in>" for the built-in one)
  std::string title;
  std::string description;
  std::vector<std::string> tags;
  int64_t refresh_seconds = 0;  // 0 = off; otherwise >= 5
  std::string time_from = "-1h";
  std::string time_until = "now";
  std::vector<Annotation> annotations;
  std::vector<Variable> variables;
  std::vector<Panel> panels;
  bool operator==(const Dashboard&) const = default;
};

// "30s", "1m", "5m", "1h", "1d": the refresh interval in Grafana's notation ("" for 0).
std::string RefreshText(int64_t seconds);

struct ParsedDashboard {
  Dashboard dashboard;                 // valid only when errors is empty (title kept if read)
  std::vector<DashboardError> errors;  // every error found, in line order
};

// Limits a dashboard file is checked against.
inline constexpr size_t kMaxPanels = 200;
inline constexpr size_t kMaxTargetsPerPanel = 50;
inline constexpr size_t kMaxVariables = 50;

// Parses one dashboard from YAML text; `file` names it in errors. Reported, each with its line:
// YAML syntax and what core/yaml_tree.h rejects; unknown, duplicate or missing keys; wrong types;
// out-of-range numbers (width 1..12, height 1..100, decimals 0..10, min < max, refresh >= 5s);
// unknown units and legend stats; bad colors; time.from/until that query::ParseTime refuses or
// a from not before until; bad or duplicate variable names; a variable query or a target that
// references an undefined (or, in a query, a later) variable; a variable regex core::Regex
// refuses; targets and queries that do not parse or name an unknown function (the check of
// `meridian rules check`, alerting/target_check.h) after every variable reference is replaced
// by a placeholder ("x", or "{x,y}" for multi/include_all variables).
ParsedDashboard ParseDashboard(std::string_view yaml_text, std::string_view file);

// The uid of a dashboard file from its path relative to the dashboards dir (CONTRACT.md):
// lowercase, extension dropped, every character outside [a-z0-9-] ('/' included) → '-'.
std::string UidSlug(std::string_view relative_path);
// Uids for a set of relative paths (same order): the slug, or — when it is longer than 40
// characters, empty, reserved ("meridian", "reload") or shared with another path — the slug's
// first 31 characters, '-' and 8 hex digits of the path's FNV-1a hash. Deterministic: the same
// set of paths always gets the same uids (the Grafana export relies on it).
std::vector<std::string> DashboardUids(std::span<const std::string> relative_paths);

// The dashboard compiled into the binary: uid "meridian", title "Meridian self-metrics", over
// the self-metrics each instance writes as meridian.<instance>.* (app/server.cc), with an
// $instance variable from meridian.*.
inline constexpr std::string_view kBuiltinUid = "meridian";
inline constexpr std::string_view kBuiltinFile = "<built-in>";
extern const std::string_view kBuiltinDashboardYaml;
Dashboard BuiltinDashboard();

}  // namespace meridian::dashboards
