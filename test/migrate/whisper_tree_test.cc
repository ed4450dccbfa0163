#include "migrate/whisper_tree.h"

#include <gtest/gtest.h>

namespace meridian::migrate {
namespace {

TEST(WhisperTreeTest, PlainPathsBecomeDottedNames) {
  EXPECT_EQ(*SeriesNameForPath("a/b/c.wsp"), "a.b.c");
  EXPECT_EQ(*SeriesNameForPath("top.wsp"), "top");
  EXPECT_EQ(*SeriesNameForPath("servers/web-1/cpu_idle.wsp"), "servers.web-1.cpu_idle");
}

TEST(WhisperTreeTest, TaggedLayoutDecodesToTheCanonicalTaggedName) {
  // carbon: _tagged/<sha256[0:3]>/<sha256[3:6]>/<name with '.' as _DOT_>.wsp
  auto name = SeriesNameForPath("_tagged/eff/aae/some_DOT_metric;tag1=value2;tag2=value_DOT_2.wsp");
  ASSERT_TRUE(name.ok()) << name.status().ToString();
  EXPECT_EQ(*name, "some.metric;tag1=value2;tag2=value.2");
  // Tags out of order are normalized (carbon writes canonical names; a hand-made file may not).
  EXPECT_EQ(*SeriesNameForPath("_tagged/000/111/cpu;z=1;a=2.wsp"), "cpu;a=2;z=1");
}

TEST(WhisperTreeTest, HashNamedTaggedFilesAreNamedFromTheGivenNames) {
  // carbon (TAG_HASH_FILENAMES): _tagged/<h[0:3]>/<h[3:6]>/<h>.wsp, h = sha256(canonical name);
  // this h is Python's hashlib.sha256(b"cpu;dc=eu;host=a").hexdigest().
  const std::string h = "f7cd83a4433c2497c09d20992438c3ae1a24d5803a5022b6a8521a9463204b88";
  const std::string path = "_tagged/f7c/d83/" + h + ".wsp";
  TaggedNames names;
  auto unnamed = SeriesNameForPath(path, &names);
  ASSERT_FALSE(unnamed.ok());
  EXPECT_NE(unnamed.status().message().find("--tagged-names"), std::string::npos);
  ASSERT_TRUE(names.Add("cpu;host=a;dc=eu").ok());  // normalized before hashing
  auto named = SeriesNameForPath(path, &names);
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  EXPECT_EQ(*named, "cpu;dc=eu;host=a");
  ASSERT_TRUE(names.Add("mem;dc=eu").ok());
  auto unlisted = SeriesNameForPath("_tagged/000/000/" + std::string(64, '0') + ".wsp", &names);
  ASSERT_FALSE(unlisted.ok());
  EXPECT_NE(unlisted.status().message().find("no name in --tagged-names"), std::string::npos);
  EXPECT_FALSE(names.Add("plain.name").ok());
  EXPECT_FALSE(names.Add("bad;=x").ok());
}

TEST(WhisperTreeTest, UnrecoverableOrInvalidNamesAreErrors) {
  auto hashed = SeriesNameForPath(
      "_tagged/8f4/3c1/8f43c1aa0b5dc4c0b44f3b5e1f4d3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f.wsp");
  ASSERT_FALSE(hashed.ok());
  EXPECT_NE(hashed.status().message().find("TAG_HASH_FILENAMES"), std::string::npos);
  EXPECT_FALSE(SeriesNameForPath("_tagged/abc/x;a=b.wsp").ok());     // not <hash>/<hash>/<name>
  EXPECT_FALSE(SeriesNameForPath("_tagged/abc/def/x;=b.wsp").ok());  // empty tag
  EXPECT_FALSE(SeriesNameForPath("a/b/c.txt").ok());
  EXPECT_FALSE(SeriesNameForPath(".wsp").ok());
}

}  // namespace
}  // namespace meridian::migrate
