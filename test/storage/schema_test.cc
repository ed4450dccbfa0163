// Expected values were computed from whisper.py's rules (graphite-project/whisper 94c3a61) and
// cross-checked against Debian's python3-whisper 1.1.4 (parseRetentionDef, validateArchiveList,
// aggregate, create+update_many+fetch with an explicit `now`).
#include "storage/schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace meridian::storage {
namespace {

using ::testing::HasSubstr;

std::vector<Archive> Parse(std::string_view spec) {
  auto r = ParseRetentions(spec);
  EXPECT_TRUE(r.ok()) << spec << ": " << r.status().ToString();
  return r.ok() ? *r : std::vector<Archive>{};
}

std::string ParseError(std::string_view spec) {
  auto r = ParseRetentions(spec);
  EXPECT_FALSE(r.ok()) << spec << " unexpectedly parsed";
  return r.ok() ? "" : r.status().message();
}

// --- ParseRetentions: whisper's parseRetentionDef --------------------------------------------

TEST(ParseRetentionsTest, ParsesUnitsBareIntsAndWhisperUnitPrefixes) {
  struct Case {
    std::string_view spec;
    std::vector<Archive> want;
  };
  const Case cases[] = {
      {"10s:6h,1m:7d,10m:5y", {{10, 2160}, {60, 10080}, {600, 262800}}},
      {"60:1440", {{60, 1440}}},  // bare duration = point count
      {"1min:1d", {{60, 1440}}},  // unit prefixes (getUnitString)
      {"10sec:1hour", {{10, 360}}},
      {"1seconds:2minutes", {{1, 120}}},
      {"1h:90d", {{3600, 2160}}},
      {"1w:1y", {{604800, 52}}},  // points = 31536000 // 604800 (floor)
      {"7s:1m", {{7, 8}}},        // 60 // 7
      {"60s:1d,5m:30d,1h:3y", {{60, 1440}, {300, 8640}, {3600, 26280}}},
      {" 10s:6h , 1m:7d ", {{10, 2160}, {60, 10080}}},  // items are strip()ped
      {"1m:7d,10s:6h", {{10, 2160}, {60, 10080}}},      // validateArchiveList sorts by precision
  };
  for (const Case& c : cases) EXPECT_EQ(Parse(c.spec), c.want) << c.spec;
}

TEST(ParseRetentionsTest, RejectsMalformedItemsNamingThem) {
  EXPECT_THAT(ParseError(""), HasSubstr("at least one archive"));
  EXPECT_THAT(ParseError("10s"), HasSubstr("archive '10s': expected precision:duration"));
  EXPECT_THAT(ParseError("10x:6h"), HasSubstr("invalid unit 'x'"));
  EXPECT_THAT(ParseError("10S:6h"), HasSubstr("archive '10S:6h': invalid precision"));
  EXPECT_THAT(ParseError("s:6h"), HasSubstr("invalid precision"));
  EXPECT_THAT(ParseError("-10s:6h"), HasSubstr("invalid precision"));
  EXPECT_THAT(ParseError("10s:6h:1"), HasSubstr("invalid duration"));  // split(':', 1)
  EXPECT_THAT(ParseError("10s:6mo"), HasSubstr("invalid unit 'mo'"));
  EXPECT_THAT(ParseError("10s:6h,"), HasSubstr("archive ''"));
  EXPECT_THAT(ParseError("1.5s:6h"), HasSubstr("invalid precision"));
  EXPECT_THAT(ParseError("0:60"), HasSubstr("at least 1 second"));
  EXPECT_THAT(ParseError("0s:1h"), HasSubstr("at least 1 second"));
  EXPECT_THAT(ParseError("60:0"), HasSubstr("keeps no point"));
  EXPECT_THAT(ParseError("10s:5s"), HasSubstr("keeps no point"));  // 5 // 10 == 0
  EXPECT_THAT(ParseError("99999999999999999999s:1d"), HasSubstr("too large"));
  EXPECT_THAT(ParseError("1y:200y"), HasSubstr("exceeds whisper's limit"));
}

// validateArchiveList rules 2-5, each naming the offending archives as written.
TEST(ParseRetentionsTest, RejectsEqualPrecisions) {
  EXPECT_THAT(ParseError("10s:6h,10s:1d"),
              HasSubstr("archives '10s:6h' and '10s:1d' have the same precision"));
  EXPECT_THAT(ParseError("60:1440,1m:2d"), HasSubstr("same precision"));
}

TEST(ParseRetentionsTest, RejectsCoarserPrecisionNotMultipleOfFiner) {
  EXPECT_THAT(ParseError("7s:1d,1m:7d"),
              HasSubstr("archive '1m:7d': precision 60s is not a multiple of the finer archive "
                        "'7s:1d'"));
  EXPECT_THAT(ParseError("180s:7d,300s:30d"), HasSubstr("not a multiple"));  // carbon's example
}

TEST(ParseRetentionsTest, RejectsCoarserArchiveNotCoveringMoreTime) {
  EXPECT_THAT(ParseError("10s:1d,1m:1d"),
              HasSubstr("archive '1m:1d' must cover more time than the finer archive '10s:1d'"));
  EXPECT_THAT(ParseError("10s:1d,1m:12h"), HasSubstr("must cover more time"));
}

TEST(ParseRetentionsTest, RejectsFinerArchiveTooShortToConsolidate) {
  EXPECT_THAT(ParseError("10s:30s,1m:7d"),
              HasSubstr("archive '10s:30s' has 3 points but '1m:7d' consolidates 6"));
  // Exactly enough points is fine: 6 x 10s feed one 1m point.
  EXPECT_EQ(Parse("10s:1m,1m:7d"), (std::vector<Archive>{{10, 6}, {60, 10080}}));
}

TEST(ValidateArchivesTest, ChecksProgrammaticListsWithTheSameRules) {
  EXPECT_TRUE(ValidateArchives({{60, 10080}}).ok());
  EXPECT_FALSE(ValidateArchives({}).ok());
  EXPECT_FALSE(ValidateArchives({{0, 10}}).ok());
  EXPECT_FALSE(ValidateArchives({{10, -1}}).ok());
  auto r = ValidateArchives({{60, 10080}, {10, 2160}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->front(), (Archive{10, 2160}));
  EXPECT_THAT(ValidateArchives({{10, 3}, {60, 100}}).status().message(),
              HasSubstr("'10s:30s' has 3 points"));
}

TEST(FormatRetentionsTest, RoundTripsThroughParse) {
  auto archives = Parse("10s:6h,1m:7d,10m:5y");
  EXPECT_EQ(FormatRetentions(archives), "10s:6h,1m:1w,10m:5y");
  EXPECT_EQ(Parse(FormatRetentions(archives)), archives);
  EXPECT_EQ(FormatRetentions(Parse("7s:1m")), "7s:56s");
}

// --- Aggregation methods: whisper's aggregate() ---------------------------------------------

TEST(AggregationMethodTest, ParsesAndNamesEveryCarbonMethod) {
  for (std::string_view name :
       {"average", "sum", "last", "max", "min", "avg_zero", "absmax", "absmin"}) {
    auto m = ParseAggregationMethod(name);
    ASSERT_TRUE(m.ok()) << name;
    EXPECT_EQ(AggregationMethodName(*m), name);
  }
  EXPECT_FALSE(ParseAggregationMethod("median").ok());  // whisper has no median
  EXPECT_FALSE(ParseAggregationMethod("Average").ok());
  EXPECT_FALSE(ParseAggregationMethod("").ok());
}

TEST(AggregateTest, ComputesEveryMethodOverKnownValues) {
  const std::vector<double> v = {1, 4, 2, 3};
  EXPECT_EQ(Aggregate(AggregationMethod::kAverage, v, 4), 2.5);
  EXPECT_EQ(Aggregate(AggregationMethod::kSum, v, 4), 10);
  EXPECT_EQ(Aggregate(AggregationMethod::kLast, v, 4), 3);
  EXPECT_EQ(Aggregate(AggregationMethod::kMax, v, 4), 4);
  EXPECT_EQ(Aggregate(AggregationMethod::kMin, v, 4), 1);
  EXPECT_EQ(Aggregate(AggregationMethod::kAvgZero, v, 4), 2.5);
  // Python sums left to right: sum([0.1, 0.2, 0.3]) / 3 == 0.20000000000000004 exactly.
  const std::vector<double> tenths = {0.1, 0.2, 0.3};
  EXPECT_EQ(Aggregate(AggregationMethod::kSum, tenths, 3), 0.6000000000000001);
  EXPECT_EQ(Aggregate(AggregationMethod::kAverage, tenths, 3), 0.20000000000000004);
}

TEST(AggregateTest, AvgZeroCountsNullSlotsAsZero) {
  // Known 2 and 4 among 4 slots: (2 + 0 + 4 + 0) / 4, while average ignores the nulls.
  const std::vector<double> known = {2, 4};
  EXPECT_EQ(Aggregate(AggregationMethod::kAvgZero, known, 4), 1.5);
  EXPECT_EQ(Aggregate(AggregationMethod::kAverage, known, 4), 3);
}

TEST(AggregateTest, AbsMaxAndAbsMinReturnSignedValueFirstOnTies) {
  EXPECT_EQ(Aggregate(AggregationMethod::kAbsMax, std::vector<double>{3, -5, 4}, 3), -5);
  EXPECT_EQ(Aggregate(AggregationMethod::kAbsMin, std::vector<double>{3, -1, 2}, 3), -1);
  // Python's max/min(key=abs) keep the first of equal keys: absmax([-5, 5]) == -5.
  EXPECT_EQ(Aggregate(AggregationMethod::kAbsMax, std::vector<double>{-5, 5}, 2), -5);
  EXPECT_EQ(Aggregate(AggregationMethod::kAbsMin, std::vector<double>{5, -5}, 2), 5);
  EXPECT_EQ(Aggregate(AggregationMethod::kMax, std::vector<double>{-5, -7}, 2), -5);
}

TEST(AggregateTest, NoKnownValueOrInconsistentCountsGiveNothing) {
  EXPECT_EQ(Aggregate(AggregationMethod::kSum, {}, 6), std::nullopt);
  EXPECT_EQ(Aggregate(AggregationMethod::kAvgZero, std::vector<double>{1, 2}, 1), std::nullopt);
}

// --- Rollup: __propagate's xFilesFactor check -----------------------------------------------

TEST(RollupTest, PropagatesExactlyAtTheThreshold) {
  const std::vector<double> two = {1, 2};
  EXPECT_EQ(Rollup(AggregationMethod::kSum, 0.5, two, 4), 3);  // 2/4 >= 0.5
  EXPECT_EQ(Rollup(AggregationMethod::kSum, 0.5, std::vector<double>{1}, 4), std::nullopt);
  EXPECT_EQ(Rollup(AggregationMethod::kSum, 0.25, std::vector<double>{1}, 4), 1);
  EXPECT_EQ(Rollup(AggregationMethod::kMax, 1.0, std::vector<double>{1, 2, 3}, 3), 3);
  EXPECT_EQ(Rollup(AggregationMethod::kMax, 1.0, two, 3), std::nullopt);
  EXPECT_EQ(Rollup(AggregationMethod::kAvgZero, 0.0, std::vector<double>{6}, 100), 0.06);
}

TEST(RollupTest, ComparesAgainstXffRoundedToFloat32LikeWhisperHeader) {
  // whisper packs xff as '!f': 0.1 -> 0.10000000149011612, so 1 of 10 does not propagate,
  // and 0.3 -> 0.30000001192092896, so 3 of 10 does not either (checked with whisper 1.1.4).
  const std::vector<double> one = {1}, two = {1, 1}, three = {1, 1, 1};
  EXPECT_EQ(Rollup(AggregationMethod::kSum, 0.1, one, 10), std::nullopt);
  EXPECT_EQ(Rollup(AggregationMethod::kSum, 0.1, two, 10), 2);
  EXPECT_EQ(Rollup(AggregationMethod::kSum, 0.3, three, 10), std::nullopt);
}

TEST(RollupTest, NothingKnownNeverPropagatesEvenWithZeroXff) {
  EXPECT_EQ(Rollup(AggregationMethod::kSum, 0.0, {}, 6), std::nullopt);
  EXPECT_EQ(Rollup(AggregationMethod::kSum, 0.0, {}, 0), std::nullopt);
}

// --- SchemaSet: carbon's first-match, re.search semantics ----------------------------------

SchemaRule Schema(std::string name, std::string pattern, std::string_view retentions) {
  return {std::move(name), std::move(pattern), Parse(retentions)};
}

TEST(SchemaSetTest, FirstMatchingRuleWinsWithUnanchoredSearch) {
  auto set = SchemaSet::Create(
      {Schema("carbon", "^carbon\\.", "60:90d"), Schema("cpu", "cpu", "10s:1d"),
       Schema("servers", "^servers\\.", "1m:30d"), Schema("default", ".*", "1m:1d,1h:1y")},
      {{"count", "\\.count$", AggregationMethod::kSum, 0},
       {"max", "\\.max$", AggregationMethod::kMax, 0.1}});
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  EXPECT_EQ(set->Resolve("carbon.agents.a.cpuUsage").archives, Parse("60:90d"));
  // "cpu" is searched anywhere, and is listed before "servers": it wins.
  EXPECT_EQ(set->Resolve("servers.web1.cpu.user").archives, Parse("10s:1d"));
  EXPECT_EQ(set->Resolve("servers.web1.mem").archives, Parse("1m:30d"));
  EXPECT_EQ(set->Resolve("app.carbon.x").archives, Parse("1m:1d,1h:1y"));  // ^ anchors
  // Tagged names are matched in their normalized form, tags included.
  EXPECT_EQ(set->Resolve("disk;host=cpu1").archives, Parse("10s:1d"));

  SeriesSchema count = set->Resolve("stats.requests.count");
  EXPECT_EQ(count.method, AggregationMethod::kSum);
  EXPECT_EQ(count.x_files_factor, 0);
  EXPECT_EQ(set->Resolve("stats.latency.max").method, AggregationMethod::kMax);
}

TEST(SchemaSetTest, FallsBackToCarbonImplicitDefaults) {
  auto set = SchemaSet::Create({Schema("carbon", "^carbon\\.", "60:90d")},
                               {{"count", "\\.count$", AggregationMethod::kSum, 0}});
  ASSERT_TRUE(set.ok());
  SeriesSchema s = set->Resolve("stats.count.rate");  // "$" does not match mid-name
  EXPECT_EQ(s.archives, (std::vector<Archive>{{60, 10080}}));
  EXPECT_EQ(s.method, AggregationMethod::kAverage);
  EXPECT_EQ(s.x_files_factor, 0.5);

  auto empty = SchemaSet::Create({}, {});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->Resolve("anything"),
            (SeriesSchema{{{60, 10080}}, kDefaultAggregationMethod, kDefaultXFilesFactor}));
}

TEST(SchemaSetTest, RejectsBadRulesNamingThem) {
  auto bad_regex = SchemaSet::Create({Schema("web", "servers.(web", "60:1d")}, {});
  ASSERT_FALSE(bad_regex.ok());
  EXPECT_THAT(bad_regex.status().message(), HasSubstr("schema rule 'web': invalid pattern"));

  auto bad_archives = SchemaSet::Create({SchemaRule{"", ".*", {{10, 3}, {60, 100}}}}, {});
  ASSERT_FALSE(bad_archives.ok());
  EXPECT_THAT(bad_archives.status().message(), HasSubstr("schema rule #1:"));

  auto no_archives = SchemaSet::Create({SchemaRule{"none", ".*", {}}}, {});
  EXPECT_THAT(no_archives.status().message(), HasSubstr("schema rule 'none'"));

  auto bad_agg = SchemaSet::Create({}, {{"agg", "(", AggregationMethod::kSum, 0}});
  EXPECT_THAT(bad_agg.status().message(), HasSubstr("aggregation rule 'agg': invalid pattern"));

  auto bad_xff = SchemaSet::Create({}, {{"x", ".*", AggregationMethod::kSum, 1.5}});
  EXPECT_THAT(bad_xff.status().message(), HasSubstr("aggregation rule 'x': xFilesFactor"));
  EXPECT_FALSE(ValidatePattern("[a-").ok());
  EXPECT_FALSE(ValidatePattern("(\\w+)\\1").ok());  // back-references are refused
  EXPECT_TRUE(ValidatePattern("^servers\\.[a-z]+\\d{2}$").ok());
}

// Patterns use Python `re` syntax, as carbon's storage-schemas.conf: std::regex (ECMAScript)
// refused named groups, inline flags and \A / \Z; RE2 runs them. Catastrophic patterns answer.
TEST(SchemaSetTest, PythonSyntaxAndCatastrophicPatternsWork) {
  auto set = SchemaSet::Create({Schema("bt", "(a+)+$", "1m:1d"),
                                Schema("icase", "(?i)\\ACARBON\\.(?P<what>\\w+)\\Z", "60:90d")},
                               {{"bt", "(a|aa)*c", AggregationMethod::kMax, 0}});
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  const std::string stuck = "x." + std::string(38, 'a') + "b";  // 41 characters
  EXPECT_EQ(set->Resolve(stuck).archives, (std::vector<Archive>{kDefaultArchive}));
  EXPECT_EQ(set->Resolve(stuck).method, kDefaultAggregationMethod);
  EXPECT_EQ(set->Resolve("x.aaa").archives, Parse("1m:1d"));
  EXPECT_EQ(set->Resolve("carbon.agents").archives, Parse("60:90d"));
  EXPECT_EQ(set->Resolve("x.aac").method, AggregationMethod::kMax);
  EXPECT_THAT(ValidatePattern("a(?=b)").message(), HasSubstr("lookahead"));
}

// The backtracking executor of libstdc++ overflows the stack on this (16 KiB of "a" against
// "(a|b)*"); the matcher must answer instead.
TEST(SchemaSetTest, LongNamesDoNotCrashTheMatcher) {
  auto set = SchemaSet::Create({Schema("ab", "(a|b)*\\.count$", "60:1d")},
                               {{"count", "(a|b)*\\.count$", AggregationMethod::kSum, 0}});
  ASSERT_TRUE(set.ok());
  std::string name(16384, 'a');  // carbon's maximum line length
  SeriesSchema s = set->Resolve(name + ".count");
  EXPECT_EQ(s.archives, Parse("60:1d"));
  EXPECT_EQ(s.method, AggregationMethod::kSum);
}

// --- SelectArchive / WhisperFetchWindow: whisper's file_fetch + __archive_fetch ------------

class FetchWindowTest : public ::testing::Test {
 protected:
  // 10s:6h, 1m:7d, 10m:5y; retentions 21600, 604800, 157680000 s.
  const std::vector<Archive> archives_ = Parse("10s:6h,1m:7d,10m:5y");
  static constexpr int64_t kNow = 1700000000;  // multiple of 10, not of 60 (r=20) or 600 (r=200)

