#include "ingest/line_parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace meridian::ingest {
namespace {

constexpr int64_t kNow = 1'700'000'000;
constexpr double kInf = std::numeric_limits<double>::infinity();

struct OkCase {
  std::string_view line;
  std::string_view path;
  double value;
  int64_t timestamp;
};

// Every accepted form of graphite-compat.md §1.1; expectations checked against CPython 3.11.
const OkCase kAccepted[] = {
    {"a.b.c 1 1700000001", "a.b.c", 1, 1700000001},
    {"a.b.c\t1\t1700000001", "a.b.c", 1, 1700000001},
    {"  a.b.c   1.5    1700000001  ", "a.b.c", 1.5, 1700000001},
    {"a.b.c 1 1700000001\r", "a.b.c", 1, 1700000001},  // CRLF: '\r' is whitespace
    {"a 1 2\x0b", "a", 1, 2},                          // \v \f and 0x1C-0x1F are whitespace too
    {"a\x1c"
     "1\x1f"
     "2",
     "a", 1, 2},
    {"a 1e3 10", "a", 1000, 10},
    {"a +1 10", "a", 1, 10},
    {"a -1.25E-2 10", "a", -0.0125, 10},
    {"a .5 10", "a", 0.5, 10},
    {"a 5. 10", "a", 5, 10},
    {"a 1_000 10", "a", 1000, 10},
    {"a 1_000.000_1 10", "a", 1000.0001, 10},
    {"a 1e1_0 10", "a", 1e10, 10},
    {"a 007 10", "a", 7, 10},
    {"a inf 10", "a", kInf, 10},
    {"a -Infinity 10", "a", -kInf, 10},
    {"a +iNf 10", "a", kInf, 10},
    {"a 1e400 10", "a", kInf, 10},  // overflow → inf, as Python
    {"a 1e-400 10", "a", 0, 10},    // underflow → 0, as Python
    {"a 1 -1", "a", 1, kNow},       // -1 = now
    {"a 1 -1.5", "a", 1, kNow},     // int(-1.5) == -1
    {"a 1 -1.0", "a", 1, kNow},
    {"a 1 -2", "a", 1, -2},  // outside (-2, -1]
    {"a 1 -0.5", "a", 1, 0},
    {"a 1 1700000001.9", "a", 1, 1700000001},  // truncated
    {"a 1 1.7e9", "a", 1, 1700000000},
    {"a 1 +17_00", "a", 1, 1700},
    {"a 1 0", "a", 1, 0},
    {"a;b=2;a=1 1 10", "a;a=1;b=2", 1, 10},  // tagged names normalized
    {"~a;x=1 1 10", "a;x=1", 1, 10},
    {"a{x=\"1\"} 1 10", "a;x=1", 1, 10},
    {"h\xc3\xa9llo 1 10", "h\xc3\xa9llo", 1, 10},  // UTF-8 name
    {"a\xe3\x80\x80"
     "1\xc2\xa0"
     "10",
     "a", 1, 10},  // U+3000, U+00A0 separate fields
};

TEST(LineParserTest, AcceptsEveryCarbonForm) {
  ParsedLine p;
  for (const OkCase& c : kAccepted) {
    ASSERT_EQ(ParseLine(c.line, kNow, &p), ParseResult::kOk) << c.line;
    EXPECT_EQ(p.path, c.path) << c.line;
    EXPECT_EQ(p.value, c.value) << c.line;
    EXPECT_EQ(p.timestamp, c.timestamp) << c.line;
  }
}

struct RejectCase {
  std::string_view line;
  ParseResult result;
};

const RejectCase kRejected[] = {
    {"", ParseResult::kEmpty},
    {"   \t\r", ParseResult::kEmpty},
    {"a", ParseResult::kTooFewFields},
    {"a 1", ParseResult::kTooFewFields},
    {"a 1 2 3", ParseResult::kTooManyFields},
    {"a 1 2 3 4 5", ParseResult::kTooManyFields},
    {"a b 10", ParseResult::kBadValue},
    {"a 0x10 10", ParseResult::kBadValue},  // Python float() takes no hex
    {"a 1__0 10", ParseResult::kBadValue},
    {"a _1 10", ParseResult::kBadValue},
    {"a 1_ 10", ParseResult::kBadValue},
    {"a 1_.5 10", ParseResult::kBadValue},
    {"a 1e_5 10", ParseResult::kBadValue},
    {"a . 10", ParseResult::kBadValue},
    {"a e5 10", ParseResult::kBadValue},
    {"a +-1 10", ParseResult::kBadValue},
    {"a --1 10", ParseResult::kBadValue},
    {"a nan(1) 10", ParseResult::kBadValue},
    {"a 1,5 10", ParseResult::kBadValue},
    {"a infin 10", ParseResult::kBadValue},
    {"a 1 x", ParseResult::kBadTimestamp},
    {"a x x", ParseResult::kBadTimestamp},  // carbon evaluates float(timestamp) first
    {"a 1 nan", ParseResult::kBadTimestamp},
    {"a 1 inf", ParseResult::kBadTimestamp},
    {"a 1 -Infinity", ParseResult::kBadTimestamp},
    {"a 1 1e30", ParseResult::kBadTimestamp},  // beyond int64 seconds
    {"a nan 10", ParseResult::kNanValue},
    {"a -NaN 10", ParseResult::kNanValue},
    {"a nan nan", ParseResult::kNanValue},  // NaN filter runs before int(timestamp)
    {"a;b 1 10", ParseResult::kBadTags},
    {"a;t=~v 1 10", ParseResult::kBadTags},
    {"~ 1 10", ParseResult::kBadTags},
    {";a=b 1 10", ParseResult::kBadTags},
    {"a\xff 1 10", ParseResult::kBadUtf8},
    {"a\xed\xa0\x80 1 10", ParseResult::kBadUtf8},  // surrogate
    {"a\xc0\xaf 1 10", ParseResult::kBadUtf8},      // overlong
    {"a 1 2 3 \xff", ParseResult::kBadUtf8},
    // Name hygiene: carbon's whisper files alias ("a..b" → a/b.wsp, ".a" → a.wsp), hide ("a." →
    // a/.wsp, never listed) or fail to create (NUL) these.
    {"a..b 1 10", ParseResult::kEmptyNode},
    {".lead 1 10", ParseResult::kEmptyNode},
    {"trail. 1 10", ParseResult::kEmptyNode},
    {". 1 10", ParseResult::kEmptyNode},
    {".. 1 10", ParseResult::kEmptyNode},
    {"a.b...c 1 10", ParseResult::kEmptyNode},
    {"~.a 1 10", ParseResult::kEmptyNode},  // normalizes to ".a"
    {std::string_view("a\0b 1 10", 8), ParseResult::kControlChar},
    {"a\x01 1 10", ParseResult::kControlChar},
    {"a\x1b[31m 1 10", ParseResult::kControlChar},  // ESC: terminal escapes in logs
    {"a\x7f 1 10", ParseResult::kControlChar},      // DEL
    {"a\xc2\x80 1 10", ParseResult::kControlChar},  // U+0080 (C1 control)
    {"a\xc2\x9f 1 10", ParseResult::kControlChar},  // U+009F
    {"\x01..a 1 10", ParseResult::kControlChar},    // both: control wins
    // A tagged form whose only tag is `name` is stored untagged (carbon keeps the metric part):
    // the untagged rules apply to what is stored (found by fuzz/line_parser_fuzzer).
    {std::string_view("@\0=76;name=76==0 2 -2", 21), ParseResult::kControlChar},
    {"a\x01;name=x 1 10", ParseResult::kControlChar},
    {"a..b;name=x 1 10", ParseResult::kEmptyNode},
    // Checked after the values, as carbon checks the fields first and NaN before the name.
    {"a..b x 10", ParseResult::kBadValue},
    {"a..b nan 10", ParseResult::kNanValue},
};

TEST(LineParserTest, NameHygieneLeavesGoodAndTaggedNamesAlone) {
  ParsedLine p;
  // Tagged names keep carbon's TaggedSeries rules only: the name part may hold empty nodes
  // (carbon stores tagged series under a hash, not a path per node).
  for (std::string_view line :
       {"a.b.c 1 10", "a-b_c:d 1 10", "h\xc3\xa9llo.w\xc2\xa1rld 1 10", "a..b;t=v 1 10",
        ".a;t=v 1 10", "a.{x=\"1\"} 1 10", "a;name=\x01 1 10"}) {
    EXPECT_EQ(ParseLine(line, kNow, &p), ParseResult::kOk) << line;
  }
}

TEST(LineParserTest, EmptyNodeIsFoundAtEveryPositionOfALongName) {
  // The double-dot search reads eight bytes at a time: a pair must be found wherever it falls.
  ParsedLine p;
  for (size_t len = 2; len <= 40; ++len) {
    for (size_t at = 1; at + 1 < len; ++at) {
      std::string name(len, 'n');
      name[at] = '.';
      std::string line = name + " 1 10";
      ASSERT_EQ(ParseLine(line, kNow, &p), ParseResult::kOk) << name;
      if (at + 2 < len) {
        name[at + 1] = '.';
        line = name + " 1 10";
        ASSERT_EQ(ParseLine(line, kNow, &p), ParseResult::kEmptyNode) << name;
      }
    }
  }
}

TEST(LineParserTest, RejectsMalformedLinesWithTheirReason) {
  ParsedLine p;
  for (const RejectCase& c : kRejected) {
    EXPECT_EQ(ParseLine(c.line, kNow, &p), c.result)
        << "line: " << c.line << " expected " << ParseResultName(c.result);
  }
}

TEST(LineParserTest, EmptyLineIsSkipNotRejection) {
  EXPECT_FALSE(IsRejection(ParseResult::kEmpty));
  EXPECT_FALSE(IsRejection(ParseResult::kOk));
  EXPECT_TRUE(IsRejection(ParseResult::kNanValue));
}

// ValidatePoint is ParseLine after the split: the same point as a line gets the same answer.
TEST(LineParserTest, ValidatePointAppliesTheLineRulesToNumbers) {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  ParsedLine out;
  struct Case {
    std::string path;
    double ts;
    double value;
    ParseResult want;
  } cases[] = {
      {"a.b", 10, 1, ParseResult::kOk},
      {"a.b", 10, inf, ParseResult::kOk},
      {"a.b", inf, nan, ParseResult::kNanValue},  // NaN value first, as for lines
      {"a.b", nan, 1, ParseResult::kBadTimestamp},
      {"a.b", 1e19, 1, ParseResult::kBadTimestamp},
      {"a b", 10, 1, ParseResult::kWhitespace},
      {" a", 10, 1, ParseResult::kWhitespace},
      {"a\u3000b", 10, 1, ParseResult::kWhitespace},  // ideographic space: str.isspace()
      {"\t", 10, 1, ParseResult::kWhitespace},
      {"", 10, 1, ParseResult::kEmptyNode},
      {"a..b", 10, 1, ParseResult::kEmptyNode},
      {"~.a", 10, 1, ParseResult::kEmptyNode},
      {"a\x7f", 10, 1, ParseResult::kControlChar},
      {"a\xc3", 10, 1, ParseResult::kBadUtf8},
      {"a;b", 10, 1, ParseResult::kBadTags},
      {"x;..=1", 10, 1, ParseResult::kOk},  // tagged: carbon's validation only
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ValidatePoint(c.path, c.ts, c.value, 99, &out), c.want) << c.path << " " << c.ts;
    std::string line = c.path + " " + std::to_string(c.value) + " " + std::to_string(c.ts);
    ParsedLine from_line;
    if (c.want != ParseResult::kWhitespace && std::isfinite(c.ts) && c.path != "" &&
        std::abs(c.ts) < 1e18) {
      EXPECT_EQ(ParseLine(line, 99, &from_line), c.want) << line;
    }
  }
  ASSERT_EQ(ValidatePoint("m;b=1;a=2", -1.5, 2, 99, &out), ParseResult::kOk);
  EXPECT_EQ(out.path, "m;a=2;b=1");
  EXPECT_EQ(out.timestamp, 99);  // int(-1.5) == -1 → now
  ASSERT_EQ(ValidatePoint("a.b", -7.9, 2, 99, &out), ParseResult::kOk);
  EXPECT_EQ(out.timestamp, -7);
}

