#include "http/auth.h"

#include <gtest/gtest.h>

namespace meridian::http {
namespace {

Request WithAuth(std::string value) {
  Request r;
  if (!value.empty()) r.headers.emplace_back("authorization", std::move(value));
  return r;
}

std::vector<TokenEntry> Tokens() {
  return {{"grafana", Sha256Of("reader-token-0123456789"), Scope::kRead},
          {"relay", Sha256Of("writer-token-0123456789"), Scope::kWrite},
          {"ops", Sha256Of("admin-token-01234567890"), Scope::kAdmin}};
}

TEST(TokenStoreTest, NoTokensMeansOpen) {
  TokenStore store;
  EXPECT_FALSE(store.enabled());
  EXPECT_EQ(store.Authorize(WithAuth(""), Scope::kAdmin).status, 200);
}

TEST(TokenStoreTest, ScopesAreCumulative) {
  TokenStore store;
  store.Replace(Tokens());
  EXPECT_EQ(store.Authorize(WithAuth("Bearer reader-token-0123456789"), Scope::kRead).status, 200);
  EXPECT_EQ(store.Authorize(WithAuth("Bearer reader-token-0123456789"), Scope::kWrite).status, 403);
  EXPECT_EQ(store.Authorize(WithAuth("Bearer writer-token-0123456789"), Scope::kRead).status, 200);
  EXPECT_EQ(store.Authorize(WithAuth("Bearer writer-token-0123456789"), Scope::kAdmin).status, 403);
  AuthDecision d = store.Authorize(WithAuth("bearer  admin-token-01234567890 "), Scope::kAdmin);
  EXPECT_EQ(d.status, 200);
  EXPECT_EQ(d.who, "ops");
}

TEST(TokenStoreTest, MissingAndInvalidAre401WithoutEchoingTheToken) {
  TokenStore store;
  store.Replace(Tokens());
  EXPECT_EQ(store.Authorize(WithAuth(""), Scope::kRead).status, 401);
  AuthDecision d = store.Authorize(WithAuth("Bearer not-a-known-token-xyz"), Scope::kRead);
  EXPECT_EQ(d.status, 401);
  EXPECT_EQ(d.message.find("not-a-known"), std::string::npos);
  d = store.Authorize(WithAuth("Bearer reader-token-0123456789"), Scope::kAdmin);
  EXPECT_EQ(d.status, 403);
  EXPECT_EQ(d.message.find("reader-token"), std::string::npos);
  EXPECT_NE(d.message.find("grafana"), std::string::npos);
}

TEST(TokenStoreTest, AnonymousReadOpensReadsOnly) {
  TokenStore store(AuthOptions{.anonymous_read = true});
  store.Replace(Tokens());
  EXPECT_EQ(store.Authorize(WithAuth(""), Scope::kRead).status, 200);
  EXPECT_EQ(store.Authorize(WithAuth(""), Scope::kWrite).status, 401);
  // A wrong token is still wrong, even for a read.
  EXPECT_EQ(store.Authorize(WithAuth("Bearer wrong-token-0123456789"), Scope::kRead).status, 401);
}

TEST(TokenStoreTest, BasicAuthPasswordIsTheToken) {
  TokenStore store;
  store.Replace(Tokens());
  // base64("grafana:reader-token-0123456789")
  EXPECT_EQ(
      store.Authorize(WithAuth("Basic Z3JhZmFuYTpyZWFkZXItdG9rZW4tMDEyMzQ1Njc4OQ=="), Scope::kRead)
          .status,
      200);
  EXPECT_EQ(store.Authorize(WithAuth("Basic !!!"), Scope::kRead).status, 401);
}

TEST(TokenStoreTest, ScopeNoneNeedsNothing) {
  TokenStore store;
  store.Replace(Tokens());
  EXPECT_EQ(store.Authorize(WithAuth(""), Scope::kNone).status, 200);
}

TEST(TokenStoreTest, ParsesSha256Hex) {
  auto d = ParseSha256Hex("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, Sha256Of(""));
  EXPECT_FALSE(ParseSha256Hex("e3b0").ok());
  EXPECT_FALSE(ParseSha256Hex(std::string(64, 'g')).ok());
}

}  // namespace
}  // namespace meridian::http
