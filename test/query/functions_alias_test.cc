// Alias functions end to end over a whisper-like fake source. Expected names come from
// graphite-web 1.1.10's render/functions.py loaded into Debian's graphite-web 1.1.8
// (/usr/bin/python3), e.g. F.aliasSub(ctx, F.scale(ctx, [fetch('g.x')], 2), '(^.*$)', r'\1 A');
// the call is quoted above each expectation.
#include <gtest/gtest.h>

#include "query/functions/common.h"
#include "query/functions/py_regex.h"
#include "support/query_test_util.h"

namespace meridian::query {
namespace {

constexpr double N = functions::kNull;
using testing::NameOf;
using testing::Tags;

using AliasTest = testing::OracleFunctionTest;

TEST_F(AliasTest, GrafanaWrapKeepsTheWholeNameAndAppendsTheRefId) {
  // F.aliasSub(ctx, F.scale(ctx, [g.x], 2), '(^.*$)', r'\1 A') → 'scale(g.x,2) A'
  Series s = One(R"T(aliasSub(scale(g.x,2), "(^.*$)", "\1 A"))T");
  EXPECT_EQ(s.name, "scale(g.x,2) A");
  EXPECT_EQ(s.path_expression, "scale(g.x,2)");  // aliases never touch pathExpression
  EXPECT_EQ(NameOf(Eval(R"T(aliasSub(alias(g.x, "my name"), "(^.*$)", "\1 B"))T")), "my name B");
}

TEST_F(AliasTest, AliasSubReplacesEveryMatchWithPythonTemplates) {
  // F.aliasSub(ctx, [g.x], r'(\w)', r'<\g<1>>') → '<g>.<x>'
  EXPECT_EQ(One(R"T(aliasSub(g.x, "(\w)", "<\g<1>>"))T").name, "<g>.<x>");
  // F.aliasSub(ctx, [g.x], 'x*', '-') → '-g-.--' (Python 3.7+ empty-match rule)
  EXPECT_EQ(One(R"T(aliasSub(g.x, "x*", "-"))T").name, "-g-.--");
  EXPECT_FALSE(TryEval(R"T(aliasSub(g.x, "(g)", "\2"))T").ok());  // invalid group reference
  EXPECT_FALSE(TryEval(R"T(aliasSub(g.x, "(g", "x"))T").ok());    // bad pattern
}

// Issue 8: std::regex backtracks exponentially on this pattern (no 'c' in the name).
TEST_F(AliasTest, AliasSubWithCatastrophicPatternAnswers) {
  // With 38 a's std::regex took 34 s on a 2-core test machine; 48 take hours.
  const std::string stuck = "x." + std::string(48, 'a') + "b";
  source_.Add(stuck, 0, 60, {1});
  source_.Add("x.aac", 0, 60, {1});
  SeriesList out = Eval(R"T(aliasSub(x.*, "(a|aa)*c", "z"))T");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].name, stuck);
  EXPECT_EQ(out[1].name, "x.z");
}

TEST_F(AliasTest, RegexErrorsNameTheFunctionAndThePattern) {
  core::Status st = TryEval(R"T(aliasSub(g.x, "(g)\1", "x"))T").status();
  EXPECT_EQ(st.code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(),
            "aliasSub: invalid regex '(g)\\1': back-reference \\1 is not supported by RE2 at "
            "position 3");
}

TEST_F(AliasTest, AliasReplacesTheName) {
  EXPECT_EQ(One(R"T(alias(g.x, "my name"))T").name, "my name");
  SeriesList both = Eval("alias(g.*, 'same')");
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[1].name, "same");
}

TEST_F(AliasTest, AliasByNodeUsesTheFirstInnerPathAndPythonIndexes) {
  // F.aliasByNode(ctx, F.scale(ctx, [g.x], 2), 1) → 'x'
  EXPECT_EQ(One("aliasByNode(scale(g.x,2), 1)").name, "x");
  // F.aliasByNode(ctx, [g.x], 0, -1) → 'g.x'; node 5 → '' (missing tag)
  EXPECT_EQ(One("aliasByNode(g.x, 0, -1)").name, "g.x");
  EXPECT_EQ(One("aliasByNode(g.x, 5)").name, "");
  EXPECT_EQ(One("g.x|aliasByNode(1)").name, "x");
}

