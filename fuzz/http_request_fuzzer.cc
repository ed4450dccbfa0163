// Fuzzes the front door's request path without sockets: bytes → the server's parser
// (http/internal/request_bytes.h: header/body limits, pipelined messages, chunked bodies, fed in
// pieces) → ToRequest (target split, percent-decoding, form bodies) → Admit (routing, 404/405,
// bearer tokens).
//
// Checks: no crash or sanitizer report; the parser never accepts a body past its limit; every
// request is either refused with one of the statuses Admit may give or routed, and a routed
// request's captured segments match its pattern; credentials never survive Admit.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/metrics.h"
#include "http/auth.h"
#include "http/internal/request_bytes.h"
#include "http/internal/server_state.h"
#include "http/router.h"

namespace {

using namespace meridian;

constexpr size_t kHeaderLimit = 2048;
constexpr size_t kBodyLimit = 8192;

struct World {
  World() {
    auto add = [&](std::vector<http::Method> m, const char* pattern, http::Scope scope) {
      http::Route r;
      r.methods = std::move(m);
      r.pattern = pattern;
      r.scope = scope;
      r.handler = [](const http::Request& req) { return http::Response::Text(200, req.path); };
      if (!router.Add(std::move(r)).ok()) std::abort();
    };
    add({http::Method::kGet, http::Method::kPost}, "/render", http::Scope::kRead);
    add({http::Method::kGet}, "/health", http::Scope::kNone);
    add({http::Method::kGet}, "/tags/{}", http::Scope::kRead);
    add({http::Method::kPost}, "/tags/delSeries", http::Scope::kAdmin);
    tokens.Replace({{"reader", http::Sha256Of("reader-token-0123456789"), http::Scope::kRead},
                    {"admin", http::Sha256Of("admin-token-01234567890"), http::Scope::kAdmin}});
    http::ServerOptions o;
    o.max_header_bytes = kHeaderLimit;
    o.max_body_bytes = kBodyLimit;
    state = std::make_unique<http::internal::ServerState>(o, router, tokens, metrics);
  }
  http::Router router;
  http::TokenStore tokens;
  core::MetricsRegistry metrics;
  std::unique_ptr<http::internal::ServerState> state;
};

void Check(World& w, http::internal::ParsedRequest& parsed) {
  if (parsed.body_bytes > kBodyLimit) std::abort();
  if (!parsed.converted.ok()) return;  // a 400 with its message
  http::Request& req = parsed.request;
  const std::string credential(req.Header("authorization"));
  const http::Route* route = nullptr;
  http::Response refused;
  if (!http::internal::Admit(*w.state, req, route, refused)) {
    const int s = refused.status;
    if (s != 401 && s != 403 && s != 404 && s != 405) std::abort();
    // The credential is never echoed. A path may contain anything, and a credential may happen
    // to be a piece of the fixed refusal text: only text the credential put there counts, so
    // compare with the answer the same request gets without one.
    if (credential.size() > 8 && req.path.find(credential) == std::string::npos &&
        refused.body.find(credential) != std::string::npos) {
      http::Request bare = req;
      std::erase_if(bare.headers, [](const auto& h) { return h.first == "authorization"; });
      const http::Route* bare_route = nullptr;
      http::Response bare_refused;
      if (http::internal::Admit(*w.state, bare, bare_route, bare_refused) ||
          bare_refused.body.find(credential) == std::string::npos) {
        std::abort();
      }
    }
    return;
  }
  if (route == nullptr) std::abort();
  const bool pattern = route->pattern.ends_with("{}");
  if (pattern != (req.path_args.size() == 1)) std::abort();
  if (!req.Header("authorization").empty()) std::abort();
  (void)http::internal::RunHandler(*w.state, *route, req);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static World world;
  if (size == 0) return 0;
  // The first byte picks how the bytes arrive: in pieces of 1..64 bytes, or all at once.
  const size_t piece = data[0] == 0 ? 0 : (data[0] % 64) + 1;
  const std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  for (http::internal::ParsedRequest& parsed :
       http::internal::ParseRequestBytes(in, piece, kHeaderLimit, kBodyLimit)) {
    Check(world, parsed);
  }
  return 0;
}
