#include "core/yaml_tree.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <exception>
#include <map>
#include <sstream>

namespace meridian::core {
namespace {

constexpr std::string_view kPlainTag = "?";
constexpr std::string_view kNonPlainTag = "!";  // quoted or block scalar
constexpr std::string_view kStrTag = "tag:yaml.org,2002:str";

class TreeBuilder : public YAML::EventHandler {
 public:
  explicit TreeBuilder(YamlDocument& doc) : doc_(doc) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ == 2) {
      Error(mark, "only one YAML document per file: a second one starts here");
    }
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (Ignored()) return;
    CheckAnchor(mark, anchor);
    Add(MakeNode(YamlNode::Kind::kNull, mark));
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override {
    if (Ignored()) return;
    Error(mark, "YAML aliases (*name) are not supported: write the value out");
    Add(MakeNode(YamlNode::Kind::kInvalid, mark));
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    if (Ignored()) return;
    CheckAnchor(mark, anchor);
    YamlNode node = MakeNode(YamlNode::Kind::kScalar, mark);
    node.value = value;
    node.plain = tag == kPlainTag;
    if (tag != kPlainTag && tag != kNonPlainTag && tag != kStrTag) {
      Error(mark, "YAML tags (" + tag + ") are not supported");
    }
    Add(std::move(node));
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    StartCollection(YamlNode::Kind::kSequence, mark, tag, anchor);
  }
  void OnSequenceEnd() override { EndCollection(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    StartCollection(YamlNode::Kind::kMap, mark, tag, anchor);
  }
  void OnMapEnd() override { EndCollection(); }

 private:
  struct Frame {
    YamlNode node;
    std::optional<YamlNode> key;  // kMap: the key waiting for its value
    bool drop_value = false;      // the pending key was rejected
    std::map<std::string, int, std::less<>> key_lines;
  };

  bool Ignored() const { return documents_ > 1; }

  static YamlNode MakeNode(YamlNode::Kind kind, const YAML::Mark& mark) {
    YamlNode node;
    node.kind = kind;
    node.line = mark.line + 1;
    node.column = mark.column + 1;
    return node;
  }

  void Error(const YAML::Mark& mark, std::string message) {
    Error(mark.line + 1, std::move(message));
  }
  void Error(int line, std::string message) { doc_.errors.push_back({line, std::move(message)}); }

  void CheckAnchor(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) {
      Error(mark, "YAML anchors (&name) are not supported: write the value out");
    }
  }

  void StartCollection(YamlNode::Kind kind, const YAML::Mark& mark, const std::string& tag,
                       YAML::anchor_t anchor) {
    if (Ignored()) return;
    CheckAnchor(mark, anchor);
    if (tag != kPlainTag && tag != kNonPlainTag) {
      Error(mark, "YAML tags (" + tag + ") are not supported");
    }
    stack_.push_back(Frame{MakeNode(kind, mark), std::nullopt, false, {}});
  }

  void EndCollection() {
    if (Ignored() || stack_.empty()) return;
    YamlNode node = std::move(stack_.back().node);
    stack_.pop_back();
    Add(std::move(node));
  }

  void Add(YamlNode node) {
    if (stack_.empty()) {
      if (!doc_.root) doc_.root = std::move(node);
      return;
    }
    Frame& top = stack_.back();
    if (top.node.kind == YamlNode::Kind::kSequence) {
      top.node.items.push_back(std::move(node));
    } else if (!top.key) {
      AddKey(top, std::move(node));
    } else {
      if (!top.drop_value) top.node.entries.emplace_back(std::move(*top.key), std::move(node));
      top.key.reset();
      top.drop_value = false;
    }
  }

  void AddKey(Frame& top, YamlNode key) {
    top.drop_value = true;
    if (key.kind == YamlNode::Kind::kScalar && key.plain && key.value == "<<") {
      Error(key.line, "YAML merge keys (<<) are not supported: write the keys out");
    } else if (key.kind == YamlNode::Kind::kScalar) {
      auto [it, inserted] = top.key_lines.emplace(key.value, key.line);
      if (inserted) {
        top.drop_value = false;
      } else {
        Error(key.line, "duplicate key '" + key.value + "' (first at line " +
                            std::to_string(it->second) + ")");
      }
    } else if (key.kind != YamlNode::Kind::kInvalid) {
      Error(key.line, "a mapping key must be a string, found a " + std::string(KindName(key.kind)));
    }
    top.key = std::move(key);
  }

  YamlDocument& doc_;
  std::vector<Frame> stack_;
  int documents_ = 0;
};

}  // namespace

const YamlNode* YamlNode::Find(std::string_view key) const {
  for (const auto& [k, v] : entries) {
    if (k.value == key) return &v;
  }
  return nullptr;
}

YamlDocument ParseYamlDocument(std::string_view text) {
  YamlDocument doc;
  std::istringstream in{std::string(text)};
  TreeBuilder builder(doc);
  try {
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const YAML::Exception& e) {
    doc.root.reset();
    doc.errors.push_back({e.mark.line + 1, "YAML syntax error: " + e.msg});
  } catch (const std::exception& e) {
    doc.root.reset();
    doc.errors.push_back({0, std::string("YAML error: ") + e.what()});
  }
  return doc;
}

std::string_view KindName(YamlNode::Kind kind) {
  switch (kind) {
    case YamlNode::Kind::kNull:
      return "null";
    case YamlNode::Kind::kScalar:
      return "string";
    case YamlNode::Kind::kSequence:
      return "list";
    case YamlNode::Kind::kMap:
      return "mapping";
    case YamlNode::Kind::kInvalid:
      return "invalid value";
  }
  return "value";
}

}  // namespace meridian::core
