// The bearer tokens file (http.auth.tokens_file), read at start-up and on SIGHUP:
//
//   tokens:
//     - name: grafana           # who: shown in logs and errors, never the secret
//       token: "…"              # the bearer token itself (at least 16 characters), or
//       sha256: "64 hex digits" # its SHA-256 (`printf %s TOKEN | sha256sum`): no secret on disk
//       scope: read             # read | write | admin (admin ⊃ write ⊃ read)
//
// Errors name the file, line and key, never a token's value. Names must be unique, and so must
// tokens. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "http/auth.h"

namespace meridian::app {

core::Result<std::vector<http::TokenEntry>> LoadTokensFile(const std::string& path);
// The same, from text (tests); `source` names it in errors.
core::Result<std::vector<http::TokenEntry>> ParseTokensYaml(std::string_view text,
                                                            std::string_view source);

}  // namespace meridian::app
