// ASCII helpers shared by the parsers (Python-compatible number and keyword spellings).
#pragma once

#include <string_view>

namespace meridian::core {

// True when `s` equals `lower` ignoring ASCII case. REQUIRES: `lower` is lower-case ASCII.
inline bool EqualsIgnoreAsciiCase(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

}  // namespace meridian::core
