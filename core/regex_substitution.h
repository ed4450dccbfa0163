// RegexSubstitution: Python's re.sub replacement template (sre_parse.parse_template), parsed once
// for a compiled core::Regex and applied to many texts — aliasSub in render targets, carbon's
// rewrite-rules.conf at ingest.
//
//   ASSIGN_OR_RETURN(core::Regex re, core::Regex::Compile(R"(^servers\.(\w+)\.)"));
//   ASSIGN_OR_RETURN(auto sub, core::RegexSubstitution::Compile(re, R"(hosts.\1.)"));
//   ASSIGN_OR_RETURN(std::string out, sub.Apply("servers.a.cpu"));  // "hosts.a.cpu"
//
// Template syntax: `\1`..`\99` and `\g<n>` / `\g<name>` group references (a group that did not
// take part in the match expands to ""), `\0` and three-digit octal escapes,
// `\n \t \r \f \v \a \b \\`; an unknown escape of an ASCII letter is an error, other unknown
// escapes keep the backslash; a reference to a group the pattern does not have is an error.
// Matching is Regex::ForEachMatch: every non-overlapping match, Python >= 3.7's empty-match rule.
//
// Thread-safety: immutable after Compile; Apply may run on many threads at once.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/deadline.h"
#include "core/regex.h"
#include "core/status.h"

namespace meridian::core {

class RegexSubstitution {
 public:
  // INVALID_ARGUMENT for a bad template ("bad escape \q at position 3", "invalid group
  // reference 4 at position 1", "unknown group name 'x'", ...).
  static Result<RegexSubstitution> Compile(const Regex& regex, std::string_view replacement);

  // re.sub(pattern, replacement, text). Each match may scan to the end of the text, so a
  // pathological pattern over a long text costs O(len²): `deadline` is checked every 64 matches
  // (CANCELLED / DEADLINE_EXCEEDED "re.sub: ...").
  Result<std::string> Apply(std::string_view text, const Deadline& deadline = Deadline()) const;

  const Regex& regex() const { return regex_; }

 private:
  // One piece of the template: literal text or a group reference.
  struct Piece {
    bool is_group = false;
    size_t group = 0;
    std::string literal;
  };
  friend class TemplateParser;
  RegexSubstitution(Regex regex, std::vector<Piece> pieces)
      : regex_(std::move(regex)), pieces_(std::move(pieces)) {}

  Regex regex_;
  std::vector<Piece> pieces_;
};

}  // namespace meridian::core
