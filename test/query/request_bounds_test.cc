// Deadlines inside evaluation (glob expansion and fetches through the source, function loops)
// and the bounds of the socket-free metadata handlers (/metrics/find, /metrics/expand,
// /metrics/index.json, tags). Deadlines are cancelled or already past: no timing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/deadline.h"
#include "query/evaluator.h"
#include "query/federation/internal/partials_wire.h"
#include "query/function_registry.h"
#include "query/internal/metadata_api.h"
#include "query/internal/partials_api.h"
#include "query/partials.h"
#include "support/fake_series_source.h"

namespace meridian::query {
namespace {

using testing::FakeSeriesSource;
using ::testing::HasSubstr;

core::Deadline PastDeadline() {
  return core::Deadline::At(std::chrono::steady_clock::now() - std::chrono::seconds(1));
}

core::Deadline CancelledDeadline() {
  core::Deadline d = core::Deadline::Cancellable();
  d.Cancel();
  return d;
}

// Serves a FakeSeriesSource and cancels the request's deadline once a fetch has returned its
// data, as a client that goes away (or a timeout that passes) while a function runs would: what
// stops the request then is a check inside the function's loop.
class CancelAfterFetchSource final : public SeriesSource {
 public:
  explicit CancelAfterFetchSource(FakeSeriesSource& inner) : inner_(inner) {}
  core::Result<std::vector<storage::FindMatch>> Find(std::string_view pattern,
                                                     const query::ReadOptions& read) override {
    return inner_.Find(pattern, read);
  }
  core::Result<std::vector<std::string>> Expand(std::string_view pattern,
                                                const query::ReadOptions& read) override {
    return inner_.Expand(pattern, read);
  }
  core::Result<std::vector<std::string>> FindTagged(const std::vector<std::string>& expressions,
                                                    const query::ReadOptions& read) override {
    return inner_.FindTagged(expressions, read);
  }
  core::Result<std::vector<std::string>> TagNames(std::string_view filter, size_t limit,
                                                  const query::ReadOptions& read) override {
    return inner_.TagNames(filter, limit, read);
  }
  core::Result<std::vector<storage::TagValueCount>> TagValues(
      std::string_view tag, std::string_view filter, size_t limit,
      const query::ReadOptions& read) override {
    return inner_.TagValues(tag, filter, limit, read);
  }
  core::Result<std::vector<std::string>> AllLeaves(const query::ReadOptions& read) override {
    return inner_.AllLeaves(read);
  }
  core::Result<storage::SeriesData> Fetch(std::string_view name, int64_t from, int64_t until,
                                          const query::ReadOptions& read) override {
    auto data = inner_.Fetch(name, from, until, read);
    read.deadline.Cancel();
    return data;
  }

 private:
  FakeSeriesSource& inner_;
};

constexpr int64_t kStep = 60;
constexpr size_t kPoints = 20'000;  // two weeks of minutes: many windows, many buckets

class FunctionDeadlineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<double> values;
    for (size_t i = 0; i < kPoints; ++i) values.push_back(static_cast<double>(i % 97));
    fake_.Add("x", 0, kStep, values);
  }
  core::Result<SeriesList> Evaluate(const std::string& target, const core::Deadline& deadline) {
    EvalLimits limits;
    limits.deadline = deadline;
    Evaluator evaluator(cancelling_, FunctionRegistry::Default(), limits);
    return evaluator.EvaluateTarget(target, {0, kStep * static_cast<int64_t>(kPoints), 0});
  }

  FakeSeriesSource fake_;
  CancelAfterFetchSource cancelling_{fake_};
};

TEST_F(FunctionDeadlineTest, WithoutCancellationTheFunctionsAnswer) {
  for (const char* target :
       {"movingAverage(x,'1h')", "summarize(x,'1min')", "hitcount(x,'1min')",
        "holtWintersForecast(x)", "exponentialMovingAverage(x,'1h')", "smartSummarize(x,'1min')"}) {
    EvalLimits limits;
    Evaluator evaluator(fake_, FunctionRegistry::Default(), limits);
    auto out = evaluator.EvaluateTarget(target, {0, kStep * static_cast<int64_t>(kPoints), 0});
    EXPECT_TRUE(out.ok()) << target << ": " << out.status().ToString();
  }
}

