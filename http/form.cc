#include "http/form.h"

#include <fmt/format.h>

namespace meridian::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The offending text, cut and made printable, for an error message.
std::string Shown(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 60)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u >= 0x7f) ? '?' : c;
  }
  if (text.size() > 60) out += "...";
  return out;
}

}  // namespace

core::Result<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+' && plus_is_space) {
      out += ' ';
    } else if (c == '%') {
      const int hi = i + 2 < text.size() ? HexValue(text[i + 1]) : -1;
      const int lo = hi >= 0 ? HexValue(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return core::InvalidArgument(
            fmt::format("bad percent-encoding at byte {} of '{}'", i, Shown(text)));
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

core::Status ParseUrlEncoded(std::string_view text, Params& out) {
  while (!text.empty()) {
    const size_t amp = text.find('&');
    std::string_view field = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (field.empty()) continue;
    const size_t eq = field.find('=');
    auto key = PercentDecode(field.substr(0, eq), true);
    if (!key.ok()) return core::InvalidArgument("query parameter name: " + key.status().message());
    std::string value;
    if (eq != std::string_view::npos) {
      auto v = PercentDecode(field.substr(eq + 1), true);
      if (!v.ok()) {
        return core::InvalidArgument(
            fmt::format("query parameter '{}': {}", Shown(*key), v.status().message()));
      }
      value = std::move(*v);
    }
    out.emplace(std::move(*key), std::move(value));
  }
  return core::Status::Ok();
}

}  // namespace meridian::http