  FetchWindow Fetch(int64_t from, int64_t until) {
    return WhisperFetchWindow(archives_, kNow + from, kNow + until, kNow);
  }
};

TEST_F(FetchWindowTest, SelectsFirstArchiveCoveringNowMinusFrom) {
  EXPECT_EQ(SelectArchive(archives_, kNow - 3600, kNow), 0u);
  EXPECT_EQ(SelectArchive(archives_, kNow - 21600, kNow), 0u);  // retention >= diff: inclusive
  EXPECT_EQ(SelectArchive(archives_, kNow - 21601, kNow), 1u);
  EXPECT_EQ(SelectArchive(archives_, kNow - 604801, kNow), 2u);
  EXPECT_EQ(SelectArchive(archives_, kNow - 999999999, kNow), 2u);  // none covers: the last
}

TEST_F(FetchWindowTest, GridStartsOneStepAfterFlooredFromAndEndsAfterFlooredUntil) {
  // fromInterval = from - from % step + step; untilInterval likewise.
  FetchWindow w = Fetch(-3600, 0);
  EXPECT_FALSE(w.empty);
  EXPECT_EQ(w.archive, 0u);
  EXPECT_EQ(w.step, 10);
  EXPECT_EQ(w.from, 1699996410);
  EXPECT_EQ(w.until, 1700000010);
  EXPECT_EQ((w.until - w.from) / w.step, 360);

  w = Fetch(-21601, 0);  // 1m archive: 1699978399 floors to ...380, +60
  EXPECT_EQ(w.archive, 1u);
  EXPECT_EQ(w.step, 60);
  EXPECT_EQ(w.from, 1699978440);
  EXPECT_EQ(w.until, 1700000040);
}

TEST_F(FetchWindowTest, ArchiveDependsOnFromOnlyNotOnRangeLength) {
  // whisper >= 0.9.16 uses diff = now - fromTime: a 400 s range a day ago reads the 1m archive.
  FetchWindow w = Fetch(-86400, -86000);
  EXPECT_EQ(w.archive, 1u);
  EXPECT_EQ(w.from, 1699913640);
  EXPECT_EQ(w.until, 1699914060);
}

TEST_F(FetchWindowTest, ClampsFromToOldestAndUntilToNow) {
  // from before now - maxRetention: from = oldest, hence the last archive.
  FetchWindow w = Fetch(-10000000000, 0);
  EXPECT_EQ(w.archive, 2u);
  EXPECT_EQ(w.from, 1542320400);
  EXPECT_EQ(w.until, 1700000400);
  // until in the future: until = now.
  w = Fetch(-100, 1000);
  EXPECT_EQ(w.archive, 0u);
  EXPECT_EQ(w.from, 1699999910);
  EXPECT_EQ(w.until, 1700000010);
}

TEST_F(FetchWindowTest, ZeroLengthRangeIncludesTheNextPoint) {
  FetchWindow w = Fetch(0, 0);
  EXPECT_EQ(w.from, 1700000010);
  EXPECT_EQ(w.until, 1700000020);
  w = Fetch(-5, -3);  // same 10 s slot
  EXPECT_EQ(w.from, 1700000000);
  EXPECT_EQ(w.until, 1700000010);
  w = Fetch(-157680000, -157680000);  // exactly the oldest time is still covered
  EXPECT_FALSE(w.empty);
  EXPECT_EQ(w.from, 1542320400);
  EXPECT_EQ(w.until, 1542321000);
}

TEST_F(FetchWindowTest, ReturnsNothingOutsideRetentionOrInTheFuture) {
  EXPECT_TRUE(Fetch(-157680001, -157680001).empty);  // until < oldest
  EXPECT_TRUE(Fetch(1, 100).empty);                  // from > now
  EXPECT_TRUE(Fetch(-10, -20).empty);                // from > until (whisper raises)
  EXPECT_TRUE(WhisperFetchWindow({}, kNow - 10, kNow, kNow).empty);
}

TEST(FetchWindowNegativeTimeTest, FloorsLikePythonModulo) {
  const std::vector<Archive> archives = {{60, 1000}};
  FetchWindow w = WhisperFetchWindow(archives, -90, -30, 0);
  EXPECT_EQ(w.from, -60);  // -90 - (-90 % 60) = -120, + 60
  EXPECT_EQ(w.until, 0);
}

// --- Carbon INI files ----------------------------------------------------------------------

constexpr std::string_view kCarbonSchemas = R"ini(# Schema definitions for Whisper files.
[carbon]
pattern = ^carbon\.
retentions = 60:90d

; a section without retentions is skipped, as carbon does
[no_retentions]
pattern = ^skipped\.

[no_pattern]
retentions = 10s:1d

[Multi Line]
PATTERN: ^stats\.
retentions = 10s:6h,
    1m:7d,
  # comment inside a value
    10m:5y

[default]
pattern = .*
retentions = 60s:1d,5m:30d,1h:3y
)ini";

