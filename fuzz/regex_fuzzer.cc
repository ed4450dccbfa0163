// Feeds arbitrary bytes to the Python-regex translation and matching (core::Regex over RE2) and
// to re.sub's template expansion (query's PyRegex). Input: pattern NUL replacement NUL text (a
// missing part is empty). Checks what must hold for every input:
//   - it returns (no crash, no sanitizer report, no deep recursion, no runaway time or memory);
//   - a translation error is INVALID_ARGUMENT with a position inside the pattern, and Compile
//     then fails too; every Compile error is INVALID_ARGUMENT naming the pattern;
//   - FullMatch implies MatchesAtStart implies PartialMatch;
//   - ForEachMatch yields ordered, non-overlapping matches inside the text, never two empty ones
//     at one position, groups inside the text; its first match starts at 0 exactly when
//     MatchesAtStart holds, and it yields one exactly when PartialMatch holds;
//   - Sub returns a string or INVALID_ARGUMENT.
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/internal/python_regex.h"
#include "core/regex.h"
#include "query/functions/py_regex.h"

namespace {

using meridian::core::Regex;
using meridian::core::RegexMatch;
using meridian::core::StatusCode;

[[noreturn]] void Fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "regex_fuzzer: %s: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

std::string_view NextPart(std::string_view* input) {
  size_t nul = input->find('\0');
  std::string_view part = input->substr(0, nul);
  input->remove_prefix(nul == std::string_view::npos ? input->size() : nul + 1);
  return part;
}

void CheckTranslationError(const meridian::core::Status& status, std::string_view pattern) {
  const std::string& m = status.message();
  if (status.code() != StatusCode::kInvalidArgument) Fail("translation: not INVALID_ARGUMENT", m);
  size_t at = m.rfind(" at position ");
  if (at == std::string::npos) Fail("translation error without a position", m);
  size_t position = 0;
  std::string_view digits = std::string_view(m).substr(at + 13);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), position);
  if (ec != std::errc() || end != digits.data() + digits.size() || position > pattern.size()) {
    Fail("translation error position outside the pattern", m);
  }
}

void CheckMatches(const Regex& re, std::string_view text) {
  const bool partial = re.PartialMatch(text);
  const bool at_start = re.MatchesAtStart(text);
  const bool full = re.FullMatch(text);
  if (full && !at_start) Fail("FullMatch without MatchesAtStart", re.pattern());
  if (at_start && !partial) Fail("MatchesAtStart without PartialMatch", re.pattern());
  size_t count = 0;
  size_t last_end = 0;
  bool last_empty = false;
  re.ForEachMatch(text, [&](const RegexMatch& m) {
    if (m.begin > m.end || m.end > text.size()) Fail("match outside the text", re.pattern());
    if (m.begin < last_end) Fail("overlapping or unordered matches", re.pattern());
    if (last_empty && m.begin == m.end && m.begin == last_end) {
      Fail("two empty matches at one position", re.pattern());
    }
    if (count == 0 && (m.begin == 0) != at_start) {
      Fail("first match start disagrees with MatchesAtStart", re.pattern());
    }
    if (m.groups.size() != re.group_count() + 1 || !m.groups[0]) {
      Fail("bad group vector", re.pattern());
    }
    for (const auto& g : m.groups) {
      if (g && (g->data() < text.data() || g->data() + g->size() > text.data() + text.size())) {
        Fail("group outside the text", re.pattern());
      }
    }
    last_empty = m.begin == m.end;
    last_end = m.end;
    ++count;
    return true;
  });
  if ((count > 0) != partial) Fail("ForEachMatch disagrees with PartialMatch", re.pattern());
  // At most one empty match per position plus one non-empty match per byte.
  if (count > 2 * text.size() + 1) Fail("more matches than positions", re.pattern());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string_view pattern = NextPart(&input);
  const std::string_view repl = NextPart(&input);
  const std::string_view text = input;

  auto translated = meridian::core::internal::TranslatePythonRegex(pattern);
  if (!translated.ok()) CheckTranslationError(translated.status(), pattern);

  auto re = Regex::Compile(pattern);
  if (!re.ok()) {
    const std::string& m = re.status().message();
    if (re.status().code() != StatusCode::kInvalidArgument)
      Fail("compile: not INVALID_ARGUMENT", m);
    if (m.rfind("invalid regex '", 0) != 0) Fail("compile error does not name the pattern", m);
    return 0;
  }
  if (!translated.ok()) Fail("compiled a pattern whose translation failed", pattern);
  CheckMatches(*re, text);
  CheckMatches(*re, pattern);

  auto py = meridian::query::functions::PyRegex::Compile(pattern);
  if (!py.ok()) Fail("PyRegex refused what Regex compiled", pattern);
  auto sub = py->Sub(repl, text);
  if (!sub.ok() && sub.status().code() != StatusCode::kInvalidArgument) {
    Fail("Sub: not INVALID_ARGUMENT", sub.status().message());
  }
  return 0;
}
