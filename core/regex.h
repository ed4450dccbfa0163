// Regex: a compiled regular expression in Python `re` syntax, run on RE2 — linear time in the
// text, bounded memory, no recursion — for every pattern that comes from outside (render
// functions, seriesByTag, tag autocomplete filters, storage schemas, alert rules).
//
//   ASSIGN_OR_RETURN(core::Regex re, core::Regex::Compile("^servers\\.(?P<dc>\\w+)\\."));
//   if (re.PartialMatch(name)) ...
//
// Syntax: Python 3.11's, as graphite-web and carbon compile patterns; core/internal/python_regex.h
// lists what is rewritten for RE2 and what is refused. Refused (INVALID_ARGUMENT): constructs RE2
// cannot run in linear time — back-references, lookahead/lookbehind, conditionals, atomic groups,
// possessive quantifiers — plus the verbose flag, patterns longer than
// RegexOptions::max_pattern_bytes, repeats over 1000, and programs larger than
// RegexOptions::max_mem_bytes. Every error message names the pattern.
//
// Semantics (differences from Python's `re` on str patterns):
//   - Text and pattern are UTF-8: `.` and a class match one code point; (?i) folds Unicode case.
//     Bytes that are not valid UTF-8 in the text match no literal, class or `.`. A pattern that is
//     not valid UTF-8 is INVALID_ARGUMENT.
//   - `\d`, `\w`, `\s`, `\b` are ASCII, as with Python's re.ASCII flag (Python's default also
//     counts non-ASCII letters and digits).
//   - `$` (without (?m)) matches only at the very end; Python also before a final "\n" (series
//     names never contain one).
//   - ForEachMatch: right after an empty match, Python takes the first non-empty match at the
//     same position in backtracking order; here the longest one. They differ only for patterns
//     whose preferred match there is empty but that also match non-empty text there (lazy
//     quantifiers, empty-first alternations such as "a*?" or "(|a|ab)").
// Cost: a match is O(len(text) × len(pattern)) at worst and needs no stack; ForEachMatch is at
// worst quadratic in len(text) (each match may scan to the end of the text), never exponential.
//
// Thread-safety: a compiled Regex is immutable and may be used from many threads at once.
// Copies are cheap and share the compiled program.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace meridian::core {

// Longest pattern Compile accepts by default, in bytes.
inline constexpr size_t kRegexMaxPatternBytes = 4096;
// Memory RE2 may use per compiled pattern by default (program and DFA caches), in bytes. A
// pattern whose program does not fit is refused; a search whose DFA cache fills falls back to
// RE2's NFA (still linear time).
inline constexpr int64_t kRegexMaxMemBytes = int64_t{8} << 20;

struct RegexOptions {
  // Longest pattern accepted, in bytes. Default kRegexMaxPatternBytes (4 KiB).
  size_t max_pattern_bytes = kRegexMaxPatternBytes;
  // RE2's max_mem, in bytes. Default kRegexMaxMemBytes (8 MiB); at least 64 KiB.
  int64_t max_mem_bytes = kRegexMaxMemBytes;

  // INVALID_ARGUMENT when a field is out of range.
  Status Validate() const;
};

// One match: byte offsets into the searched text.
struct RegexMatch {
  // groups[0] is the whole match, groups[i] capture group i; nullopt for a group that did not
  // take part in the match. Views point into the searched text.
  std::vector<std::optional<std::string_view>> groups;
  size_t begin = 0;  // of groups[0] in the text
  size_t end = 0;
};

class Regex {
 public:
  // Compiles Python-syntax `pattern`. INVALID_ARGUMENT "invalid regex '<pattern>': <why>" for
  // a pattern that is refused (see above) or does not parse; INVALID_ARGUMENT for bad options.
  static Result<Regex> Compile(std::string_view pattern, const RegexOptions& options = {});

  // re.search(pattern, text) is not None: a match anywhere.
  bool PartialMatch(std::string_view text) const;
  // re.match(pattern, text) is not None: a match starting at the start of `text`.
  bool MatchesAtStart(std::string_view text) const;
  // re.fullmatch(pattern, text) is not None.
  bool FullMatch(std::string_view text) const;

  // Calls `fn` for each match of re.finditer(pattern, text), left to right, non-overlapping,
  // with Python >= 3.7's empty-match rule (an empty match may follow a non-empty one directly;
  // after an empty match the search resumes at the same position but needs a non-empty match
  // there, else moves on one code point). Stops early when `fn` returns false. This is the
  // iteration re.sub is built on.
  void ForEachMatch(std::string_view text, const std::function<bool(const RegexMatch&)>& fn) const;

  // Number of capture groups; names of the named ones → their numbers.
  size_t group_count() const;
  const std::map<std::string, size_t, std::less<>>& group_names() const;
  // The Python-syntax pattern it was compiled from.
  const std::string& pattern() const;

 private:
  struct Impl;
  explicit Regex(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

  std::shared_ptr<const Impl> impl_;  // never null
};

}  // namespace meridian::core
