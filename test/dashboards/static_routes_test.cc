#include "dashboards/static_routes.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "dashboards/internal/assets.h"
#include "http/router.h"
#include "support/decompress.h"

namespace meridian::dashboards {
namespace {

using meridian::testing::Gunzip;
using meridian::testing::Unbrotli;

std::string HeaderOf(const http::Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "";
}

class StaticRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(RegisterPageRoutes(router_).ok()); }

  http::Response Get(const std::string& path,
                     std::vector<std::pair<std::string, std::string>> headers = {}) const {
    http::Router::Match m = router_.Find(http::Method::kGet, path);
    if (m.route == nullptr) return http::Response::Text(m.status, "no route");
    EXPECT_EQ(m.route->scope, http::Scope::kRead) << path;
    EXPECT_TRUE(m.route->basic_challenge) << path;
    http::Request req;
    req.path = path;
    req.path_args = m.path_args;
    req.headers = std::move(headers);
    return m.route->handler(req);
  }

  http::Router router_;
};

TEST_F(StaticRoutesTest, EveryPagePathServesTheShellRevalidated) {
  const http::Response root = Get("/");
  ASSERT_EQ(root.status, 200);
  EXPECT_EQ(root.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(HeaderOf(root, "Cache-Control"), "no-cache");
  EXPECT_FALSE(HeaderOf(root, "ETag").empty());
  EXPECT_NE(root.body.find("<!doctype html>"), std::string::npos);
  for (const char* path :
       {"/dashboards", "/dashboards/", "/dashboards/web-tier", "/dashboards/web-tier/"}) {
    const http::Response r = Get(path);
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.body, root.body) << path;
  }
  EXPECT_EQ(Get("/dashboards/a/b").status, 404);
}

TEST_F(StaticRoutesTest, EveryAssetIsServedWithItsTypeUnderBothNames) {
  size_t served = 0;
  for (const internal::EmbeddedAsset& a : internal::EmbeddedAssets()) {
    if (a.name == "index.html") continue;
    const http::Response plain = Get("/static/" + std::string(a.name));
    ASSERT_EQ(plain.status, 200) << a.name;
    EXPECT_EQ(plain.content_type, a.content_type);
    EXPECT_EQ(plain.body, a.bytes);
    EXPECT_EQ(HeaderOf(plain, "Cache-Control"), "no-cache");
    const http::Response hashed = Get("/static/" + std::string(a.hashed_name));
    ASSERT_EQ(hashed.status, 200) << a.hashed_name;
    EXPECT_EQ(hashed.body, a.bytes);
    EXPECT_EQ(HeaderOf(hashed, "Cache-Control"), "public, max-age=31536000, immutable");
    EXPECT_EQ(HeaderOf(hashed, "ETag"), "\"" + std::string(a.hash) + "\"");
    if (a.name.ends_with(".js")) {
      EXPECT_EQ(a.content_type, "text/javascript; charset=utf-8");
    } else if (a.name.ends_with(".css")) {
      EXPECT_EQ(a.content_type, "text/css; charset=utf-8");
    }
    ++served;
  }
  // uPlot's script and style and at least the page's own script and style.
  EXPECT_GE(served, 4u);
}

TEST_F(StaticRoutesTest, TheShellNamesOnlyHashedAssetsThatAreServed) {
  const std::string shell = Get("/").body;
  std::set<std::string> names;
  for (size_t pos = shell.find("/static/"); pos != std::string::npos;
       pos = shell.find("/static/", pos + 1)) {
    const size_t end = shell.find('"', pos);
    names.insert(shell.substr(pos, end - pos));
  }
  bool uplot = false;
  for (const std::string& n : names) {
    const http::Response r = Get(n);
    EXPECT_EQ(r.status, 200) << n;
    uplot = uplot || n.starts_with("/static/uPlot.iife.min.");
  }
  EXPECT_TRUE(uplot) << shell;
}

TEST_F(StaticRoutesTest, IfNoneMatchWithTheETagAnswers304) {
  const http::Response first = Get("/static/app.css");
  const std::string etag = HeaderOf(first, "ETag");
  ASSERT_FALSE(etag.empty());
  http::Response again = Get("/static/app.css", {{"if-none-match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(HeaderOf(again, "ETag"), etag);
  EXPECT_EQ(Get("/static/app.css", {{"if-none-match", "\"x\", W/" + etag}}).status, 304);
  EXPECT_EQ(Get("/static/app.css", {{"if-none-match", "*"}}).status, 304);
  EXPECT_EQ(Get("/static/app.css", {{"if-none-match", "\"0000000000000000\""}}).status, 200);
  // The shell too; the gzip variant's tag names the same content.
  const http::Response gz = Get("/", {{"accept-encoding", "gzip"}});
  EXPECT_EQ(Get("/", {{"if-none-match", HeaderOf(gz, "ETag")}}).status, 304);
}

TEST_F(StaticRoutesTest, UnknownAssetsAre404) {
  EXPECT_EQ(Get("/static/nope.js").status, 404);
  EXPECT_EQ(Get("/static/app.0000000000000000.js").status, 404);
  EXPECT_EQ(Get("/static/index.html").status, 404);
}

TEST_F(StaticRoutesTest, CompressedVariantsDecodeToTheAsset) {
  for (const internal::EmbeddedAsset& a : internal::EmbeddedAssets()) {
    if (!a.name.starts_with("uPlot.iife")) continue;
    const std::string path = "/static/" + std::string(a.hashed_name);
    const http::Response gz = Get(path, {{"accept-encoding", "gzip"}});
    EXPECT_EQ(HeaderOf(gz, "Content-Encoding"), "gzip");
    EXPECT_EQ(HeaderOf(gz, "Vary"), "Accept-Encoding");
    EXPECT_LT(gz.body.size(), a.bytes.size() / 2);
    EXPECT_EQ(Gunzip(gz.body), a.bytes);
    const http::Response br = Get(path, {{"accept-encoding", "gzip, deflate, br"}});
    EXPECT_EQ(HeaderOf(br, "Content-Encoding"), "br");
    EXPECT_EQ(Unbrotli(br.body), a.bytes);
    EXPECT_NE(HeaderOf(br, "ETag"), HeaderOf(gz, "ETag"));
    const http::Response plain = Get(path, {{"accept-encoding", "identity"}});
    EXPECT_EQ(HeaderOf(plain, "Content-Encoding"), "");
    EXPECT_EQ(plain.body, a.bytes);
    return;
  }
  FAIL() << "uPlot is not embedded";
}

}  // namespace
}  // namespace meridian::dashboards
