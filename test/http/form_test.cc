#include "http/form.h"

#include <gtest/gtest.h>

namespace meridian::http {
namespace {

TEST(FormTest, SplitsOnFirstEqualsLikeDjango) {
  Params p;
  ASSERT_TRUE(ParseUrlEncoded("target=seriesByTag('dc=dc1')&path=cpu;dc=dc7;env=prod", p).ok());
  ASSERT_EQ(p.count("target"), 1u);
  EXPECT_EQ(p.find("target")->second, "seriesByTag('dc=dc1')");
  EXPECT_EQ(p.find("path")->second, "cpu;dc=dc7;env=prod");
}

TEST(FormTest, DecodesPlusAndPercentKeepsRepeatsInOrder) {
  Params p;
  ASSERT_TRUE(ParseUrlEncoded("target=a.b%2Cc+d&target=x&&flag&empty=", p).ok());
  auto [lo, hi] = p.equal_range("target");
  ASSERT_EQ(std::distance(lo, hi), 2);
  EXPECT_EQ(lo->second, "a.b,c d");
  EXPECT_EQ(std::next(lo)->second, "x");
  EXPECT_EQ(p.find("flag")->second, "");
  EXPECT_EQ(p.find("empty")->second, "");
}

TEST(FormTest, SemicolonIsNotASeparator) {
  Params p;
  ASSERT_TRUE(ParseUrlEncoded("target=a;b=c", p).ok());
  EXPECT_EQ(p.size(), 1u);
  EXPECT_EQ(p.find("target")->second, "a;b=c");
}

TEST(FormTest, BadPercentEncodingIsAnErrorNamingTheParameter) {
  for (const char* bad : {"path=%G1", "path=abc%", "path=%4", "path=%%41"}) {
    Params p;
    core::Status st = ParseUrlEncoded(bad, p);
    EXPECT_EQ(st.code(), core::StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(st.message().find("'path'"), std::string::npos) << st.message();
  }
}

TEST(FormTest, NonUtf8BytesAreKeptAsBytes) {
  Params p;
  ASSERT_TRUE(ParseUrlEncoded("path=%FF%FE", p).ok());
  EXPECT_EQ(p.find("path")->second, "\xFF\xFE");
}

TEST(FormTest, PathDecodingKeepsPlus) {
  auto d = PercentDecode("/tags/a+b%20c", false);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, "/tags/a+b c");
}

}  // namespace
}  // namespace meridian::http
