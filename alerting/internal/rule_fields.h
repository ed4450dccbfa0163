// Readers for single keys of a rule file: each reports its own errors (naming the key and the
// line of its value) and returns nullopt/false when the value is unusable.
#pragma once

#include <chrono>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "alerting/internal/rule_parser.h"
#include "alerting/internal/yaml_tree.h"
#include "alerting/rule.h"

namespace meridian::alerting::internal {

enum class TextKind {
  kFreeText,  // names, targets, templates: a plain YAML 1.1 boolean (yes/no/on/off/...) is an error
  kKeyword,   // durations, reducers, ranges, policies: the value's own parser judges it
};

// Reports keys of `map` that are not in `allowed`.
void CheckKeys(const YamlNode& map, std::initializer_list<std::string_view> allowed,
               Reporter& reporter);

// The text of `map[key]`; nullopt when the key is absent (no error, unless `required`) or the
// value is not a string (reported).
std::optional<std::string> Text(const YamlNode& map, std::string_view key, TextKind kind,
                                bool required, Reporter& reporter);

// A group or rule name: [A-Za-z0-9_.-]+, at most kMaxNameBytes. Returns the text as written
// (also when invalid, for error context) and sets `*valid`.
inline constexpr size_t kMaxNameBytes = 200;
std::optional<std::string> Name(const YamlNode& map, std::string_view key, Reporter& reporter,
                                bool* valid);

// A duration >= `min`. Leaves `*value`/`*text` alone when the key is absent.
bool Duration(const YamlNode& map, std::string_view key, std::chrono::seconds min,
              std::chrono::seconds* value, std::string* text, Reporter& reporter);

// The key's line (of its value), or `fallback` when absent.
int LineOf(const YamlNode& map, std::string_view key, int fallback);

// target: parses, expands template() and checks that every function exists.
void CheckTarget(const std::string& target, int line, Reporter& reporter);

// nagios: {host, service}. `rule.name` must be set (the default service).
void ParseNagios(const YamlNode& rule_map, Rule& rule, Reporter& reporter);

}  // namespace meridian::alerting::internal
