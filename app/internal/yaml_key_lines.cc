#include "app/internal/yaml_key_lines.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <string>
#include <utility>
#include <vector>

namespace meridian::app::internal {
namespace {

// One step of a key path: a mapping key, or (index >= 0) a list entry.
struct Step {
  std::string key;
  long index = -1;
};

// "a.b[2].c" → a, b, [2], c. Empty on a malformed path.
std::vector<Step> SplitPath(std::string_view path) {
  std::vector<Step> steps;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '.') {
      ++i;
      continue;
    }
    if (path[i] == '[') {
      const size_t close = path.find(']', i);
      if (close == std::string_view::npos) return {};
      long index = -1;
      auto [ptr, ec] = std::from_chars(path.data() + i + 1, path.data() + close, index);
      if (ec != std::errc() || ptr != path.data() + close || index < 0) return {};
      steps.push_back({"", index});
      i = close + 1;
      continue;
    }
    const size_t end = path.find_first_of(".[", i);
    const size_t stop = end == std::string_view::npos ? path.size() : end;
    steps.push_back({std::string(path.substr(i, stop - i)), -1});
    i = stop;
  }
  return steps;
}

}  // namespace

int FindKeyLine(std::string_view yaml_text, std::string_view key_path) {
  const std::vector<Step> steps = SplitPath(key_path);
  if (steps.empty()) return 0;
  try {
    YAML::Node node = YAML::Load(std::string(yaml_text));
    YAML::Mark mark = YAML::Mark::null_mark();
    for (const Step& step : steps) {
      if (step.index >= 0) {
        if (!node.IsSequence() || static_cast<size_t>(step.index) >= node.size()) return 0;
        // reset(), not operator=: assigning a Node writes through to the tree it refers to.
        const YAML::Node next = std::as_const(node)[static_cast<size_t>(step.index)];
        node.reset(next);
        mark = node.Mark();
        continue;
      }
      if (!node.IsMap()) return 0;
      bool found = false;
      for (const auto& entry : node) {
        if (entry.first.IsScalar() && entry.first.Scalar() == step.key) {
          mark = entry.first.Mark();  // the key's line, where a reader looks for it
          node.reset(entry.second);
          found = true;
          break;
        }
      }
      if (!found) return 0;
    }
    return mark.is_null() ? 0 : mark.line + 1;
  } catch (const YAML::Exception&) {
    return 0;
  }
}

}  // namespace meridian::app::internal
