#include "query/expression.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace meridian::query {
namespace {

// A compact rendering of a tree: P:path, I:int literal, F:float (%.15g), S:string, B:bool, None,
// name(args) for a call and name|(args) for a piped one, k=value for keyword arguments.
std::string Dump(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kPath:
      return "P:" + e.text;
    case ExprKind::kString:
      return "S:" + e.text;
    case ExprKind::kBool:
      return e.boolean ? "B:true" : "B:false";
    case ExprKind::kNone:
      return "None";
    case ExprKind::kNumber: {
      if (e.is_integer) return "I:" + e.text;
      char buf[64];
      std::snprintf(buf, sizeof buf, "F:%.15g", e.number);
      return buf;
    }
    case ExprKind::kCall:
      break;
  }
  std::string out = e.text + (e.piped ? "|(" : "(");
  for (size_t i = 0; i < e.args.size(); ++i) {
    if (i > 0) out += ", ";
    if (!e.args[i].keyword.empty()) out += e.args[i].keyword + "=";
    out += Dump(e.args[i].value);
  }
  return out + ")";
}

struct Case {
  const char* target;
  const char* tree;
};

// Every construct of graphite-web's grammar. scripts/… is not needed to read it: the expected
// trees were cross-checked against graphite-web's pyparsing grammar (parseAll) except where the
// header documents a deliberate difference (marked "lenient").
const Case kCases[] = {
    // Paths and the characters graphite-web allows in them.
    {R"~(a.b.c)~", R"~(P:a.b.c)~"},
    {R"~(  a.b  )~", R"~(P:a.b)~"},
    {R"~(a.*.c)~", R"~(P:a.*.c)~"},
    {R"~(a.b?.c)~", R"~(P:a.b?.c)~"},
    {R"~(a.{b,c}.d)~", R"~(P:a.{b,c}.d)~"},
    {R"~(a.x{b,c}y{d,e})~", R"~(P:a.x{b,c}y{d,e})~"},
    {R"~({a,b}.c)~", R"~(P:{a,b}.c)~"},
    {R"~(a.[0-9].b)~", R"~(P:a.[0-9].b)~"},
    {R"~(a.[!x]*)~", R"~(P:a.[!x]*)~"},
    {R"~(a.~b)~", R"~(P:a.~b)~"},
    {R"~(cpu;dc=eu;env=prod)~", R"~(P:cpu;dc=eu;env=prod)~"},
    {R"~(a-b_c.d:e@f#g%h+i&j/k<l>m^n$o!p`q)~", R"~(P:a-b_c.d:e@f#g%h+i&j/k<l>m^n$o!p`q)~"},
    {R"~(1)~", R"~(P:1)~"},
    {R"~(-1.5)~", R"~(P:-1.5)~"},
    {R"~(true)~", R"~(P:true)~"},
    {R"~(None)~", R"~(P:None)~"},
    {R"~(#A)~", R"~(P:#A)~"},
    {R"~(a\(b\).c\,d)~", R"~(P:a(b).c,d)~"},
    {R"~(a.\{x\}.\=y\|z)~", R"~(P:a.{x}.=y|z)~"},
    {R"~(a\.b)~", R"~(P:a.b)~"},
    // Calls.
    {R"~(sumSeries(a.*.b))~", R"~(sumSeries(P:a.*.b))~"},
    {R"~(sumSeries())~", R"~(sumSeries())~"},
    {R"~(sumSeries( a.b , c.d ))~", R"~(sumSeries(P:a.b, P:c.d))~"},
    {R"~(sumSeries (a))~", R"~(sumSeries(P:a))~"},
    {R"~(_f1(a))~", R"~(_f1(P:a))~"},
    {R"~(f(a,b))~", R"~(f(P:a, P:b))~"},
    {R"~(f(a.{b,c},d))~", R"~(f(P:a.{b,c}, P:d))~"},
    {R"~(f(a\,b))~", R"~(f(P:a,b))~"},
    {R"~(a(b(c(d.e))))~", R"~(a(b(c(P:d.e))))~"},
    {"f(\n a ,\tb\r\n)", R"~(f(P:a, P:b))~"},
    // Numbers: only when followed by ',' or ')'; otherwise the text is a path.
    {R"~(scale(a.b, 2))~", R"~(scale(P:a.b, I:2))~"},
    {R"~(scale(a.b, -3))~", R"~(scale(P:a.b, I:-3))~"},
    {R"~(scale(a.b, 0.5))~", R"~(scale(P:a.b, F:0.5))~"},
    {R"~(scale(a.b, -1.5e-3))~", R"~(scale(P:a.b, F:-0.0015))~"},
    {R"~(scale(a.b, 1E3))~", R"~(scale(P:a.b, F:1000))~"},
    {R"~(scale(a.b, 2.5e2 ))~", R"~(scale(P:a.b, F:250))~"},
    {R"~(scale(a.b, 1e+3))~", R"~(scale(P:a.b, P:1e+3))~"},
    {R"~(scale(a.b, +1))~", R"~(scale(P:a.b, P:+1))~"},
    {R"~(f(a, 5min))~", R"~(f(P:a, P:5min))~"},
    {R"~(f(a, 1e3x))~", R"~(f(P:a, P:1e3x))~"},
    {R"~(f(-a))~", R"~(f(P:-a))~"},
    {R"~(f(007))~", R"~(f(I:007))~"},
    {R"~(f(12345678901234567890))~", R"~(f(I:12345678901234567890))~"},
    {R"~(f(1e400, 1e-400))~", R"~(f(F:inf, F:0))~"},
    {R"~(f(1|g()))~", R"~(f(g|(P:1)))~"},
    // Keyword constants, any case, not running on into [A-Za-z0-9_$].
    {R"~(f(True, FALSE, None, NONE, inf, INF))~",
     R"~(f(B:true, B:false, None, None, F:inf, F:inf))~"},
    {R"~(f(truex, nonexistent, info, inf$))~", R"~(f(P:truex, P:nonexistent, P:info, P:inf$))~"},
    {R"~(asPercent(a.*, None))~", R"~(asPercent(P:a.*, None))~"},
    {R"~(keepLastValue(a, inf))~", R"~(keepLastValue(P:a, F:inf))~"},
    // Strings: the text between the quotes, escapes kept as written.
    {R"~(f('single', "double"))~", R"~(f(S:single, S:double))~"},
    {R"~(f('it\'s', "say \"hi\""))~", R"~(f(S:it\'s, S:say \"hi\"))~"},
    {R"~(f("a""b"))~", R"~(f(S:a""b))~"},
    {R"~(f('\x41z', ""))~", R"~(f(S:\x41z, S:))~"},
    {R"~(f("a,b)c|d"))~", R"~(f(S:a,b)c|d))~"},
    {R"~(aliasSub(sumSeries(a.*.b), "(^.*$)", "\1 A"))~",
     R"~(aliasSub(sumSeries(P:a.*.b), S:(^.*$), S:\1 A))~"},
    {R"~(seriesByTag('name=cpu','dc=~eu.*'))~", R"~(seriesByTag(S:name=cpu, S:dc=~eu.*))~"},
    {R"~(exclude(a.*, "^x\.y$"))~", R"~(exclude(P:a.*, S:^x\.y$))~"},
    {R"~(movingAverage(a, '5min'))~", R"~(movingAverage(P:a, S:5min))~"},
    {R"~(groupByNodes(a.*.b, "sum", 0, -1))~", R"~(groupByNodes(P:a.*.b, S:sum, I:0, I:-1))~"},
    // Keyword arguments.
    {R"~(highestMax(a.*, n=5))~", R"~(highestMax(P:a.*, n=I:5))~"},
    {R"~(summarize(a, "1h", func="max", alignToFrom=true))~",
     R"~(summarize(P:a, S:1h, func=S:max, alignToFrom=B:true))~"},
    {R"~(f(a, k = b.c))~", R"~(f(P:a, k=P:b.c))~"},
    {R"~(f(a, k=v=w))~", R"~(f(P:a, k=P:v=w))~"},
    {R"~(f(a, k=1, k=2))~", R"~(f(P:a, k=I:1, k=I:2))~"},
    {R"~(f(a.b=c))~", R"~(f(P:a.b=c))~"},
    {R"~(f(a=))~", R"~(f(P:a=))~"},
    {R"~(f(a= , b))~", R"~(f(P:a=, P:b))~"},
    {R"~(f(a=.b))~", R"~(f(P:a=.b))~"},
    {R"~(f(a=|g()))~", R"~(f(g|(P:a=)))~"},
    {R"~(f(true=1))~", R"~(f(true=I:1))~"},                          // lenient
    {R"~(constantLine(value=1))~", R"~(constantLine(value=I:1))~"},  // lenient
    // Pipes: the left side becomes the first positional argument.
    {R"~(a.b|scale(2)|alias("x"))~", R"~(alias|(scale|(P:a.b, I:2), S:x))~"},
    {R"~(a.b | scale(2) |alias("x"))~", R"~(alias|(scale|(P:a.b, I:2), S:x))~"},
    {"a\t|\nscale(2)", R"~(scale|(P:a, I:2))~"},
    {R"~(sumSeries(a.*)|aliasByNode(1))~", R"~(aliasByNode|(sumSeries(P:a.*), I:1))~"},
    {R"~(sumSeries(a|scale(2), b))~", R"~(sumSeries(scale|(P:a, I:2), P:b))~"},
    {R"~(a|f(k=1))~", R"~(f|(P:a, k=I:1))~"},  // lenient
    // template() is an ordinary call here; ExpandTemplates applies it.
    {R"~(template(a.$1.b, "x"))~", R"~(template(P:a.$1.b, S:x))~"},
    {R"~(template(1, k=1e3))~", R"~(template(P:1, k=F:1000))~"},
    {R"~(template(true.x))~", R"~(template(P:true.x))~"},
    {R"~(template(k=v.$1, 2))~", R"~(template(P:k=v.$1, I:2))~"},
    {R"~(a|template(1))~", R"~(template|(P:a, I:1))~"},
    {R"~(template(sumSeries(a.$host.*), host="web1"))~",
     R"~(template(sumSeries(P:a.$host.*), host=S:web1))~"},
    // Non-ASCII bytes are path characters.
    {"m\xc3\xa9trique.\xc3\xa4", "P:m\xc3\xa9trique.\xc3\xa4"},
};

