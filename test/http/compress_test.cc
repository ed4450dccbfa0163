#include "http/internal/compress.h"

#include <gtest/gtest.h>

#include <string>

#include "support/decompress.h"

namespace meridian::http::internal {
namespace {

using meridian::testing::Gunzip;
using meridian::testing::Unbrotli;

std::string RenderLike() {
  std::string body = "[{\"target\": \"a.b.c\", \"datapoints\": [";
  for (int i = 0; i < 2000; ++i)
    body += "[" + std::to_string(i % 17) + ".0, " + std::to_string(1700000000 + 10 * i) + "], ";
  return body + "[null, 1]]}]";
}

TEST(CompressTest, NegotiatesWhatTheClientAccepts) {
  EXPECT_EQ(Negotiate(""), Encoding::kIdentity);
  EXPECT_EQ(Negotiate("gzip"), Encoding::kGzip);
  EXPECT_EQ(Negotiate("gzip, deflate, br"), Encoding::kBrotli);  // Grafana, browsers
  EXPECT_EQ(Negotiate("br;q=0.5, gzip"), Encoding::kGzip);
  EXPECT_EQ(Negotiate("br;q=0, gzip;q=0"), Encoding::kIdentity);
  EXPECT_EQ(Negotiate("GZIP"), Encoding::kGzip);
  EXPECT_EQ(Negotiate("*"), Encoding::kBrotli);
  EXPECT_EQ(Negotiate("*;q=0, gzip"), Encoding::kGzip);
  EXPECT_EQ(Negotiate("deflate, identity"), Encoding::kIdentity);
  EXPECT_EQ(Negotiate("gzip;q=nope"), Encoding::kIdentity);
  EXPECT_EQ(Negotiate("gzip;q=2"), Encoding::kIdentity);
  EXPECT_EQ(Negotiate(" , ;;, br ; q=1.0 "), Encoding::kBrotli);
}

TEST(CompressTest, EncodedBodiesDecodeToTheOriginal) {
  const std::string body = RenderLike();
  auto gz = Encode(body, Encoding::kGzip);
  ASSERT_TRUE(gz.ok());
  EXPECT_LT(gz->size(), body.size() / 4);
  EXPECT_EQ(Gunzip(*gz), body);
  auto br = Encode(body, Encoding::kBrotli);
  ASSERT_TRUE(br.ok());
  EXPECT_LT(br->size(), body.size() / 4);
  EXPECT_EQ(Unbrotli(*br), body);
  EXPECT_EQ(Gunzip(*Encode("", Encoding::kGzip)), "");
}

TEST(CompressTest, CompressesOnlyWhatIsWorthIt) {
  Request req;
  req.headers.emplace_back("accept-encoding", "gzip, br");
  Response big = Response::Json(200, RenderLike());
  auto c = MaybeCompress(req, big, 1024);
  EXPECT_EQ(c.encoding, Encoding::kBrotli);
  EXPECT_EQ(c.bytes_out, big.body.size());
  EXPECT_EQ(Unbrotli(big.body), RenderLike());
  bool has_encoding = false, has_vary = false;
  for (const auto& [k, v] : big.headers) {
    has_encoding |= k == "Content-Encoding" && v == "br";
    has_vary |= k == "Vary" && v == "Accept-Encoding";
  }
  EXPECT_TRUE(has_encoding && has_vary);

  Response small = Response::Text(200, "ok");
  EXPECT_EQ(MaybeCompress(req, small, 1024).encoding, Encoding::kIdentity);
  EXPECT_EQ(small.body, "ok\n");
  Response off = Response::Json(200, RenderLike());
  EXPECT_EQ(MaybeCompress(req, off, 0).encoding, Encoding::kIdentity);
  Request plain;
  Response identity = Response::Json(200, RenderLike());
  EXPECT_EQ(MaybeCompress(plain, identity, 1024).encoding, Encoding::kIdentity);
  EXPECT_EQ(identity.body, RenderLike());
  // Random bytes do not shrink: sent as they are.
  std::string noise;
  uint32_t x = 12345;
  for (int i = 0; i < 4096; ++i) {
    x = x * 1103515245 + 12345;
    noise += static_cast<char>(x >> 24);
  }
  Response random = Response::Text(200, noise);
  EXPECT_EQ(MaybeCompress(req, random, 1024).encoding, Encoding::kIdentity);
}

}  // namespace
}  // namespace meridian::http::internal
