#include "http/router.h"

#include <gtest/gtest.h>

namespace meridian::http {
namespace {

Route R(std::vector<Method> m, std::string pattern, std::string body) {
  Route r;
  r.methods = std::move(m);
  r.pattern = std::move(pattern);
  r.handler = [body](const Request&) { return Response::Text(200, body); };
  return r;
}

TEST(RouterTest, ExactBeatsPatternAndPatternCapturesOneSegment) {
  Router router;
  ASSERT_TRUE(router.Add(R({Method::kGet}, "/tags/{}", "details")).ok());
  ASSERT_TRUE(router.Add(R({Method::kGet, Method::kPost}, "/tags/findSeries", "find")).ok());
  auto m = router.Find(Method::kGet, "/tags/findSeries");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/tags/findSeries");
  m = router.Find(Method::kGet, "/tags/cpu/");
  ASSERT_NE(m.route, nullptr);
  ASSERT_EQ(m.path_args.size(), 1u);
  EXPECT_EQ(m.path_args[0], "cpu");
  EXPECT_EQ(router.Find(Method::kGet, "/tags/a/b").status, 404);
  EXPECT_EQ(router.Find(Method::kGet, "/nowhere").status, 404);
}

TEST(RouterTest, WrongMethodIs405WithAllow) {
  Router router;
  ASSERT_TRUE(router.Add(R({Method::kPost}, "/tags/delSeries", "del")).ok());
  ASSERT_TRUE(router.Add(R({Method::kGet}, "/tags/{}", "details")).ok());
  // GET on a POST-only route is refused, not served by the "{}" pattern.
  auto m = router.Find(Method::kGet, "/tags/delSeries");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(m.allow, "POST");
}

TEST(RouterTest, HeadIsServedByGet) {
  Router router;
  ASSERT_TRUE(router.Add(R({Method::kGet}, "/health", "ok")).ok());
  EXPECT_NE(router.Find(Method::kHead, "/health").route, nullptr);
}

TEST(RouterTest, RejectsBadPatternsAndDuplicates) {
  Router router;
  EXPECT_FALSE(router.Add(R({Method::kGet}, "render", "x")).ok());
  EXPECT_FALSE(router.Add(R({Method::kGet}, "/a/{}/b", "x")).ok());
  ASSERT_TRUE(router.Add(R({Method::kGet}, "/a", "x")).ok());
  EXPECT_FALSE(router.Add(R({Method::kGet}, "/a", "y")).ok());
  Route none;
  none.methods = {Method::kGet};
  none.pattern = "/b";
  EXPECT_FALSE(router.Add(none).ok());  // neither handler nor async_handler
}

}  // namespace
}  // namespace meridian::http
