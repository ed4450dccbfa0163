// Differential test of /render against a real graphite-web: one generated dataset (fixed seed)
// goes into carbon-cache (whisper, read by graphite-web; tags into graphite-web's TagDB) and into
// Meridian, both with the same storage schemas and aggregation rules. Then every target of
// test/integration/render_targets.txt is rendered by both with the same absolute from/until
// (relative times in the file are resolved once against a fixed `base`), and the answers are
// compared (support/render_compare.h).
//
// By default every target must match unless it is listed in render_known_differences.txt with a
// reason. MERIDIAN_DIFF_REPORT_ONLY=1 only reports, except for targets marked @strict. Either way
// every target must be valid for graphite-web (no ORACLE-ERROR), so a typo in the targets file
// fails the test.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "support/carbon_cache.h"
#include "support/diff_dataset.h"
#include "support/graphite_web.h"
#include "support/meridian_process.h"
#include "support/process.h"
#include "support/render_compare.h"

namespace meridian::testing {
namespace {

using std::chrono::seconds;
bool ReportOnly() {
  const char* env = std::getenv("MERIDIAN_DIFF_REPORT_ONLY");
  return env != nullptr && std::string(env) == "1";
}

// Request parameters for one spec: target, absolute from/until, format (default json), extras.
TargetResult Classify(const RenderTargetSpec& spec, bool json_format, const HttpResponse& oracle,
                      const HttpResponse& meridian) {
  TargetResult r{spec.Label(), TargetOutcome::kMismatch, spec.strict, ""};
  if (oracle.status != 200) {
    // Same error on both sides (e.g. 400 for a bad target) is a match; a 5xx is the oracle's.
    if (oracle.status == meridian.status && oracle.status < 500) {
      r.outcome = TargetOutcome::kMatch;
      return r;
    }
    r.outcome = oracle.status >= 500 ? TargetOutcome::kOracleError : TargetOutcome::kMismatch;
    r.detail = fmt::format("graphite-web HTTP {}: {} / meridian HTTP {}", oracle.status,
                           oracle.body.substr(0, 300), meridian.status);
    return r;
  }
  if (meridian.status != 200) {
    r.outcome = TargetOutcome::kMeridianError;
    r.detail = fmt::format("meridian HTTP {}: {}", meridian.status, meridian.body.substr(0, 300));
    return r;
  }
  RenderDiff diff;
  if (json_format) {
    auto e = ParseGraphiteJson(oracle.body);
    auto a = ParseGraphiteJson(meridian.body);
    if (!e.ok() || !a.ok()) {
      r.outcome = e.ok() ? TargetOutcome::kMismatch : TargetOutcome::kOracleError;
      r.detail = (e.ok() ? a : e).status().ToString();
      return r;
    }
    diff = CompareRenderJson(*e, *a);
  } else {
    diff = CompareRenderText(oracle.body, meridian.body);
  }
  r.outcome = diff.match() ? TargetOutcome::kMatch : TargetOutcome::kMismatch;
  r.detail = diff.Summary();
  return r;
}

class GraphiteWebDiffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    base_ = now - now % 600;
    specs_ = DiffSpecs();
    auto carbon = CarbonCache::Start({kDiffSchemasConf, kDiffAggregationConf, "", seconds(30)});
    ASSERT_TRUE(carbon.ok()) << carbon.status().ToString();
    carbon_ = std::move(*carbon);
    auto meridian = MeridianProcess::Start({MERIDIAN_BINARY, kDiffMeridianYaml, {}, seconds(30)});
    ASSERT_TRUE(meridian.ok()) << meridian.status().ToString();
    meridian_ = std::move(*meridian);
    GraphiteWebOptions web_options;
    web_options.whisper_dir = carbon_->whisper_dir();
    web_options.carbonlink_hosts = {fmt::format("127.0.0.1:{}", carbon_->cache_query_port())};
    auto web = GraphiteWeb::Start(web_options);
    ASSERT_TRUE(web.ok()) << web.status().ToString();
    web_ = std::move(*web);
    LoadData();
  }

