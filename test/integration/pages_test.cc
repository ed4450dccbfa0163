// The pages served by the real binary: the shell and its assets come from inside `meridian`
// (started with no Node.js on PATH, in an empty directory), compressed and cached over the wire,
// and behind the read scope with a login prompt a browser can answer.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>

#include "support/meridian_process.h"
#include "support/process.h"
#include "support/raw_http.h"

namespace meridian::testing {
namespace {

constexpr const char* kReader = "page-reader-token-0123456789";

std::string Get(const std::string& target, const std::string& extra = "") {
  return fmt::format("GET {} HTTP/1.1\r\nHost: t\r\n{}\r\n", target, extra);
}

std::unique_ptr<MeridianProcess> Start(const std::string& yaml) {
  MeridianOptions o;
  o.binary = MERIDIAN_BINARY;
  o.config_yaml = yaml;
  // No Node.js (nor anything else) to find at run time.
  o.env = {"PATH=/nonexistent", "NODE_PATH=/nonexistent"};
  auto p = MeridianProcess::Start(o);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? std::move(p).value() : nullptr;
}

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t v = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<uint8_t>(in[i + 1]) << 8;
    if (i + 2 < in.size()) v |= static_cast<uint8_t>(in[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kAlphabet[v & 63] : '=';
  }
  return out;
}

// The /static/... URLs the shell loads (src= and href=; the import map's keys are plain names).
std::set<std::string> StaticUrls(const std::string& shell) {
  std::set<std::string> out;
  for (const std::string key : {"src=\"/static/", "href=\"/static/"}) {
    for (size_t pos = shell.find(key); pos != std::string::npos; pos = shell.find(key, pos + 1)) {
      const size_t start = pos + key.size() - 8;
      out.insert(shell.substr(start, shell.find('"', start) - start));
    }
  }
  return out;
}

TEST(PagesTest, ShellAndAssetsComeFromTheBinaryCompressedAndCached) {
  auto m = Start("");
  ASSERT_TRUE(m);
  const uint16_t port = m->http_port();
  auto shell = RawRequest(port, Get("/"));
  ASSERT_TRUE(shell.ok()) << shell.status().ToString();
  ASSERT_EQ(shell->status, 200);
  EXPECT_EQ(shell->headers["content-type"], "text/html; charset=utf-8");
  EXPECT_EQ(shell->headers["cache-control"], "no-cache");
  const std::set<std::string> urls = StaticUrls(shell->body);
  ASSERT_GE(urls.size(), 4u) << shell->body;
  for (const std::string& url : urls) {
    auto r = RawRequest(port, Get(url, "Accept-Encoding: gzip\r\n"));
    ASSERT_TRUE(r.ok()) << url;
    EXPECT_EQ(r->status, 200) << url;
    EXPECT_EQ(r->headers["cache-control"], "public, max-age=31536000, immutable") << url;
    if (url.ends_with(".js")) {
      EXPECT_EQ(r->headers["content-type"], "text/javascript; charset=utf-8") << url;
      EXPECT_EQ(r->headers["content-encoding"], "gzip") << url;
    } else if (url.ends_with(".css")) {
      EXPECT_EQ(r->headers["content-type"], "text/css; charset=utf-8") << url;
    }
    // Revalidation with the ETag: 304, no body.
    auto again = RawRequest(port, Get(url, fmt::format("Accept-Encoding: gzip\r\nIf-None-Match: "
                                                       "{}\r\n",
                                                       r->headers["etag"])));
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->status, 304) << url;
    EXPECT_TRUE(again->body.empty());
  }
  auto list = RawRequest(port, Get("/dashboards/"));
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->status, 200);
  EXPECT_EQ(list->body, shell->body);
  auto missing = RawRequest(port, Get("/static/missing.0123456789abcdef.js"));
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
}

TEST(PagesTest, WithTokensAPageAsksForBasicAndTheTokenAsPasswordOpensIt) {
  TempDir dir("meridian-pages");
  const std::string tokens = (dir.path() / "tokens.yaml").string();
  std::ofstream(tokens) << fmt::format(
      "tokens:\n  - {{ name: viewer, token: \"{}\", scope: read }}\n", kReader);
  auto m = Start(fmt::format("http: {{ auth: {{ tokens_file: {} }} }}\n", tokens));
  ASSERT_TRUE(m);
  const uint16_t port = m->http_port();
  auto r = RawRequest(port, Get("/"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);
  // RawResponse keeps the last of the two challenges (Bearer, then Basic).
  EXPECT_EQ(r->headers["www-authenticate"], "Basic realm=\"meridian\"");
  r = RawRequest(port, Get("/static/app.css"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);
  // The APIs keep answering with the Bearer challenge only.
  r = RawRequest(port, Get("/metrics/find?query=*"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 401);
  EXPECT_EQ(r->headers["www-authenticate"], "Bearer realm=\"meridian\"");
  // What a browser sends after the prompt: any user name, the token as the password.
  const std::string basic = "Authorization: Basic " + Base64("me:" + std::string(kReader)) + "\r\n";
  r = RawRequest(port, Get("/dashboards/x", basic));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  r = RawRequest(port, Get("/metrics/find?query=*", basic));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace meridian::testing
