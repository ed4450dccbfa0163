// The two pieces of Python str semantics carbon's receivers rely on, over UTF-8 bytes:
// str.split() (fields separated by runs of Unicode whitespace) and str.splitlines() (UDP).
#pragma once

#include <cstddef>
#include <string_view>

namespace meridian::ingest::internal {

// Up to the first 3 whitespace-separated fields of a line, and how many there were (capped at 4,
// meaning "more than 3").
struct Fields {
  std::string_view field[3];
  int count = 0;
  // The first field holds a control character (U+0000-U+001F that is not whitespace, U+007F-
  // U+009F). Found during the split at no extra cost per byte (ParseLine's name check).
  bool first_has_control = false;
};

enum class SplitStatus { kOk, kBadUtf8 };

// Splits `line` like Python's line.strip().split(): whitespace is every code point for which
// str.isspace() is true (ASCII \t \n \v \f \r, 0x1C-0x1F, space; and U+0085, U+00A0, U+1680,
// U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000). ASCII-only lines take a table-driven
// fast path; a line with any byte >= 0x80 is first validated as strict UTF-8 (as Python's
// decode('utf-8') is) and kBadUtf8 returned if it is not. Thread-safe.
SplitStatus SplitFields(std::string_view line, Fields* out);

// True when valid UTF-8 `text` holds a control character as Fields::first_has_control defines it
// (for names that normalization rebuilt, which SplitFields never saw). Thread-safe.
bool HasControlChar(std::string_view text);

// Cuts the next line off `*rest` like Python's str.splitlines(): breaks are \n, \r, \r\n, \v, \f,
// 0x1C, 0x1D, 0x1E, U+0085, U+2028, U+2029; the break is not part of the line; a final line without
// a break counts. Returns false when `*rest` is empty. Thread-safe.
bool NextUniversalLine(std::string_view* rest, std::string_view* line);

}  // namespace meridian::ingest::internal
