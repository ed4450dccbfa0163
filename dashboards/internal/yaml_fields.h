// Readers for the values of a dashboard file's keys: each reports its own errors, naming the key
// path ("panels[2].width: ...") at the line of the value, and returns nullopt when the value is
// unusable. Not a public API.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/yaml_tree.h"
#include "dashboards/dashboard.h"

namespace meridian::dashboards::internal {

class Reporter {
 public:
  Reporter(std::string_view file, std::vector<DashboardError>& errors)
      : file_(file), errors_(errors) {}
  void Error(int line, std::string message) {
    errors_.push_back(DashboardError{file_, line, std::move(message)});
  }
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<DashboardError>& errors_;
};

// A value of a mapping with the path that names it in errors.
struct Field {
  const core::YamlNode* node = nullptr;  // null: absent
  std::string path;
};
Field Get(const core::YamlNode& map, std::string_view key, std::string_view parent);

// True when `node` is a mapping (reports otherwise; `what` says what it should hold); reports
// keys outside `allowed`.
bool CheckMap(const core::YamlNode& node, std::string_view path, std::string_view what,
              std::initializer_list<std::string_view> allowed, Reporter& reporter);
bool IsList(const Field& f, Reporter& reporter);

// A string scalar; a plain YAML 1.1 boolean (yes/no/on/off) must be quoted.
std::optional<std::string> Text(const Field& f, Reporter& reporter);
std::optional<bool> Bool(const Field& f, Reporter& reporter);
std::optional<double> Number(const Field& f, Reporter& reporter);
std::optional<int> Int(const Field& f, int min, int max, Reporter& reporter);
// A list of strings, or one string (read as a list of one) when `scalar_ok`.
std::optional<std::vector<std::string>> TextList(const Field& f, bool scalar_ok,
                                                 Reporter& reporter);
// A CSS color name ([a-z]+) or #rgb / #rrggbb / #rrggbbaa.
bool IsColor(std::string_view text);

}  // namespace meridian::dashboards::internal
