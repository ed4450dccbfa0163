#include "query/internal/find_format.h"

#include <gtest/gtest.h>

namespace meridian::query {
namespace {

TEST(FindFormatTest, TreeJsonListsBranchesThenLeavesWithQueryPrefix) {
  std::vector<storage::FindMatch> m = {
      {"web.a", true, false}, {"web.b", false, true}, {"web.c", true, true}};
  auto out = internal::FormatFind("web.*", m, "treejson", false);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out,
            "[{\"text\": \"b\", \"id\": \"web.b\", \"allowChildren\": 1, \"expandable\": 1, "
            "\"leaf\": 0}, {\"text\": \"c\", \"id\": \"web.c\", \"allowChildren\": 1, "
            "\"expandable\": 1, \"leaf\": 0}, {\"text\": \"a\", \"id\": \"web.a\", "
            "\"allowChildren\": 0, \"expandable\": 0, \"leaf\": 1}]");
  auto wild = internal::FormatFind("web.*", m, "treejson", true);
  ASSERT_TRUE(wild.ok());
  EXPECT_EQ(wild->rfind("[{\"text\": \"*\", \"id\": \"web.*\", \"allowChildren\": 1", 0), 0u);
  auto completer = internal::FormatFind("web.*", m, "completer", false);
  ASSERT_TRUE(completer.ok());
  EXPECT_NE(completer->find("{\"path\": \"web.b.\", \"name\": \"b\", \"is_leaf\": \"0\"}"),
            std::string::npos);
  EXPECT_FALSE(internal::FormatFind("web.*", m, "pickle-ish", false).ok());
}

TEST(FindFormatTest, TreeJsonMergesSameNamedNodesLikeGraphiteWeb) {
  // host01.cpu and host02.cpu under `web.host0*.*` are one node named "cpu".
  std::vector<storage::FindMatch> m = {{"web.host01.cpu", true, false},
                                       {"web.host02.cpu", true, false},
                                       {"web.host02.mem", true, false}};
  auto out = internal::FormatFind("web.host0*.*", m, "treejson", false);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out,
            "[{\"text\": \"cpu\", \"id\": \"web.host0*.cpu\", \"allowChildren\": 0, "
            "\"expandable\": 0, \"leaf\": 1}, {\"text\": \"mem\", \"id\": \"web.host0*.mem\", "
            "\"allowChildren\": 0, \"expandable\": 0, \"leaf\": 1}]");
}

}  // namespace
}  // namespace meridian::query