TEST(LineParserTest, ReasonNamesAreDistinctMetricLabels) {
  std::vector<std::string_view> names;
  for (size_t i = 0; i < kParseResultCount; ++i) {
    names.push_back(ParseResultName(static_cast<ParseResult>(i)));
  }
  std::vector<std::string_view> expected = {
      "ok",        "empty",    "too_few_fields", "too_many_fields", "bad_value",    "bad_timestamp",
      "nan_value", "bad_tags", "bad_utf8",       "empty_node",      "control_char", "too_long",
      "whitespace"};
  EXPECT_EQ(names, expected);
}

TEST(LineParserTest, UntaggedPathPointsIntoTheLine) {
  std::string line = "servers.a.cpu 1 10";
  ParsedLine p;
  ASSERT_EQ(ParseLine(line, kNow, &p), ParseResult::kOk);
  EXPECT_EQ(p.path.data(), line.data());
}

TEST(LineParserTest, LongNameAtLimitParses) {
  std::string line(16000, 'x');
  line += " 1 10";
  ParsedLine p;
  ASSERT_EQ(ParseLine(line, kNow, &p), ParseResult::kOk);
  EXPECT_EQ(p.path.size(), 16000u);
}

TEST(LineParserTest, NegativeZeroAndInfinityKeepTheirSign) {
  ParsedLine p;
  ASSERT_EQ(ParseLine("a -0 1", kNow, &p), ParseResult::kOk);
  EXPECT_TRUE(std::signbit(p.value));
  ASSERT_EQ(ParseLine("a -inf 1", kNow, &p), ParseResult::kOk);
  EXPECT_TRUE(std::isinf(p.value) && p.value < 0);
}

