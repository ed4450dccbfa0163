// Python `re` semantics for the functions that take a regex from a target: aliasSub, aliasQuery,
// useSeriesAbove (re.sub) and grep/exclude (re.search). Patterns run on core::Regex (RE2: linear
// time, bounded memory); its header lists the syntax accepted, what is refused (back-references,
// lookaround, ... → INVALID_ARGUMENT naming the pattern and the construct) and the few
// differences from Python's `re` (ASCII \d \w \s \b; UTF-8 code points for `.` and classes).
//
// Replacement: Python's template syntax (sre_parse.parse_template): `\1`..`\99` and `\g<n>` /
// `\g<name>` group references (a group that did not participate is ""), `\0` and three-digit
// octal escapes, `\n \t \r \f \v \a \b \\`; unknown escapes of ASCII letters are errors, other
// unknown escapes keep the backslash; a reference to a missing group is an error.
// Empty matches follow Python >= 3.7: an empty match adjacent to a previous match is replaced.
//
// Thread-safety: a compiled PyRegex is immutable and may be shared.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "core/deadline.h"
#include "core/regex.h"
#include "core/status.h"

namespace meridian::query::functions {

class PyRegex {
 public:
  // INVALID_ARGUMENT "invalid regex '<pattern>': <why>" for a pattern that is refused.
  static core::Result<PyRegex> Compile(std::string_view pattern);

  // re.search(pattern, text) is not None.
  bool Search(std::string_view text) const;
  // re.sub(pattern, repl, text): every non-overlapping match replaced. INVALID_ARGUMENT for a bad
  // replacement template (checked even when nothing matches, as Python does). Each match may
  // scan to the end of the text, so a pathological pattern over a long name costs O(len²):
  // `deadline` is checked every 64 matches (CANCELLED / DEADLINE_EXCEEDED "re.sub: ...").
  core::Result<std::string> Sub(std::string_view repl, std::string_view text,
                                const core::Deadline& deadline = core::Deadline()) const;

  size_t group_count() const { return regex_.group_count(); }

 private:
  explicit PyRegex(core::Regex regex) : regex_(std::move(regex)) {}

  core::Regex regex_;
};

}  // namespace meridian::query::functions
