#include "alerting/check_result.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace meridian::alerting {
namespace {

ThresholdRange Range(std::string_view text) { return ParseThresholdRange(text).value(); }

TEST(CheckStateTest, NamesAndReturnCodes) {
  EXPECT_EQ(CheckStateName(CheckState::kOk), "OK");
  EXPECT_EQ(CheckStateName(CheckState::kWarning), "WARNING");
  EXPECT_EQ(CheckStateName(CheckState::kCritical), "CRITICAL");
  EXPECT_EQ(CheckStateName(CheckState::kUnknown), "UNKNOWN");
  EXPECT_EQ(static_cast<int>(CheckState::kOk), 0);
  EXPECT_EQ(static_cast<int>(CheckState::kWarning), 1);
  EXPECT_EQ(static_cast<int>(CheckState::kCritical), 2);
  EXPECT_EQ(static_cast<int>(CheckState::kUnknown), 3);
}

TEST(FormatPerfDataTest, WritesAllFieldsInGuidelineOrder) {
  const PerfDatum d{"p99", 0.25, "s", Range("~:0.5"), Range("~:1"), 0.0, 10.0};
  EXPECT_EQ(FormatPerfData({&d, 1}), "p99=0.25s;~:0.5;~:1;0;10");
}

TEST(FormatPerfDataTest, DropsTrailingEmptyFieldsButKeepsInnerOnes) {
  const std::vector<PerfDatum> perf = {
      {"a", 1, "", std::nullopt, std::nullopt, std::nullopt, std::nullopt},
      {"b", 2, "%", Range("80"), std::nullopt, std::nullopt, std::nullopt},
      {"c", 3, "", std::nullopt, Range("@10:20"), std::nullopt, std::nullopt},
      {"d", 4, "B", std::nullopt, std::nullopt, 0.0, std::nullopt},
      {"e", 5, "c", std::nullopt, std::nullopt, std::nullopt, 100.0},
  };
  EXPECT_EQ(FormatPerfData(perf), "a=1 b=2%;80 c=3;;@10:20 d=4B;;;0 e=5c;;;;100");
}

TEST(FormatPerfDataTest, QuotesLabelsWithSpaceEqualsOrQuoteAndDoublesQuotes) {
  const std::vector<PerfDatum> perf = {
      {"http p99", 1, "", {}, {}, {}, {}},      {"a=b", 2, "", {}, {}, {}, {}},
      {"it's", 3, "", {}, {}, {}, {}},          {"", 4, "", {}, {}, {}, {}},
      {"plain.label_1", 5, "", {}, {}, {}, {}},
  };
  EXPECT_EQ(FormatPerfData(perf), "'http p99'=1 'a=b'=2 'it''s'=3 ''=4 plain.label_1=5");
}

TEST(FormatPerfDataTest, LabelLineBreaksAndPipesBecomeSpaces) {
  const PerfDatum d{"a\nb|c\rd", 1, "", {}, {}, {}, {}};
  EXPECT_EQ(FormatPerfData({&d, 1}), "'a b c d'=1");
}

TEST(FormatPerfDataTest, ValuesUseShortestRoundTripWithoutExponent) {
  const std::vector<PerfDatum> perf = {
      {"a", 0.1 + 0.2, "", {}, {}, {}, {}},
      {"b", 1e-7, "", {}, {}, {}, {}},
      {"c", 1e21, "", {}, {}, {}, {}},
      {"d", -0.0, "", {}, {}, {}, {}},
  };
  EXPECT_EQ(FormatPerfData(perf), "a=0.30000000000000004 b=0.0000001 c=1000000000000000000000 d=0");
}

TEST(FormatPerfDataTest, NonFiniteValueIsUnknownAndNonFiniteLimitsAreEmpty) {
  const double nan = std::nan("");
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<PerfDatum> perf = {
      {"a", nan, "s", {}, {}, {}, {}},
      {"b", inf, "", {}, {}, nan, 5.0},
      {"c", 1, "", {}, {}, 0.0, inf},
  };
  EXPECT_EQ(FormatPerfData(perf), "a=U b=U;;;;5 c=1;;;0");
}

TEST(FormatPerfDataTest, UomKeepsOnlyLettersAndPercent) {
  const PerfDatum d{"a", 1, "k B;2 '%", {}, {}, {}, {}};
  EXPECT_EQ(FormatPerfData({&d, 1}), "a=1kB%");
}

TEST(FormatPerfDataTest, EmptyListIsEmptyString) { EXPECT_EQ(FormatPerfData({}), ""); }

TEST(FormatPluginOutputTest, JoinsTextAndPerfDataWithPipe) {
  const PerfDatum d{"p99", 0.25, "s", Range("~:0.5"), Range("~:1"), 0.0, {}};
  EXPECT_EQ(FormatPluginOutput("OK - p99 0.250s", {&d, 1}),
            "OK - p99 0.250s | p99=0.25s;~:0.5;~:1;0");
}

TEST(FormatPluginOutputTest, ReplacesPipesInTextAndOmitsSeparatorWithoutPerfData) {
  EXPECT_EQ(FormatPluginOutput("CRITICAL - a|b || c", {}), "CRITICAL - a/b // c");
}

TEST(FormatPluginOutputTest, PutsPerfDataOnFirstLineBeforeLongOutput) {
  const PerfDatum d{"n", 2, "", {}, {}, {}, {}};
  EXPECT_EQ(FormatPluginOutput("WARNING - 2 series\r\nweb1|x\nweb2", {&d, 1}),
            "WARNING - 2 series | n=2\nweb1/x\nweb2");
}

TEST(FormatServiceCheckResultTest, GoldenLine) {
  EXPECT_EQ(FormatServiceCheckResult(1700000000, "web01", "http p99", CheckState::kWarning,
                                     "WARNING - p99 0.7s; high | p99=0.7s;0.5;1"),
            "[1700000000] PROCESS_SERVICE_CHECK_RESULT;web01;http p99;1;"
            "WARNING - p99 0.7s; high | p99=0.7s;0.5;1\n");
  EXPECT_EQ(FormatServiceCheckResult(0, "h", "s", CheckState::kUnknown, ""),
            "[0] PROCESS_SERVICE_CHECK_RESULT;h;s;3;\n");
}

TEST(FormatServiceCheckResultTest, EscapesBackslashAndNewlineAndDropsCarriageReturn) {
  EXPECT_EQ(FormatServiceCheckResult(1, "h", "s", CheckState::kCritical, "C:\\dir\\n\r\nline2\n\\"),
            "[1] PROCESS_SERVICE_CHECK_RESULT;h;s;2;C:\\\\dir\\\\n\\nline2\\n\\\\\n");
}

TEST(FormatServiceCheckResultTest, DropsNulFromOutput) {
  using std::string_literals::operator""s;
  EXPECT_EQ(FormatServiceCheckResult(1, "h", "s", CheckState::kOk, "a\0b"s),
            "[1] PROCESS_SERVICE_CHECK_RESULT;h;s;0;ab\n");
}

TEST(FormatServiceCheckResultTest, SanitizesInvalidNamesSoLineStaysWellFormed) {
  EXPECT_EQ(FormatServiceCheckResult(1, "h;x\ny", "s\r", CheckState::kOk, "o"),
            "[1] PROCESS_SERVICE_CHECK_RESULT;h_x_y;s_;0;o\n");
  const std::string long_name(5000, 'n');
  const std::string line =
      FormatServiceCheckResult(1, long_name, long_name, CheckState::kOk, std::string(5000, 'o'));
  EXPECT_LE(line.size(), kMaxCommandLineBytes);
  EXPECT_EQ(line.back(), '\n');
}

// Size of the line prefix for host "h", service "s", epoch 1.
const size_t kPrefix = std::string("[1] PROCESS_SERVICE_CHECK_RESULT;h;s;0;").size();

TEST(FormatServiceCheckResultTest, TruncatesOutputAtExactBoundary) {
  const size_t room = kMaxCommandLineBytes - 1 - kPrefix;  // output bytes that fit
  const std::string fits(room, 'x');
  const std::string line = FormatServiceCheckResult(1, "h", "s", CheckState::kOk, fits);
  EXPECT_EQ(line.size(), kMaxCommandLineBytes);
  EXPECT_EQ(line.substr(kPrefix), fits + "\n");

  const std::string one_more(room + 1, 'x');
  EXPECT_EQ(FormatServiceCheckResult(1, "h", "s", CheckState::kOk, one_more), line);
  EXPECT_LT(line.size(), 4096u);  // PIPE_BUF
}

TEST(FormatServiceCheckResultTest, NeverCutsAnEscapePair) {
  const size_t room = kMaxCommandLineBytes - 1 - kPrefix;
  // room-1 plain bytes leave one byte: not enough for the two-byte escape of '\n' or '\'.
  for (const char* tail : {"\n", "\\"}) {
    const std::string output = std::string(room - 1, 'x') + tail;
    const std::string line = FormatServiceCheckResult(1, "h", "s", CheckState::kOk, output);
    EXPECT_EQ(line.size(), kMaxCommandLineBytes - 1);
    EXPECT_EQ(line.substr(kPrefix), std::string(room - 1, 'x') + "\n");
  }
}

TEST(FormatServiceCheckResultTest, NeverCutsAUtf8Sequence) {
  const size_t room = kMaxCommandLineBytes - 1 - kPrefix;
  const std::string euro = "\xE2\x82\xAC";  // 3 bytes
  for (size_t missing = 1; missing <= 2; ++missing) {
    SCOPED_TRACE(missing);
    // Only 3 - missing bytes are left for the euro sign: it is dropped whole.
    const std::string head(room - (3 - missing), 'x');
    const std::string line =
        FormatServiceCheckResult(1, "h", "s", CheckState::kOk, head + euro + "tail");
    EXPECT_EQ(line.substr(kPrefix), head + "\n");
  }
  const std::string head(room - 3, 'x');
  const std::string line =
      FormatServiceCheckResult(1, "h", "s", CheckState::kOk, head + euro + "tail");
  EXPECT_EQ(line.substr(kPrefix), head + euro + "\n");
}

TEST(ValidateObjectNameTest, AcceptsOrdinaryNames) {
  for (const char* name :
       {"web01", "web-01.example.com", "http p99 latency", "disk /var", "ü#@+[]{}"}) {
    EXPECT_TRUE(ValidateObjectName(name).ok()) << name;
  }
  EXPECT_TRUE(ValidateObjectName(std::string(kMaxObjectNameBytes, 'a')).ok());
}

TEST(ValidateObjectNameTest, RejectsEveryIllegalCharacter) {
  for (char c : std::string_view("`~!$%^&*|'\"<>?,()=;")) {
    SCOPED_TRACE(std::string(1, c));
    const core::Status st = ValidateObjectName(std::string("web") + c + "01");
    EXPECT_EQ(st.code(), core::StatusCode::kInvalidArgument);
  }
}

TEST(ValidateObjectNameTest, RejectsEmptyTooLongControlAndPaddedNames) {
  using std::string_literals::operator""s;
  const std::string bad[] = {
      "",      std::string(kMaxObjectNameBytes + 1, 'a'),
      "a\nb",  "a\rb",
      "a\tb",  "a\0b"s,
      "a\x7f", " a",
      "a ",
  };
  for (const std::string& name : bad) {
    EXPECT_EQ(ValidateObjectName(name).code(), core::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace meridian::alerting
