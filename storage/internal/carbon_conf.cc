#include "storage/internal/carbon_conf.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "storage/schema.h"

namespace meridian::storage {
namespace internal {
namespace {

using core::InvalidArgument;
using core::Result;
using core::Status;

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(kSpace) - b + 1);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Status LineError(int line, std::string_view message) {
  return InvalidArgument(fmt::format("line {}: {}", line, message));
}

// Python's rstrip() of the '\n'-joined value lines (continuations and kept blank lines).
void FinishValue(IniSection* section) {
  if (section == nullptr || section->entries.empty()) return;
  std::string& v = section->entries.back().value;
  v.erase(v.find_last_not_of(" \t\r\n\f\v") + 1);
}

}  // namespace

const IniEntry* IniSection::Find(std::string_view key) const {
  for (const IniEntry& e : entries) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

Result<std::vector<IniSection>> ParseIni(std::string_view text) {
  std::vector<IniSection> sections;
  IniSection* current = nullptr;
  bool in_value = false;  // an option of `current` may take continuation lines
  size_t indent_level = 0;
  int line_no = 0;
  for (size_t pos = 0; pos <= text.size();) {
    size_t eol = std::min(text.find('\n', pos), text.size());
    std::string_view raw = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    std::string_view value = Trim(raw);
    if (value.empty()) {
      // ConfigParser keeps blank lines inside a value (empty_lines_in_values).
      if (in_value) current->entries.back().value += '\n';
      continue;
    }
    if (value[0] == '#' || value[0] == ';') continue;
    size_t indent = raw.find_first_not_of(" \t");
    if (in_value && indent > indent_level) {
      current->entries.back().value += '\n';
      current->entries.back().value += value;
      continue;
    }
    FinishValue(current);
    in_value = false;
    indent_level = indent;
    if (value[0] == '[' && value.find(']') != std::string_view::npos) {
      std::string name(value.substr(1, value.rfind(']') - 1));
      if (name.empty()) return LineError(line_no, "empty section name");
      if (name == "DEFAULT") {
        return LineError(line_no, "[DEFAULT] sections are not supported; repeat keys per section");
      }
      for (const IniSection& s : sections) {
        if (s.name == name) {
          return LineError(line_no,
                           fmt::format("duplicate section [{}] (first at line {})", name, s.line));
        }
      }
      sections.push_back(IniSection{name, line_no, {}});
      current = &sections.back();
      continue;
    }
    if (current == nullptr) {
      return LineError(line_no, "expected a [section] header before any key");
    }
    size_t delim = value.find_first_of("=:");
    std::string key = Lower(Trim(value.substr(0, std::min(delim, value.size()))));
    if (delim == std::string_view::npos || key.empty()) {
      return LineError(line_no,
                       fmt::format("[{}]: expected 'key = value', got '{}'", current->name, value));
    }
    if (const IniEntry* dup = current->Find(key)) {
      return LineError(line_no, fmt::format("[{}]: duplicate key '{}' (first at line {})",
                                            current->name, key, dup->line));
    }
    current->entries.push_back({key, std::string(Trim(value.substr(delim + 1))), line_no});
    in_value = true;
  }
  FinishValue(current);
  return sections;
}

}  // namespace internal

namespace {

using core::InvalidArgument;
using core::Result;
using core::Status;
using internal::IniEntry;
using internal::IniSection;

Status EntryError(const IniSection& s, const IniEntry& e, std::string_view message) {
  return InvalidArgument(fmt::format("line {}: [{}] {}: {}", e.line, s.name, e.key, message));
}

Status CheckKeys(const IniSection& s, std::initializer_list<std::string_view> allowed) {
  for (const IniEntry& e : s.entries) {
    if (std::find(allowed.begin(), allowed.end(), e.key) == allowed.end()) {
      return EntryError(s, e, "unknown key");
    }
  }
  return Status::Ok();
}

// Python float() of a stripped string, for the values carbon accepts in [0, 1].
Result<double> ParseXff(std::string_view text) {
  double v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return InvalidArgument(fmt::format("'{}' is not a number", text));
  }
  if (!(v >= 0 && v <= 1)) return InvalidArgument(fmt::format("{} is outside [0, 1]", text));
  return v;
}

}  // namespace

Result<std::vector<SchemaRule>> ParseCarbonSchemasFile(std::string_view ini_text) {
  ASSIGN_OR_RETURN(std::vector<IniSection> sections, internal::ParseIni(ini_text));
  std::vector<SchemaRule> rules;
  for (const IniSection& s : sections) {
    RETURN_IF_ERROR(CheckKeys(s, {"pattern", "retentions"}));
    const IniEntry* pattern = s.Find("pattern");
    const IniEntry* retentions = s.Find("retentions");
    // carbon: a section missing `retentions` is skipped; an invalid one is fatal; a section
    // without (or with an empty) pattern is skipped.
    if (retentions == nullptr) continue;
    auto archives = ParseRetentions(retentions->value);
    if (!archives.ok()) return EntryError(s, *retentions, archives.status().message());
    if (pattern == nullptr || pattern->value.empty()) continue;
    rules.push_back(SchemaRule{s.name, pattern->value, std::move(archives).value()});
  }
  return rules;
}

Result<std::vector<AggregationRule>> ParseCarbonAggregationFile(std::string_view ini_text) {
  ASSIGN_OR_RETURN(std::vector<IniSection> sections, internal::ParseIni(ini_text));
  std::vector<AggregationRule> rules;
  for (const IniSection& s : sections) {
    RETURN_IF_ERROR(CheckKeys(s, {"pattern", "xfilesfactor", "aggregationmethod"}));
    AggregationRule rule{s.name, "", kDefaultAggregationMethod, kDefaultXFilesFactor};
    if (const IniEntry* xff = s.Find("xfilesfactor")) {
      auto v = ParseXff(xff->value);
      if (!v.ok()) return EntryError(s, *xff, v.status().message());
      rule.x_files_factor = *v;
    }
    if (const IniEntry* method = s.Find("aggregationmethod")) {
      auto m = ParseAggregationMethod(method->value);
      if (!m.ok()) return EntryError(s, *method, m.status().message());
      rule.method = *m;
    }
    const IniEntry* pattern = s.Find("pattern");
    if (pattern == nullptr || pattern->value.empty()) continue;
    rule.pattern = pattern->value;
    rules.push_back(std::move(rule));
  }
  return rules;
}

}  // namespace meridian::storage