TEST(ExpressionTest, ParsesEveryConstructOfTheGrammar) {
  static_assert(sizeof(kCases) / sizeof(kCases[0]) >= 60);
  for (const Case& c : kCases) {
    auto expr = ParseTarget(c.target);
    ASSERT_TRUE(expr.ok()) << c.target << ": " << expr.status().message();
    EXPECT_EQ(Dump(*expr), c.tree) << c.target;
  }
}

TEST(ExpressionTest, ReparsingTheRootSourceGivesTheSameTree) {
  for (const Case& c : kCases) {
    auto expr = ParseTarget(c.target);
    ASSERT_TRUE(expr.ok()) << c.target;
    auto again = ParseTarget(expr->source);
    ASSERT_TRUE(again.ok()) << expr->source;
    EXPECT_TRUE(SameStructure(*expr, *again)) << c.target;
    EXPECT_EQ(std::string_view(c.target).substr(expr->position, expr->source.size()), expr->source);
  }
}

TEST(ExpressionTest, ValuesPositionsAndSourcesAreExact) {
  auto e = ParseTarget(R"~( a.b | scale( c\.d , -1.5e-3, k='x' ) )~");
  ASSERT_TRUE(e.ok()) << e.status().message();
  EXPECT_EQ(e->source, R"~(a.b | scale( c\.d , -1.5e-3, k='x' ))~");
  EXPECT_EQ(e->position, 1u);
  EXPECT_TRUE(e->piped);
  ASSERT_EQ(e->args.size(), 4u);
  EXPECT_EQ(e->args[0].value.source, "a.b");
  EXPECT_EQ(e->args[1].value.text, "c.d");
  EXPECT_EQ(e->args[1].value.source, R"~(c\.d)~");
  EXPECT_EQ(e->args[1].value.position, 14u);
  EXPECT_DOUBLE_EQ(e->args[2].value.number, -1.5e-3);
  EXPECT_FALSE(e->args[2].value.is_integer);
  EXPECT_EQ(e->args[3].keyword, "k");
  EXPECT_EQ(e->args[3].value.source, "'x'");
  EXPECT_EQ(e->args[3].value.text, "x");

  auto tag = ParseTarget(R"~(sumSeries(seriesByTag('name=cpu', 'dc=~eu.*')))~");
  ASSERT_TRUE(tag.ok());
  EXPECT_EQ(tag->args[0].value.source, R"~(seriesByTag('name=cpu', 'dc=~eu.*'))~");

  auto big = ParseTarget("f(9007199254740993, 9007199254740992)");
  ASSERT_TRUE(big.ok());
  EXPECT_TRUE(big->args[1].value.is_integer);
  EXPECT_EQ(big->args[1].value.number, 9007199254740992.0);
}