TEST_F(AliasTest, AliasByNodeAndTagsReadTagsOfTaggedSeries) {
  source_.Add("cpu.load;dc=east;host=h1", 0, 60, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  // F.aliasByNode(ctx, [TimeSeries('cpu.load;dc=east;host=h1', ...)], 'host', 1) → 'h1.load'
  EXPECT_EQ(One("aliasByNode(cpu.load;dc=east;host=h1, 'host', 1)").name, "h1.load");
  // F.aliasByTags(ctx, [...], 'dc', 'name', 'missing') → 'east.cpu.load.'
  EXPECT_EQ(One("aliasByTags(cpu.load;dc=east;host=h1, 'dc', 'name', 'missing')").name,
            "east.cpu.load.");
}

TEST_F(AliasTest, AliasByMetricAndSubstrCutInsideTheInnermostCall) {
  // F.aliasByMetric(ctx, F.scale(ctx, [g.x], 2)) → 'x'
  EXPECT_EQ(One("aliasByMetric(scale(g.x,2))").name, "x");
  // F.aliasByMetric(ctx, F.summarize(ctx, [g.x], '5min')) → 'x'
  EXPECT_EQ(One("aliasByMetric(summarize(g.x, '5min'))").name, "x");
  source_.Add("a.b.c.d", 0, 60, {1, 2, 3});
  // F.substr(ctx, [series named 'scale(a.b.c.d,2)'], 1, 3) → 'b.c'
  EXPECT_EQ(One("substr(scale(a.b.c.d,2), 1, 3)").name, "b.c");
  // F.substr(ctx, [series named 'a.b.c.d'], -2) → 'c.d'
  EXPECT_EQ(One("substr(a.b.c.d, -2)").name, "c.d");
}

TEST_F(AliasTest, LegendValueAppendsPythonReprsOfAggregates) {
  // F.legendValue(ctx, [g.x], 'avg', 'count', 'last', 'total', 'bogus') — whisper values are
  // floats, so last/total print as floats and count as an int.
  EXPECT_EQ(One("legendValue(g.x, 'avg', 'count', 'last', 'total', 'bogus')").name,
            "g.x (avg: 1.8928571428571428) (count: 7) (last: 2.0) (total: 13.25) (bogus: (?))");
  // F.legendValue(ctx, F.scale(ctx, [g.x], 1000.0), 'max', 'min', 'si')
  EXPECT_EQ(One("legendValue(scale(g.x, 1000), 'max', 'min', 'si')").name,
            "scale(g.x,1000)     max  7.00k     min  -2.00k    ");
  // F.legendValue(ctx, F.scale(ctx, [g.x], 2048.0), 'avg', 'binary')
  EXPECT_EQ(One("legendValue(scale(g.x, 2048), 'avg', 'binary')").name,
            "scale(g.x,2048)     avg  3.79Ki    ");
}

TEST_F(AliasTest, CactiStyleAlignsColumnsAcrossTheList) {
  // F.cactiStyle(ctx, [g.x, g.y])
  SeriesList plain = Eval("cactiStyle(g.*)");
  EXPECT_EQ(NameOf(plain, 0), "g.x Current:2.00    Max:7.00    Min:-2.00    ");
  EXPECT_EQ(NameOf(plain, 1), "g.y Current:1.00    Max:3.00    Min:1.00     ");
  // F.cactiStyle(ctx, F.scale(ctx, [g.x, g.y], 1500.0), 'si', 'b')
  SeriesList si = Eval("cactiStyle(scale(g.*, 1500), 'si', 'b')");
  EXPECT_EQ(NameOf(si, 0), "scale(g.x,1500) Current:3.00 kb    Max:10.50 kb    Min:-3.00 kb    ");
  EXPECT_EQ(NameOf(si, 1), "scale(g.y,1500) Current:1.50 kb    Max:4.50 kb     Min:1.50 kb     ");
  // F.cactiStyle(ctx, [g.x, g.y], None, 'ms')
  EXPECT_EQ(NameOf(Eval("cactiStyle(g.*, units='ms')"), 1),
            "g.y Current:1.00 ms    Max:3.00 ms    Min:1.00 ms     ");
}

TEST_F(AliasTest, UpperAndLowerWholeNameOrPositions) {
  // F.toUpperCase(ctx, [g.x]); (0, -1, 9): out-of-range positions are ignored
  EXPECT_EQ(One("upper(g.x)").name, "G.X");
  EXPECT_EQ(One("upper(g.x, 0, -1, 9)").name, "G.X");
  EXPECT_EQ(One("lower(upper(g.x), 0)").name, "g.X");
}

TEST_F(AliasTest, AliasQueryNamesFromTheLastValueOfAnotherSeries) {
  // aliasQuery(g.x, 'g\.(x)', 'g.y', 'y is %d'): the last non-null value of g.y is 1 (t=360)
  EXPECT_EQ(One(R"T(aliasQuery(g.x, "g\.(x)", "g.y", "y is %d"))T").name, "y is 1");
  EXPECT_EQ(One(R"T(aliasQuery(g.x, "g", "g", "v=%.2f %%"))T").name, "v=2.00 %");
  EXPECT_FALSE(TryEval(R"T(aliasQuery(g.x, "g", "nothing", "%d"))T").ok());
  EXPECT_FALSE(TryEval(R"T(aliasQuery(g.x, "g", "g", "no conversion"))T").ok());
}

using functions::PyRegex;

TEST(PyRegexTest, SubExpandsPythonReplacementSyntax) {
  auto re = PyRegex::Compile(R"T((?P<first>\w+)\.(\w+))T");
  ASSERT_TRUE(re.ok()) << re.status().ToString();
  EXPECT_EQ(*re->Sub(R"T(\2-\g<first>-\g<0>)T", "ab.cd"), "cd-ab-ab.cd");
  EXPECT_EQ(*re->Sub(R"T(\n\t\\\.\101\0)T", "ab.cd"), std::string("\n\t\\\\.A") + '\0');
  EXPECT_FALSE(re->Sub(R"T(\q)T", "x").ok());        // bad escape of an ASCII letter
  EXPECT_FALSE(re->Sub(R"T(\g<nope>)T", "x").ok());  // unknown group name
  EXPECT_FALSE(re->Sub(R"T(\3)T", "x").ok());        // invalid group reference
  EXPECT_FALSE(re->Sub("\\", "x").ok());             // trailing backslash
}

TEST(PyRegexTest, UnmatchedGroupsExpandToEmptyAndAnchorsWork) {
  auto re = PyRegex::Compile(R"T(\A(a)|(b)\Z)T");
  ASSERT_TRUE(re.ok());
  EXPECT_EQ(*re->Sub(R"T([\1\2])T", "ab"), "[a][b]");
  auto icase = PyRegex::Compile("(?i)ABC");
  ASSERT_TRUE(icase.ok());
  EXPECT_TRUE(icase->Search("xabcx"));
  EXPECT_EQ(*icase->Sub("", "aBc-ABC"), "-");
}

// Back-references need a backtracking engine: on RE2 they are refused with an error naming the
// pattern and the construct (std::regex ran them, with unbounded cost).
TEST(PyRegexTest, PythonCharacterClassesWorkAndBackReferencesAreRefused) {
  auto re = PyRegex::Compile(R"T([]a]+(?P<d>\d)\d)T");
  ASSERT_TRUE(re.ok()) << re.status().ToString();
  EXPECT_EQ(*re->Sub("X", "]a]11 a22 a2b"), "X X a2b");
  for (const char* pattern : {R"T((?P<d>\d)(?P=d))T", R"T((\d)\1)T"}) {
    auto backref = PyRegex::Compile(pattern);
    ASSERT_FALSE(backref.ok()) << pattern;
    EXPECT_NE(backref.status().message().find(pattern), std::string::npos);
    EXPECT_NE(backref.status().message().find("back-reference"), std::string::npos);
  }
}

TEST(PyRegexTest, SubStopsWhenTheDeadlineEnds) {
  auto re = PyRegex::Compile(".*x|a");  // each match scans to the end: O(len²) over "aaa..."
  ASSERT_TRUE(re.ok());
  core::Deadline deadline = core::Deadline::Cancellable();
  deadline.Cancel();
  auto sub = re->Sub("-", std::string(1000, 'a'), deadline);
  EXPECT_EQ(sub.status().code(), core::StatusCode::kCancelled);
  EXPECT_EQ(*re->Sub("-", "aa"), "--");  // no deadline: runs to the end
}

TEST(PyRegexTest, UnsupportedConstructsAreErrors) {
  EXPECT_FALSE(PyRegex::Compile("(?<=a)b").ok());
  EXPECT_FALSE(PyRegex::Compile("a(?s)b").ok());
  EXPECT_FALSE(PyRegex::Compile("(?P<1x>a)").ok());
  EXPECT_FALSE(PyRegex::Compile("[a").ok());
  EXPECT_FALSE(PyRegex::Compile("a\\").ok());
}

}  // namespace
}  // namespace meridian::query
