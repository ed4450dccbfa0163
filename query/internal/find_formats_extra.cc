// The /metrics/find formats query/internal/find_format.h does not write (see FormatFindExtra in
// query/formats.h): json with ensure_ascii/pretty, nodelist, pickle and msgpack.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "query/formats.h"
#include "query/internal/output_budget.h"
#include "query/internal/pickle_writer.h"
#include "query/internal/py_json.h"

namespace meridian::query {
namespace {

using internal::OutputBudget;
using internal::PyJson;

// STORE.find yields a path that is both a branch and a leaf twice: the branch, then the leaf.
core::Result<std::vector<internal::PeerFindNode>> FindNodes(
    const std::vector<storage::FindMatch>& matches, const FindFormatOptions& options) {
  core::DeadlineCheck check(options.limits.deadline, "find");
  std::vector<internal::PeerFindNode> nodes;
  nodes.reserve(matches.size());
  for (const storage::FindMatch& m : matches) {
    RETURN_IF_ERROR(check.Step());
    if (m.has_children || !m.is_leaf) nodes.push_back({m.path, false, {}});
    if (!m.is_leaf) continue;
    nodes.push_back({m.path, true, {}});
    if (options.leaf_intervals) nodes.back().intervals = options.leaf_intervals(m.path);
  }
  std::stable_sort(nodes.begin(), nodes.end(),
                   [](const auto& a, const auto& b) { return a.path < b.path; });
  return nodes;
}

core::Result<std::string> FindJson(const std::vector<internal::PeerFindNode>& nodes,
                                   const FindFormatOptions& options) {
  OutputBudget budget(options.limits, "find");
  std::string out;
  PyJson json(&out, options.pretty, options.ensure_ascii);
  json.Begin('[');
  for (const auto& node : nodes) {
    json.Begin('{');
    json.Key("path");
    json.Str(node.path);
    json.Key("is_leaf");
    json.Bool(node.is_leaf);
    if (node.is_leaf) {
      json.Key("intervals");
      json.Begin('[');
      for (const FindInterval& interval : node.intervals) {
        json.Begin('{');
        json.Key("start");
        json.Float(interval.start);
        json.Key("end");
        json.Float(interval.end);
        json.End('}');
      }
      json.End(']');
    }
    json.End('}');
    RETURN_IF_ERROR(budget.Check(out.size()));
  }
  json.End(']');
  return out;
}

// nodes_by_position(): the set of path components at `position` (Python indexing), sorted.
core::Result<std::string> NodeList(const std::vector<storage::FindMatch>& matches,
                                   const FindFormatOptions& options) {
  OutputBudget budget(options.limits, "find");
  std::set<std::string_view> found;
  for (const storage::FindMatch& m : matches) {
    RETURN_IF_ERROR(budget.Check(0));
    std::vector<std::string_view> parts;
    std::string_view path = m.path;
    for (size_t dot; (dot = path.find('.')) != std::string_view::npos;) {
      parts.push_back(path.substr(0, dot));
      path.remove_prefix(dot + 1);
    }
    parts.push_back(path);
    const int64_t size = static_cast<int64_t>(parts.size());
    const int64_t index =
        options.node_position < 0 ? size + options.node_position : options.node_position;
    if (index < 0 || index >= size) {
      return core::InvalidArgument(
          fmt::format("position {} is outside '{}'", options.node_position, m.path));
    }
    found.insert(parts[static_cast<size_t>(index)]);
  }
  std::string out;
  PyJson json(&out, options.pretty, options.ensure_ascii);
  json.Begin('{');
  json.Key("nodes");
  json.Begin('[');
  for (std::string_view node : found) {
    json.Str(node);
    RETURN_IF_ERROR(budget.Check(out.size()));
  }
  json.End(']');
  json.End('}');
  return out;
}

}  // namespace

core::Result<FormattedBody> FormatFindExtra(std::string_view /*query*/,
                                            const std::vector<storage::FindMatch>& matches,
                                            const FindFormatOptions& options) {
  const std::string& f = options.format;
  // json_response_for(): UTF-8 output says so in its content type.
  const std::string charset = options.ensure_ascii ? "" : ";charset=utf-8";
  if (f == "pickle" || f == "msgpack") {
    const bool pickle = f == "pickle";
    ASSIGN_OR_RETURN(std::vector<internal::PeerFindNode> nodes, FindNodes(matches, options));
    ASSIGN_OR_RETURN(
        std::string body,
        internal::EncodeFindNodes(
            nodes, pickle ? internal::PeerEncoding::kPickle : internal::PeerEncoding::kMsgpack,
            options.limits));
    // The closing opcodes come after the last check.
    if (options.limits.max_bytes != 0 && body.size() > options.limits.max_bytes) {
      return ResponseTooLarge(options.limits.max_bytes);
    }
    return FormattedBody{std::move(body), pickle ? "application/pickle" : "application/x-msgpack"};
  }
  std::string body;
  if (f == "json") {
    ASSIGN_OR_RETURN(std::vector<internal::PeerFindNode> nodes, FindNodes(matches, options));
    ASSIGN_OR_RETURN(body, FindJson(nodes, options));
  } else if (f == "nodelist") {
    ASSIGN_OR_RETURN(body, NodeList(matches, options));
  } else {
    return core::InvalidArgument(fmt::format("find format '{}' is not supported", f));
  }
  FormattedBody out = internal::WrapJsonp(std::move(body), options.jsonp, "application/json");
  out.content_type += charset;
  if (options.limits.max_bytes != 0 && out.body.size() > options.limits.max_bytes) {
    return ResponseTooLarge(options.limits.max_bytes);
  }
  return out;
}

}  // namespace meridian::query
