#include "aggregation/rule.h"

#include <gtest/gtest.h>

#include <string>

namespace meridian::aggregation {
namespace {

AggregationRule Parse(std::string_view line) {
  auto rule = ParseAggregationRule(line, "rules.conf:1");
  EXPECT_TRUE(rule.ok()) << rule.status().message();
  return rule.ok() ? *rule : AggregationRule{};
}

std::string ParseError(std::string_view line) {
  auto rule = ParseAggregationRule(line, "rules.conf:7");
  EXPECT_FALSE(rule.ok()) << line;
  return rule.ok() ? "" : std::string(rule.status().message());
}

CompiledRule Compile(std::string_view line) {
  auto compiled = CompiledRule::Compile(Parse(line));
  EXPECT_TRUE(compiled.ok()) << compiled.status().message();
  return *std::move(compiled);
}

TEST(AggregationRuleTest, ParsesCarbonsRuleLine) {
  AggregationRule r = Parse("  totals.<dc>.cpu (60) = sum servers.<dc>.*.cpu  ");
  EXPECT_EQ(r.output_template, "totals.<dc>.cpu");
  EXPECT_EQ(r.frequency, 60);
  EXPECT_EQ(r.method, Method::kSum);
  EXPECT_EQ(r.input_pattern, "servers.<dc>.*.cpu");
  EXPECT_EQ(r.source, "rules.conf:1");
  // Parentheses are stripped, not required; tabs split words; the pattern may hold '='.
  EXPECT_EQ(Parse("o\t10\t=\tp99\treq;dc=<dc>").frequency, 10);
  EXPECT_EQ(Parse("o\t10\t=\tp99\treq;dc=<dc>").input_pattern, "req;dc=<dc>");
  EXPECT_DOUBLE_EQ(Parse("o (1) = p999 a.b").percentile, 0.999);
}

TEST(AggregationRuleTest, EveryCarbonMethodIsKnown) {
  for (const char* m :
       {"sum", "avg", "min", "max", "count", "p50", "p75", "p80", "p90", "p95", "p99", "p999"}) {
    EXPECT_EQ(Parse(std::string("o (1) = ") + m + " a").method_name, m);
  }
  EXPECT_NE(ParseError("o (1) = median a").find("unknown method 'median'"), std::string::npos);
  EXPECT_NE(ParseError("o (1) = last a").find("unknown method"), std::string::npos);
}

TEST(AggregationRuleTest, MalformedLinesNameFileLineAndText) {
  EXPECT_EQ(ParseError("a.b (60) sum c.d"),
            "rules.conf:7: expected 'output_template (frequency) = method input_pattern': a.b "
            "(60) sum c.d");
  EXPECT_NE(ParseError("a.b = sum c.d").find("expected 'output_template"), std::string::npos);
  EXPECT_NE(ParseError("a.b (60) = sum c.d e").find("expected"), std::string::npos);
  EXPECT_NE(ParseError("a.b (x) = sum c").find("frequency '(x)'"), std::string::npos);
  EXPECT_NE(ParseError("a.b (0) = sum c").find("frequency '(0)'"), std::string::npos);
  EXPECT_NE(ParseError("a.b (-5) = sum c").find("frequency"), std::string::npos);
}

TEST(AggregationRuleTest, TemplateFieldsMustBeCaptured) {
  EXPECT_NE(ParseError("t.<host> (60) = sum a.<dc>.b")
                .find("uses <host>, which the input pattern 'a.<dc>.b' does not capture"),
            std::string::npos);
  EXPECT_NE(ParseError("t.<<rest>> (60) = sum a.<<rest>>").find("write a field as <name>"),
            std::string::npos);
  EXPECT_NE(ParseError("t.50% (60) = sum a.b").find("holds '%'"), std::string::npos);
  EXPECT_NE(ParseError("t.<x (60) = sum a.<x>").find("unbalanced"), std::string::npos);
  EXPECT_NE(ParseError("t.x> (60) = sum a.<x>").find("unbalanced"), std::string::npos);
}

TEST(AggregationRuleTest, BadPatternsAreErrors) {
  EXPECT_NE(ParseError("t (60) = sum a.<x>.<x>").find("input pattern 'a.<x>.<x>'"),
            std::string::npos);
  EXPECT_NE(ParseError("t (60) = sum a.[b").find("makes the regex"), std::string::npos);
  EXPECT_NE(ParseError("t (60) = sum a.<>.b").find("makes the regex"), std::string::npos);
}

// Expected regexes printed by carbon 1.1.7's AggregationRule.build_regex.
TEST(AggregationRuleTest, BuildsCarbonsRegex) {
  EXPECT_EQ(Compile("o (1) = sum servers.<host>.cpu.*").carbon_regex(),
            R"(servers\.(?P<host>[^.]+?)\.cpu\.[^.]+$)");
  EXPECT_EQ(Compile("o (1) = sum a.<<rest>>").carbon_regex(), R"(a\.(?P<rest>.+?)$)");
  EXPECT_EQ(Compile("o (1) = sum x.pre<f>post.*b*.c").carbon_regex(),
            R"(x\.pre(?P<f>[^.]+?)post\.[^.]*b[^.]*\.c$)");
  EXPECT_EQ(Compile("o (1) = sum req;dc=<dc>").carbon_regex(), R"(req;dc=(?P<dc>[^.]+?)$)");
  EXPECT_EQ(Compile("o (1) = sum a.<<x>>.<y>.z").carbon_regex(),
            R"(a\.(?P<x>.+?)\.(?P<y>[^.]+?)\.z$)");
  EXPECT_EQ(Compile("o (1) = sum a.b|c.d").carbon_regex(), R"(a\.b|c\.d$)");
}

TEST(AggregationRuleTest, OutputSubstitutesCapturedFields) {
  CompiledRule r = Compile("totals.<dc>.<metric> (60) = sum servers.<dc>.*.<metric>");
  EXPECT_EQ(r.OutputFor("servers.ams.web1.cpu"), "totals.ams.cpu");
  EXPECT_EQ(r.OutputFor("servers.ams.cpu"), std::nullopt);            // `*` is one whole node
  EXPECT_EQ(r.OutputFor("servers.ams.web1.cpu.user"), std::nullopt);  // must match to the end
  EXPECT_EQ(r.OutputFor("xservers.ams.web1.cpu"), std::nullopt);      // and from the start
  EXPECT_EQ(r.OutputFor("servers.ams.web1.cpu;dc=x"), "totals.ams.cpu;dc=x");  // tags: [^.]
}

TEST(AggregationRuleTest, GreedyFieldsSpanDotsAndTakeTheShortestLeftMatch) {
  // carbon: a.b.c.d.z → o.b.c.d (x = "b.c", y = "d": .+? leaves the most to the right).
  CompiledRule r = Compile("o.<x>.<y> (60) = sum a.<<x>>.<y>.z");
  EXPECT_EQ(r.OutputFor("a.b.c.d.z"), "o.b.c.d");
  EXPECT_EQ(r.OutputFor("a.b.d.z"), "o.b.d");
  EXPECT_EQ(r.OutputFor("a.d.z"), std::nullopt);
  CompiledRule all = Compile("agg.<metric> (60) = sum <<metric>>");
  EXPECT_EQ(all.OutputFor("a.b;t=v"), "agg.a.b;t=v");
  CompiledRule two = Compile("<a>-<b> (60) = sum <<a>>.<<b>>");
  EXPECT_EQ(two.OutputFor("p.q.r"), "p-q.r");
}

TEST(AggregationRuleTest, PatternTextIsARegexAsInCarbon) {
  CompiledRule r = Compile("o.<n> (60) = sum cpu[0-3].<n>");
  EXPECT_EQ(r.OutputFor("cpu2.idle"), "o.idle");
  EXPECT_EQ(r.OutputFor("cpu7.idle"), std::nullopt);
  // `*` inside a node: any characters but a dot, also none.
  CompiledRule star = Compile("o (60) = sum a.b*.c");
  EXPECT_EQ(star.OutputFor("a.b.c"), "o");
  EXPECT_EQ(star.OutputFor("a.bxy.c"), "o");
  EXPECT_EQ(star.OutputFor("a.b.x.c"), std::nullopt);
  // A top-level alternation is carbon's too: re.match("a\.b|c\.d$") takes "a.b" plus anything.
  CompiledRule alt = Compile("o (60) = sum a.b|c.d");
  EXPECT_EQ(alt.OutputFor("a.bzzz"), "o");
  EXPECT_EQ(alt.OutputFor("c.d"), "o");
  EXPECT_EQ(alt.OutputFor("x.c.d"), std::nullopt);
}

TEST(AggregationRuleTest, LiteralPrefixAndSuffixPrechecksKeepRegexSemantics) {
  // The pre-checks skip the regex for names that cannot match; escapes, quantifiers and
  // alternations at the ends must not make them reject a name the regex accepts.
  EXPECT_EQ(Compile("o.<n> (60) = sum a.<n>\\d").OutputFor("a.x5"), "o.x");
  EXPECT_EQ(Compile("o (60) = sum a.bc?").OutputFor("a.b"), "o");
  EXPECT_EQ(Compile("o (60) = sum ab?.c").OutputFor("a.c"), "o");
  EXPECT_EQ(Compile("o (60) = sum a.b{2}").OutputFor("a.bb"), "o");
  EXPECT_EQ(Compile("o (60) = sum x|y.z").OutputFor("xq"), "o");
  EXPECT_EQ(Compile("o.<h> (60) = sum s.<h>.cpu.user").OutputFor("s.a.cpu.users"), std::nullopt);
  EXPECT_EQ(Compile("o.<h> (60) = sum s.<h>.cpu.user").OutputFor("s.a.cpu.user"), "o.a");
}

TEST(AggregationRulesFileTest, SkipsCommentsAndBlankLinesAndNumbersLines) {
  auto rules = ParseAggregationRules(
      "# comment\n\n  a (60) = sum b.*\r\n   # indented comment\nc (10) = max d.<x>\n", "agg.conf",
      100);
  ASSERT_TRUE(rules.ok()) << rules.status().message();
  ASSERT_EQ(rules->size(), 2u);
  EXPECT_EQ((*rules)[0].source, "agg.conf:3");
  EXPECT_EQ((*rules)[1].source, "agg.conf:5");
  EXPECT_EQ((*rules)[1].input_pattern, "d.<x>");
}

TEST(AggregationRulesFileTest, ABrokenLineFailsTheFileWithItsLineNumber) {
  auto rules = ParseAggregationRules("a (60) = sum b\n\nbroken line\n", "agg.conf", 100);
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.status().message(),
            "agg.conf:3: expected 'output_template (frequency) = method input_pattern': broken "
            "line");
}

TEST(AggregationRulesFileTest, MaxRulesIsEnforced) {
  auto rules = ParseAggregationRules("a (60) = sum b\nc (60) = sum d\n", "agg.conf", 1);
  ASSERT_FALSE(rules.ok());
  EXPECT_NE(rules.status().message().find("agg.conf:2: more than 1 aggregation rules"),
            std::string::npos);
}

TEST(RewriteRulesTest, ParsesSectionsInOrder) {
  auto rules = ParseRewriteRules(
      "# c\n[pre]\n^servers\\. = hosts.\n\n[POST]\n_sum$ = .sum\n\\.  =  _\n", "rw.conf", 10);
  ASSERT_TRUE(rules.ok()) << rules.status().message();
  ASSERT_EQ(rules->pre.size(), 1u);
  ASSERT_EQ(rules->post.size(), 2u);
  EXPECT_EQ(rules->pre[0].pattern, "^servers\\.");
  EXPECT_EQ(rules->pre[0].replacement, "hosts.");
  EXPECT_EQ(rules->post[1].pattern, "\\.");
  EXPECT_EQ(rules->post[1].replacement, "_");
  EXPECT_EQ(rules->post[1].source, "rw.conf:7");
}

TEST(RewriteRulesTest, ErrorsNameTheLine) {
  auto message = [](std::string_view text) {
    auto r = ParseRewriteRules(text, "rw.conf", 10);
    EXPECT_FALSE(r.ok()) << text;
    return r.ok() ? std::string() : std::string(r.status().message());
  };
  EXPECT_NE(message("a = b\n").find("rw.conf:1: rule before any [pre] or [post]"),
            std::string::npos);
  EXPECT_NE(message("[pre]\nnonsense\n").find("rw.conf:2: neither a [section]"), std::string::npos);
  EXPECT_NE(message("[middle]\n").find("unknown section"), std::string::npos);
  EXPECT_NE(message("[pre]\n[post]\n[pre]\n").find("rw.conf:3: section repeated"),
            std::string::npos);
  // Python-only regex syntax is refused with the pattern named.
  EXPECT_NE(message("[pre]\n(a)\\1 = x\n").find("rw.conf:2: invalid regex '(a)\\1'"),
            std::string::npos);
  EXPECT_NE(message("[pre]\n(?<=a)b = x\n").find("invalid regex"), std::string::npos);
  EXPECT_NE(message("[pre]\n(a) = \\2\n").find("invalid group reference 2"), std::string::npos);
  EXPECT_NE(message("[pre]\n(a) = \\q\n").find("bad escape \\q"), std::string::npos);
  EXPECT_TRUE(ParseRewriteRules("[pre]\na = b\n", "rw.conf", 1).ok());
  auto too_many = ParseRewriteRules("[pre]\na = b\n[post]\nc = d\n", "rw.conf", 1);
  ASSERT_FALSE(too_many.ok());
  EXPECT_NE(too_many.status().message().find("rw.conf:4: more than 1 rewrite rules"),
            std::string::npos);
}

TEST(RewriteRulesTest, AppliesPythonReSub) {
  auto apply = [](std::string pattern, std::string replacement, std::string_view name) {
    auto r = CompiledRewrite::Compile({std::move(pattern), std::move(replacement), "x:1"});
    EXPECT_TRUE(r.ok()) << r.status().message();
    return *r->Apply(name);
  };
  EXPECT_EQ(apply(R"(^servers\.(\w+)\.)", R"(hosts.\1.)", "servers.web1.cpu"), "hosts.web1.cpu");
  EXPECT_EQ(apply(R"((?P<a>\w+)\.(?P<b>\w+)$)", R"(\g<b>.\g<a>)", "x.y"), "y.x");
  EXPECT_EQ(apply(R"(\.)", "_", "a.b.c"), "a_b_c");  // every match
  EXPECT_EQ(apply("^nomatch", "x", "a.b"), "a.b");
}

}  // namespace
}  // namespace meridian::aggregation
