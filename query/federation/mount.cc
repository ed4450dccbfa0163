#include "query/federation/mount.h"

#include <algorithm>

#include "core/regex.h"
#include "core/tagged_name.h"
#include "storage/glob.h"

namespace meridian::query::federation {
namespace {

std::vector<std::string_view> Nodes(std::string_view s) {
  std::vector<std::string_view> out;
  size_t b = 0;
  for (size_t e; (e = s.find('.', b)) != std::string_view::npos; b = e + 1) {
    out.push_back(s.substr(b, e - b));
  }
  out.push_back(s.substr(b));
  return out;
}

std::string Join(const std::vector<std::string_view>& nodes, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) {
    if (i > from) out += '.';
    out += nodes[i];
  }
  return out;
}

}  // namespace

MountedQuery MountPattern(const PeerMount& mount, std::string_view pattern) {
  MountedQuery q;
  if (mount.prefix.empty()) {
    q.peer_pattern = std::string(pattern);
    return q;
  }
  const auto prefix = Nodes(mount.prefix);
  const auto nodes = Nodes(pattern);
  const size_t k = prefix.size();
  for (size_t i = 0; i < std::min(k, nodes.size()); ++i) {
    if (nodes[i] == "**") {
      // "**" may cover the rest of the prefix and more: ask from here; the caller filters.
      q.peer_pattern = Join(nodes, i, nodes.size());
      q.filter_after = true;
      return q;
    }
    if (!storage::GlobMatchFull(nodes[i], prefix[i])) return q;  // not this peer's namespace
  }
  if (nodes.size() <= k) {
    storage::FindMatch m;
    m.path = Join(prefix, 0, nodes.size());
    m.has_children = true;
    q.prefix_nodes.push_back(std::move(m));
    return q;
  }
  q.peer_pattern = Join(nodes, k, nodes.size());
  return q;
}

std::string MountedName(const PeerMount& mount, std::string_view peer_name) {
  if (mount.empty()) return std::string(peer_name);
  if (!core::IsTagged(peer_name)) {
    if (mount.prefix.empty()) return std::string(peer_name);
    return mount.prefix + "." + std::string(peer_name);
  }
  if (mount.tags.empty()) return std::string(peer_name);
  auto parsed = core::ParseTaggedName(peer_name);
  if (!parsed.ok()) return std::string(peer_name);
  std::string raw = parsed->name;
  std::vector<std::pair<std::string, std::string>> tags(parsed->tags.begin(), parsed->tags.end());
  for (const auto& tag : mount.tags) {
    const bool has =
        std::any_of(tags.begin(), tags.end(), [&](const auto& t) { return t.first == tag.first; });
    if (!has) tags.push_back(tag);
  }
  for (const auto& [k, v] : tags) raw += ";" + k + "=" + v;
  auto normalized = core::NormalizeSeriesName(raw);
  return normalized.ok() ? *normalized : std::string(peer_name);
}

core::Result<std::optional<std::vector<std::string>>> MountTagExpressions(
    const PeerMount& mount, const std::vector<std::string>& expressions) {
  if (mount.tags.empty()) return std::optional<std::vector<std::string>>(expressions);
  std::vector<std::string> out;
  bool selects = false;
  for (const std::string& e : expressions) {
    // tag=value, tag!=value, tag=~regex, tag!=~regex
    const size_t op = e.find_first_of("!=");
    if (op == std::string::npos || op == 0) {
      return core::InvalidArgument("seriesByTag: invalid tag expression '" + e + "'");
    }
    const std::string tag = e.substr(0, op);
    const bool negate = e[op] == '!';
    size_t at = op + (negate ? 1 : 0);
    if (at >= e.size() || e[at] != '=') {
      return core::InvalidArgument("seriesByTag: invalid tag expression '" + e + "'");
    }
    ++at;
    const bool regex = at < e.size() && e[at] == '~';
    if (regex) ++at;
    const std::string value = e.substr(at);
    auto it = mount.tags.find(tag);
    if (it == mount.tags.end()) {
      if (!negate && !value.empty()) selects = true;
      out.push_back(e);
      continue;
    }
    bool matches = false;
    if (regex) {
      // graphite-web anchors tag regexes at the start (re.match).
      auto re = core::Regex::Compile(value);
      if (!re.ok()) return re.status();
      matches = re->MatchesAtStart(it->second);
    } else {
      matches = it->second == value;
    }
    if (matches == negate) return std::optional<std::vector<std::string>>();  // excludes the peer
  }
  if (!selects) out.push_back("name=~.+");
  return std::optional<std::vector<std::string>>(std::move(out));
}

core::Result<std::optional<FetchSpec>> MountFetchSpec(const PeerMount& mount, const FetchSpec& spec,
                                                      bool* filter_after) {
  if (filter_after != nullptr) *filter_after = false;
  if (spec.kind == FetchSpec::Kind::kPattern) {
    MountedQuery q = MountPattern(mount, spec.pattern);
    if (filter_after != nullptr) *filter_after = q.filter_after;
    if (q.peer_pattern.empty()) return std::optional<FetchSpec>();
    return std::optional<FetchSpec>(FetchSpec::Pattern(std::move(q.peer_pattern)));
  }
  ASSIGN_OR_RETURN(auto exprs, MountTagExpressions(mount, spec.tag_expressions));
  if (!exprs.has_value()) return std::optional<FetchSpec>();
  return std::optional<FetchSpec>(FetchSpec::Tagged(std::move(*exprs)));
}

}  // namespace meridian::query::federation
