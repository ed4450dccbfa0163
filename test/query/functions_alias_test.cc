// Alias functions end to end over a whisper-like fake source. Expected names come from
// graphite-web 1.1.10's render/functions.py loaded into Debian's graphite-web 1.1.8
// (/usr/bin/python3), e.g. F.aliasSub(ctx, F.scale(ctx, [fetch('g.x')], 2), '(^.*$)', r'\1 A');
// the call is quoted above each expectation.
#include <fnmatch.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "query/evaluator.h"
#include "query/function_registry.h"
#include "query/functions/common.h"
#include "query/functions/py_regex.h"

namespace meridian::query {
namespace {

constexpr double N = functions::kNull;
using Tags = std::map<std::string, std::string>;

// Serves fixed series whisper-style: a fetch of (from, until] returns the points from the step
// after `from` to the step after `until` (null outside the stored data), so functions that fetch
// another window (timeShift, moving*) see exactly what graphite-web would.
class WindowedSource final : public SeriesSource {
 public:
  void Add(const std::string& name, int64_t step, std::vector<double> values) {
    data_[name] = {step, std::move(values)};
  }
  core::Result<std::vector<storage::FindMatch>> Find(std::string_view) override {
    return std::vector<storage::FindMatch>{};
  }
  core::Result<std::vector<std::string>> Expand(std::string_view pattern) override {
    std::vector<std::string> out;
    for (const auto& [name, d] : data_) {
      if (fnmatch(std::string(pattern).c_str(), name.c_str(), 0) == 0) out.push_back(name);
    }
    return out;
  }
  core::Result<std::vector<std::string>> FindTagged(const std::vector<std::string>&) override {
    return std::vector<std::string>{};
  }
  core::Result<std::vector<std::string>> TagNames(std::string_view, size_t) override {
    return std::vector<std::string>{};
  }
  core::Result<std::vector<storage::TagValueCount>> TagValues(std::string_view, std::string_view,
                                                              size_t) override {
    return std::vector<storage::TagValueCount>{};
  }
  core::Result<std::vector<std::string>> AllLeaves() override { return std::vector<std::string>{}; }
  core::Result<storage::SeriesData> Fetch(std::string_view name, int64_t from,
                                          int64_t until) override {
    ++fetches_;
    auto it = data_.find(std::string(name));
    if (it == data_.end()) return core::NotFound(std::string(name));
    const auto& [step, values] = it->second;
    storage::SeriesData d;
    d.name = std::string(name);
    d.step = step;
    d.start = from - from % step + step;
    d.end = until - until % step + step;
    for (int64_t t = d.start; t < d.end; t += step) {
      int64_t i = t / step;
      d.values.push_back(i >= 0 && i < static_cast<int64_t>(values.size()) ? values[i] : N);
    }
    return d;
  }
  int fetches_ = 0;

 private:
  std::map<std::string, std::pair<int64_t, std::vector<double>>> data_;
};

// The series every test uses (mirrored in the oracle script's DATA).
void AddTestData(WindowedSource& source) {
  source.Add("c.counter", 60,
             {0, 10, 20, 35, N, 50, 60, 5, 15, 30, 45, N, N, 70, 80, 100, 90, 100, 110, 130});
  source.Add("g.x", 60, {1.5, -2, N, 4, 0, 3.25, N, N, 7, -1, 2, 2, N, 5, 6, 8, 1, N, 3, 4});
  source.Add("g.y", 60, {2, 2, 2, N, 3, 3, 1, N, N, N, N, 4, 4, 4, 4, 4, 4, 4, 4, 4});
}

// Null-aware, with a relative tolerance for values graphite-web computes in another order.
void ExpectValues(const std::vector<double>& actual, const std::vector<double>& expected,
                  const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (size_t i = 0; i < actual.size(); ++i) {
    if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(actual[i])) << what << " [" << i << "] = " << actual[i];
    } else {
      EXPECT_NEAR(actual[i], expected[i], 1e-12 * std::max(1.0, std::fabs(expected[i])))
          << what << " [" << i << "]";
    }
  }
}

class FunctionsTest : public ::testing::Test {
 protected:
  FunctionsTest() {
    RegisterTransformFunctions(registry_);
    RegisterAliasFunctions(registry_);
    RegisterSpecialFunctions(registry_);
    RegisterWindowFunctions(registry_);
    AddTestData(source_);
  }

  core::Result<SeriesList> TryEval(const std::string& target, int64_t from = 0,
                                   int64_t until = 600) {
    Evaluator evaluator(source_, registry_, EvalLimits{});
    return evaluator.EvaluateTarget(target, EvalWindow{from, until, until});
  }
  SeriesList Eval(const std::string& target, int64_t from = 0, int64_t until = 600) {
    auto result = TryEval(target, from, until);
    EXPECT_TRUE(result.ok()) << target << ": " << result.status().ToString();
    return result.ok() ? *result : SeriesList{};
  }
  // One result series: name, pathExpression, window and values.
  Series One(const std::string& target, int64_t from = 0, int64_t until = 600) {
    SeriesList list = Eval(target, from, until);
    EXPECT_EQ(list.size(), 1u) << target;
    return list.empty() ? Series{} : list[0];
  }
  void Expect(const std::string& target, const std::string& name, const std::vector<double>& values,
              const Tags& tags, int64_t from = 0, int64_t until = 600) {
    Series s = One(target, from, until);
    EXPECT_EQ(s.name, name) << target;
    EXPECT_EQ(s.tags, tags) << target;
    ExpectValues(s.values, values, target);
  }

  FunctionRegistry registry_;
  WindowedSource source_;
};

using AliasTest = FunctionsTest;

std::string NameOf(const SeriesList& list, size_t i = 0) {
  return i < list.size() ? list[i].name : "<missing>";
}

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
  source_.Add("cpu.load;dc=east;host=h1", 60, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
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
  source_.Add("a.b.c.d", 60, {1, 2, 3});
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

TEST(PyRegexTest, PythonCharacterClassesAndBackReferences) {
  auto re = PyRegex::Compile(R"T([]a]+(?P<d>\d)(?P=d))T");
  ASSERT_TRUE(re.ok()) << re.status().ToString();
  EXPECT_EQ(*re->Sub("X", "]a]11 a22 a23"), "X X a23");
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
