#include "query/internal/py_json.h"

#include <fmt/format.h>

#include <charconv>
#include <iterator>

namespace meridian::query::internal {
namespace {

// One UTF-8 sequence at s[i]: its code point and length, or -1 for an invalid byte.
int32_t DecodeUtf8(std::string_view s, size_t i, size_t* len) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  int n = b0 >= 0xf0 ? 4 : b0 >= 0xe0 ? 3 : 2;
  int32_t cp = b0 & (0x7f >> n);
  if (b0 < 0xc2 || b0 > 0xf4 || i + n > s.size()) return -1;
  for (int k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xc0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3f);
  }
  const int32_t min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) return -1;
  *len = static_cast<size_t>(n);
  return cp;
}

void AppendU(int32_t unit, std::string* out) {
  fmt::format_to(std::back_inserter(*out), "\\u{:04x}", unit);
}

}  // namespace

void AppendInt(int64_t v, std::string* out) {
  char buf[24];
  out->append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

// A JSON string as Python's json.dumps writes it. ensure_ascii escapes everything outside
// ' '..'~' (astral code points as surrogate pairs); an invalid UTF-8 byte b becomes \udcXX, the
// str Python's surrogateescape gives a file name holding it.
void AppendPyString(std::string_view s, bool ensure_ascii, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out->append("\\\"");
          break;
        case '\\':
          out->append("\\\\");
          break;
        case '\n':
          out->append("\\n");
          break;
        case '\r':
          out->append("\\r");
          break;
        case '\t':
          out->append("\\t");
          break;
        case '\b':
          out->append("\\b");
          break;
        case '\f':
          out->append("\\f");
          break;
        default:
          if (c < 0x20 || (c == 0x7f && ensure_ascii)) {
            AppendU(c, out);
          } else {
            out->push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    size_t len = 1;
    const int32_t cp = DecodeUtf8(s, i, &len);
    if (cp < 0) {
      AppendU(0xdc00 | c, out);
    } else if (!ensure_ascii) {
      out->append(s.substr(i, len));
    } else if (cp >= 0x10000) {
      AppendU(0xd800 | ((cp - 0x10000) >> 10), out);
      AppendU(0xdc00 | ((cp - 0x10000) & 0x3ff), out);
    } else {
      AppendU(cp, out);
    }
    i += len;
  }
  out->push_back('"');
}

FormattedBody WrapJsonp(std::string body, const std::string& jsonp, std::string content_type) {
  if (jsonp.empty()) return {std::move(body), std::move(content_type)};
  return {fmt::format("{}({})", jsonp, body), "text/javascript"};
}

}  // namespace meridian::query::internal
