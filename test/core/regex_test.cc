#include "core/regex.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "core/internal/python_regex.h"

namespace meridian::core {
namespace {

using ::testing::HasSubstr;

Regex MustCompile(std::string_view pattern) {
  auto re = Regex::Compile(pattern);
  EXPECT_TRUE(re.ok()) << pattern << ": " << re.status().ToString();
  return std::move(re).value();
}

// re.sub(pattern, "-", text) through ForEachMatch.
std::string Dashes(std::string_view pattern, std::string_view text) {
  Regex re = MustCompile(pattern);
  std::string out;
  size_t copied = 0;
  re.ForEachMatch(text, [&](const RegexMatch& m) {
    out.append(text.substr(copied, m.begin - copied));
    out += '-';
    copied = m.end;
    return true;
  });
  out.append(text.substr(copied));
  return out;
}

TEST(RegexTest, SearchMatchAndFullMatchFollowPythonAnchoring) {
  Regex re = MustCompile("b+");
  EXPECT_TRUE(re.PartialMatch("abbc"));
  EXPECT_FALSE(re.MatchesAtStart("abbc"));
  EXPECT_TRUE(re.MatchesAtStart("bbc"));
  EXPECT_FALSE(re.FullMatch("bbc"));
  EXPECT_TRUE(re.FullMatch("bb"));
  EXPECT_FALSE(MustCompile("x").PartialMatch(""));
  EXPECT_TRUE(MustCompile("").FullMatch(""));
}

// Expected strings are Python 3.11's re.sub(pattern, "-", text).
TEST(RegexTest, ForEachMatchFollowsPython37EmptyMatchRules) {
  EXPECT_EQ(Dashes("x*", "abxd"), "-a-b--d-");
  EXPECT_EQ(Dashes("a|", "aab"), "---b-");
  EXPECT_EQ(Dashes("", "ab"), "-a-b-");
  EXPECT_EQ(Dashes("x*", "\xc3\xa9"), "-\xc3\xa9-");  // never splits a UTF-8 character
  EXPECT_EQ(Dashes("a{,2}", "aaaaa"), "----");
  EXPECT_EQ(Dashes("a{,2}|}", "a{,2}|}"), "--{-,-2---|---");
  EXPECT_EQ(Dashes("^a", "aaa"), "-aa");  // ^ is the start of the text, not of the search
  EXPECT_EQ(Dashes(R"(\ba)", "a a-ab ba"), "- ---b ba");
  EXPECT_EQ(Dashes("a$", "ba"), "b-");
  EXPECT_EQ(Dashes("x", ""), "");
  EXPECT_EQ(Dashes("x*", ""), "-");
}

TEST(RegexTest, ForEachMatchReportsGroupsAndStopsWhenAsked) {
  Regex re = MustCompile(R"((?P<k>\w)=(\d)?)");
  EXPECT_EQ(re.group_count(), 2u);
  EXPECT_EQ(re.group_names().at("k"), 1u);
  std::vector<std::string> seen;
  re.ForEachMatch("a=1 b= c=3", [&](const RegexMatch& m) {
    seen.push_back(std::string(*m.groups[1]) + (m.groups[2] ? std::string(*m.groups[2]) : "!"));
    return seen.size() < 2;
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"a1", "b!"}));
}

TEST(RegexTest, PythonSyntaxIsTranslated) {
  EXPECT_EQ(Dashes(R"(\Aa|b\Z)", "aab"), "-a-");
  EXPECT_EQ(Dashes("(?i)\xc3\x89",
                   "\xc3\xa9\xc3\x89"
                   "e"),
            "--e");                               // Unicode case folding
  EXPECT_EQ(Dashes(R"(\s)", "a\vb c"), "a-b-c");  // \s includes \v
  EXPECT_EQ(Dashes("[]a]", "a]b"), "--b");
  EXPECT_EQ(Dashes("[[:a]+", ":[a]"), "-]");  // no POSIX classes in Python
  EXPECT_EQ(Dashes(R"(\x41\101\0)", std::string("AA\0", 3)), "-");
  EXPECT_EQ(Dashes(".", "\xc3\xa9"), "-");  // one code point
  EXPECT_EQ(Dashes("a{x}|{", "a{x}{"), "--");
  EXPECT_EQ(Dashes(R"(a(?#note)b)", "ab"), "-");
  EXPECT_EQ(Dashes(R"((?i:A)a)", "aa Aa aA"), "- - aA");
  EXPECT_EQ(Dashes(R"([\b\d])", "\b1x"), "--x");
  EXPECT_EQ(Dashes(R"(\.\_\-)", "._-"), "-");
  EXPECT_TRUE(MustCompile("(?P<first>a)(?P<second>b)").FullMatch("ab"));
}

TEST(RegexTest, RefusesWhatRe2CannotRunNamingPatternAndConstruct) {
  const std::pair<const char*, const char*> kCases[] = {
      {R"((a)\1)", "back-reference"},
      {"(?P<x>a)(?P=x)", "back-reference"},
      {"a(?=b)", "lookahead"},
      {"a(?!b)", "lookahead"},
      {"(?<=a)b", "lookbehind"},
      {"(?<!a)b", "lookbehind"},
      {"(a)?(?(1)b|c)", "conditional"},
      {"(?>a+)", "atomic"},
      {"a*+", "possessive"},
      {"(?x) a", "verbose"},
      {"a(?i)b", "global flags not at the start"},
      {R"(\q)", "bad escape"},
      {R"(\z)", "bad escape"},
      {R"([\A])", "bad escape"},
      {R"(\x4)", "incomplete escape"},
      {"a\\", "bad escape (end of pattern)"},
      {"(?P<1x>a)", "bad character in group name"},
      {"(a", "missing )"},
      {"[a", "missing ]"},
      {"a{2,1}", "repetition"},
      {"\xff", "UTF-8"},
  };
  for (const auto& [pattern, why] : kCases) {
    auto re = Regex::Compile(pattern);
    ASSERT_FALSE(re.ok()) << pattern;
    EXPECT_EQ(re.status().code(), StatusCode::kInvalidArgument) << pattern;
    EXPECT_THAT(re.status().message(), HasSubstr(fmt::format("invalid regex '{}'", pattern)));
    EXPECT_THAT(re.status().message(), HasSubstr(why)) << pattern;
  }
}

TEST(RegexTest, LimitsOnPatternLengthAndProgramSize) {
  auto too_long = Regex::Compile(std::string(kRegexMaxPatternBytes + 1, 'a'));
  ASSERT_FALSE(too_long.ok());
  EXPECT_THAT(too_long.status().message(), HasSubstr("longer than 4096 bytes"));
  EXPECT_TRUE(Regex::Compile(std::string(kRegexMaxPatternBytes, 'a')).ok());
  auto too_big = Regex::Compile(R"(((((\w{50}){20}){20}){20}))");
  ASSERT_FALSE(too_big.ok());
  EXPECT_THAT(too_big.status().message(), HasSubstr("repetition size"));
  EXPECT_EQ(too_big.status().code(), StatusCode::kInvalidArgument);
  auto small = Regex::Compile("[^a]{1000}", RegexOptions{.max_mem_bytes = 64 << 10});
  ASSERT_FALSE(small.ok());
  EXPECT_THAT(small.status().message(), HasSubstr("too large"));
  EXPECT_FALSE(Regex::Compile("a", RegexOptions{.max_pattern_bytes = 0}).ok());
  EXPECT_FALSE(Regex::Compile("a", RegexOptions{.max_mem_bytes = 1}).ok());
}

// Issue 8: std::regex overflowed the stack on these (16 KiB text) or backtracked for ever.
// RE2 answers in linear time; the tests check the answers, not the time.
TEST(RegexTest, PathologicalPatternsAnswerCorrectly) {
  const std::string long_name = std::string(16 * 1024, 'x') + "y";
  EXPECT_TRUE(MustCompile("(.|z)*y").PartialMatch(long_name));
  EXPECT_EQ(Dashes("(.|z)*y", long_name), "-");
  const std::string as = std::string(40, 'a') + "b";
  EXPECT_FALSE(MustCompile("(a+)+$").PartialMatch(as));
  EXPECT_EQ(Dashes("(a|aa)*c", as), as);
  EXPECT_FALSE(MustCompile("(a+)+$").MatchesAtStart(as));
  EXPECT_FALSE(MustCompile("(x+x+)+y").FullMatch(std::string(100000, 'x')));
}

TEST(RegexTest, InvalidUtf8TextIsSearchedNotRejected) {
  Regex re = MustCompile("a.c");
  EXPECT_TRUE(
      re.PartialMatch("\xff"
                      "abc\xfe"));
  EXPECT_EQ(Dashes("b*", "\xff"), "-\xff-");
}

TEST(RegexTest, CopiesShareTheCompiledProgram) {
  Regex a = MustCompile("x+");
  Regex b = a;
  EXPECT_EQ(&a.pattern(), &b.pattern());
  EXPECT_TRUE(b.PartialMatch("axx"));
}

TEST(PythonRegexTranslationTest, RewritesOnlyWhatRe2SpellsDifferently) {
  EXPECT_EQ(*internal::TranslatePythonRegex(R"(^a\.b$)"), R"(^a\x{2e}b$)");
  EXPECT_EQ(*internal::TranslatePythonRegex(R"(\Z)"), R"(\z)");
  EXPECT_EQ(*internal::TranslatePythonRegex("a{,3}"), "a{0,3}");
  EXPECT_EQ(*internal::TranslatePythonRegex("(?iu)a"), "(?i)a");
  EXPECT_EQ(*internal::TranslatePythonRegex("(?a-i:x)"), "(?-i:x)");
}

}  // namespace
}  // namespace meridian::core
