// Graphite plaintext lines ("path value timestamp") with carbon's semantics
// (carbon lib/carbon/protocols.py MetricLineReceiver / MetricReceiver.metricReceived):
//   - fields split on any run of whitespace (tabs, double spaces, a trailing \r); exactly 3;
//   - value and timestamp parsed like Python's float(): 1e3, +1, inf, -Infinity, nan, 1_000;
//   - a NaN value is dropped (kNanValue: carbon drops it silently; we count it);
//   - ±inf values are kept; a NaN or infinite timestamp is rejected;
//   - a timestamp t with int(t) == -1, i.e. t in (-2, -1], means "now";
//   - the timestamp is truncated toward zero to whole seconds;
//   - the path is normalized as carbon's TaggedSeries (core/tagged_name.h) would;
//   - an untagged path must be storable as a whisper file: no empty node (`a..b`, `.a`, `a.`) and
//     no control character (U+0000-U+001F, U+007F-U+009F); ingest/README.md "Name hygiene".
//     Tagged paths (`name;k=v`, `name{k="v"}`) get carbon's TaggedSeries validation only.
// Socket-free and allocation-free in steady state. See ingest/README.md for deliberate
// differences from carbon.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace meridian::ingest {

enum class ParseResult : uint8_t {
  kOk = 0,
  kEmpty,          // blank or whitespace-only line: skip, not an error
  kTooFewFields,   // fewer than 3 fields
  kTooManyFields,  // more than 3 fields
  kBadValue,       // value is not a Python float
  kBadTimestamp,   // not a Python float, NaN, ±inf, or beyond int64 seconds
  kNanValue,       // value is NaN: dropped as carbon drops it
  kBadTags,        // carbon's TaggedSeries cannot parse the path (e.g. "a;b", "a;t=~v", "~")
  kBadUtf8,        // the line is not valid UTF-8
  kEmptyNode,      // untagged path with an empty node: "a..b", ".a", "a."
  kControlChar,    // untagged path holding a control character (NUL, 0x01, DEL, U+0080...)
  kTooLong,        // longer than max_line_bytes: never returned by ParseLine (it has no limit);
                   // the receivers that enforce the limit report it with this reason
  kWhitespace,     // ValidatePoint only (pickle): the name holds whitespace, which a plaintext
                   // line cannot carry (it would split into more fields)
};
inline constexpr size_t kParseResultCount = 13;

// "ok", "empty", "too_few_fields", "too_many_fields", "bad_value", "bad_timestamp", "nan_value",
// "bad_tags", "bad_utf8", "empty_node", "control_char", "too_long", "whitespace": the `reason`
// label of ingest_lines_rejected_total and ingest_pickle_points_rejected_total.
std::string_view ParseResultName(ParseResult r);

// True for every result except kOk and kEmpty.
inline bool IsRejection(ParseResult r) { return r != ParseResult::kOk && r != ParseResult::kEmpty; }

struct ParsedLine {
  // The canonical series name. Points into the parsed line (untagged names, the common case) or
  // into name_buffer (normalized names): valid until the line's bytes or this object change.
  std::string_view path;
  double value = 0;
  int64_t timestamp = 0;  // Unix seconds
  // Storage for normalized names, reused across calls. Do not copy a ParsedLine and keep `path`.
  std::string name_buffer;
};

// Parses one line (without its '\n'; a trailing '\r' is whitespace). `now_seconds` replaces
// timestamps in (-2, -1]. On kOk all fields of *out are set; otherwise *out is unspecified.
// REQUIRES: out != nullptr. Thread-compatible (distinct ParsedLine per thread).
ParseResult ParseLine(std::string_view line, int64_t now_seconds, ParsedLine* out);

// The rules ParseLine applies after the field split, for a point whose timestamp and value are
// already numbers (carbon's pickle receiver: float() applied by the decoder), so a pickled point
// is accepted exactly when the same point as a plaintext line would be:
//   - NaN value → kNanValue (checked first, as carbon does before int(timestamp));
//   - NaN/±inf timestamp or one beyond int64 seconds → kBadTimestamp; truncated toward zero;
//     int(t) == -1 → now_seconds;
//   - `path` must be valid UTF-8 (kBadUtf8), hold no whitespace (kWhitespace) and be non-empty
//     (kEmptyNode); then the same normalization and name hygiene as ParseLine.
// `out->path` points into `path` or out->name_buffer. REQUIRES: out != nullptr. Thread-compatible.
ParseResult ValidatePoint(std::string_view path, double timestamp, double value,
                          int64_t now_seconds, ParsedLine* out);

// Cuts a byte buffer into '\n'-terminated lines, without copying. A trailing unterminated tail is
// left in remainder() (the TCP caller keeps it until more bytes arrive).
class LineSplitter {
 public:
  explicit LineSplitter(std::string_view buffer) : rest_(buffer) {}

  // Sets *line to the next complete line without its '\n'. False when none is left.
  bool Next(std::string_view* line);
  // Bytes after the last '\n'.
  std::string_view remainder() const { return rest_; }
  // Bytes consumed so far (complete lines plus their '\n').
  size_t consumed() const { return consumed_; }

 private:
  std::string_view rest_;
  size_t consumed_ = 0;
};

// Splits a UDP datagram into lines like Python's str.splitlines() (\n, \r\n, \r and the other
// Unicode line breaks); a final line without a break counts. Returns false when none is left.
bool NextDatagramLine(std::string_view* rest, std::string_view* line);

}  // namespace meridian::ingest
