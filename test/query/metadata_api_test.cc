#include "query/internal/metadata_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/fake_series_source.h"

namespace meridian::query::internal {
namespace {

using nlohmann::json;

class MetadataApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    src_.Add("web.a.cpu", 0, 10, {1});
    src_.Add("web.a.mem", 0, 10, {1});
    src_.Add("web.b.cpu", 0, 10, {1});
    src_.Add("db.x", 0, 10, {1});
    src_.Add("cpu.load;dc=eu;host=a", 0, 10, {1});
    src_.Add("cpu.load;dc=us;host=b", 0, 10, {1});
    src_.Add("disk.free;dc=eu;host=a", 0, 10, {1});
  }
  json Body(const ApiResponse& r) {
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body, nullptr, false);
  }
  testing::FakeSeriesSource src_;
};

TEST_F(MetadataApiTest, ExpandFlatAndGroupedAndLeavesOnly) {
  EXPECT_EQ(Body(MetricsExpand(src_, {{"query", "web.*"}})),
            json::parse(R"({"results": ["web.a", "web.b"]})"));
  EXPECT_EQ(Body(MetricsExpand(src_, {{"query", "web.*.cpu"}, {"query", "db.*"}})),
            json::parse(R"({"results": ["db.x", "web.a.cpu", "web.b.cpu"]})"));
  EXPECT_EQ(Body(MetricsExpand(src_, {{"query", "web.a.*"}, {"groupByExpr", "1"}})),
            json::parse(R"({"results": {"web.a.*": ["web.a.cpu", "web.a.mem"]}})"));
  EXPECT_EQ(Body(MetricsExpand(src_, {{"query", "*"}, {"leavesOnly", "1"}})),
            json::parse(R"({"results": []})"));
  EXPECT_EQ(MetricsExpand(src_, {}).status, 400);
}

TEST_F(MetadataApiTest, IndexListsUntaggedLeavesSortedWithJsonp) {
  EXPECT_EQ(Body(MetricsIndex(src_, {})),
            json::parse(R"(["db.x", "web.a.cpu", "web.a.mem", "web.b.cpu"])"));
  ApiResponse r = MetricsIndex(src_, {{"jsonp", "cb"}});
  EXPECT_EQ(r.content_type, "text/javascript");
  EXPECT_EQ(r.body.rfind("cb([", 0), 0u);
}

TEST_F(MetadataApiTest, TagListDetailsAndFindSeries) {
  EXPECT_EQ(Body(TagList(src_, {})),
            json::parse(R"([{"tag": "dc"}, {"tag": "host"}, {"tag": "name"}])"));
  EXPECT_EQ(Body(TagDetails(src_, "dc", {})),
            json::parse(R"({"tag": "dc", "values": [{"value": "eu", "count": 2},
                                                     {"value": "us", "count": 1}]})"));
  EXPECT_EQ(Body(TagDetails(src_, "nosuchtag", {})), json(nullptr));
  EXPECT_EQ(Body(TagFindSeries(src_, {{"expr", "dc=eu"}})),
            json::parse(R"(["cpu.load;dc=eu;host=a", "disk.free;dc=eu;host=a"])"));
  EXPECT_EQ(TagFindSeries(src_, {}).status, 400);
}

TEST_F(MetadataApiTest, AutocompleteExcludesTagsUsedInExpressions) {
  EXPECT_EQ(Body(TagAutoCompleteTags(src_, {{"tagPrefix", "d"}})), json::parse(R"(["dc"])"));
  EXPECT_EQ(Body(TagAutoCompleteTags(src_, {{"expr", "name=cpu.load"}})),
            json::parse(R"(["dc", "host"])"));
  EXPECT_EQ(Body(TagAutoCompleteValues(src_, {{"tag", "host"}, {"expr", "dc=eu"}})),
            json::parse(R"(["a"])"));
  EXPECT_EQ(Body(TagAutoCompleteValues(src_, {{"tag", "name"}, {"expr", "dc=eu"}})),
            json::parse(R"(["cpu.load", "disk.free"])"));
  EXPECT_EQ(Body(TagAutoCompleteValues(
                src_, {{"tag", "host"}, {"expr", "name=cpu.load"}, {"valuePrefix", "b"}})),
            json::parse(R"(["b"])"));
  EXPECT_EQ(TagAutoCompleteValues(src_, {}).status, 400);
}

TEST_F(MetadataApiTest, TagSeriesReturnsCarbonCanonicalNames) {
  EXPECT_EQ(Body(TagSeries({{"path", "cpu;host=a;dc=eu"}}, false)), json("cpu;dc=eu;host=a"));
  EXPECT_EQ(Body(TagSeries({{"path", "b;z=1;a=2"}, {"path", "x"}}, true)),
            json::parse(R"(["b;a=2;z=1", "x"])"));
  EXPECT_EQ(TagSeries({{"path", "cpu;=bad"}}, false).status, 400);
}

}  // namespace
}  // namespace meridian::query::internal
