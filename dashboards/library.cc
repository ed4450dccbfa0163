#include "dashboards/library.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "core/status.h"

namespace meridian::dashboards {
namespace {

namespace fs = std::filesystem;

bool IsHidden(const fs::path& path) {
  const std::string name = path.filename().string();
  return !name.empty() && name.front() == '.' && name != "." && name != "..";
}

bool IsDashboardFile(const fs::path& path) {
  const std::string ext = path.extension().string();
  return (ext == ".yaml" || ext == ".yml") && !IsHidden(path);
}

struct FileEntry {
  std::string relative;  // generic form, '/' separated
  uintmax_t size = 0;
  int64_t mtime = 0;  // file_time ticks
};

// Every dashboard file under `dir`, sorted by relative path; `error` set when listing failed.
std::vector<FileEntry> ListFiles(const std::string& dir, std::string* error) {
  std::vector<FileEntry> files;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    *error = fs::exists(dir, ec) ? "not a directory" : "no such directory";
    return files;
  }
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& path = it->path();
    std::error_code type_ec;
    if (IsHidden(path)) {
      if (it->is_directory(type_ec)) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(type_ec) || !IsDashboardFile(path)) continue;
    FileEntry e;
    e.relative = path.lexically_relative(dir).generic_string();
    e.size = it->file_size(type_ec);
    e.mtime = static_cast<int64_t>(it->last_write_time(type_ec).time_since_epoch().count());
    files.push_back(std::move(e));
  }
  if (ec) *error = "cannot list: " + ec.message();
  std::sort(files.begin(), files.end(),
            [](const FileEntry& a, const FileEntry& b) { return a.relative < b.relative; });
  return files;
}

core::Result<std::string> ReadFile(const fs::path& path, size_t max_bytes, bool* too_large) {
  std::error_code ec;
  const uintmax_t size = fs::file_size(path, ec);
  if (ec) return core::IoError("cannot read: " + ec.message());
  if (size > max_bytes) {
    *too_large = true;
    return core::ResourceExhausted(
        fmt::format("file too large ({} bytes; dashboards.max_file_bytes is {})", size, max_bytes));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::IoError("cannot open for reading");
  std::string text(static_cast<size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (in.gcount() != static_cast<std::streamsize>(size)) return core::IoError("read failed");
  return text;
}

}  // namespace

const LoadedDashboard* DashboardSet::Find(std::string_view uid) const {
  for (const LoadedDashboard& d : dashboards) {
    if (d.dashboard.uid == uid) return &d;
  }
  return nullptr;
}

LoadedDashboard LoadDashboardFile(const std::string& path, const std::string& file,
                                  size_t max_file_bytes, bool* too_large) {
  LoadedDashboard loaded;
  bool big = false;
  auto text = ReadFile(path, max_file_bytes, &big);
  if (too_large != nullptr) *too_large = big;
  if (text.ok()) {
    ParsedDashboard parsed = ParseDashboard(*text, file);
    loaded.dashboard = std::move(parsed.dashboard);
    loaded.errors = std::move(parsed.errors);
  } else {
    loaded.errors.push_back({file, 0, text.status().message()});
  }
  if (loaded.dashboard.title.empty()) loaded.dashboard.title = fs::path(file).filename().string();
  loaded.dashboard.file = file;
  return loaded;
}

DashboardSet LoadDashboardDir(const std::string& dir, const LibraryOptions& options) {
  DashboardSet set;
  set.dir = dir;
  std::string error;
  std::vector<FileEntry> files = ListFiles(dir, &error);
  if (!error.empty()) set.errors.push_back({dir, 0, error});
  if (files.size() > options.max_files) {
    set.files_skipped = files.size() - options.max_files;
    set.errors.push_back({dir, 0,
                          fmt::format("{} dashboard files, only the first {} loaded "
                                      "(dashboards.max_files)",
                                      files.size(), options.max_files)});
    files.resize(options.max_files);
  }
  std::vector<std::string> paths;
  for (const FileEntry& f : files) paths.push_back(f.relative);
  const std::vector<std::string> uids = DashboardUids(paths);
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string& rel = files[i].relative;
    bool too_large = false;
    LoadedDashboard loaded =
        LoadDashboardFile((fs::path(dir) / rel).string(), rel, options.max_file_bytes, &too_large);
    if (too_large) ++set.files_too_large;
    loaded.dashboard.uid = uids[i];
    set.dashboards.push_back(std::move(loaded));
  }
  return set;
}

DashboardLibrary::DashboardLibrary(LibraryOptions options, const core::Clock& clock,
                                   core::MetricsRegistry& metrics)
    : options_(std::move(options)),
      clock_(clock),
      reloads_(metrics.GetCounter("dashboards_reloads_total", "Dashboard directory rescans.")),
      files_skipped_(metrics.GetCounter("dashboards_files_skipped_total",
                                        "Dashboard files not loaded past dashboards.max_files "
                                        "(counted at each rescan).")),
      files_too_large_(metrics.GetCounter("dashboards_files_too_large_total",
                                          "Dashboard files refused past dashboards.max_file_bytes "
                                          "(counted at each rescan).")) {
  Reload();
}

DashboardLibrary::Fingerprint DashboardLibrary::Scan() const {
  Fingerprint fp;
  if (options_.dir.empty()) return fp;
  std::string error;
  for (const FileEntry& f : ListFiles(options_.dir, &error)) {
    fp.push_back(fmt::format("{}\n{}\n{}", f.relative, f.mtime, f.size));
  }
  if (!error.empty()) fp.push_back("\n" + error);
  return fp;
}

std::shared_ptr<const DashboardSet> DashboardLibrary::Load(Fingerprint fingerprint) {
  auto set = std::make_shared<DashboardSet>();
  if (!options_.dir.empty()) *set = LoadDashboardDir(options_.dir, options_);
  set->dir = options_.dir;
  set->loaded_at = clock_.NowSeconds();
  set->dashboards.insert(set->dashboards.begin(), LoadedDashboard{BuiltinDashboard(), {}});
  reloads_.Add();
  files_skipped_.Add(set->files_skipped);
  files_too_large_.Add(set->files_too_large);
  std::lock_guard lock(mu_);
  current_ = set;
  fingerprint_ = std::move(fingerprint);
  return set;
}

std::shared_ptr<const DashboardSet> DashboardLibrary::Current() {
  {
    std::lock_guard lock(mu_);
    const int64_t now = clock_.NowMicros();
    if (current_ != nullptr && now - last_check_micros_ < 1'000'000 && now >= last_check_micros_) {
      return current_;
    }
    last_check_micros_ = now;
  }
  std::lock_guard scan(scan_mu_);
  Fingerprint fp = Scan();
  {
    std::lock_guard lock(mu_);
    if (current_ != nullptr && fp == fingerprint_) return current_;
  }
  return Load(std::move(fp));
}

std::shared_ptr<const DashboardSet> DashboardLibrary::Reload() {
  std::lock_guard scan(scan_mu_);
  return Load(Scan());
}

}  // namespace meridian::dashboards
