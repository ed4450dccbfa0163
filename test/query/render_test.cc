#include "query/render.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "query/internal/find_format.h"

namespace meridian::query {
namespace {

constexpr double kNull = std::numeric_limits<double>::quiet_NaN();

// An in-memory SeriesSource: literal names and '*' as a whole-path wildcard only.
class FakeSource final : public SeriesSource {
 public:
  std::map<std::string, storage::SeriesData> data;
  core::Result<std::vector<storage::FindMatch>> Find(std::string_view) override {
    return std::vector<storage::FindMatch>{};
  }
  core::Result<std::vector<std::string>> Expand(std::string_view pattern) override {
    if (pattern == "bad(") return core::InvalidArgument("bad pattern");
    std::vector<std::string> out;
    for (const auto& [name, d] : data) {
      if (pattern == "*" || name == pattern) out.push_back(name);
    }
    std::reverse(out.begin(), out.end());  // the renderer must sort
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
  core::Result<std::vector<std::string>> AllLeaves() override {
    return std::vector<std::string>{};
  }
  core::Result<storage::SeriesData> Fetch(std::string_view name, int64_t, int64_t) override {
    auto it = data.find(std::string(name));
    if (it == data.end()) return core::NotFound("x");
    return it->second;
  }
};

TEST(RenderTest, JsonHasGraphiteWebShapeAndSeparators) {
  FakeSource src;
  src.data["b.x"] = {"b.x", 100, 130, 10, {1.0, kNull, 2.5}};
  src.data["a.y"] = {"a.y", 100, 110, 10, {INFINITY}};
  auto series = Render(src, {{"*"}, 0, 200}, {});
  ASSERT_TRUE(series.ok());
  EXPECT_EQ(FormatJson(*series),
            "[{\"target\": \"a.y\", \"tags\": {\"name\": \"a.y\"}, \"datapoints\": [[null, 100]]}, "
            "{\"target\": \"b.x\", \"tags\": {\"name\": \"b.x\"}, \"datapoints\": "
            "[[1.0, 100], [null, 110], [2.5, 120]]}]");
}

TEST(RenderTest, TaggedSeriesCarryTheirTags) {
  FakeSource src;
  src.data["cpu;dc=eu;host=a"] = {"cpu;dc=eu;host=a", 0, 10, 10, {3}};
  auto series = Render(src, {{"cpu;dc=eu;host=a"}, 0, 20}, {});
  ASSERT_TRUE(series.ok());
  EXPECT_EQ(FormatJson(*series),
            "[{\"target\": \"cpu;dc=eu;host=a\", \"tags\": {\"name\": \"cpu\", \"dc\": \"eu\", "
            "\"host\": \"a\"}, \"datapoints\": [[3.0, 0]]}]");
}

TEST(RenderTest, LimitsAndBadTargetsAreErrorsNotCrashes) {
  FakeSource src;
  for (int i = 0; i < 5; ++i) {
    std::string n = "s" + std::to_string(i);
    src.data[n] = {n, 0, 100, 10, std::vector<double>(10, 1.0)};
  }
  RenderLimits few_series{3, 1000};
  EXPECT_EQ(Render(src, {{"*"}, 0, 100}, few_series).status().code(),
            core::StatusCode::kResourceExhausted);
  RenderLimits few_points{100, 25};
  EXPECT_EQ(Render(src, {{"*"}, 0, 100}, few_points).status().code(),
            core::StatusCode::kResourceExhausted);
  EXPECT_EQ(Render(src, {{"bad("}, 0, 100}, {}).status().code(),
            core::StatusCode::kInvalidArgument);
  auto empty = Render(src, {{"nothing.matches", ""}, 0, 100}, {});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(FormatJson(*empty), "[]");
}

TEST(FindFormatTest, TreeJsonListsBranchesThenLeavesWithQueryPrefix) {
  std::vector<storage::FindMatch> m = {
      {"web.a", true, false}, {"web.b", false, true}, {"web.c", true, true}};
  auto out = internal::FormatFind("web.*", m, "treejson", false);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out,
            "[{\"text\": \"b\", \"id\": \"web.b\", \"allowChildren\": 1, \"expandable\": 1, "
            "\"leaf\": 0}, {\"text\": \"c\", \"id\": \"web.c\", \"allowChildren\": 1, "
            "\"expandable\": 1, \"leaf\": 0}, {\"text\": \"a\", \"id\": \"web.a\", "
            "\"allowChildren\": 0, \"expandable\": 0, \"leaf\": 1}]");
  auto wild = internal::FormatFind("web.*", m, "treejson", true);
  ASSERT_TRUE(wild.ok());
  EXPECT_EQ(wild->rfind("[{\"text\": \"*\", \"id\": \"web.*\", \"allowChildren\": 1", 0), 0u);
  auto completer = internal::FormatFind("web.*", m, "completer", false);
  ASSERT_TRUE(completer.ok());
  EXPECT_NE(completer->find("{\"path\": \"web.b.\", \"name\": \"b\", \"is_leaf\": \"0\"}"),
            std::string::npos);
  EXPECT_FALSE(internal::FormatFind("web.*", m, "pickle-ish", false).ok());
}

}  // namespace
}  // namespace meridian::query
