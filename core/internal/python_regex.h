// Translation of Python `re` pattern syntax (Python 3.11, str patterns, as graphite-web and carbon
// compile them) into RE2 syntax with the same meaning. Used by core::Regex; exposed here so that
// tests and fuzz/regex_fuzzer.cc can reach it.
//
// What is rewritten (Python → RE2):
//   `\Z` → `\z`; `{,n}` → `{0,n}`; `\xhh`, `\uhhhh`, `\Uhhhhhhhh`, octal escapes (`\0`, `\012`,
//   `\377`, `[\1]`) → `\x{...}`; `\b` inside a class (backspace) → `\x{8}`; `\s` / `\S` →
//   explicit classes that include `\v` (RE2's `\s` lacks it); escaped punctuation and space →
//   `\x{..}`; `\_` and escaped non-ASCII characters → the character; `[` inside a class and `]`
//   first in a class → escaped; `(?#...)` comments dropped; the inline flags `a` and `u`
//   dropped (classes are ASCII, as Python's re.ASCII); `i`, `m`, `s` kept (global flags only at
//   the start of the pattern, as Python 3.11 requires; scoped `(?i-s:...)` anywhere).
// What RE2 cannot run (INVALID_ARGUMENT naming the construct): back-references (`\1`,
// `(?P=name)`), lookahead / lookbehind, conditionals `(?(1)...)`, atomic groups `(?>...)`,
// possessive quantifiers (`a*+`), the verbose flag `x`, `\N{name}`. Escapes Python itself refuses
// (`\q`, `\p`, `\z`, `\A` inside a class, incomplete `\x`) are INVALID_ARGUMENT too. Anything
// else is left to RE2's parser (unbalanced parentheses, bad ranges, repeats over 1000).
//
// Pure function; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace meridian::core::internal {

// The RE2 pattern for Python pattern `pattern`. Error messages name the construct and its
// position, not the whole pattern (the caller adds it).
Result<std::string> TranslatePythonRegex(std::string_view pattern);

}  // namespace meridian::core::internal
