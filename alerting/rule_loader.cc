// LoadRules (rule.h): finds rule files, reads them with a size limit and checks the whole set.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <system_error>

#include "alerting/internal/rule_parser.h"
#include "alerting/rule.h"

namespace meridian::alerting {
namespace {

namespace fs = std::filesystem;

constexpr uintmax_t kMaxRuleFileBytes = 1 << 20;

bool IsHidden(const fs::path& path) {
  const std::string name = path.filename().string();
  return !name.empty() && name.front() == '.' && name != "." && name != "..";
}

bool IsRuleFile(const fs::path& path) {
  const std::string ext = path.extension().string();
  return (ext == ".yaml" || ext == ".yml") && !IsHidden(path);
}

// Adds the rule files under `dir` (recursively, skipping dot-files and dot-dirs).
void WalkDirectory(const fs::path& dir, std::vector<std::string>& files,
                   std::vector<RuleError>& errors) {
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& path = it->path();
    std::error_code type_ec;
    if (IsHidden(path)) {
      if (it->is_directory(type_ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(type_ec) && IsRuleFile(path)) files.push_back(path.string());
  }
  if (ec) errors.push_back(RuleError{dir.string(), 0, "", "", "cannot list: " + ec.message()});
}

// The file's text, or an error.
core::Result<std::string> ReadRuleFile(const std::string& path) {
  std::error_code ec;
  const uintmax_t size = fs::file_size(path, ec);
  if (ec) return core::IoError("cannot read: " + ec.message());
  if (size > kMaxRuleFileBytes) {
    return core::ResourceExhausted("file too large (" + std::to_string(size) +
                                   " bytes; at most 1 MiB)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::IoError("cannot open for reading");
  std::string text(static_cast<size_t>(size), '\0');
  in.read(text.data(), static_cast<std::streamsize>(size));
  if (in.gcount() != static_cast<std::streamsize>(size)) return core::IoError("read failed");
  return text;
}

void CheckGroupNames(const RuleSet& set, std::vector<RuleError>& errors) {
  std::map<std::string, const RuleGroup*, std::less<>> first;
  for (const RuleGroup& group : set.groups) {
    auto [it, inserted] = first.emplace(group.name, &group);
    if (inserted) continue;
    errors.push_back(RuleError{
        group.file, group.line, group.name, "",
        "group name already used in " + it->second->file + ":" + std::to_string(it->second->line)});
  }
}

}  // namespace

LoadedRules LoadRules(std::span<const std::string> paths) {
  LoadedRules loaded;
  std::vector<std::string> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      loaded.errors.push_back(RuleError{path, 0, "", "", "no such file or directory"});
    } else if (fs::is_directory(status)) {
      WalkDirectory(path, files, loaded.errors);
    } else {
      files.push_back(path);  // named explicitly: read whatever its extension
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  for (const std::string& file : files) {
    auto text = ReadRuleFile(file);
    ++loaded.files;
    if (!text.ok()) {
      loaded.errors.push_back(RuleError{file, 0, "", "", text.status().message()});
      continue;
    }
    LoadedRules one = ParseRuleGroup(*text, file);
    for (RuleError& e : one.errors) loaded.errors.push_back(std::move(e));
    for (RuleGroup& g : one.rules.groups) loaded.rules.groups.push_back(std::move(g));
  }
  CheckGroupNames(loaded.rules, loaded.errors);
  internal::CheckStaticNameCollisions(loaded.rules.groups, /*across_groups_only=*/true,
                                      loaded.errors);
  return loaded;
}

}  // namespace meridian::alerting
