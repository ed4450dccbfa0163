#include "ingest/internal/python_text.h"

#include <array>
#include <cstdint>

namespace meridian::ingest::internal {
namespace {

enum ByteClass : uint8_t { kOther = 0, kSpace = 1, kHigh = 2, kControl = 4 };

constexpr std::array<uint8_t, 256> MakeByteClasses() {
  std::array<uint8_t, 256> t{};
  for (int c = 0x00; c <= 0x1F; ++c) t[c] = kControl;
  t[0x7F] = kControl;
  for (int c = 0x09; c <= 0x0D; ++c) t[c] = kSpace;
  for (int c = 0x1C; c <= 0x20; ++c) t[c] = kSpace;
  for (int c = 0x80; c <= 0xFF; ++c) t[c] = kHigh;
  return t;
}
constexpr std::array<uint8_t, 256> kByteClass = MakeByteClasses();

bool IsCont(unsigned char c) { return (c & 0xC0) == 0x80; }

// Strict UTF-8 (no overlongs, surrogates or code points above U+10FFFF), as Python decodes.
// Returns the sequence length, or 0 when the bytes at `p` are not valid UTF-8.
size_t DecodeUtf8(const unsigned char* p, const unsigned char* end, uint32_t* cp) {
  unsigned char c = p[0];
  size_t avail = static_cast<size_t>(end - p);
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF) {
    if (avail < 2 || !IsCont(p[1])) return 0;
    *cp = ((c & 0x1Fu) << 6) | (p[1] & 0x3Fu);
    return 2;
  }
  if (c >= 0xE0 && c <= 0xEF) {
    if (avail < 3 || !IsCont(p[1]) || !IsCont(p[2])) return 0;
    if (c == 0xE0 && p[1] < 0xA0) return 0;  // overlong
    if (c == 0xED && p[1] > 0x9F) return 0;  // surrogate
    *cp = ((c & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (avail < 4 || !IsCont(p[1]) || !IsCont(p[2]) || !IsCont(p[3])) return 0;
    if (c == 0xF0 && p[1] < 0x90) return 0;  // overlong
    if (c == 0xF4 && p[1] > 0x8F) return 0;  // above U+10FFFF
    *cp = ((c & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
    return 4;
  }
  return 0;
}

// Unicode category Cc minus whitespace (which separates fields and never reaches one).
bool IsControl(uint32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

bool IsUnicodeSpace(uint32_t cp) {
  if (cp < 0x80) return kByteClass[cp] == kSpace;
  return cp == 0x85 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

void AddField(Fields* out, const unsigned char* begin, const unsigned char* end) {
  if (out->count < 3) {
    out->field[out->count] =
        std::string_view(reinterpret_cast<const char*>(begin), static_cast<size_t>(end - begin));
  }
  if (out->count < 4) ++out->count;
}

SplitStatus SplitFieldsUnicode(std::string_view line, Fields* out) {
  *out = Fields{};
  const auto* p = reinterpret_cast<const unsigned char*>(line.data());
  const auto* end = p + line.size();
  const unsigned char* token = nullptr;
  while (p < end) {
    uint32_t cp = 0;
    size_t n = DecodeUtf8(p, end, &cp);
    if (n == 0) return SplitStatus::kBadUtf8;
    if (IsUnicodeSpace(cp)) {
      if (token != nullptr) AddField(out, token, p);
      token = nullptr;
    } else {
      if (token == nullptr) token = p;
      if (out->count == 0 && IsControl(cp)) out->first_has_control = true;
    }
    p += n;
  }
  if (token != nullptr) AddField(out, token, end);
  return SplitStatus::kOk;
}

bool HasHighByte(const unsigned char* p, const unsigned char* end) {
  for (; p < end; ++p) {
    if (*p >= 0x80) return true;
  }
  return false;
}

}  // namespace

SplitStatus SplitFields(std::string_view line, Fields* out) {
  out->count = 0;
  out->first_has_control = false;
  const auto* p = reinterpret_cast<const unsigned char*>(line.data());
  const auto* end = p + line.size();
  for (;;) {
    while (p < end && kByteClass[*p] == kSpace) ++p;
    if (p == end) return SplitStatus::kOk;
    const unsigned char* token = p;
    uint8_t seen = 0;
    uint8_t cls;
    while (p < end && (cls = kByteClass[*p]) != kSpace) {
      seen |= cls;
      ++p;
    }
    if (seen & kHigh) return SplitFieldsUnicode(line, out);
    if (out->count == 0) out->first_has_control = (seen & kControl) != 0;
    if (out->count == 3) {
      // Already rejected as too many fields, but a non-UTF-8 line is reported as such.
      if (HasHighByte(p, end)) return SplitFieldsUnicode(line, out);
      out->count = 4;
      return SplitStatus::kOk;
    }
    AddField(out, token, p);
  }
}

bool HasControlChar(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    uint32_t cp = 0;
    size_t n = DecodeUtf8(p, end, &cp);
    if (n == 0) return true;  // not reachable from a validated line; never pass bad bytes on
    if (IsControl(cp)) return true;
    p += n;
  }
  return false;
}

bool NextUniversalLine(std::string_view* rest, std::string_view* line) {
  if (rest->empty()) return false;
  const auto* begin = reinterpret_cast<const unsigned char*>(rest->data());
  const auto* end = begin + rest->size();
  for (const unsigned char* p = begin; p < end; ++p) {
    size_t break_len = 0;
    switch (*p) {
      case '\r':
        break_len = (p + 1 < end && p[1] == '\n') ? 2 : 1;
        break;
      case '\n':
      case '\v':
      case '\f':
      case 0x1C:
      case 0x1D:
      case 0x1E:
        break_len = 1;
        break;
      case 0xC2:  // U+0085
        if (p + 1 < end && p[1] == 0x85) break_len = 2;
        break;
      case 0xE2:  // U+2028, U+2029
        if (p + 2 < end && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) break_len = 3;
        break;
      default:
        break;
    }
    if (break_len != 0) {
      size_t len = static_cast<size_t>(p - begin);
      *line = rest->substr(0, len);
      rest->remove_prefix(len + break_len);
      return true;
    }
  }
  *line = *rest;
  *rest = std::string_view();
  return true;
}

}  // namespace meridian::ingest::internal
