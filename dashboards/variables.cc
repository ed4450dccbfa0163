#include "dashboards/variables.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/regex.h"

namespace meridian::dashboards {
namespace {

bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

size_t NameLength(std::string_view text, size_t from) {
  size_t end = from;
  while (end < text.size() && IsNameChar(text[end])) ++end;
  return end - from;
}

// The reference starting at `i`, or nullopt.
std::optional<VariableRef> RefAt(std::string_view text, size_t i) {
  if (text[i] == '$') {
    if (i + 1 < text.size() && text[i + 1] == '{') {
      const size_t n = NameLength(text, i + 2);
      if (n > 0 && i + 2 + n < text.size() && text[i + 2 + n] == '}') {
        return VariableRef{std::string(text.substr(i + 2, n)), i, n + 3};
      }
      return std::nullopt;
    }
    const size_t n = NameLength(text, i + 1);
    if (n > 0) return VariableRef{std::string(text.substr(i + 1, n)), i, n + 1};
    return std::nullopt;
  }
  if (text.substr(i, 2) == "[[") {
    const size_t n = NameLength(text, i + 2);
    if (n > 0 && text.substr(i + 2 + n, 2) == "]]") {
      return VariableRef{std::string(text.substr(i + 2, n)), i, n + 4};
    }
  }
  return std::nullopt;
}

bool IsAll(std::string_view v) { return v == kAllValue || v == "All"; }

// The last node of a find match's path.
std::string LastNode(std::string_view path) {
  const size_t dot = path.rfind('.');
  return std::string(dot == std::string_view::npos ? path : path.substr(dot + 1));
}

// Options of one variable from its expanded query; sets `out.error` on failure or truncation.
void FindOptions(const Variable& v, const std::string& query, query::SeriesSource& source,
                 const query::ReadOptions& read, const ResolveLimits& limits,
                 ResolvedVariable& out) {
  auto matches = source.Find(query, read);
  if (!matches.ok()) {
    out.error = fmt::format("find '{}': {}", query, matches.status().message());
    return;
  }
  std::optional<core::Regex> re;
  if (!v.regex.empty()) {
    auto compiled = core::Regex::Compile(v.regex);
    if (!compiled.ok()) {  // the parser checked it; kept for a dashboard built in code
      out.error = "regex: " + compiled.status().message();
      return;
    }
    re = std::move(*compiled);
  }
  for (const storage::FindMatch& m : *matches) {
    std::string node = LastNode(m.path);
    if (!re || re->PartialMatch(node)) out.options.push_back(std::move(node));
  }
  std::sort(out.options.begin(), out.options.end());
  out.options.erase(std::unique(out.options.begin(), out.options.end()), out.options.end());
  if (out.options.size() > limits.max_options) {
    out.error = fmt::format("{} options, only the first {} kept (dashboards.max_variable_options)",
                            out.options.size(), limits.max_options);
    out.options.resize(limits.max_options);
    if (limits.truncated != nullptr) limits.truncated->Add();
  }
}

// Chooses the selection among `out.options` (see ResolveVariables).
void Select(const Variable& v, const std::vector<std::string>* requested, ResolvedVariable& out) {
  const bool checked = !out.error || !out.error->starts_with("find");
  auto pick = [&](const std::vector<std::string>& wanted) {
    std::vector<std::string> kept;
    for (const std::string& w : wanted) {
      if (IsAll(w)) {
        if (v.include_all) {
          out.all = true;
          return true;
        }
        continue;
      }
      const bool known =
          !checked || std::find(out.options.begin(), out.options.end(), w) != out.options.end();
      if (known && std::find(kept.begin(), kept.end(), w) == kept.end()) kept.push_back(w);
      if (!v.multi && !kept.empty()) break;
    }
    if (kept.empty()) return false;
    out.selected = std::move(kept);
    return true;
  };
  if (requested != nullptr && pick(*requested)) return;
  if (pick(v.defaults)) return;
  if (v.include_all) {
    out.all = true;
  } else if (!out.options.empty()) {
    out.selected = {out.options.front()};
  }
}

}  // namespace

std::vector<VariableRef> FindVariableRefs(std::string_view text) {
  std::vector<VariableRef> refs;
  for (size_t i = 0; i < text.size();) {
    auto ref = RefAt(text, i);
    if (ref) {
      i += ref->length;
      refs.push_back(std::move(*ref));
    } else {
      ++i;
    }
  }
  return refs;
}

std::string ExpandVariables(std::string_view text, const VariableValues& values) {
  std::string out;
  size_t done = 0;
  for (const VariableRef& ref : FindVariableRefs(text)) {
    auto it = values.find(ref.name);
    if (it == values.end()) continue;
    out.append(text.substr(done, ref.position - done));
    out += it->second;
    done = ref.position + ref.length;
  }
  out.append(text.substr(done));
  return out;
}

std::string GraphiteExpansion(const std::vector<std::string>& selected, bool all,
                              std::string_view all_value, const std::vector<std::string>& options) {
  if (all && !all_value.empty()) return std::string(all_value);
  const std::vector<std::string>& values = all ? options : selected;
  if (values.size() == 1) return values.front();
  return "{" + fmt::format("{}", fmt::join(values, ",")) + "}";
}

std::vector<ResolvedVariable> ResolveVariables(const Dashboard& dashboard,
                                               query::SeriesSource& source,
                                               const Selections& selections,
                                               const query::ReadOptions& read,
                                               const ResolveLimits& limits) {
  std::vector<ResolvedVariable> out;
  VariableValues values;
  for (const Variable& v : dashboard.variables) {
    ResolvedVariable r;
    r.name = v.name;
    r.multi = v.multi;
    r.include_all = v.include_all;
    FindOptions(v, ExpandVariables(v.query, values), source, read, limits, r);
    auto it = selections.find(v.name);
    Select(v, it == selections.end() ? nullptr : &it->second, r);
    if (r.all) r.selected = r.options;
    r.expansion = GraphiteExpansion(r.selected, r.all, v.all_value, r.options);
    values[v.name] = r.expansion;
    out.push_back(std::move(r));
  }
  return out;
}

VariableValues ValuesOf(const std::vector<ResolvedVariable>& variables) {
  VariableValues values;
  for (const ResolvedVariable& v : variables) values[v.name] = v.expansion;
  return values;
}

}  // namespace meridian::dashboards