TEST(LineSplitterTest, CutsOnNewlineAndKeepsUnterminatedTail) {
  LineSplitter s("a 1 2\r\n\nb 3 4\nc 5");
  std::vector<std::string_view> lines;
  std::string_view line;
  while (s.Next(&line)) lines.push_back(line);
  EXPECT_EQ(lines, (std::vector<std::string_view>{"a 1 2\r", "", "b 3 4"}));
  EXPECT_EQ(s.remainder(), "c 5");
  EXPECT_EQ(s.consumed(), 14u);
}

TEST(LineSplitterTest, EmptyBufferHasNoLines) {
  LineSplitter s("");
  std::string_view line;
  EXPECT_FALSE(s.Next(&line));
  EXPECT_EQ(s.remainder(), "");
}

std::vector<std::string_view> DatagramLines(std::string_view d) {
  std::vector<std::string_view> out;
  std::string_view line;
  while (NextDatagramLine(&d, &line)) out.push_back(line);
  return out;
}

TEST(DatagramLinesTest, SplitsLikePythonSplitlines) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(DatagramLines("a\nb\r\nc\rd"), (V{"a", "b", "c", "d"}));
  EXPECT_EQ(DatagramLines("a\n"), (V{"a"}));
  EXPECT_EQ(DatagramLines("a\n\nb"), (V{"a", "", "b"}));
  EXPECT_EQ(DatagramLines("a\x0b"
                          "b\x0c"
                          "c\x1e"
                          "d"),
            (V{"a", "b", "c", "d"}));
  EXPECT_EQ(DatagramLines("a\xe2\x80\xa8"
                          "b\xc2\x85"
                          "c"),
            (V{"a", "b", "c"}));
  EXPECT_EQ(DatagramLines("a\x1f"
                          "b"),
            (V{"a\x1f"
               "b"}));  // 0x1F is space, not a break
  EXPECT_EQ(DatagramLines(""), V{});
}

}  // namespace
}  // namespace meridian::ingest
