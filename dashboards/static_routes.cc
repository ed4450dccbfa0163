#include "dashboards/static_routes.h"

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "dashboards/internal/assets.h"
#include "http/compress.h"

namespace meridian::dashboards {
namespace {

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";

// One asset with its encodings, made once at start-up.
struct Variant {
  std::string_view body;
  std::string etag;  // "\"<hash>\"", "\"<hash>-gzip\"", "\"<hash>-br\""
};
struct PreparedAsset {
  const internal::EmbeddedAsset* asset = nullptr;
  std::string gzip, br;  // empty when the encoding would not shrink the file
  Variant identity, gzip_variant, br_variant;
};

struct Assets {
  std::vector<std::unique_ptr<PreparedAsset>> all;
  std::map<std::string, std::pair<const PreparedAsset*, bool>, std::less<>> by_name;  // immutable?
  const PreparedAsset* shell = nullptr;
};

core::Result<std::shared_ptr<const Assets>> Prepare() {
  auto assets = std::make_shared<Assets>();
  for (const internal::EmbeddedAsset& a : internal::EmbeddedAssets()) {
    auto p = std::make_unique<PreparedAsset>();
    p->asset = &a;
    ASSIGN_OR_RETURN(std::string gz,
                     http::EncodeBody(a.bytes, http::ContentEncoding::kGzip, http::Effort::kHigh));
    ASSIGN_OR_RETURN(std::string br, http::EncodeBody(a.bytes, http::ContentEncoding::kBrotli,
                                                      http::Effort::kHigh));
    if (gz.size() < a.bytes.size()) p->gzip = std::move(gz);
    if (br.size() < a.bytes.size()) p->br = std::move(br);
    const std::string tag(a.hash);
    p->identity = {a.bytes, "\"" + tag + "\""};
    p->gzip_variant = {p->gzip, "\"" + tag + "-gzip\""};
    p->br_variant = {p->br, "\"" + tag + "-br\""};
    if (a.name == "index.html") {
      assets->shell = p.get();
    } else {
      assets->by_name.emplace(std::string(a.name), std::pair{p.get(), false});
      assets->by_name.emplace(std::string(a.hashed_name), std::pair{p.get(), true});
    }
    assets->all.push_back(std::move(p));
  }
  if (assets->shell == nullptr) return core::Internal("pages: the embedded shell is missing");
  return std::shared_ptr<const Assets>(std::move(assets));
}

// Whether an If-None-Match value names this content (weak comparison, RFC 9110 13.1.2: any
// encoding of the same hash is the same content; "*" matches anything).
bool NotModified(std::string_view if_none_match, std::string_view hash) {
  while (!if_none_match.empty()) {
    const size_t comma = if_none_match.find(',');
    std::string_view tag = if_none_match.substr(0, comma);
    if_none_match =
        comma == std::string_view::npos ? std::string_view() : if_none_match.substr(comma + 1);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag == "*") return true;
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag.size() < 2 || tag.front() != '"' || tag.back() != '"') continue;
    tag = tag.substr(1, tag.size() - 2);
    if (tag.starts_with(hash) && (tag.size() == hash.size() || tag.substr(hash.size()) == "-gzip" ||
                                  tag.substr(hash.size()) == "-br")) {
      return true;
    }
  }
  return false;
}

http::Response Serve(const http::Request& req, const PreparedAsset& p, bool immutable) {
  const http::ContentEncoding e = http::NegotiateEncoding(req.Header("accept-encoding"));
  const Variant* v = &p.identity;
  if (e == http::ContentEncoding::kBrotli && !p.br.empty()) {
    v = &p.br_variant;
  } else if (e != http::ContentEncoding::kIdentity && !p.gzip.empty()) {
    v = &p.gzip_variant;  // br wanted but no br variant, or gzip wanted
  }
  http::Response r;
  r.content_type = std::string(p.asset->content_type);
  r.headers.emplace_back("ETag", v->etag);
  r.headers.emplace_back("Cache-Control", std::string(immutable ? kImmutable : kRevalidate));
  r.headers.emplace_back("Vary", "Accept-Encoding");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (NotModified(req.Header("if-none-match"), p.asset->hash)) {
    r.status = 304;
    return r;
  }
  if (v != &p.identity) {
    r.headers.emplace_back("Content-Encoding", v == &p.br_variant ? "br" : "gzip");
  }
  r.body = std::string(v->body);
  return r;
}

}  // namespace

core::Status RegisterPageRoutes(http::Router& router) {
  ASSIGN_OR_RETURN(std::shared_ptr<const Assets> assets, Prepare());
  auto shell = [assets](const http::Request& req) { return Serve(req, *assets->shell, false); };
  for (const char* pattern : {"/", "/dashboards", "/dashboards/", "/dashboards/{}"}) {
    http::Route r;
    r.methods = {http::Method::kGet};
    r.pattern = pattern;
    r.scope = http::Scope::kRead;
    r.basic_challenge = true;
    r.inline_io = true;  // copies bytes from memory: answers even while workers are busy
    r.handler = shell;
    RETURN_IF_ERROR(router.Add(std::move(r)));
  }
  http::Route r;
  r.methods = {http::Method::kGet};
  r.pattern = "/static/{}";
  r.scope = http::Scope::kRead;
  r.basic_challenge = true;
  r.inline_io = true;
  r.handler = [assets](const http::Request& req) {
    const std::string& name = req.path_args.at(0);
    auto it = assets->by_name.find(name);
    if (it == assets->by_name.end()) {
      return http::Response::Text(404, "no such asset: " + name);
    }
    return Serve(req, *it->second.first, it->second.second);
  };
  return router.Add(std::move(r));
}

}  // namespace meridian::dashboards