  void LoadData() {
    // The sentinel is the stream's last line: once Meridian shows it, it has the whole stream.
    const std::string sentinel = "zz.sentinel";
    std::string stream = DiffStream(specs_, base_) + fmt::format("{} 1 {}\n", sentinel, base_ - 60);
    ASSERT_TRUE(SendTcp(carbon_->line_port(), stream).ok());
    ASSERT_TRUE(meridian_->SendTcp(stream).ok());
    std::vector<std::string> names, tagged;
    for (const auto& s : specs_) {
      names.push_back(s.name);
      if (s.name.find(';') != std::string::npos) tagged.push_back(s.name);
    }
    names.push_back(sentinel);
    auto canonical = web_->TagSeries(tagged);
    ASSERT_TRUE(canonical.ok()) << canonical.status().ToString();
    EXPECT_EQ(*canonical, tagged) << "the dataset's tagged names must already be canonical";
    ASSERT_TRUE(carbon_->WaitUntilWritten(names, 1, seconds(60)).ok()) << carbon_->Log();
    ASSERT_TRUE(WaitFor(
        [&] {
          auto r = meridian_->Render(sentinel, std::to_string(base_ - 600), std::to_string(base_));
          if (!r.ok() || r->empty()) return false;
          for (const auto& p : (*r)[0]["datapoints"]) {
            if (!p[0].is_null()) return true;
          }
          return false;
        },
        seconds(30)))
        << meridian_->Log();
    std::cout << fmt::format("loaded {} lines for {} series into carbon-cache and meridian\n",
                             std::count(stream.begin(), stream.end(), '\n'), names.size());
  }

  TargetResult RunOne(const RenderTargetSpec& spec,
                      const std::map<std::string, std::string>& known) {
    auto params = DiffRequestParams(spec, base_);
    if (!params) {
      return {spec.Label(), TargetOutcome::kOracleError, spec.strict, "bad from/until option"};
    }
    auto oracle = web_->Render(*params, spec.post);
    auto mine = spec.post ? HttpPostForm(meridian_->http_port(), "/render", *params)
                          : meridian_->Get("/render", *params);
    if (!oracle.ok()) {
      return {spec.Label(), TargetOutcome::kOracleError, spec.strict, oracle.status().ToString()};
    }
    HttpResponse meridian_answer =
        mine.ok() ? *mine : HttpResponse{0, mine.status().ToString(), {}};
    // jsonp wraps the JSON in a call: compared as text.
    bool json_format = spec.Option("format", "json") == "json" && spec.Option("jsonp", "").empty();
    TargetResult r = Classify(spec, json_format, *oracle, meridian_answer);
    if (auto it = known.find(spec.target); it != known.end() &&
                                           r.outcome != TargetOutcome::kMatch &&
                                           r.outcome != TargetOutcome::kOracleError) {
      r.outcome = TargetOutcome::kKnownDifference;
      r.detail = "known: " + it->second + " | " + r.detail;
    }
    return r;
  }

  int64_t base_ = 0;
  std::vector<DiffSeriesSpec> specs_;
  std::unique_ptr<CarbonCache> carbon_;
  std::unique_ptr<MeridianProcess> meridian_;
  std::unique_ptr<GraphiteWeb> web_;
};

// The comparison machinery itself (no processes).
TEST(RenderCompareTest, GraphiteInfinityEqualsMeridianNullAndIsCountedSeparately) {
  auto e = ParseGraphiteJson(
      R"([{"target": "a;x=\"1e9999\"", "tags": {"name": "a"}, "datapoints": [[1e9999, 10], )"
      R"([-1e9999, 20], [null, 30], [1.0000000001, 40]]}])");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ((*e)[0]["target"], "a;x=\"1e9999\"");  // Inside strings nothing is replaced.
  auto a = nlohmann::json::parse(
      R"([{"target": "a;x=\"1e9999\"", "tags": {"name": "a"}, "datapoints": [[null, 10], )"
      R"([null, 20], [null, 30], [1.0, 40]]}])");
  RenderDiff diff = CompareRenderJson(*e, a);
  EXPECT_TRUE(diff.match()) << diff.Summary();
  EXPECT_EQ(diff.inf_as_null, 2);
  EXPECT_EQ(diff.points_compared, 4);
}

