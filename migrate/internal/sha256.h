// SHA-256 as lower-case hex (carbon names hash-only tagged files by it). OpenSSL's libcrypto
// stays behind this header.
#pragma once

#include <string>
#include <string_view>

namespace meridian::migrate::internal {

// 64 lower-case hex digits of SHA-256(data). Thread-safe.
std::string Sha256Hex(std::string_view data);

}  // namespace meridian::migrate::internal
