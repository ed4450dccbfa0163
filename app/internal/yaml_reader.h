// YamlReader: the typed, strict reads every meridian.yaml section is made of. Each error carries
// "<source>:<line>: <key.path>: "; unknown and repeated keys are errors. Private to app/ (it is the
// only place yaml-cpp is used for the config); used from config_parser.cc.
#pragma once

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/config.h"
#include "core/status.h"

namespace meridian::app::internal {

// Stores a parsed value into its config field (narrowing checked by the parser's range).
template <typename T, typename U>
core::Status Into(core::Result<T> parsed, U& out) {
  if (!parsed.ok()) return parsed.status();
  out = static_cast<U>(*std::move(parsed));
  return core::Status::Ok();
}

class YamlReader {
 public:
  explicit YamlReader(std::string_view source) : source_(source) {}

  // "<source>:<line>" of `node`, for errors reported later (e.g. inline rule lines).
  std::string Where(const YAML::Node& node) const {
    const YAML::Mark mark = node.Mark();
    return mark.is_null() ? source_ : fmt::format("{}:{}", source_, mark.line + 1);
  }

  core::Status Error(const YAML::Node& node, std::string_view path, std::string_view what) const {
    const YAML::Mark mark = node.Mark();
    if (mark.is_null())
      return core::InvalidArgument(fmt::format("{}: {}: {}", source_, path, what));
    return core::InvalidArgument(fmt::format("{}:{}: {}: {}", source_, mark.line + 1, path, what));
  }

  using KeyFn = std::function<core::Status(const std::string& key, const YAML::Node& value,
                                           const std::string& path)>;
  // Visits a mapping's entries; unknown or repeated keys are errors (typos must not pass).
  core::Status ForEachKey(const YAML::Node& map, const std::string& path,
                          std::initializer_list<std::string_view> known, const KeyFn& fn) const {
    if (!map.IsMap()) return Error(map, path.empty() ? "(top level)" : path, "expected a mapping");
    std::vector<std::string> seen;
    for (const auto& entry : map) {
      if (!entry.first.IsScalar()) return Error(entry.first, path, "keys must be plain names");
      const std::string& key = entry.first.Scalar();
      std::string key_path = path.empty() ? key : path + "." + key;
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        std::string names;
        for (std::string_view k : known) names += fmt::format("{}{}", names.empty() ? "" : ", ", k);
        return Error(entry.first, key_path,
                     fmt::format("unknown key (expected one of: {})", names));
      }
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
        return Error(entry.first, key_path, "duplicate key");
      }
      seen.push_back(key);
      RETURN_IF_ERROR(fn(key, entry.second, key_path));
    }
    return core::Status::Ok();
  }

  core::Result<std::string> String(const YAML::Node& node, const std::string& path) const {
    if (node.IsNull()) return Error(node, path, "expected a value, got nothing");
    if (!node.IsScalar()) return Error(node, path, "expected a single value, not a list or map");
    return node.Scalar();
  }

  core::Result<bool> Bool(const YAML::Node& node, const std::string& path) const {
    ASSIGN_OR_RETURN(std::string s, String(node, path));
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
    return Error(node, path, fmt::format("'{}' is not a boolean (true/false)", node.Scalar()));
  }

  core::Result<uint64_t> Uint(const YAML::Node& node, const std::string& path, uint64_t min,
                              uint64_t max) const {
    ASSIGN_OR_RETURN(std::string s, String(node, path));
    uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || v < min || v > max) {
      return Error(node, path, fmt::format("'{}' is not an integer in {}..{}", s, min, max));
    }
    return v;
  }

  core::Result<std::chrono::milliseconds> Duration(const YAML::Node& node, const std::string& path,
                                                   std::chrono::milliseconds min,
                                                   std::chrono::milliseconds max) const {
    ASSIGN_OR_RETURN(std::string s, String(node, path));
    auto d = ParseDuration(s);
    if (!d.ok()) return Error(node, path, d.status().message());
    if (*d < min || *d > max) {
      return Error(node, path,
                   fmt::format("{} is outside {}ms..{}ms", s, min.count(), max.count()));
    }
    return *d;
  }

  core::Result<ListenAddress> Listen(const YAML::Node& node, const std::string& path) const {
    ASSIGN_OR_RETURN(std::string s, String(node, path));
    auto addr = ParseListenAddress(s);
    if (!addr.ok()) return Error(node, path, addr.status().message());
    return *addr;
  }

 private:
  std::string source_;
};

}  // namespace meridian::app::internal
