#include "storage/glob.h"

#include <gtest/gtest.h>

#include <string>

namespace meridian::storage {
namespace {

struct GlobCase {
  const char* pattern;
  const char* name;
  bool match;
};

// Expected values were checked against Python's fnmatch plus graphite-web's expand_braces.
const GlobCase kCases[] = {
    // literals and case sensitivity
    {"a.b.c", "a.b.c", true},
    {"a.b.c", "a.b.C", false},
    {"A.b", "a.b", false},
    {"a.b", "a.b.c", false},
    {"a.b.c", "a.b", false},
    // '*' stays inside one component
    {"a.*", "a.b", true},
    {"a.*", "a.b.c", false},
    {"*", "anything", true},
    {"*", "", true},
    {"cpu*", "cpu0", true},
    {"cpu*", "xcpu", false},
    {"*user", "cpu_user", true},
    {"*user", "user_cpu", false},
    {"ho*01", "host-01", true},
    {"ho*01", "ho01", true},
    {"ho*01", "ho1", false},
    {"*os*", "host", true},
    {"a*b*c", "aXbYc", true},
    {"a*b*c", "aXbY", false},
    {"**x", "abx", true},  // "**" inside a component is just '*'
    // '?'
    {"h?st", "host", true},
    {"h?st", "hst", false},
    {"h?st", "hoost", false},
    {"h?", "h\xc3\xa9", true},  // one code point, two bytes
    {"h??", "h\xc3\xa9", false},
    // sets and ranges
    {"core[0-3]", "core2", true},
    {"core[0-3]", "core4", false},
    {"core[!0-3]", "core4", true},
    {"core[!0-3]", "core1", false},
    {"x[^a]", "x^", true},  // Python: '^' is not negation
    {"x[^a]", "xb", false},
    {"x[abc]", "xb", true},
    {"x[]a]", "x]", true},
    {"x[!]a]", "xb", true},
    {"x[!]a]", "x]", false},
    {"x[a-]", "x-", true},
    {"x[z-a]", "xa", false},  // reversed range matches nothing
    {"x[!z-a]", "xq", true},
    {"x[a-c-e]", "x-", true},
    {"x[a-c-e]", "xd", false},
    {"x[", "x[", true},  // unclosed bracket is literal
    {"x[ab", "x[ab", true},
    {"[\xc3\xa9]", "\xc3\xa9", true},
    // braces
    {"{a,b}.c", "b.c", true},
    {"{a,b}.c", "d.c", false},
    {"cpu.{user,sys}tem", "cpu.systemtem", false},
    {"cpu.{user,sys}tem", "cpu.system", true},
    {"x{1,{2,3}}", "x3", true},
    {"x{1,{2,3}}", "x1", true},
    {"x{1,{2,3}}", "x4", false},
    {"{a,b}{c,d}", "bd", true},
    {"x{}y", "xy", true},
    {"x{a,}", "x", true},
    {"x{a", "x{a", true},  // unbalanced braces are literal
    {"x}a", "x}a", true},
    {"{h*,db}01", "host01", true},
    {"{h*,db}01", "db01", true},
    {"{h*,db}01", "web01", false},
    // a '.' splits components even inside braces or brackets, as in graphite-web
    {"{a.b,c}", "a.b", false},
    {"x.[a.b]", "x.[a.b]", true},
    // backslashes are removed before matching, as graphite-web does
    {"a\\.b", "a.b", true},
    // globstar
    {"a.**.z", "a.z", true},
    {"a.**.z", "a.b.z", true},
    {"a.**.z", "a.b.c.z", true},
    {"a.**.z", "a.b.c", false},
    {"a.**", "a.b", true},
    {"a.**", "a.b.c.d", true},
    {"a.**", "a", false},
    {"**", "a.b.c", true},
    {"**.c", "a.b.c", true},
    {"**.c", "c", true},
    // empty components
    {"a..b", "a..b", true},
    {"a.*.b", "a..b", true},
};

TEST(GlobTest, MatchesLikeGraphiteWeb) {
  for (const GlobCase& c : kCases) {
    EXPECT_EQ(GlobMatchFull(c.pattern, c.name), c.match)
        << "pattern '" << c.pattern << "' name '" << c.name << "'";
  }
}

TEST(GlobTest, ClassifiesComponents) {
  auto glob = GlobPattern::Compile("servers.{dc1,dc2}.host-*.cpu.**");
  ASSERT_TRUE(glob.ok()) << glob.status().ToString();
  ASSERT_EQ(glob->size(), 5u);
  EXPECT_FALSE(glob->HasWildcard(0));
  EXPECT_EQ(glob->LiteralAlternatives(0), std::vector<std::string>{"servers"});
  EXPECT_FALSE(glob->HasWildcard(1));
  EXPECT_EQ(glob->LiteralAlternatives(1), (std::vector<std::string>{"dc1", "dc2"}));
  EXPECT_TRUE(glob->HasWildcard(2));
  EXPECT_TRUE(glob->IsGlobstar(4));
  EXPECT_TRUE(glob->HasWildcard(4));
  EXPECT_FALSE(glob->IsGlobstar(2));
  EXPECT_FALSE(glob->IsLiteral());
  EXPECT_TRUE(glob->MatchComponent(2, "host-42"));
  EXPECT_FALSE(glob->MatchComponent(2, "db-42"));
  EXPECT_FALSE(glob->MatchComponent(4, "anything"));
}

TEST(GlobTest, LiteralPatternIsLiteral) {
  auto glob = GlobPattern::Compile("a.b.c");
  ASSERT_TRUE(glob.ok());
  EXPECT_TRUE(glob->IsLiteral());
  EXPECT_EQ(glob->text(), "a.b.c");
  EXPECT_EQ(glob->LiteralPath(), "a.b.c");
  auto escaped = GlobPattern::Compile("a\\b..c");
  ASSERT_TRUE(escaped.ok());
  EXPECT_EQ(escaped->LiteralPath(), "ab..c");
  auto braces = GlobPattern::Compile("a.{b}.c");
  ASSERT_TRUE(braces.ok());
  EXPECT_TRUE(braces->IsLiteral());  // one alternative, no wildcard
  auto two = GlobPattern::Compile("a.{b,c}");
  ASSERT_TRUE(two.ok());
  EXPECT_FALSE(two->IsLiteral());
}

TEST(GlobTest, ManyLiteralAlternativesStillMatch) {
  std::string pattern = "{";
  for (int i = 0; i < 100; ++i) pattern += (i ? "," : "") + std::string("h") + std::to_string(i);
  pattern += "}";
  auto glob = GlobPattern::Compile(pattern);
  ASSERT_TRUE(glob.ok());
  EXPECT_EQ(glob->LiteralAlternatives(0).size(), 100u);
  EXPECT_TRUE(glob->MatchComponent(0, "h57"));
  EXPECT_FALSE(glob->MatchComponent(0, "h100"));
}

TEST(GlobTest, RejectsEmptyPattern) {
  auto glob = GlobPattern::Compile("");
  ASSERT_FALSE(glob.ok());
  EXPECT_EQ(glob.status().code(), core::StatusCode::kInvalidArgument);
}

TEST(GlobTest, RejectsOverlongPattern) {
  auto glob = GlobPattern::Compile(std::string(kMaxGlobPatternBytes + 1, 'a'));
  ASSERT_FALSE(glob.ok());
  EXPECT_EQ(glob.status().code(), core::StatusCode::kInvalidArgument);
}

TEST(GlobTest, RejectsCombinatorialBraceExpansion) {
  // 2^20 alternatives in one component.
  std::string pattern;
  for (int i = 0; i < 20; ++i) pattern += "{a,b}";
  auto glob = GlobPattern::Compile(pattern);
  ASSERT_FALSE(glob.ok());
  EXPECT_EQ(glob.status().code(), core::StatusCode::kInvalidArgument);
}

TEST(GlobTest, RejectsTooManyAlternativesAcrossComponents) {
  // 1000 alternatives per component, 11 components: each component is fine, the sum is not.
  const std::string group = "{0,1,2,3,4,5,6,7,8,9}";
  std::string pattern = group + group + group;
  for (int i = 0; i < 10; ++i) pattern += "." + group + group + group;
  auto glob = GlobPattern::Compile(pattern);
  ASSERT_FALSE(glob.ok());
  EXPECT_EQ(glob.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(glob.status().message().find("alternatives"), std::string::npos);
}

TEST(GlobTest, AcceptsExpansionUpToTheLimit) {
  // 10 x 10 x 10 x 10 = kMaxGlobAlternatives.
  std::string group = "{0,1,2,3,4,5,6,7,8,9}";
  auto glob = GlobPattern::Compile(group + group + group + group);
  ASSERT_TRUE(glob.ok()) << glob.status().ToString();
  EXPECT_TRUE(glob->MatchComponent(0, "4711"));
  EXPECT_FALSE(glob->MatchComponent(0, "471"));
}

TEST(GlobTest, SingleAlternativeGroupsDoNotBlowUp) {
  std::string pattern;
  for (int i = 0; i < 2000; ++i) pattern += "{a}";
  auto glob = GlobPattern::Compile(pattern);
  ASSERT_TRUE(glob.ok());
  EXPECT_TRUE(glob->MatchComponent(0, std::string(2000, 'a')));
}

TEST(GlobTest, StarHeavyPatternsStayLinear) {
  // Exponential backtracking would never finish on this.
  const std::string name(5000, 'a');
  EXPECT_FALSE(GlobMatchFull("*a*a*a*a*a*a*a*a*a*a*b", name));
  EXPECT_TRUE(GlobMatchFull("*a*a*a*a*a*a*a*a*a*a*", name));
}

TEST(GlobTest, InvalidPatternMatchesNothing) { EXPECT_FALSE(GlobMatchFull("", "")); }

TEST(GlobTest, RunOfGlobstarsIsOneComponent) {
  auto glob = GlobPattern::Compile("a.**.**.**.b.**.**");
  ASSERT_TRUE(glob.ok());
  ASSERT_EQ(glob->size(), 4u);
  EXPECT_TRUE(glob->IsGlobstar(1));
  EXPECT_TRUE(glob->IsGlobstar(3));
  EXPECT_TRUE(GlobMatchFull(*glob, "a.b.c"));
  EXPECT_TRUE(GlobMatchFull(*glob, "a.x.y.b.c.d"));
  EXPECT_FALSE(GlobMatchFull(*glob, "a.b"));  // a final "**" takes at least one component
}

}  // namespace
}  // namespace meridian::storage
