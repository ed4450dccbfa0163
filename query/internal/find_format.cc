#include "query/internal/find_format.h"

#include <fmt/format.h>

#include <algorithm>

#include "query/internal/output_budget.h"
#include "query/internal/py_json.h"

namespace meridian::query::internal {
namespace {

std::string_view NodeName(std::string_view path) {
  size_t dot = path.rfind('.');
  return dot == std::string_view::npos ? path : path.substr(dot + 1);
}

// A node that is both a leaf and a branch is shown as a branch, so it stays expandable.
bool IsBranch(const storage::FindMatch& m) { return m.has_children || !m.is_leaf; }

void AppendTreeNode(std::string_view text, std::string_view id, bool branch, std::string* out) {
  out->append("{\"text\": ");
  AppendPyString(text, /*ensure_ascii=*/true, out);
  out->append(", \"id\": ");
  AppendPyString(id, /*ensure_ascii=*/true, out);
  out->append(branch ? ", \"allowChildren\": 1, \"expandable\": 1, \"leaf\": 0}"
                     : ", \"allowChildren\": 0, \"expandable\": 0, \"leaf\": 1}");
}

core::Result<std::string> TreeJson(std::string_view query,
                                   const std::vector<storage::FindMatch>& matches, bool wildcards,
                                   const OutputLimits& limits) {
  OutputBudget budget(limits, "find");
  size_t bytes = 0;
  size_t dot = query.rfind('.');
  std::string base = dot == std::string_view::npos ? "" : std::string(query.substr(0, dot + 1));
  std::vector<std::string> nodes;
  if (wildcards && matches.size() > 1) {
    bool any_branch = false;
    for (const auto& m : matches) any_branch |= IsBranch(m);
    std::string node;
    AppendTreeNode("*", base + "*", any_branch, &node);
    nodes.push_back(std::move(node));
  }
  // graphite-web sorts nodes by name and keeps the first node of each name (host01.cpu and
  // host02.cpu under `host0*.*` are one "cpu" node), then lists branches before leaves.
  std::vector<const storage::FindMatch*> unique;
  {
    std::vector<const storage::FindMatch*> sorted;
    for (const auto& m : matches) sorted.push_back(&m);
    RETURN_IF_ERROR(budget.Check(0));
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
      return NodeName(a->path) < NodeName(b->path);
    });
    for (const auto* m : sorted) {
      if (unique.empty() || NodeName(unique.back()->path) != NodeName(m->path)) unique.push_back(m);
    }
  }
  for (int pass = 0; pass < 2; ++pass) {  // branches first, then leaves
    for (const auto* m : unique) {
      if (IsBranch(*m) != (pass == 0)) continue;
      std::string node;
      std::string_view name = NodeName(m->path);
      AppendTreeNode(name, base + std::string(name), pass == 0, &node);
      bytes += node.size() + 2;
      nodes.push_back(std::move(node));
      RETURN_IF_ERROR(budget.Check(bytes));
    }
  }
  std::string out = "[";
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (i) out.append(", ");
    out.append(nodes[i]);
  }
  out.push_back(']');
  return out;
}

core::Result<std::string> Completer(const std::vector<storage::FindMatch>& matches,
                                    const OutputLimits& limits) {
  OutputBudget budget(limits, "find");
  std::string out = "{\"metrics\": [";
  for (size_t i = 0; i < matches.size(); ++i) {
    const auto& m = matches[i];
    if (i) out.append(", ");
    bool branch = IsBranch(m);
    out.append("{\"path\": ");
    AppendPyString(branch ? m.path + "." : m.path, /*ensure_ascii=*/true, &out);
    out.append(", \"name\": ");
    AppendPyString(NodeName(m.path), /*ensure_ascii=*/true, &out);
    out.append(branch ? ", \"is_leaf\": \"0\"}" : ", \"is_leaf\": \"1\"}");
    RETURN_IF_ERROR(budget.Check(out.size()));
  }
  out.append("]}");
  return out;
}

core::Result<std::string> PlainJson(const std::vector<storage::FindMatch>& matches,
                                    const OutputLimits& limits) {
  OutputBudget budget(limits, "find");
  std::string out = "[";
  for (size_t i = 0; i < matches.size(); ++i) {
    if (i) out.append(", ");
    out.append("{\"path\": ");
    AppendPyString(matches[i].path, /*ensure_ascii=*/true, &out);
    out.append(matches[i].is_leaf ? ", \"is_leaf\": true" : ", \"is_leaf\": false");
    out.append(", \"intervals\": []}");
    RETURN_IF_ERROR(budget.Check(out.size()));
  }
  out.push_back(']');
  return out;
}

}  // namespace

core::Result<std::string> FormatFind(std::string_view query,
                                     const std::vector<storage::FindMatch>& matches,
                                     std::string_view format, bool wildcards,
                                     const OutputLimits& limits) {
  core::Result<std::string> out =
      core::InvalidArgument(fmt::format("find format '{}' is not supported", format));
  if (format == "treejson") out = TreeJson(query, matches, wildcards, limits);
  if (format == "completer") out = Completer(matches, limits);
  if (format == "json") out = PlainJson(matches, limits);
  // The closing brackets come after the last check.
  if (out.ok() && limits.max_bytes != 0 && out->size() > limits.max_bytes) {
    return ResponseTooLarge(limits.max_bytes);
  }
  return out;
}

}  // namespace meridian::query::internal
