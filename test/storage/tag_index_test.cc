#include "storage/internal/tag_index.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace meridian::storage::internal {
namespace {

using Indexes = std::vector<uint32_t>;

class TagIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // 0 cpu.load;dc=eu;host=a        1 cpu.load;dc=us;host=b   2 cpu.load;host=c
    // 3 mem.free;dc=eu;host=a;rack=r1 4 disk.used;dc=eu-west
    Add(0, "cpu.load", {{"dc", "eu"}, {"host", "a"}});
    Add(1, "cpu.load", {{"dc", "us"}, {"host", "b"}});
    Add(2, "cpu.load", {{"host", "c"}});
    Add(3, "mem.free", {{"dc", "eu"}, {"host", "a"}, {"rack", "r1"}});
    Add(4, "disk.used", {{"dc", "eu-west"}});
  }
  void Add(uint32_t index, std::string name, std::vector<TagIndex::Tag> tags) {
    index_.Insert(index, name, tags);
  }
  Indexes Find(std::vector<std::string> exprs) {
    auto result = index_.FindSeries(exprs);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? *result : Indexes{};
  }

  TagIndex index_;
};

struct ExprCase {
  std::vector<std::string> exprs;
  Indexes want;
};

TEST_F(TagIndexTest, ExpressionsFollowGraphiteWeb) {
  const ExprCase cases[] = {
      {{"name=cpu.load"}, {0, 1, 2}},
      {{"dc=eu"}, {0, 3}},
      {{"name=cpu.load", "dc=eu"}, {0}},
      {{"dc=nowhere"}, {}},
      {{"nosuchtag=x"}, {}},
      // != matches series lacking the tag too (it accepts the empty value)
      {{"name=cpu.load", "dc!=eu"}, {1, 2}},
      // tag!= (empty spec) requires the tag
      {{"dc!="}, {0, 1, 3, 4}},
      // tag= (empty spec) selects series lacking the tag
      {{"name=cpu.load", "dc="}, {2}},
      // regexes are anchored at the start only
      {{"dc=~eu"}, {0, 3, 4}},
      {{"dc=~s"}, {}},
      {{"dc=~u"}, {1}},
      {{"dc=~.*u"}, {0, 1, 3, 4}},
      {{"dc=~^e"}, {0, 3, 4}},
      {{"dc=~eu$"}, {0, 3}},
      {{"dc=~(eu|us)$"}, {0, 1, 3}},
      {{"name=~cpu|mem"}, {0, 1, 2, 3}},
      // a regex matching the empty value also accepts series without the tag
      {{"name=cpu.load", "dc=~(eu)?$"}, {0, 2}},
      {{"name=~.*", "dc=~e.*"}, {0, 3, 4}},
      // !=~ drops carriers whose value matches; lacking the tag passes
      {{"name=cpu.load", "dc!=~e"}, {1, 2}},
      // !=~ with a regex that matches "" requires the tag with a non-matching value
      {{"dc!=~(eu)?$"}, {1, 4}},
      {{"dc!=~x*"}, {}},
      {{"host=a", "rack!=r1"}, {0}},
      {{"host=~[ab]", "name!=mem.free"}, {0, 1}},
  };
  for (const ExprCase& c : cases) {
    std::string label;
    for (const auto& e : c.exprs) label += e + " ";
    EXPECT_EQ(Find(c.exprs), c.want) << label;
  }
}

TEST_F(TagIndexTest, RemoveDropsPostingsAndEmptyValuesAndTags) {
  std::vector<TagIndex::Tag> tags = {{"dc", "eu"}, {"host", "a"}, {"rack", "r1"}};
  index_.Remove(3, "mem.free", tags);
  EXPECT_EQ(Find({"host=a"}), Indexes{0});
  EXPECT_EQ(Find({"name=mem.free"}), Indexes{});
  EXPECT_FALSE(index_.HasTag("rack"));  // its only series is gone
  EXPECT_EQ(index_.size(), 4u);
  index_.Remove(3, "mem.free", tags);  // absent: no-op
  EXPECT_EQ(index_.size(), 4u);
  Add(3, "mem.free", tags);  // and it can come back
  EXPECT_EQ(Find({"host=a"}), (Indexes{0, 3}));
}

TEST_F(TagIndexTest, AllExpressionsMatchingEmptyIsInvalid) {
  for (std::vector<std::string> exprs :
       {std::vector<std::string>{"dc!=eu"}, {"dc="}, {"dc=~.*"}, {"dc!=~eu", "host!=a"}, {}}) {
    auto result = index_.FindSeries(exprs);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), core::StatusCode::kInvalidArgument);
  }
}

TEST_F(TagIndexTest, MalformedExpressionsAreInvalid) {
  for (const char* expr : {"dc", "=eu", "dc!eu", "dc=e;u", "d;c=eu", "", "!=x", "dc!~x"}) {
    auto result = index_.FindSeries({expr});
    ASSERT_FALSE(result.ok()) << expr;
    EXPECT_EQ(result.status().code(), core::StatusCode::kInvalidArgument) << expr;
  }
}