// Regression: movingAverage(<one series>,'4y') answered after 46 s with a 30 s timeout (cost =
// points x window and no check inside the window loop).
TEST_F(FunctionDeadlineTest, FunctionLoopsStopOnceTheDeadlineIsCancelled) {
  for (const char* target :
       {"movingAverage(x,'1h')", "movingMedian(x,'1h')", "movingWindow(x,'1h','max')",
        "summarize(x,'1min')", "smartSummarize(x,'1min')", "hitcount(x,'1min')",
        "holtWintersForecast(x)", "holtWintersConfidenceBands(x)",
        "exponentialMovingAverage(x,'1h')"}) {
    auto out = Evaluate(target, core::Deadline::Cancellable());
    ASSERT_FALSE(out.ok()) << target;
    EXPECT_EQ(out.status().code(), core::StatusCode::kCancelled) << target;
    // The function's own check stopped it, not the evaluator's between calls.
    const std::string function = std::string(target).substr(0, std::string(target).find('('));
    EXPECT_THAT(out.status().message(), HasSubstr(function)) << target;
  }
}

TEST(EvaluatorDeadlineTest, PastDeadlineIsDeadlineExceededNamingTheKnob) {
  FakeSeriesSource fake;
  fake.Add("x", 0, 60, {1, 2, 3});
  EvalLimits limits;
  limits.deadline = PastDeadline();
  limits.knobs.timeout = "alerting.query_timeout";
  Evaluator evaluator(fake, FunctionRegistry::Default(), limits);
  auto out = evaluator.EvaluateTarget("x", {0, 180, 180});
  EXPECT_EQ(out.status().code(), core::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(out.status().message(), HasSubstr("alerting.query_timeout"));
}

TEST(EvaluatorDeadlineTest, SourceReadsGetTheRequestsDeadline) {
  // The fake checks the deadline it is given: a cancelled one fails the glob expansion itself.
  FakeSeriesSource fake;
  fake.Add("a.b", 0, 60, {1});
  const core::Deadline cancelled = CancelledDeadline();
  EvalLimits limits;
  Evaluator evaluator(fake, FunctionRegistry::Default(), limits);
  EXPECT_TRUE(fake.Expand("a.*", ReadOptions::WithDeadline(cancelled)).status().code() ==
              core::StatusCode::kCancelled);
  limits.deadline = cancelled;
  Evaluator bounded(fake, FunctionRegistry::Default(), limits);
  EXPECT_EQ(bounded.FetchPath("a.*", {0, 60, 60}).status().code(), core::StatusCode::kCancelled);
}

// Metadata handlers: same deadline as render, and the byte budget.
class MetadataBoundsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // One long name with many nodes: `**` lists every prefix of it (67 MB for a real one).
    std::string name = "root";
    for (int i = 0; i < 300; ++i) name += ".node" + std::to_string(i);
    src_.Add(name, 0, 10, {1});
    for (int i = 0; i < 2000; ++i) src_.Add("bulk.h" + std::to_string(i) + ".metric", 0, 10, {1});
    src_.Add("web.a.cpu", 0, 10, {1});
    src_.Add("cpu;dc=eu", 0, 10, {1});
  }
  static OutputLimits Bytes(size_t max_bytes) { return {max_bytes, {}}; }

  FakeSeriesSource src_;
};

TEST_F(MetadataBoundsTest, ExpandPastMaxBytesIs422NamingTheKnob) {
  internal::ApiResponse ok = internal::MetricsExpand(src_, {{"query", "bulk.*.*"}}, Bytes(0));
  ASSERT_GT(ok.body.size(), 2000u * 10);
  ASSERT_EQ(ok.status, 200) << ok.body;
  for (const char* group : {"0", "1"}) {
    internal::ApiResponse r = internal::MetricsExpand(
        src_, {{"query", "bulk.*.*"}, {"groupByExpr", group}}, Bytes(ok.body.size() / 2));
    EXPECT_EQ(r.status, 422) << group;
    EXPECT_THAT(r.body, HasSubstr("http.max_response_bytes"));
    EXPECT_TRUE(IsResponseTooLarge(r.error));
  }
}

TEST_F(MetadataBoundsTest, IndexPastMaxBytesIs422) {
  internal::ApiResponse r = internal::MetricsIndex(src_, {}, Bytes(100));
  EXPECT_EQ(r.status, 422);
  EXPECT_THAT(r.body, HasSubstr("http.max_response_bytes"));
}

TEST_F(MetadataBoundsTest, TagsPastMaxBytesAre422) {
  EXPECT_EQ(internal::TagFindSeries(src_, {{"expr", "dc=eu"}}, Bytes(5)).status, 422);
  EXPECT_EQ(internal::TagList(src_, {}, Bytes(5)).status, 422);
}