TEST(CarbonSchemasFileTest, ParsesSectionsInOrderSkippingIncompleteOnes) {
  auto rules = ParseCarbonSchemasFile(kCarbonSchemas);
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  ASSERT_EQ(rules->size(), 3u);
  EXPECT_EQ((*rules)[0], (SchemaRule{"carbon", "^carbon\\.", {{60, 129600}}}));
  EXPECT_EQ((*rules)[1].name, "Multi Line");
  EXPECT_EQ((*rules)[1].pattern, "^stats\\.");  // keys are case-insensitive, ':' delimits
  EXPECT_EQ((*rules)[1].archives, Parse("10s:6h,1m:7d,10m:5y"));
  EXPECT_EQ((*rules)[2].archives, Parse("60s:1d,5m:30d,1h:3y"));
  auto set = SchemaSet::Create(std::move(rules).value(), {});
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->Resolve("stats.x").archives, Parse("10s:6h,1m:7d,10m:5y"));
}

TEST(CarbonSchemasFileTest, ErrorsNameLineSectionAndKey) {
  auto bad =
      ParseCarbonSchemasFile("[a]\npattern = x\n\n[b]\npattern = y\nretentions = 10s:1d,7s:2d\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("line 6: [b] retentions: "));
  EXPECT_THAT(bad.status().message(), HasSubstr("not a multiple"));

  struct Case {
    std::string_view text, want;
  };
  const Case cases[] = {
      {"pattern = x\n", "line 1: expected a [section] header"},
      {"[a]\npattern x\n", "line 2: [a]: expected 'key = value'"},
      {"[a]\npattern = x\n[a]\n", "line 3: duplicate section [a] (first at line 1)"},
      {"[a]\npattern = x\nPattern = y\n", "line 3: [a]: duplicate key 'pattern'"},
      {"[DEFAULT]\nretentions = 60:1d\n", "line 1: [DEFAULT] sections are not supported"},
      {"[a]\npattern = x\nretention = 60:1d\n", "line 3: [a] retention: unknown key"},
      {"[a]\npattern = x\nretentions =\n", "line 3: [a] retentions: "},
      {"[]\n", "line 1: empty section name"},
  };
  for (const Case& c : cases) {
    auto r = ParseCarbonSchemasFile(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_THAT(r.status().message(), HasSubstr(c.want)) << c.text;
  }
}

TEST(CarbonAggregationFileTest, ParsesCarbonExampleWithWhisperDefaults) {
  constexpr std::string_view kText = R"ini(
[min]
pattern = \.min$
xFilesFactor = 0.1
aggregationMethod = min

[sum]
pattern = \.count$
xFilesFactor = 0
# for counters that reset every interval (statsd-style)
aggregationMethod = sum

[only_method]
pattern = \.peak$
aggregationMethod = absmax

[no_pattern]
aggregationMethod = last

[default_average]
pattern = .*
)ini";
  auto rules = ParseCarbonAggregationFile(kText);
  ASSERT_TRUE(rules.ok()) << rules.status().ToString();
  ASSERT_EQ(rules->size(), 4u);
  EXPECT_EQ((*rules)[0], (AggregationRule{"min", "\\.min$", AggregationMethod::kMin, 0.1}));
  EXPECT_EQ((*rules)[1], (AggregationRule{"sum", "\\.count$", AggregationMethod::kSum, 0}));
  EXPECT_EQ((*rules)[2],
            (AggregationRule{"only_method", "\\.peak$", AggregationMethod::kAbsMax, 0.5}));
  EXPECT_EQ((*rules)[3],
            (AggregationRule{"default_average", ".*", AggregationMethod::kAverage, 0.5}));
}

TEST(CarbonAggregationFileTest, RejectsBadValuesNamingLineAndSection) {
  struct Case {
    std::string_view text, want;
  };
  const Case cases[] = {
      {"[a]\npattern = x\nxFilesFactor = 1.5\n", "line 3: [a] xfilesfactor: 1.5 is outside"},
      {"[a]\npattern = x\nxFilesFactor = half\n", "line 3: [a] xfilesfactor: 'half' is not"},
      {"[a]\npattern = x\nxFilesFactor = nan\n", "[a] xfilesfactor:"},
      {"[a]\npattern = x\naggregationMethod = median\n",
       "line 3: [a] aggregationmethod: unknown aggregation method 'median'"},
      {"[a]\npattern = x\nretentions = 60:1d\n", "line 3: [a] retentions: unknown key"},
  };
  for (const Case& c : cases) {
    auto r = ParseCarbonAggregationFile(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_THAT(r.status().message(), HasSubstr(c.want)) << c.text;
  }
}

}  // namespace
}  // namespace meridian::storage