TEST_F(TagIndexTest, ValueMayContainEqualsAndTilde) {
  Add(7, "x", {{"k", "a=b"}});
  EXPECT_EQ(Find({"k=a=b"}), Indexes{7});
  EXPECT_EQ(Find({"k=~a="}), Indexes{7});
}

TEST_F(TagIndexTest, BadRegexIsInvalidArgumentNotACrash) {
  for (const char* expr : {"dc=~(", "dc!=~[", "dc=~a{2,1}"}) {
    auto result = index_.FindSeries({"name=cpu.load", expr});
    ASSERT_FALSE(result.ok()) << expr;
    EXPECT_EQ(result.status().code(), core::StatusCode::kInvalidArgument);
  }
  EXPECT_FALSE(index_.Tags("(", 0).ok());
  EXPECT_FALSE(index_.Values("dc", "[", 0).ok());
  EXPECT_FALSE(index_.FindSeries({"dc=~" + std::string(5000, 'a')}).ok());
}

// Issue 8: seriesByTag('k=~(a+)+$') backtracked for ever in std::regex on a 41-character value.
TEST_F(TagIndexTest, CatastrophicRegexAnswers) {
  Add(10, "bt", {{"k", std::string(40, 'a') + "b"}});
  Add(11, "bt", {{"k", "aaa"}});
  EXPECT_EQ(Find({"k=~(a+)+$"}), Indexes{11});
  EXPECT_EQ(Find({"name=bt", "k!=~(a+)+$"}), Indexes{10});
  auto values = index_.Values("k", "(a|aa)*c", 0);
  ASSERT_TRUE(values.ok());
  EXPECT_TRUE(values->empty());
}

TEST_F(TagIndexTest, RegexesUsePythonSyntaxAndRefuseWhatRe2CannotRun) {
  EXPECT_EQ(Find({"dc=~(?P<region>eu)\\Z"}), (Indexes{0, 3}));
  EXPECT_EQ(Find({"dc=~(?i)EU-"}), Indexes{4});
  auto lookahead = index_.FindSeries({"dc=~eu(?!-)"});
  ASSERT_FALSE(lookahead.ok());
  EXPECT_NE(lookahead.status().message().find("invalid regex 'eu(?!-)': lookahead"),
            std::string::npos)
      << lookahead.status().message();
  EXPECT_FALSE(index_.Tags("(a)\\1", 0).ok());
}

TEST_F(TagIndexTest, TagsAreSortedFilteredAndLimited) {
  auto all = index_.Tags("", 0);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, (std::vector<std::string>{"dc", "host", "name", "rack"}));
  auto filtered = index_.Tags("[dh]", 0);
  ASSERT_TRUE(filtered.ok());
  EXPECT_EQ(*filtered, (std::vector<std::string>{"dc", "host"}));
  auto anchored = index_.Tags("ame", 0);  // anchored at the start: no match
  ASSERT_TRUE(anchored.ok());
  EXPECT_TRUE(anchored->empty());
  auto limited = index_.Tags("", 2);
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(*limited, (std::vector<std::string>{"dc", "host"}));
}

TEST_F(TagIndexTest, ValuesCarryCounts) {
  auto values = index_.Values("dc", "", 0);
  ASSERT_TRUE(values.ok());
  ASSERT_EQ(values->size(), 3u);
  EXPECT_EQ((*values)[0].value, "eu");
  EXPECT_EQ((*values)[0].count, 2u);
  EXPECT_EQ((*values)[1].value, "eu-west");
  EXPECT_EQ((*values)[1].count, 1u);
  EXPECT_EQ((*values)[2].value, "us");
  auto filtered = index_.Values("dc", "eu", 1);
  ASSERT_TRUE(filtered.ok());
  ASSERT_EQ(filtered->size(), 1u);
  EXPECT_EQ((*filtered)[0].value, "eu");
  auto names = index_.Values("name", "", 0);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(names->size(), 3u);
  auto missing = index_.Values("nosuch", "", 0);
  ASSERT_TRUE(missing.ok());
  EXPECT_TRUE(missing->empty());
  EXPECT_FALSE(index_.HasTag("nosuch"));
  EXPECT_TRUE(index_.HasTag("name"));
}

TEST_F(TagIndexTest, ReinsertIsIdempotentAndNameTagInTagsIsIgnored) {
  Add(0, "cpu.load", {{"dc", "eu"}, {"host", "a"}});
  Add(9, "real.name", {{"name", "ignored"}, {"dc", "eu"}});
  EXPECT_EQ(index_.size(), 6u);
  EXPECT_EQ(Find({"dc=eu"}), (Indexes{0, 3, 9}));
  EXPECT_EQ(Find({"name=real.name"}), Indexes{9});
  EXPECT_EQ(Find({"name=ignored"}), Indexes{});
}

TEST_F(TagIndexTest, OutOfOrderInsertsKeepPostingsSorted) {
  Add(20, "late", {{"dc", "eu"}});
  Add(15, "late", {{"dc", "eu"}});
  EXPECT_EQ(Find({"name=late"}), (Indexes{15, 20}));
  EXPECT_EQ(Find({"dc=eu"}), (Indexes{0, 3, 15, 20}));
  EXPECT_GT(index_.MemoryBytes(), 0u);
}

}  // namespace
}  // namespace meridian::storage::internal
