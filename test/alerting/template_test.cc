#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>

#include "alerting/rule.h"

namespace meridian::alerting {
namespace {

std::string RenderName(std::string_view text, std::string_view series,
                       const std::map<std::string, std::string>* tags = nullptr) {
  auto t = Template::Parse(text, Template::Kind::kName);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  auto r = t->Render(SeriesRef{series, tags});
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : "<error>";
}

std::string ParseError(std::string_view text, Template::Kind kind = Template::Kind::kName) {
  auto t = Template::Parse(text, kind);
  EXPECT_FALSE(t.ok()) << text;
  return t.ok() ? "" : t.status().message();
}

TEST(TemplateTest, NodesCountFromZeroAndFromTheEnd) {
  EXPECT_EQ(RenderName("{node:0}", "eu-west.db1.pg.conns"), "eu-west");
  EXPECT_EQ(RenderName("{node:1}", "eu-west.db1.pg.conns"), "db1");
  EXPECT_EQ(RenderName("{node:-1}", "eu-west.db1.pg.conns"), "conns");
  EXPECT_EQ(RenderName("{node:-4}", "eu-west.db1.pg.conns"), "eu-west");
  EXPECT_EQ(RenderName("{node:1}-{node:2} x", "a.b.c"), "b-c x");
}

TEST(TemplateTest, NodesOfATaggedSeriesUseTheNameBeforeTheTags) {
  EXPECT_EQ(RenderName("{node:-1}", "disk.used;host=db1;dc=eu"), "used");
}

TEST(TemplateTest, NodeOutOfRangeIsNotFound) {
  auto t = Template::Parse("{node:3}", Template::Kind::kName);
  ASSERT_TRUE(t.ok());
  auto r = t->Render(SeriesRef{"a.b.c"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kNotFound);
  EXPECT_FALSE(Template::Parse("{node:-4}", Template::Kind::kName)->Render({"a.b.c"}).ok());
}

TEST(TemplateTest, TagsAndName) {
  const std::map<std::string, std::string> tags = {{"host", "db1"}, {"name", "disk.used"}};
  EXPECT_EQ(RenderName("{tag:host}/{tag:name}", "disk.used;host=db1", &tags), "db1/disk.used");
  EXPECT_EQ(RenderName("{name}", "disk.used;host=db1", &tags), "disk.used;host=db1");
  // Without tags, {tag:name} is still the series name (graphite's name tag).
  EXPECT_EQ(RenderName("{tag:name}", "a.b;x=y"), "a.b");
  auto t = Template::Parse("{tag:dc}", Template::Kind::kName);
  auto r = t->Render(SeriesRef{"disk.used", &tags});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), core::StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("no tag 'dc'"), std::string::npos);
  EXPECT_FALSE(t->Render(SeriesRef{"disk.used"}).ok());
}

TEST(TemplateTest, DoubledBracesAreLiteral) {
  EXPECT_EQ(RenderName("{{x}} {{{node:0}}}", "a.b"), "{x} {a}");
  EXPECT_EQ(RenderName("}}", "a"), "}");
}

TEST(TemplateTest, IsStaticOnlyWithoutSeriesFields) {
  EXPECT_TRUE(Template::Parse("db {{1}}", Template::Kind::kName)->is_static());
  EXPECT_TRUE(Template::Parse("", Template::Kind::kName)->is_static());
  EXPECT_TRUE(Template::Parse("{value} {state}", Template::Kind::kOutput)->is_static());
  EXPECT_FALSE(Template::Parse("x{node:0}", Template::Kind::kName)->is_static());
  EXPECT_FALSE(Template::Parse("{tag:a}", Template::Kind::kName)->is_static());
  EXPECT_FALSE(Template::Parse("{name}", Template::Kind::kName)->is_static());
  EXPECT_EQ(Template::Parse("a{name}", Template::Kind::kName)->text(), "a{name}");
}

TEST(TemplateTest, ParseErrorsNameTheFieldAndColumn) {
  EXPECT_NE(ParseError("ab{bogus}").find("{bogus} at column 3: unknown field"), std::string::npos);
  EXPECT_NE(ParseError("{node:x}").find("{node:x} at column 1"), std::string::npos);
  EXPECT_NE(ParseError("{node:}").find("N an integer"), std::string::npos);
  EXPECT_NE(ParseError("{node:1.5}").find("N an integer"), std::string::npos);
  EXPECT_NE(ParseError("{tag:}").find("no tag name"), std::string::npos);
  EXPECT_NE(ParseError("a{node:1").find("'{' at column 2 is not closed"), std::string::npos);
  EXPECT_NE(ParseError("a{b{node:1}").find("'{' at column 2 is not closed"), std::string::npos);
  EXPECT_NE(ParseError("a}b").find("'}' at column 2 closes nothing"), std::string::npos);
  EXPECT_NE(ParseError("{}").find("unknown field"), std::string::npos);
  EXPECT_NE(ParseError("{value}").find("only allowed in output templates"), std::string::npos);
  EXPECT_NE(ParseError("{Name}", Template::Kind::kOutput).find("unknown field"), std::string::npos);
}

TEST(TemplateTest, OutputFields) {
  auto t = Template::Parse(
      "{state}: {rule} {host}/{service} {name}={value} w={warning} c={critical} {reduce}({window})",
      Template::Kind::kOutput);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  OutputFields f;
  f.value = 151.5;
  f.state = "WARNING";
  f.rule = "pg-conns";
  f.host = "db1";
  f.service = "pg";
  f.warning = "~:150";
  f.critical = "~:300";
  f.window = "1min";
  f.reduce = "avg";
  EXPECT_EQ(*t->Render(SeriesRef{"eu.db1.pg"}, &f),
            "WARNING: pg-conns db1/pg eu.db1.pg=151.5 w=~:150 c=~:300 avg(1min)");
  EXPECT_EQ(*t->Render(SeriesRef{"eu.db1.pg"}), ":  / eu.db1.pg=no data w= c= ()");
}

TEST(TemplateTest, ValueHasSixSignificantDigitsWithoutExponent) {
  auto t = Template::Parse("{value}", Template::Kind::kOutput);
  auto value = [&](double v) {
    OutputFields f;
    f.value = v;
    return *t->Render(SeriesRef{"x"}, &f);
  };
  EXPECT_EQ(value(0), "0");
  EXPECT_EQ(value(-0.0), "0");
  EXPECT_EQ(value(42), "42");
  EXPECT_EQ(value(0.1 + 0.2), "0.3");
  EXPECT_EQ(value(3.14159265), "3.14159");
  EXPECT_EQ(value(-2.5), "-2.5");
  EXPECT_EQ(value(123456789), "123457000");
  EXPECT_EQ(value(0.000123456789), "0.000123457");
  EXPECT_EQ(value(1e20), "1e+20");
  EXPECT_EQ(value(std::numeric_limits<double>::quiet_NaN()), "no data");
  EXPECT_EQ(value(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(value(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(TemplateTest, DefaultOutputTemplateParses) {
  auto t = Template::Parse(kDefaultOutputTemplate, Template::Kind::kOutput);
  ASSERT_TRUE(t.ok());
  OutputFields f;
  f.value = 3;
  f.reduce = "avg";
  f.window = "5min";
  EXPECT_EQ(*t->Render(SeriesRef{"a.b"}, &f), "a.b avg(5min) = 3");
}

}  // namespace
}  // namespace meridian::alerting
