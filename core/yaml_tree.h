// A strict YAML reader for hand-written files (alert rules, dashboards): yaml-cpp's event parser
// builds a small tree that keeps line numbers and whether a scalar was quoted, and rejects what
// such files must not use
// (anchors, aliases, tags, several documents, non-scalar or duplicate keys). yaml-cpp's own
// Node API silently accepts duplicate keys and resolves aliases, hence the tree of our own.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace meridian::core {

struct YamlNode {
  // kInvalid stands for a value that was already reported as an error (an alias): callers skip
  // it without a second message.
  enum class Kind { kNull, kScalar, kSequence, kMap, kInvalid };
  Kind kind = Kind::kNull;
  int line = 0;                 // 1-based
  int column = 0;               // 1-based
  std::string value;            // kScalar
  bool plain = false;           // kScalar written without quotes, block style or tag
  std::vector<YamlNode> items;  // kSequence
  std::vector<std::pair<YamlNode, YamlNode>> entries;  // kMap, keys are kScalar and unique

  // kMap: the value for `key`, or nullptr.
  const YamlNode* Find(std::string_view key) const;
};

struct YamlError {
  int line = 0;
  std::string message;
};

struct YamlDocument {
  std::optional<YamlNode> root;  // absent after a syntax error or for an empty text
  std::vector<YamlError> errors;
};

// Parses exactly one document. Syntax errors end parsing (root absent); the other rejections are
// reported and parsing goes on: a duplicate key keeps its first value, an alias becomes kInvalid.
YamlDocument ParseYamlDocument(std::string_view text);

// "string", "list", "mapping", "null" — for "expected a string, found a list" messages.
std::string_view KindName(YamlNode::Kind kind);

}  // namespace meridian::core
