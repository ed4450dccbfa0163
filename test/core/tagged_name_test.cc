#include "core/tagged_name.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace meridian::core {
namespace {

struct Case {
  std::string_view raw;
  std::string_view canonical;
};

// Expected values are what carbon's TaggedSeries.parse(raw).path returns.
constexpr Case kCanonical[] = {
    {"servers.a.cpu", "servers.a.cpu"},
    {"foo;b=2;a=1", "foo;a=1;b=2"},
    {"foo;a=1;a-b=2", "foo;a-b=2;a=1"},  // ";a-b=" < ";a=" because '-' < '='
    {"foo;a=1;a=2", "foo;a=2"},          // duplicate: last wins
    {"foo;a=2;b=1;a=3", "foo;a=3;b=1"},
    {"foo;name=bar", "foo"},     // explicit name tag overwritten by the metric part
    {"~foo;a=1", "foo;a=1"},     // leading ~ stripped from the name
    {"~~foo", "foo"},            // also for untagged names
    {"foo~;a=b~", "foo~;a=b~"},  // ~ only matters at the start of a value
    {"foo;a=b=c", "foo;a=b=c"},  // segment splits at its first '='
    {"foo;A=1;a=1;_=1;0=1", "foo;0=1;A=1;_=1;a=1"},
    {"a.b{x=\"1\",y=\"2\"}", "a.b;x=1;y=2"},  // OpenMetrics
    {"a{y=\"2\":,x=\"1\"}", "a;x=1;y=2"},     // carbon's regex also accepts ":,"
    {"a{x=\"q\\\"q\"}", "a;x=q\"q"},          // escaped quote
    {"a{x=\"b\\\\s\"}", "a;x=b\\s"},          // escaped backslash
    {"a{x=\"1\",}", "a{x=\"1\",}"},           // not OpenMetrics: must end in \"}
    {"~a{x=\"1\"}", "a;x=1"},
};

TEST(TaggedNameTest, NormalizesLikeCarbonTaggedSeries) {
  for (const Case& c : kCanonical) {
    Result<std::string> got = NormalizeSeriesName(c.raw);
    ASSERT_TRUE(got.ok()) << c.raw << ": " << got.status().ToString();
    EXPECT_EQ(*got, c.canonical) << c.raw;
  }
}

TEST(TaggedNameTest, NormalizingCanonicalNameIsIdentity) {
  for (const Case& c : kCanonical) {
    Result<std::string> again = NormalizeSeriesName(c.canonical);
    ASSERT_TRUE(again.ok()) << c.canonical;
    EXPECT_EQ(*again, c.canonical);
  }
}

constexpr std::string_view kInvalid[] = {
    "",                   // no metric
    ";a=b",               // empty metric part
    "~",                  // all-~ name
    "~~;a=b",             //
    "foo;",               // empty segment
    "foo;;a=b",           //
    "foo;a",              // no '='
    "foo;=b",             // empty tag
    "foo;a=",             // empty value
    "foo;a!b=1",          // prohibited tag chars
    "foo;a^b=1",          //
    "foo;a=~b",           // value starting with ~
    "foo;a=~b;a=c",       // invalid even if a later duplicate would win
    "foo;name=~x",        // explicit name is validated before being overwritten
    "{x=\"1\"}",          // OpenMetrics without metric
    "a{x=\"1\"}{\"}",     // two '{'
    "a{x=1\"}",           // unquoted value
    "a{x=\"\"}",          // empty value
    "a{x=\"1\"y=\"2\"}",  // missing separator
    "a{x=\"\\n\"}",       // unknown escape
    "a{=\"1\"}",          // empty tag
    "a{x=\"~1\"}",        // value starting with ~
};

TEST(TaggedNameTest, RejectsWhatCarbonCannotParse) {
  for (std::string_view raw : kInvalid) {
    Result<std::string> got = NormalizeSeriesName(raw);
    ASSERT_FALSE(got.ok()) << raw << " -> " << *got;
    EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument) << raw;
  }
}

TEST(TaggedNameTest, ParseReturnsNameAndSortedUniqueTagsWithoutNameTag) {
  Result<ParsedTags> p = ParseTaggedName("~cpu.user;name=x;host=b;dc=1;host=a");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->name, "cpu.user");
  using Tags = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(p->tags, (Tags{{"dc", "1"}, {"host", "a"}}));
}

TEST(TaggedNameTest, ParseOfUntaggedNameHasNoTags) {
  Result<ParsedTags> p = ParseTaggedName("a.b.c");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->name, "a.b.c");
  EXPECT_TRUE(p->tags.empty());
}

TEST(TaggedNameTest, IsTaggedMatchesCarbonsParsePaths) {
  EXPECT_FALSE(IsTagged("a.b.c"));
  EXPECT_FALSE(IsTagged("~a"));
  EXPECT_TRUE(IsTagged("a;b=c"));
  EXPECT_TRUE(IsTagged("a;"));
  EXPECT_TRUE(IsTagged("a{b=\"c\"}"));
  EXPECT_FALSE(IsTagged("a{b}"));
}

TEST(TaggedNameTest, NeedsNormalizationIsFalseOnlyForNamesReturnedUnchanged) {
  EXPECT_FALSE(NeedsNormalization("servers.dc1.host.cpu"));
  EXPECT_FALSE(NeedsNormalization("a~b{c}"));
  EXPECT_TRUE(NeedsNormalization(""));
  EXPECT_TRUE(NeedsNormalization("~a"));
  EXPECT_TRUE(NeedsNormalization("a;b=c"));
  EXPECT_TRUE(NeedsNormalization("a{b=\"c\"}"));
}

TEST(TaggedNameTest, NormalizeToReusesOutputAndReplacesOldContent) {
  std::string out = "stale content that is long enough to be on the heap";
  ASSERT_TRUE(NormalizeSeriesNameTo("m;z=1;y=2", &out).ok());
  EXPECT_EQ(out, "m;y=2;z=1");
  ASSERT_TRUE(NormalizeSeriesNameTo("plain", &out).ok());
  EXPECT_EQ(out, "plain");
}

}  // namespace
}  // namespace meridian::core