TEST(RenderCompareTest, ReportsNameTagTimestampAndValueMismatches) {
  auto e = nlohmann::json::parse(
      R"([{"target": "a", "tags": {"name": "a"}, "datapoints": [[1, 10], [2, 20]]}])");
  auto a = nlohmann::json::parse(
      R"([{"target": "b", "tags": {"name": "b"}, "datapoints": [[1, 11], [2.5, 20]]},
          {"target": "c", "tags": {}, "datapoints": []}])");
  RenderDiff diff = CompareRenderJson(e, a);
  EXPECT_FALSE(diff.match());
  EXPECT_EQ(diff.mismatch_count, 5);  // count, target, tags, timestamp, value
  EXPECT_NE(diff.Summary().find("graphite-web 2 meridian 2.5"), std::string::npos)
      << diff.Summary();
  EXPECT_FALSE(CompareRenderText("a,1\r\nb,2\r\n", "a,1\r\nb,3\r\n").match());
}

TEST(RenderCompareTest, ParsesTargetLinesWithOptionsAndStrictMarker) {
  auto specs = ParseRenderTargets(
      "# comment\n\nsumSeries(a.*)\n"
      "aliasSub(a, \"(^.*$)\", \"\\1 A\")\tfrom=-2h&maxDataPoints=50&method=POST\t@strict\n"
      "a.b\ttemplate%5Bx%5D=y+z\n");
  ASSERT_TRUE(specs.ok()) << specs.status().ToString();
  ASSERT_EQ(specs->size(), 3u);
  EXPECT_EQ((*specs)[0].target, "sumSeries(a.*)");
  EXPECT_TRUE((*specs)[1].post);
  EXPECT_TRUE((*specs)[1].strict);
  EXPECT_EQ((*specs)[1].Option("maxDataPoints", ""), "50");
  EXPECT_EQ((*specs)[2].Option("template[x]", ""), "y z");
  EXPECT_FALSE(ParseRenderTargets("a\tbroken%zz=1\n").ok());
  EXPECT_FALSE(ParseKnownDifferences("target-without-reason\n").ok());
  EXPECT_EQ(ResolveDiffTime("-2h", 10000), 10000 - 7200);
  EXPECT_EQ(ResolveDiffTime("-10min", 10000), 10000 - 600);
  EXPECT_FALSE(ResolveDiffTime("-2m", 10000).has_value());  // graphite-web rejects a bare m too
}

TEST_F(GraphiteWebDiffTest, RenderTargetsMatchGraphiteWeb) {
  const std::string dir = std::string(MERIDIAN_SOURCE_DIR) + "/test/integration/";
  auto specs = ParseRenderTargets(ReadFileOrEmpty(dir + "render_targets.txt"));
  ASSERT_TRUE(specs.ok()) << specs.status().ToString();
  auto known = ParseKnownDifferences(ReadFileOrEmpty(dir + "render_known_differences.txt"));
  ASSERT_TRUE(known.ok()) << known.status().ToString();
  ASSERT_GE(specs->size(), 200u);

  MatchReport report;
  for (const RenderTargetSpec& spec : *specs) report.Add(RunOne(spec, *known));
  const bool report_only = ReportOnly();
  std::cout << report.Format()
            << fmt::format("mode: {} (MERIDIAN_DIFF_REPORT_ONLY={}); base {}\n",
                           report_only ? "report-only, @strict targets asserted" : "strict",
                           report_only ? 1 : 0, base_);

  for (const TargetResult& r : report.results()) {
    EXPECT_NE(r.outcome, TargetOutcome::kOracleError)
        << "graphite-web cannot render " << r.label << ": " << r.detail;
    bool asserted = r.strict || !report_only;
    if (asserted && r.outcome != TargetOutcome::kKnownDifference &&
        r.outcome != TargetOutcome::kOracleError) {
      EXPECT_EQ(r.outcome, TargetOutcome::kMatch) << r.label << "\n" << r.detail;
    }
  }
  EXPECT_GT(report.Count(TargetOutcome::kMatch), 0);
}

}  // namespace
}  // namespace meridian::testing
