#include "dashboards/internal/yaml_fields.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

namespace meridian::dashboards::internal {
namespace {

using core::YamlNode;

bool IsYaml11Boolean(std::string_view s) {
  static constexpr std::array<std::string_view, 16> kWords = {
      "y",  "Y",  "yes", "Yes", "YES", "n",   "N",   "no",
      "No", "NO", "on",  "On",  "ON",  "off", "Off", "OFF"};
  return std::find(kWords.begin(), kWords.end(), s) != kWords.end();
}

// Reports a value of the wrong kind; true when the value is a usable scalar.
bool Scalar(const Field& f, std::string_view expected, Reporter& reporter) {
  switch (f.node->kind) {
    case YamlNode::Kind::kScalar:
      return true;
    case YamlNode::Kind::kInvalid:
      return false;
    case YamlNode::Kind::kNull:
      reporter.Error(f.node->line,
                     f.path + ": missing value (expected " + std::string(expected) + ")");
      return false;
    default:
      reporter.Error(f.node->line, f.path + ": expected " + std::string(expected) + ", found a " +
                                       std::string(core::KindName(f.node->kind)));
      return false;
  }
}

}  // namespace

Field Get(const YamlNode& map, std::string_view key, std::string_view parent) {
  return Field{map.Find(key),
               parent.empty() ? std::string(key) : std::string(parent) + "." + std::string(key)};
}

bool CheckMap(const YamlNode& node, std::string_view path, std::string_view what,
              std::initializer_list<std::string_view> allowed, Reporter& reporter) {
  if (node.kind == YamlNode::Kind::kInvalid) return false;
  const std::string prefix = path.empty() ? "" : std::string(path) + ": ";
  if (node.kind != YamlNode::Kind::kMap) {
    reporter.Error(node.line, prefix + "expected a mapping (" + std::string(what) + "), found a " +
                                  std::string(core::KindName(node.kind)));
    return false;
  }
  for (const auto& [key, value] : node.entries) {
    if (std::find(allowed.begin(), allowed.end(), key.value) != allowed.end()) continue;
    std::string list;
    for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    reporter.Error(key.line, prefix + "unknown key '" + key.value + "' (expected " + list + ")");
  }
  return true;
}

bool IsList(const Field& f, Reporter& reporter) {
  if (f.node->kind == YamlNode::Kind::kSequence) return true;
  if (f.node->kind != YamlNode::Kind::kInvalid) {
    reporter.Error(f.node->line, f.path + ": expected a list, found a " +
                                     std::string(core::KindName(f.node->kind)));
  }
  return false;
}

std::optional<std::string> Text(const Field& f, Reporter& reporter) {
  if (!Scalar(f, "a string", reporter)) return std::nullopt;
  if (f.node->plain && IsYaml11Boolean(f.node->value)) {
    reporter.Error(f.node->line, f.path + ": '" + f.node->value +
                                     "' must be quoted: YAML 1.1 tools read it as a boolean");
    return std::nullopt;
  }
  return f.node->value;
}

std::optional<bool> Bool(const Field& f, Reporter& reporter) {
  if (!Scalar(f, "true or false", reporter)) return std::nullopt;
  if (f.node->plain && f.node->value == "true") return true;
  if (f.node->plain && f.node->value == "false") return false;
  reporter.Error(f.node->line, f.path + ": expected true or false, found '" + f.node->value + "'");
  return std::nullopt;
}

std::optional<double> Number(const Field& f, Reporter& reporter) {
  if (!Scalar(f, "a number", reporter)) return std::nullopt;
  const std::string& s = f.node->value;
  double value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (!f.node->plain || s.empty() || ec != std::errc() || ptr != s.data() + s.size() ||
      !std::isfinite(value)) {
    reporter.Error(f.node->line, f.path + ": expected a number, found '" + s + "'");
    return std::nullopt;
  }
  return value;
}

std::optional<int> Int(const Field& f, int min, int max, Reporter& reporter) {
  if (!Scalar(f, "a whole number", reporter)) return std::nullopt;
  const std::string& s = f.node->value;
  long long value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (!f.node->plain || s.empty() || ec != std::errc() || ptr != s.data() + s.size()) {
    reporter.Error(f.node->line, f.path + ": expected a whole number, found '" + s + "'");
    return std::nullopt;
  }
  if (value < min || value > max) {
    reporter.Error(f.node->line, f.path + ": " + s + " is out of range (" + std::to_string(min) +
                                     ".." + std::to_string(max) + ")");
    return std::nullopt;
  }
  return static_cast<int>(value);
}

std::optional<std::vector<std::string>> TextList(const Field& f, bool scalar_ok,
                                                 Reporter& reporter) {
  if (scalar_ok && f.node->kind == YamlNode::Kind::kScalar) {
    auto one = Text(f, reporter);
    if (!one) return std::nullopt;
    return std::vector<std::string>{*one};
  }
  if (!IsList(f, reporter)) return std::nullopt;
  std::vector<std::string> out;
  bool ok = true;
  for (size_t i = 0; i < f.node->items.size(); ++i) {
    auto item = Text(Field{&f.node->items[i], f.path + "[" + std::to_string(i) + "]"}, reporter);
    if (item) {
      out.push_back(std::move(*item));
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

bool IsColor(std::string_view text) {
  if (text.empty()) return false;
  if (text.front() == '#') {
    const std::string_view hex = text.substr(1);
    return (hex.size() == 3 || hex.size() == 6 || hex.size() == 8) &&
           std::all_of(hex.begin(), hex.end(),
                       [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
  }
  return text.size() <= 30 &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

}  // namespace meridian::dashboards::internal
