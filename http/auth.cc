#include "http/auth.h"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "core/ascii.h"

namespace meridian::http {
namespace {

// The credential in an Authorization header: a Bearer token, or a Basic password.
std::string Credential(std::string_view header) {
  while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
  auto starts = [&](std::string_view scheme) {
    if (header.size() <= scheme.size() || header[scheme.size()] != ' ') return false;
    return core::EqualsIgnoreAsciiCase(header.substr(0, scheme.size()), scheme);
  };
  if (starts("bearer")) {
    std::string_view t = header.substr(7);
    while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
    while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
    return std::string(t);
  }
  if (starts("basic")) {
    std::string_view b64 = header.substr(6);
    while (!b64.empty() && b64.front() == ' ') b64.remove_prefix(1);
    while (!b64.empty() && b64.back() == ' ') b64.remove_suffix(1);
    if (b64.empty() || b64.size() > 4096 || b64.size() % 4 != 0) return {};
    std::string raw(b64.size() / 4 * 3, '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(raw.data()),
                                  reinterpret_cast<const unsigned char*>(b64.data()),
                                  static_cast<int>(b64.size()));
    if (n < 0) return {};
    size_t len = static_cast<size_t>(n);
    if (b64.ends_with("==")) {
      len -= 2;
    } else if (b64.ends_with("=")) {
      len -= 1;
    }
    raw.resize(len);
    const size_t colon = raw.find(':');
    return colon == std::string::npos ? std::string() : raw.substr(colon + 1);
  }
  return {};
}

}  // namespace

Sha256 Sha256Of(std::string_view bytes) {
  Sha256 out{};
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), out.data());
  return out;
}

core::Result<Sha256> ParseSha256Hex(std::string_view hex) {
  Sha256 out{};
  if (hex.size() != 64) return core::InvalidArgument("a SHA-256 is 64 hex digits");
  for (size_t i = 0; i < 32; ++i) {
    int v = 0;
    for (char c : hex.substr(2 * i, 2)) {
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= c - '0';
      } else if (c >= 'a' && c <= 'f') {
        v |= c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        v |= c - 'A' + 10;
      } else {
        return core::InvalidArgument("a SHA-256 is 64 hex digits");
      }
    }
    out[i] = static_cast<uint8_t>(v);
  }
  return out;
}

void TokenStore::Replace(std::vector<TokenEntry> tokens) {
  auto next = std::make_shared<const std::vector<TokenEntry>>(std::move(tokens));
  std::lock_guard lock(mu_);
  tokens_ = std::move(next);
}

bool TokenStore::enabled() const { return size() > 0; }

size_t TokenStore::size() const {
  std::lock_guard lock(mu_);
  return tokens_->size();
}

AuthDecision TokenStore::Authorize(const Request& request, Scope needed) const {
  std::shared_ptr<const std::vector<TokenEntry>> tokens;
  {
    std::lock_guard lock(mu_);
    tokens = tokens_;
  }
  AuthDecision d;
  if (needed == Scope::kNone || tokens->empty()) return d;
  const std::string credential = Credential(request.Header("authorization"));
  if (credential.empty()) {
    if (needed == Scope::kRead && options_.anonymous_read) return d;
    d.status = 401;
    d.message = fmt::format("this route needs a bearer token with scope '{}'", ScopeName(needed));
    return d;
  }
  const Sha256 digest = Sha256Of(credential);
  const TokenEntry* match = nullptr;
  for (const TokenEntry& t : *tokens) {  // every entry, whatever matched before
    const bool equal = CRYPTO_memcmp(t.digest.data(), digest.data(), digest.size()) == 0;
    if (equal && match == nullptr) match = &t;
  }
  if (match == nullptr) {
    d.status = 401;
    d.message = "invalid token";
    return d;
  }
  d.who = match->name;
  if (static_cast<int>(match->scope) < static_cast<int>(needed)) {
    d.status = 403;
    d.message = fmt::format("token '{}' has scope '{}'; this route needs '{}'", match->name,
                            ScopeName(match->scope), ScopeName(needed));
  }
  return d;
}

}  // namespace meridian::http