// A peer's push-down request reads under a render's bounds: series, points, memory budget.
TEST_F(MetadataBoundsTest, PartialsAreBoundedLikeARender) {
  PartialRequest request;
  request.spec = FetchSpec::Pattern("bulk.*.*");
  request.sum = true;
  const internal::Params params = {{"request", federation::internal::EncodePartialRequest(request)},
                                   {"from", "0"},
                                   {"until", "20"}};
  internal::PartialsLimits limits;
  internal::ApiResponse ok = internal::FederationPartials(src_, params, limits, ReadScope{});
  ASSERT_EQ(ok.status, 200) << ok.body;
  limits.max_series = 100;
  internal::ApiResponse series = internal::FederationPartials(src_, params, limits, ReadScope{});
  EXPECT_EQ(series.status, 422) << series.body;
  EXPECT_THAT(series.body, HasSubstr("100 series"));
  limits.max_series = 100'000;
  core::MetricsRegistry metrics;
  core::MemoryBudget budget(4096, metrics, "http_memory", "http.memory_budget_bytes");
  limits.memory = &budget;
  internal::ApiResponse memory = internal::FederationPartials(src_, params, limits, ReadScope{});
  EXPECT_EQ(memory.status, 422) << memory.body;
  EXPECT_THAT(memory.body, HasSubstr("http.memory_budget_bytes"));
  EXPECT_EQ(budget.in_use(), 0u);
}

TEST_F(MetadataBoundsTest, MetadataRoutesStopAtTheDeadline) {
  OutputLimits past{0, PastDeadline()};
  OutputLimits cancelled{0, CancelledDeadline()};
  EXPECT_EQ(internal::MetricsExpand(src_, {{"query", "bulk.*.*"}}, past).status, 504);
  // A cancelled request (client gone, server stopping): 499, nginx's "client closed request".
  EXPECT_EQ(internal::MetricsExpand(src_, {{"query", "bulk.*.*"}}, cancelled).status, 499);
  EXPECT_EQ(internal::MetricsIndex(src_, {}, past).status, 504);
  EXPECT_EQ(internal::TagFindSeries(src_, {{"expr", "dc=eu"}}, past).status, 504);
  EXPECT_EQ(internal::TagList(src_, {}, past).status, 504);
  EXPECT_EQ(internal::TagDetails(src_, "dc", {}, past).status, 504);
  EXPECT_EQ(internal::TagAutoCompleteTags(src_, {}, past).status, 504);
  EXPECT_EQ(internal::TagAutoCompleteValues(src_, {{"tag", "dc"}}, past).status, 504);
  internal::ApiResponse r = internal::MetricsIndex(src_, {}, past);
  EXPECT_EQ(r.error.code(), core::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(r.body, HasSubstr("http.query_timeout"));
}

// Regression: /metrics/find had no timeout at all.
TEST_F(MetadataBoundsTest, FindStopsAtTheDeadline) {
  internal::FindContext context;
  context.limits.deadline = PastDeadline();
  internal::ApiResponse r = internal::MetricsFind(src_, {{"query", "bulk.*.*"}}, context);
  EXPECT_EQ(r.status, 504);
  EXPECT_EQ(r.content_type, "text/plain");
  EXPECT_THAT(r.body, HasSubstr("http.query_timeout"));
  context.limits.deadline = CancelledDeadline();
  EXPECT_EQ(internal::MetricsFind(src_, {{"query", "bulk.*.*"}}, context).status, 499);
}

TEST_F(MetadataBoundsTest, FindPastMaxBytesIs422InEveryFormat) {
  for (const char* format : {"treejson", "completer", "json", "pickle", "msgpack", "nodelist"}) {
    internal::FindContext context;
    internal::ApiResponse ok =
        internal::MetricsFind(src_, {{"query", "bulk.*.*"}, {"format", format}}, context);
    ASSERT_EQ(ok.status, 200) << format << ": " << ok.body;
    context.limits.max_bytes = ok.body.size() - 1;
    internal::ApiResponse r =
        internal::MetricsFind(src_, {{"query", "bulk.*.*"}, {"format", format}}, context);
    EXPECT_EQ(r.status, 422) << format;
    EXPECT_THAT(r.body, HasSubstr("http.max_response_bytes")) << format;
    EXPECT_TRUE(IsResponseTooLarge(r.error)) << format;
  }
}

TEST_F(MetadataBoundsTest, FindAnswersAsTheRouteDid) {
  internal::FindContext context;
  context.now = 1000;
  internal::ApiResponse r = internal::MetricsFind(src_, {{"query", "web.*"}}, context);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body,
            R"([{"text": "a", "id": "web.a", "allowChildren": 1, "expandable": 1, "leaf": 0}])");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Cache-Control");
  internal::ApiResponse json = internal::MetricsFind(
      src_, {{"query", "web.a.*"}, {"format", "json"}, {"jsonp", "cb"}}, context);
  EXPECT_EQ(
      json.body,
      R"(cb([{"path": "web.a.cpu", "is_leaf": true, "intervals": [{"start": 0.0, "end": 1000.0}]}]))");
  internal::ApiResponse missing = internal::MetricsFind(src_, {}, context);
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.body, "missing parameter 'query'\n");
  EXPECT_EQ(missing.content_type, "text/plain");
}

}  // namespace
}  // namespace meridian::query