struct ErrorCase {
  const char* target;
  const char* message;  // a substring of the error
  size_t position;
};

const ErrorCase kErrors[] = {
    {"sumSeries(a.b", "expected ',' or ')' but found end of target", 13},
    {"sumSeries(a.b))", "expected end of target or '|' but found ')'", 14},
    {"a.b)", "expected end of target or '|'", 3},
    {"f(,)", "expected an argument but found ','", 2},
    {"f(a,)", "expected an argument but found ')'", 4},
    {"f(a,,b)", "expected an argument", 4},
    {"f(k=1, b)", "positional argument after keyword argument", 7},
    {"f(k =)", "expected an argument", 5},
    {"f(a b)", "expected ',' or ')' but found 'b'", 4},
    {"f(a)(b)", "expected end of target", 4},
    {"a..b", "expected a path or a function call but found '.'", 2},
    {"a.", "expected a path or a function call but found end of target", 2},
    {".a", "expected a path or a function call", 0},
    {"a.{b,}", "expected path characters in '{...}'", 5},
    {"a.{}", "expected path characters in '{...}'", 3},
    {"a.{b", "expected ',' or '}' in '{...}'", 4},
    {"a.{b.c}", "expected ',' or '}' in '{...}'", 4},
    {"a.{b,{c}}", "expected path characters", 5},
    {"\"abc\"", "expected a path or a function call but found '\"'", 0},
    {"f(\"abc)", "unterminated string", 2},
    {"f('a\nb')", "unterminated string", 2},
    {"f('a\\", "unterminated string", 2},
    {"f(\"\\xZZ\")", "invalid \\x escape", 3},
    {"f(true.x)", "expected ',' or ')' but found '.'", 6},
    {"f(inf(x))", "expected ',' or ')' but found '('", 5},
    {"f(\"a\"|g())", "expected ',' or ')' but found '|'", 5},
    {"f(1.)", "expected a path or a function call but found ')'", 4},
    {"a|b", "expected a function call after '|'", 2},
    {"a|", "expected a function call after '|'", 2},
    {"|f()", "expected a path or a function call but found '|'", 0},
    {"a\\b", "expected end of target or '|' but found '\\'", 1},
    {"a\x01"
     "b",
     "found \\x01", 1},
    {"a b", "expected end of target", 2},
    {"", "empty target", 0},
    {" \t\n", "empty target", 0},
};

