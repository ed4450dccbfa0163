// Byte budgets (http.max_response_bytes) and deadlines in every answer format: render (json, csv,
// raw, rickshaw, dygraph, pickle, msgpack) and find (treejson, completer, json, nodelist, pickle,
// msgpack). Regression: a 4 KB name over 5 years made a 1.06 GB csv body.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/deadline.h"
#include "query/formats.h"
#include "query/internal/find_format.h"
#include "query/internal/render_stream.h"

namespace meridian::query {
namespace {

using ::testing::HasSubstr;

// One series with a `name_bytes` name and `points` values: csv repeats the name on every row.
SeriesList LongNameSeries(size_t name_bytes, size_t points) {
  Series s;
  s.name = std::string(name_bytes, 'n');
  s.path_expression = s.name;
  s.start = 1'600'000'000;
  s.step = 60;
  s.end = s.start + s.step * static_cast<int64_t>(points);
  for (size_t i = 0; i < points; ++i) s.values.push_back(static_cast<double>(i) / 3);
  return {s};
}

core::Deadline CancelledDeadline() {
  core::Deadline d = core::Deadline::Cancellable();
  d.Cancel();
  return d;
}

class RenderBudgetTest : public ::testing::TestWithParam<const char*> {
 protected:
  FormatOptions Options(size_t max_bytes) {
    FormatOptions o;
    o.format = GetParam();
    o.limits.max_bytes = max_bytes;
    return o;
  }
};

TEST_P(RenderBudgetTest, AnswerPastMaxBytesIsResourceExhaustedNamingTheKnob) {
  auto body = FormatRender(LongNameSeries(4096, 20'000), Options(64 << 10));
  ASSERT_FALSE(body.ok());
  EXPECT_EQ(body.status().code(), core::StatusCode::kResourceExhausted);
  EXPECT_THAT(body.status().message(), HasSubstr("http.max_response_bytes"));
  EXPECT_THAT(body.status().message(), HasSubstr("65536"));
  EXPECT_TRUE(IsResponseTooLarge(body.status()));
}

TEST_P(RenderBudgetTest, AnswerWithinBudgetIsUnchanged) {
  auto unbounded = FormatRender(LongNameSeries(100, 500), Options(0));
  ASSERT_TRUE(unbounded.ok()) << unbounded.status().ToString();
  auto bounded = FormatRender(LongNameSeries(100, 500), Options(unbounded->body.size()));
  ASSERT_TRUE(bounded.ok()) << bounded.status().ToString();
  EXPECT_EQ(bounded->body, unbounded->body);
  EXPECT_EQ(bounded->content_type, unbounded->content_type);
  auto one_short = FormatRender(LongNameSeries(100, 500), Options(unbounded->body.size() - 1));
  EXPECT_EQ(one_short.status().code(), core::StatusCode::kResourceExhausted);
}

TEST_P(RenderBudgetTest, FormattingStopsAtACancelledOrPastDeadline) {
  FormatOptions o = Options(0);
  o.limits.deadline = CancelledDeadline();
  EXPECT_EQ(FormatRender(LongNameSeries(10, 20'000), o).status().code(),
            core::StatusCode::kCancelled);
  o.limits.deadline =
      core::Deadline::At(std::chrono::steady_clock::now() - std::chrono::seconds(1));
  EXPECT_EQ(FormatRender(LongNameSeries(10, 20'000), o).status().code(),
            core::StatusCode::kDeadlineExceeded);
}

// A streamed render (what the front door sends for large answers) is the same bytes in pieces of
// about ChunkedOutput::kPieceBytes; past the byte budget it stops after the pieces it gave.
TEST_P(RenderBudgetTest, StreamedPiecesAreTheWholeBodyInBoundedSteps) {
  auto whole = FormatRender(LongNameSeries(100, 20'000), Options(0));
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  auto stream = internal::StreamRender(LongNameSeries(100, 20'000), Options(0));
  ASSERT_TRUE(stream.ok()) << stream.status().ToString();
  EXPECT_EQ(stream->content_type, whole->content_type);
  std::string joined, piece;
  size_t pieces = 0;
  bool more = true;
  while (more) {
    more = stream->chunks.Next(&piece);
    EXPECT_LE(piece.size(), internal::ChunkedOutput::kPieceBytes + 1024);  // + at most one row
    joined += piece;
    piece.clear();
    ++pieces;
  }
  EXPECT_TRUE(stream->chunks.status().ok()) << stream->chunks.status().ToString();
  EXPECT_EQ(joined, whole->body);
  EXPECT_GE(pieces, whole->body.size() / internal::ChunkedOutput::kPieceBytes);

  const size_t bound = whole->body.size() / 2;
  auto bounded = internal::StreamRender(LongNameSeries(100, 20'000), Options(bound));
  ASSERT_TRUE(bounded.ok());
  size_t given = 0;
  while (bounded->chunks.Next(&piece)) given += piece.size(), piece.clear();
  EXPECT_TRUE(IsResponseTooLarge(bounded->chunks.status()));
  EXPECT_GT(given, 0u);
  EXPECT_LE(given, bound);
}

INSTANTIATE_TEST_SUITE_P(EveryRenderFormat, RenderBudgetTest,
                         ::testing::Values("json", "csv", "raw", "rickshaw", "dygraph", "pickle",
                                           "msgpack"));

TEST(RenderBudgetTest, JsonpWrapperCountsTowardsTheBudget) {
  FormatOptions o;
  o.format = "json";
  auto plain = FormatRender(LongNameSeries(10, 10), o);
  ASSERT_TRUE(plain.ok());
  o.jsonp = "callback";
  o.limits.max_bytes = plain->body.size();
  EXPECT_EQ(FormatRender(LongNameSeries(10, 10), o).status().code(),
            core::StatusCode::kResourceExhausted);
}

// 2,000 sibling nodes under a long prefix (what `query=**` over a deep name produces).
std::vector<storage::FindMatch> ManyMatches() {
  std::vector<storage::FindMatch> out;
  const std::string prefix(1000, 'p');
  for (int i = 0; i < 2000; ++i) {
    out.push_back({prefix + ".n" + std::to_string(10000 + i), i % 2 == 0, i % 2 == 1});
  }
  return out;
}

class FindBudgetTest : public ::testing::TestWithParam<const char*> {
 protected:
  core::Result<std::string> Format(const OutputLimits& limits) {
    const std::string f = GetParam();
    if (f == "treejson" || f == "completer" || f == "plainjson") {
      return internal::FormatFind("p.*", ManyMatches(), f == "plainjson" ? "json" : f, false,
                                  limits);
    }
    FindFormatOptions o;
    o.format = f;
    o.limits = limits;
    auto body = FormatFindExtra("p.*", ManyMatches(), o);
    if (!body.ok()) return body.status();
    return body->body;
  }
};

TEST_P(FindBudgetTest, AnswerPastMaxBytesIsResourceExhaustedNamingTheKnob) {
  auto unbounded = Format({});
  ASSERT_TRUE(unbounded.ok()) << unbounded.status().ToString();
  auto exact = Format({unbounded->size(), {}});
  ASSERT_TRUE(exact.ok()) << exact.status().ToString();
  EXPECT_EQ(*exact, *unbounded);
  auto small = Format({unbounded->size() / 4, {}});
  ASSERT_FALSE(small.ok());
  EXPECT_TRUE(IsResponseTooLarge(small.status())) << small.status().ToString();
  EXPECT_THAT(small.status().message(), HasSubstr("http.max_response_bytes"));
}

TEST_P(FindBudgetTest, FormattingStopsAtACancelledDeadline) {
  OutputLimits limits;
  limits.deadline = CancelledDeadline();
  EXPECT_EQ(Format(limits).status().code(), core::StatusCode::kCancelled);
}

INSTANTIATE_TEST_SUITE_P(EveryFindFormat, FindBudgetTest,
                         ::testing::Values("treejson", "completer", "plainjson", "json", "pickle",
                                           "msgpack"));

TEST(FindBudgetTest, NodelistPastMaxBytesIsResourceExhausted) {
  FindFormatOptions o;
  o.format = "nodelist";
  o.node_position = 1;
  auto unbounded = FormatFindExtra("p.*", ManyMatches(), o);
  ASSERT_TRUE(unbounded.ok());
  o.limits.max_bytes = unbounded->body.size() / 2;
  EXPECT_TRUE(IsResponseTooLarge(FormatFindExtra("p.*", ManyMatches(), o).status()));
}

}  // namespace
}  // namespace meridian::query
