#include "dashboards/commands.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <system_error>
#include <vector>

#include "dashboards/grafana_export.h"
#include "dashboards/library.h"

namespace meridian::dashboards {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kCheckUsage =
    "usage: meridian dashboards check PATH...\n"
    "Validates dashboard files (*.yaml, *.yml; directories are searched recursively, dot-files\n"
    "skipped). Prints one 'file:line: message' line per error on stderr.\n"
    "Exit status: 0 all valid, 1 errors (or no dashboard file found), 2 usage error.\n";

constexpr std::string_view kExportUsage =
    "usage: meridian dashboards export-grafana DIR --out OUT [--datasource-name NAME]\n"
    "                                          [--datasource-url URL]\n"
    "Writes Grafana dashboard JSON for every dashboard file under DIR to OUT/dashboards/, and\n"
    "Grafana provisioning files (OUT/provisioning/dashboards/meridian.yaml, a file provider, and\n"
    "OUT/provisioning/datasources/meridian.yaml, a Graphite datasource). Defaults: NAME Meridian,\n"
    "URL http://localhost:8080. Exit status: 0 written, 1 invalid files (nothing written),\n"
    "2 usage or write error.\n";

struct Checked {
  std::vector<LoadedDashboard> dashboards;  // file = path as the user can open it
  std::vector<DashboardError> errors;       // every error, in path order
};

// Loads every PATH (a file, or a directory searched recursively).
Checked Load(std::span<const std::string> paths) {
  Checked out;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      DashboardSet set = LoadDashboardDir(path, LibraryOptions{});
      for (DashboardError& e : set.errors) out.errors.push_back(std::move(e));
      for (LoadedDashboard& d : set.dashboards) {
        for (DashboardError& e : d.errors) {
          e.file = (fs::path(path) / e.file).string();
          out.errors.push_back(e);
        }
        out.dashboards.push_back(std::move(d));
      }
      continue;
    }
    if (!fs::exists(path, ec)) {
      out.errors.push_back({path, 0, "no such file or directory"});
      continue;
    }
    // A file named explicitly: read whatever its extension (as `rules check` does).
    LoadedDashboard d = LoadDashboardFile(path, path, LibraryOptions{}.max_file_bytes);
    for (const DashboardError& e : d.errors) out.errors.push_back(e);
    out.dashboards.push_back(std::move(d));
  }
  return out;
}

bool PrintErrors(const Checked& c, std::string_view command) {
  for (const DashboardError& e : c.errors) fmt::print(stderr, "{}\n", e.ToString());
  if (!c.errors.empty()) {
    fmt::print(stderr, "{} error{} in {} dashboard file{}\n", c.errors.size(),
               c.errors.size() == 1 ? "" : "s", c.dashboards.size(),
               c.dashboards.size() == 1 ? "" : "s");
    return true;
  }
  if (c.dashboards.empty()) {
    fmt::print(stderr, "meridian dashboards {}: no dashboard files (*.yaml, *.yml) found\n",
               command);
    return true;
  }
  return false;
}

bool WriteFile(const fs::path& path, const std::string& text) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (ec || !out) {
    fmt::print(stderr, "meridian dashboards export-grafana: cannot write {}{}\n", path.string(),
               ec ? ": " + ec.message() : "");
    return false;
  }
  return true;
}

}  // namespace

int DashboardsCheckCommand(std::span<const std::string> args) {
  if (!args.empty() && (args[0] == "-h" || args[0] == "--help")) {
    fmt::print(stdout, "{}", kCheckUsage);
    return 0;
  }
  for (const std::string& arg : args) {
    if (arg.size() > 1 && arg.front() == '-') {
      fmt::print(stderr, "meridian dashboards check: unknown option '{}'\n{}", arg, kCheckUsage);
      return 2;
    }
  }
  if (args.empty()) {
    fmt::print(stderr, "meridian dashboards check: no PATH given\n{}", kCheckUsage);
    return 2;
  }
  const Checked checked = Load(args);
  if (PrintErrors(checked, "check")) return 1;
  size_t panels = 0;
  for (const LoadedDashboard& d : checked.dashboards) panels += d.dashboard.panels.size();
  fmt::print(stdout, "{} dashboard file{}, {} panel{}: OK\n", checked.dashboards.size(),
             checked.dashboards.size() == 1 ? "" : "s", panels, panels == 1 ? "" : "s");
  return 0;
}

int ExportGrafanaCommand(std::span<const std::string> args) {
  std::string dir, out;
  GrafanaExportOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      fmt::print(stdout, "{}", kExportUsage);
      return 0;
    }
    std::string* value = a == "--out"               ? &out
                         : a == "--datasource-name" ? &options.datasource_name
                         : a == "--datasource-url"  ? &options.datasource_url
                                                    : nullptr;
    if (value != nullptr) {
      if (i + 1 >= args.size() || args[i + 1].empty()) {
        fmt::print(stderr, "meridian dashboards export-grafana: {} needs a value\n{}", a,
                   kExportUsage);
        return 2;
      }
      *value = args[++i];
    } else if (a.size() > 1 && a.front() == '-') {
      fmt::print(stderr, "meridian dashboards export-grafana: unknown option '{}'\n{}", a,
                 kExportUsage);
      return 2;
    } else if (dir.empty()) {
      dir = a;
    } else {
      fmt::print(stderr, "meridian dashboards export-grafana: one DIR only\n{}", kExportUsage);
      return 2;
    }
  }
  if (dir.empty() || out.empty()) {
    fmt::print(stderr, "meridian dashboards export-grafana: DIR and --out are required\n{}",
               kExportUsage);
    return 2;
  }
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    fmt::print(stderr, "meridian dashboards export-grafana: {}: not a directory\n", dir);
    return 2;
  }
  const Checked checked = Load(std::span<const std::string>(&dir, 1));
  if (PrintErrors(checked, "export-grafana")) return 1;
  const fs::path root(out);
  const fs::path dashboards = root / "dashboards";
  std::map<std::string, std::string> written;  // JSON path → the file it comes from
  for (const LoadedDashboard& d : checked.dashboards) {
    const std::string json = fs::path(d.dashboard.file).replace_extension(".json").string();
    auto [it, fresh] = written.emplace(json, d.dashboard.file);
    if (!fresh) {
      fmt::print(stderr, "{}/{}:0: would be written to {} as {} is: rename one\n", dir,
                 d.dashboard.file, json, it->second);
      return 1;
    }
  }
  for (const LoadedDashboard& d : checked.dashboards) {
    fs::path file = dashboards / d.dashboard.file;
    file.replace_extension(".json");
    if (!WriteFile(file, GrafanaDashboardJson(d.dashboard, options))) return 2;
  }
  const std::string provider_path = fs::absolute(dashboards, ec).lexically_normal().string();
  if (!WriteFile(root / "provisioning" / "dashboards" / "meridian.yaml",
                 GrafanaDashboardProvider(ec ? dashboards.string() : provider_path)) ||
      !WriteFile(root / "provisioning" / "datasources" / "meridian.yaml",
                 GrafanaDatasource(options))) {
    return 2;
  }
  fmt::print(stdout, "{} dashboard{} written to {}; provisioning in {}\n",
             checked.dashboards.size(), checked.dashboards.size() == 1 ? "" : "s",
             dashboards.string(), (root / "provisioning").string());
  return 0;
}

}  // namespace meridian::dashboards