TEST(ExpressionTest, RejectsBadSyntaxNamingTargetAndPosition) {
  for (const ErrorCase& c : kErrors) {
    auto expr = ParseTarget(c.target);
    ASSERT_FALSE(expr.ok()) << c.target << " parsed as " << Dump(*expr);
    EXPECT_EQ(expr.status().code(), core::StatusCode::kInvalidArgument);
    const std::string& m = expr.status().message();
    EXPECT_EQ(m.rfind("target '" + std::string(c.target) + "': ", 0), 0u) << m;
    EXPECT_NE(m.find(c.message), std::string::npos) << c.target << " → " << m;
    if (std::string_view(c.message) != "empty target") {
      EXPECT_NE(m.find("at position " + std::to_string(c.position)), std::string::npos)
          << c.target << " → " << m;
    }
  }
}

std::string Nested(size_t depth) {
  std::string s;
  for (size_t i = 0; i < depth; ++i) s += "f(";
  s += "a";
  for (size_t i = 0; i < depth; ++i) s += ")";
  return s;
}

TEST(ExpressionTest, DepthLimitStopsDeepNestingAndPipeChains) {
  EXPECT_TRUE(ParseTarget(Nested(64)).ok());
  auto deep = ParseTarget(Nested(65));
  ASSERT_FALSE(deep.ok());
  EXPECT_NE(deep.status().message().find("max_depth 64 at position 128"), std::string::npos)
      << deep.status().message();
  auto bomb = ParseTarget(Nested(10'000), {.max_length = 1 << 20});
  ASSERT_FALSE(bomb.ok());
  EXPECT_NE(bomb.status().message().find("max_depth 64"), std::string::npos);
  // Unclosed, too: the limit trips before the missing ')' is noticed.
  EXPECT_FALSE(ParseTarget(std::string(20'000, '(').insert(0, "f")).ok());

  std::string chain = "a";
  for (int i = 0; i < 10'000; ++i) chain += "|f()";
  auto piped = ParseTarget(chain, {.max_length = 1 << 20});
  ASSERT_FALSE(piped.ok());
  EXPECT_NE(piped.status().message().find("max_depth 64"), std::string::npos);
  // Pipes and parentheses add up: f(a|g()) is two calls deep.
  EXPECT_FALSE(ParseTarget("f(a|g())", {.max_depth = 1}).ok());
  EXPECT_TRUE(ParseTarget("f(a|g())", {.max_depth = 2}).ok());
  // Whatever the caller asks for, recursion stays bounded.
  auto capped = ParseTarget(Nested(300), {.max_depth = 100'000});
  ASSERT_FALSE(capped.ok());
  EXPECT_NE(capped.status().message().find("max_depth 256"), std::string::npos);
}

TEST(ExpressionTest, LengthArgsAndNodeLimitsAreErrorsNamingTheLimit) {
  std::string huge(1 << 20, 'a');
  auto too_long = ParseTarget(huge);
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.status().message().find("exceeds max_length 32768"), std::string::npos);
  EXPECT_LT(too_long.status().message().size(), 400u);  // the target is truncated

  // A 1 MB path parses in linear time when the caller allows it.
  std::string path = "a";
  while (path.size() < (1 << 20)) path += ".b*{c,d}";
  auto long_path = ParseTarget(path, {.max_length = 2 << 20});
  ASSERT_TRUE(long_path.ok()) << long_path.status().message();
  EXPECT_EQ(long_path->text, path);

  std::string args = "f(a";
  for (int i = 0; i < 1024; ++i) args += ",1";
  args += ")";
  auto many = ParseTarget(args);
  ASSERT_FALSE(many.ok());
  EXPECT_NE(many.status().message().find("max_args 1024"), std::string::npos);
  EXPECT_FALSE(ParseTarget("a|f(1)", {.max_args = 1}).ok());
  EXPECT_TRUE(ParseTarget("a|f()", {.max_args = 1}).ok());

  auto nodes = ParseTarget("f(a, b, c)", {.max_nodes = 3});
  ASSERT_FALSE(nodes.ok());
  EXPECT_NE(nodes.status().message().find("max_nodes 3"), std::string::npos);
  EXPECT_TRUE(ParseTarget("f(a, b, c)", {.max_nodes = 4}).ok());
}

TEST(ExpressionTest, SameStructureIgnoresPositionAndSourceOnly) {
  auto a = ParseTarget("f(a, 1, k='x')");
  auto b = ParseTarget("  f( a ,1,k = 'x' )");
  auto c = ParseTarget("f(a, 1.0, k='x')");
  auto d = ParseTarget("a|f(1, k='x')");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok() && d.ok());
  EXPECT_TRUE(SameStructure(*a, *b));
  EXPECT_FALSE(SameStructure(*a, *c));  // int vs float
  EXPECT_FALSE(SameStructure(*a, *d));  // piped
  Expr copy = *a;                       // a value type
  EXPECT_TRUE(SameStructure(copy, *a));
}

std::string Expanded(std::string_view target, const std::map<std::string, std::string>& vars = {},
                     size_t max_path_length = 32768) {
  auto parsed = ParseTarget(target);
  if (!parsed.ok()) return "parse error: " + parsed.status().message();
  auto expanded = ExpandTemplates(*parsed, vars, max_path_length);
  if (!expanded.ok()) return "error: " + expanded.status().message();
  return Dump(*expanded);
}

TEST(ExpressionTest, TemplatesSubstitutePathsLikeGraphiteWeb) {
  // graphite-web's test_render.py cases.
  EXPECT_EQ(Expanded("template(target.$test)"), "P:target.$test");
  EXPECT_EQ(Expanded("template(target.$test, test=\"foo\")"), "P:target.foo");
  EXPECT_EQ(Expanded("template(target.$1)"), "P:target.$1");
  EXPECT_EQ(Expanded("template(target.$1, \"bar\")"), "P:target.bar");
  EXPECT_EQ(Expanded("template(target.$test, test=\"foo\")", {{"test", "bar"}}), "P:target.bar");
  EXPECT_EQ(Expanded("template(target.$1, \"bar\")", {{"1", "baz"}}), "P:target.baz");
  EXPECT_EQ(Expanded("template(constantLine($1),12)"), "constantLine(I:12)");
  EXPECT_EQ(Expanded("template(constantLine($num),num=12)"), "constantLine(I:12)");
  EXPECT_EQ(Expanded("template(constantLine($num))", {{"num", "12"}}), "constantLine(F:12)");
  // Python's str() of the value: ints normalized, floats as repr.
  EXPECT_EQ(Expanded("template(a.$1.$2.$3, -007, 1e3, 0.5)"), "P:a.-7.1000.0.0.5");
  EXPECT_EQ(Expanded("template(a.$x, x='b.c')|scale(2)"), "scale|(P:a.b.c, I:2)");
  EXPECT_EQ(Expanded("template(sumSeries(a.$h.*, k=b.$h), h=\"web1\")"),
            "sumSeries(P:a.web1.*, k=P:b.web1)");
  // Strings are not substituted; a path that is exactly $name becomes the value.
  EXPECT_EQ(Expanded("template(alias(a.$x, \"$x\"), x='y')"), "alias(P:a.y, S:$x)");
  EXPECT_EQ(Expanded("template(f($x), x='name')"), "f(S:name)");
  EXPECT_EQ(Expanded("template(f($x), x='-1.5')"), "f(F:-1.5)");
  EXPECT_EQ(Expanded("template(f($x))", {{"x", "1.2.3"}}).rfind("error: template variable", 0), 0u);
  // Variables replace in order, as Python's loop over the dict does: $1 before $10.
  EXPECT_EQ(Expanded("template(a.$10, 1,2,3,4,5,6,7,8,9,'ten')"), "P:a.10");
  // Each template has its own variables; request variables reach only templates.
  EXPECT_EQ(Expanded("sumSeries(template(a.$x, x=1), template(b.$x, x=2), c.$x)", {{"x", "9"}}),
            "sumSeries(P:a.9, P:b.9, P:c.$x)");
  EXPECT_EQ(Expanded("sumSeries(template(a.$x, x=1), c.$x)"), "sumSeries(P:a.1, P:c.$x)");
  EXPECT_EQ(Expanded("a.$x|scale(1)", {{"x", "9"}}), "scale|(P:a.$x, I:1)");
}

TEST(ExpressionTest, InvalidTemplatesAreErrorsLikeGraphiteWeb) {
  const char* invalid[] = {
      "template(target.$test, test=foo.bar)",  // graphite-web's own test case
      "template(a.$x, 1, k=2)",                // positional and keyword mixed
      "template(a.$x, true)",
      "template(a.$x, inf)",
      "template(a.$x, None)",
      "template()",
      "a|template(b)",                       // piped
      "template(a.$x|scale(2), x=1)",        // piped inner
      "template(template(a.$x, x=1), x=2)",  // template as the inner call
      "sumSeries(template(a, b.c))",
  };
  for (const char* target : invalid) {
    EXPECT_EQ(Expanded(target).rfind("error: invalid template() syntax", 0), 0u) << target;
  }
  std::string value(1000, 'v');
  EXPECT_EQ(Expanded("template(a.$x$x$x, x='" + value + "')", {}, 2000)
                .rfind("error: template expansion of 'a.$x$x$x' exceeds max_path_length 2000", 0),
            0u);
  EXPECT_EQ(Expanded("template(a.$x$x, x='" + value + "')", {}, 2003).size(), 2004u);
}

}  // namespace
}  // namespace meridian::query
