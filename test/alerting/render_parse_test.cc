#include "alerting/internal/render_parse.h"

#include <gtest/gtest.h>

#include <cmath>

namespace meridian::alerting::internal {
namespace {

TEST(ParseHttpBaseUrlTest, HostPortAndPrefix) {
  auto u = ParseHttpBaseUrl("http://127.0.0.1:8080/graphite/");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->prefix, "/graphite");
}

TEST(ParseHttpBaseUrlTest, DefaultPortNoPrefixAnyCaseScheme) {
  auto u = ParseHttpBaseUrl("HTTP://metrics.example.org");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "metrics.example.org");
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->prefix, "");
  auto slash = ParseHttpBaseUrl("http://h:1/");
  ASSERT_TRUE(slash.ok());
  EXPECT_EQ(slash->prefix, "");
}

TEST(ParseHttpBaseUrlTest, BracketedIpv6) {
  auto u = ParseHttpBaseUrl("http://[::1]:9000");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 9000);
}

TEST(ParseHttpBaseUrlTest, HttpsIsRejectedWithReason) {
  auto u = ParseHttpBaseUrl("https://h:443");
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(u.status().message().find("https is not supported"), std::string::npos);
}

TEST(ParseHttpBaseUrlTest, RejectsGarbage) {
  for (const char* bad :
       {"", "127.0.0.1:8080", "ftp://h", "http://", "http://:80", "http://h:", "http://h:0",
        "http://h:65536", "http://h:80x", "http://h:-1", "http://user:pw@h", "http://h/a?b=c",
        "http://h/#x", "http://h /x", "http://h\n", "http://[::1", "http://[::1]x"}) {
    auto u = ParseHttpBaseUrl(bad);
    EXPECT_FALSE(u.ok()) << "accepted '" << bad << "'";
    EXPECT_EQ(u.status().code(), core::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ParseRenderJsonTest, SeriesValuesNullsAndTags) {
  auto r = ParseRenderJson(R"([
    {"target": "a.b", "tags": {"name": "a.b", "dc": "eu", "n": 3},
     "datapoints": [[1.5, 100], [null, 110], [-2, 120]]},
    {"target": "c", "datapoints": []}
  ])");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  const RenderedSeries& a = (*r)[0];
  EXPECT_EQ(a.name, "a.b");
  EXPECT_EQ(a.tags.at("dc"), "eu");
  EXPECT_EQ(a.tags.at("n"), "3");
  ASSERT_EQ(a.values.size(), 3u);
  EXPECT_EQ(a.values[0], 1.5);
  EXPECT_TRUE(std::isnan(a.values[1]));
  EXPECT_EQ(a.values[2], -2);
  EXPECT_EQ(a.timestamps, (std::vector<int64_t>{100, 110, 120}));
  EXPECT_EQ((*r)[1].tags, (std::map<std::string, std::string>{{"name", "c"}}));
  EXPECT_TRUE((*r)[1].values.empty());
}

TEST(ParseRenderJsonTest, EmptyArrayIsNoSeries) {
  auto r = ParseRenderJson("[]");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(ParseRenderJsonTest, RejectsWhatIsNotGraphiteJson) {
  for (const char* bad :
       {"", "<html>oops</html>", "{}", "[1]", R"([{"datapoints": []}])",
        R"([{"target": 1, "datapoints": []}])", R"([{"target": "a"}])",
        R"([{"target": "a", "datapoints": {}}])", R"([{"target": "a", "datapoints": [[1]]}])",
        R"([{"target": "a", "datapoints": [["x", 1]]}])",
        R"([{"target": "a", "datapoints": [[1, null]]}])",
        R"([{"target": "a", "datapoints": [[1, 1e300]]}])",
        R"([{"target": "a", "tags": [], "datapoints": []}])", "[{\"target\":"}) {
    auto r = ParseRenderJson(bad);
    EXPECT_FALSE(r.ok()) << "accepted " << bad;
    EXPECT_EQ(r.status().code(), core::StatusCode::kInternal) << bad;
  }
}

TEST(ParseRenderJsonTest, ErrorQuotesTheStartOfANonJsonBody) {
  auto r = ParseRenderJson("<html>\n<body>Bad Gateway</body></html>");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("<html> <body>Bad Gateway"), std::string::npos)
      << r.status().message();
}

}  // namespace
}  // namespace meridian::alerting::internal
