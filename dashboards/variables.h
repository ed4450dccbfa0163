// Template variables: Grafana's three reference forms, Graphite's expansion of a selection, and
// the resolution of a dashboard's variables (options from a graphite find, the selection from
// the request's var-NAME parameters).
//
// References (Grafana's): `$name` (name = the longest run of [A-Za-z0-9_]), `${name}` and
// `[[name]]`. Anything else — `$` followed by no name character, an unclosed `${` — is literal.
//
// Expansion of a selection (Grafana's Graphite datasource): one value → the value; several →
// `{a,b}`; All → the variable's all_value when set, else `{every,option}` (one option → it;
// no option → `{}`, which matches nothing).
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/metrics.h"
#include "dashboards/dashboard.h"
#include "query/read_options.h"
#include "query/series_source.h"

namespace meridian::dashboards {

struct VariableRef {
  std::string name;
  size_t position = 0;  // byte offset of the reference in the text
  size_t length = 0;    // bytes of the reference ("$a" = 2, "${a}" = 4, "[[a]]" = 5)
};
std::vector<VariableRef> FindVariableRefs(std::string_view text);

// Every reference whose name is in `values` replaced by its value; the others stay as written.
using VariableValues = std::map<std::string, std::string, std::less<>>;
std::string ExpandVariables(std::string_view text, const VariableValues& values);

// The expansion of a selection (see above).
std::string GraphiteExpansion(const std::vector<std::string>& selected, bool all,
                              std::string_view all_value, const std::vector<std::string>& options);

// The URL value that selects All (Grafana's); "All" is accepted too.
inline constexpr std::string_view kAllValue = "$__all";

struct ResolvedVariable {
  std::string name;
  bool multi = false;
  bool include_all = false;
  std::vector<std::string> options;   // last nodes of the find, deduplicated, sorted, filtered
  std::vector<std::string> selected;  // the values in use (all options when `all`)
  bool all = false;
  std::optional<std::string> error;  // the find failed, or the options were cut at the bound
  std::string expansion;             // what references expand to
  bool operator==(const ResolvedVariable&) const = default;
};

struct ResolveLimits {
  // Options kept per variable (dashboards.max_variable_options); more are cut, counted and named
  // in the variable's error.
  size_t max_options = 1000;
  core::Counter* truncated = nullptr;  // nullable: counts variables whose options were cut
};

// var-NAME parameters of the request: name → values in order.
using Selections = std::map<std::string, std::vector<std::string>, std::less<>>;

// Resolves `dashboard`'s variables in order. Each query is expanded with the earlier variables'
// expansions and answered by `source.Find` under `read` (its deadline, scope and report: a find
// missing a federation peer is recorded there). Options are the last path nodes of the matches,
// deduplicated and sorted, kept when `regex` finds a match in them (unanchored).
// Selection: the requested values that are options (kAllValue/"All" selects All when
// include_all; a single-value variable keeps the first), else the defaults that are options
// (a default of kAllValue/"All" selects All), else All when include_all, else the first option.
// When the find fails the variable carries the error and the requested values (else the
// defaults) are used unchecked, so the panels still say something. Never fails as a whole.
std::vector<ResolvedVariable> ResolveVariables(const Dashboard& dashboard,
                                               query::SeriesSource& source,
                                               const Selections& selections,
                                               const query::ReadOptions& read,
                                               const ResolveLimits& limits);

// The values ExpandVariables needs, from resolved variables.
VariableValues ValuesOf(const std::vector<ResolvedVariable>& variables);

}  // namespace meridian::dashboards
