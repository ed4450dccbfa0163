// Python `re` semantics over std::regex (ECMAScript), for the functions that take a regex from a
// target: aliasSub (re.sub), and anything that needs re.search.
//
// Pattern: Python syntax translated to ECMAScript where they differ: `(?P<name>...)` named
// groups, `(?P=name)` back references, `\A` / `\Z`, a leading `(?i)` flag. Other Python-only
// constructs (lookbehind, other inline flags, conditionals) are INVALID_ARGUMENT, as is any
// pattern std::regex rejects. Matching is byte-wise (UTF-8 names: `.` matches one byte).
//
// Replacement: Python's template syntax (sre_parse.parse_template): `\1`..`\99` and `\g<n>` /
// `\g<name>` group references (a group that did not participate is ""), `\0` and three-digit
// octal escapes, `\n \t \r \f \v \a \b \\`; unknown escapes of ASCII letters are errors, other
// unknown escapes keep the backslash; a reference to a missing group is an error.
// Empty matches follow Python >= 3.7: an empty match adjacent to a previous match is replaced.
//
// Thread-safety: a compiled PyRegex is immutable and may be shared.
#pragma once

#include <map>
#include <memory>
#include <regex>
#include <string>
#include <string_view>

#include "core/status.h"

namespace meridian::query::functions {

class PyRegex {
 public:
  // INVALID_ARGUMENT for a pattern that cannot be translated or compiled.
  static core::Result<PyRegex> Compile(std::string_view pattern);

  // re.search(pattern, text) is not None.
  bool Search(std::string_view text) const;
  // re.sub(pattern, repl, text): every non-overlapping match replaced. INVALID_ARGUMENT for a bad
  // replacement template (checked even when nothing matches, as Python does).
  core::Result<std::string> Sub(std::string_view repl, std::string_view text) const;

  size_t group_count() const { return group_count_; }

 private:
  PyRegex() = default;

  std::shared_ptr<const std::regex> regex_;
  size_t group_count_ = 0;
  std::map<std::string, size_t, std::less<>> group_names_;
};

}  // namespace meridian::query::functions
