#include "ingest/line_parser.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>

#include "core/tagged_name.h"
#include "ingest/internal/python_float.h"
#include "ingest/internal/python_text.h"

namespace meridian::ingest {
namespace {

// Timestamps are nearly always plain decimal seconds: skip the double round trip for them.
// 18 digits cannot overflow int64.
bool ParseDigits(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 18) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// Carbon's int(ts) raises for NaN/inf; int64 is our limit for the rest. -1 means "now".
ParseResult TimestampFromDouble(double ts, int64_t now_seconds, int64_t* out) {
  constexpr double kTwo63 = 9223372036854775808.0;
  if (!std::isfinite(ts) || ts >= kTwo63 || ts <= -kTwo63) return ParseResult::kBadTimestamp;
  *out = static_cast<int64_t>(std::trunc(ts));
  if (*out == -1) *out = now_seconds;
  return ParseResult::kOk;
}

// The value is parsed first only when the timestamp is valid: carbon evaluates
// (float(timestamp), float(value)) left to right, then filters NaN values, then calls int(ts).
ParseResult ParseTimestampAndValue(std::string_view value_text, std::string_view ts_text,
                                   int64_t now_seconds, ParsedLine* out) {
  int64_t ts_int = 0;
  bool ts_is_int = ParseDigits(ts_text, &ts_int);
  double ts = 0;
  if (!ts_is_int && !internal::ParsePythonFloat(ts_text, &ts)) return ParseResult::kBadTimestamp;
  if (!internal::ParsePythonFloat(value_text, &out->value)) return ParseResult::kBadValue;
  if (std::isnan(out->value)) return ParseResult::kNanValue;
  if (ts_is_int) {
    out->timestamp = ts_int;
    return ParseResult::kOk;
  }
  return TimestampFromDouble(ts, now_seconds, &out->timestamp);
}

// Bit 7 of byte j set when bytes j and j + 1 of `x` (memory order) are both '.'.
uint64_t DotPairs(const char* p) {
  static_assert(std::endian::native == std::endian::little);
  constexpr uint64_t k7F = 0x7F7F7F7F7F7F7F7FULL;
  uint64_t x;
  std::memcpy(&x, p, 8);
  const uint64_t t = x ^ 0x2E2E2E2E2E2E2E2EULL;
  const uint64_t dots = ~(((t & k7F) + k7F) | t | k7F);  // 0x80 in each byte that is '.'
  return dots & (dots >> 8);
}

// True when `s` holds "..". Runs on every name: eight bytes at a time without a branch per
// chunk (std::string_view::find costs a memchr and a memcmp per dot).
bool HasDoubleDot(std::string_view s) {
  const char* p = s.data();
  const size_t n = s.size();
  if (n < 8) {
    for (size_t i = 0; i + 1 < n; ++i) {
      if (p[i] == '.' && p[i + 1] == '.') return true;
    }
    return false;
  }
  uint64_t pairs = 0;
  // Chunks overlap by one byte so a pair across two chunks is seen; the last one ends at n.
  for (size_t i = 0; i + 8 < n; i += 7) pairs |= DotPairs(p + i);
  pairs |= DotPairs(p + n - 8);
  return pairs != 0;
}

// Carbon stores an untagged name as the whisper file <node>/<node>/.../<node>.wsp. An empty node
// makes a path that aliases another series ("a..b" and ".a" land in a/b.wsp and a.wsp) or that
// graphite-web never lists ("a." is a/.wsp, a hidden file); NUL makes the create fail. Control
// characters are rejected too: they would reach file names, logs and terminals; SplitFields found
// those already. REQUIRES: !name.empty().
ParseResult CheckPlainName(std::string_view name, bool has_control) {
  if (has_control) return ParseResult::kControlChar;
  if (name.front() == '.' || name.back() == '.' || HasDoubleDot(name)) {
    return ParseResult::kEmptyNode;
  }
  return ParseResult::kOk;
}

// Normalization and name hygiene, shared by lines and pickled points. `has_control`: `path` holds
// a control character (found by the field split).
ParseResult CheckName(std::string_view path, bool has_control, ParsedLine* out) {
  if (!core::NeedsNormalization(path)) {
    out->path = path;
    return CheckPlainName(path, has_control);
  }
  if (!core::NormalizeSeriesNameTo(path, &out->name_buffer).ok()) return ParseResult::kBadTags;
  out->path = out->name_buffer;
  // What is stored decides the rules: "~a..b" normalizes to the untagged "a..b", and
  // "a\x01;name=x" (carbon keeps the metric part over a name tag) to the untagged "a\x01". The
  // rebuilt name is checked itself: a control character in a dropped tag does not reject it.
  if (out->path.empty()) return ParseResult::kBadTags;
  if (core::IsTagged(out->path)) return ParseResult::kOk;
  return CheckPlainName(out->path, has_control && internal::HasControlChar(out->path));
}

}  // namespace

std::string_view ParseResultName(ParseResult r) {
  switch (r) {
    case ParseResult::kOk:
      return "ok";
    case ParseResult::kEmpty:
      return "empty";
    case ParseResult::kTooFewFields:
      return "too_few_fields";
    case ParseResult::kTooManyFields:
      return "too_many_fields";
    case ParseResult::kBadValue:
      return "bad_value";
    case ParseResult::kBadTimestamp:
      return "bad_timestamp";
    case ParseResult::kNanValue:
      return "nan_value";
    case ParseResult::kBadTags:
      return "bad_tags";
    case ParseResult::kBadUtf8:
      return "bad_utf8";
    case ParseResult::kEmptyNode:
      return "empty_node";
    case ParseResult::kControlChar:
      return "control_char";
    case ParseResult::kTooLong:
      return "too_long";
    case ParseResult::kWhitespace:
      return "whitespace";
  }
  return "unknown";
}

ParseResult ParseLine(std::string_view line, int64_t now_seconds, ParsedLine* out) {
  internal::Fields fields;
  if (internal::SplitFields(line, &fields) == internal::SplitStatus::kBadUtf8) {
    return ParseResult::kBadUtf8;
  }
  if (fields.count == 0) return ParseResult::kEmpty;
  if (fields.count < 3) return ParseResult::kTooFewFields;
  if (fields.count > 3) return ParseResult::kTooManyFields;
  ParseResult r = ParseTimestampAndValue(fields.field[1], fields.field[2], now_seconds, out);
  if (r != ParseResult::kOk) return r;
  return CheckName(fields.field[0], fields.first_has_control, out);
}

ParseResult ValidatePoint(std::string_view path, double timestamp, double value,
                          int64_t now_seconds, ParsedLine* out) {
  if (std::isnan(value)) return ParseResult::kNanValue;
  out->value = value;
  ParseResult r = TimestampFromDouble(timestamp, now_seconds, &out->timestamp);
  if (r != ParseResult::kOk) return r;
  // The field split is the one place that knows Python's whitespace and UTF-8: a name it leaves
  // whole has neither whitespace nor bad bytes.
  internal::Fields fields;
  if (internal::SplitFields(path, &fields) == internal::SplitStatus::kBadUtf8) {
    return ParseResult::kBadUtf8;
  }
  if (fields.count == 0) return path.empty() ? ParseResult::kEmptyNode : ParseResult::kWhitespace;
  if (fields.count > 1 || fields.field[0].size() != path.size()) return ParseResult::kWhitespace;
  return CheckName(path, fields.first_has_control, out);
}

bool LineSplitter::Next(std::string_view* line) {
  if (rest_.empty()) return false;
  const void* nl = std::memchr(rest_.data(), '\n', rest_.size());
  if (nl == nullptr) return false;
  size_t len = static_cast<size_t>(static_cast<const char*>(nl) - rest_.data());
  *line = rest_.substr(0, len);
  rest_.remove_prefix(len + 1);
  consumed_ += len + 1;
  return true;
}

bool NextDatagramLine(std::string_view* rest, std::string_view* line) {
  return internal::NextUniversalLine(rest, line);
}

}  // namespace meridian::ingest
