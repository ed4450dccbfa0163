// Bearer tokens with scopes: who may read, write (tag series) and administer (delete series,
// reload rules).
//
// Credentials come as `Authorization: Bearer <token>`, or as HTTP Basic with the token as the
// password (for tools that only speak Basic; the user name is ignored). Tokens are kept as
// SHA-256 digests only and compared in constant time against every entry (no early exit), so
// neither the file's order nor a timing difference tells which bytes were right. A token is
// never logged, echoed in an error, or counted under its own name (only the entry's `name`).
//
// Scopes are cumulative: admin ⊃ write ⊃ read.
//
// Thread-safety: Authorize() may run on any thread while Replace() swaps the set (SIGHUP).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "http/message.h"
#include "http/router.h"

namespace meridian::http {

using Sha256 = std::array<uint8_t, 32>;
Sha256 Sha256Of(std::string_view bytes);
// Parses 64 hex digits. INVALID_ARGUMENT otherwise.
core::Result<Sha256> ParseSha256Hex(std::string_view hex);

struct TokenEntry {
  std::string name;  // who this is (logs, metrics): never the secret
  Sha256 digest{};   // SHA-256 of the token
  Scope scope = Scope::kRead;
};

struct AuthOptions {
  // With tokens configured, reads (Scope::kRead) need no token when true. Default false.
  bool anonymous_read = false;
};

struct AuthDecision {
  int status = 200;      // 200, 401 (no or unknown credential) or 403 (scope too small)
  std::string message;   // the error body; never contains the credential
  std::string_view who;  // the matching entry's name, "" when anonymous
};

class TokenStore {
 public:
  explicit TokenStore(AuthOptions options = {}) : options_(options) {}
  // Installs a new set (empty = no authentication at all: every route is open).
  void Replace(std::vector<TokenEntry> tokens);
  bool enabled() const;
  size_t size() const;
  // Whether `request` may use a route of `needed` scope.
  AuthDecision Authorize(const Request& request, Scope needed) const;

 private:
  AuthOptions options_;
  mutable std::mutex mu_;
  std::shared_ptr<const std::vector<TokenEntry>> tokens_ =
      std::make_shared<const std::vector<TokenEntry>>();
};

}  // namespace meridian::http
