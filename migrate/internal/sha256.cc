#include "migrate/internal/sha256.h"

#include <openssl/evp.h>

#include <cstdio>

namespace meridian::migrate::internal {

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  // EVP_Digest with a fixed, always-available algorithm cannot fail short of memory exhaustion;
  // an empty result then makes every lookup miss (the file is reported), never a crash.
  if (EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr) != 1) return "";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xf]);
  }
  return out;
}

}  // namespace meridian::migrate::internal
