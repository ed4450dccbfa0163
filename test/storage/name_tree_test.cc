#include "storage/internal/name_tree.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace meridian::storage::internal {
namespace {

class NameTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* names[] = {"a.b",
                           "a.b.c",
                           "a.b.d",
                           "a.x.y.z",
                           "servers.web1.cpu",
                           "servers.web2.cpu",
                           "servers.db1.cpu",
                           "servers.db1.mem",
                           "top"};
    uint32_t index = 0;
    for (const char* name : names) ASSERT_TRUE(tree_.Insert(name, index++).ok());
  }

  // "path:flags" for each match, flags L (leaf) and/or B (branch).
  std::vector<std::string> FindPaths(const std::string& pattern, size_t max_results = 1000) {
    auto glob = GlobPattern::Compile(pattern);
    EXPECT_TRUE(glob.ok()) << pattern;
    std::vector<NameTree::FindMatch> matches;
    const core::Status status = tree_.Find(*glob, max_results, {}, &matches);
    EXPECT_TRUE(status.ok()) << status.ToString();
    std::vector<std::string> out;
    for (const auto& m : matches) {
      out.push_back(m.path + ":" + (m.is_leaf ? "L" : "") + (m.has_children ? "B" : ""));
    }
    return out;
  }

  NameTree tree_;
};

using Paths = std::vector<std::string>;

TEST(NameTreeBlocksTest, NameStartingRightAfterAFullNameBlockGetsANewBlock) {
  // Component names are stored back to back in 256 KiB blocks. Fill the first block exactly
  // ("a" + 256 names of 1023 bytes + one of 255 bytes = 262144), then add one more name: it must
  // start a new block (regression: it was written one block past the end).
  NameTree tree;
  uint32_t leaf = 0;
  auto name_of = [](int i, size_t size) {
    std::string n = std::to_string(i);
    return n + std::string(size - n.size(), 'x');
  };
  for (int i = 0; i < 256; ++i) ASSERT_TRUE(tree.Insert("a." + name_of(i, 1023), leaf++).ok());
  ASSERT_TRUE(tree.Insert("a." + name_of(256, 255), leaf++).ok());
  ASSERT_TRUE(tree.Insert("a.next", leaf++).ok());
  ASSERT_TRUE(tree.Insert("b.after", leaf++).ok());
  std::vector<NameTree::FindMatch> out;
  ASSERT_TRUE(tree.Find(*GlobPattern::Compile("a.next"), 10, {}, &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].path, "a.next");
  out.clear();
  ASSERT_TRUE(tree.Find(*GlobPattern::Compile("a.*"), 1000, {}, &out).ok());
  EXPECT_EQ(out.size(), 258u);
  out.clear();
  ASSERT_TRUE(tree.Find(*GlobPattern::Compile("b.*"), 10, {}, &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].path, "b.after");
}

TEST_F(NameTreeTest, FindsBranchesAndLeavesAtThePatternDepth) {
  EXPECT_EQ(FindPaths("*"), (Paths{"a:B", "servers:B", "top:L"}));
  EXPECT_EQ(FindPaths("servers.*"), (Paths{"servers.db1:B", "servers.web1:B", "servers.web2:B"}));
  EXPECT_EQ(FindPaths("servers.*.cpu"),
            (Paths{"servers.db1.cpu:L", "servers.web1.cpu:L", "servers.web2.cpu:L"}));
  EXPECT_EQ(FindPaths("servers.db1.*"), (Paths{"servers.db1.cpu:L", "servers.db1.mem:L"}));
}

TEST_F(NameTreeTest, NodeThatIsLeafAndBranchIsOneMatchWithBothFlags) {
  EXPECT_EQ(FindPaths("a.*"), (Paths{"a.b:LB", "a.x:B"}));
  auto glob = GlobPattern::Compile("a.b");
  ASSERT_TRUE(glob.ok());
  std::vector<NameTree::FindMatch> matches;
  ASSERT_TRUE(tree_.Find(*glob, 10, {}, &matches).ok());
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].leaf_index, 0u);
}

TEST_F(NameTreeTest, LiteralAndBraceComponentsUseLookups) {
  EXPECT_EQ(FindPaths("servers.{web1,db1,nope}.cpu"),
            (Paths{"servers.db1.cpu:L", "servers.web1.cpu:L"}));
  EXPECT_EQ(FindPaths("servers.web1.cpu"), (Paths{"servers.web1.cpu:L"}));
  EXPECT_EQ(FindPaths("servers.web3.cpu"), Paths{});
  EXPECT_EQ(FindPaths("servers.web1.cpu.deeper"), Paths{});
}

TEST_F(NameTreeTest, WildcardsMatchPerComponent) {
  EXPECT_EQ(FindPaths("servers.web?.cpu"), (Paths{"servers.web1.cpu:L", "servers.web2.cpu:L"}));
  EXPECT_EQ(FindPaths("servers.[d]*.*"), (Paths{"servers.db1.cpu:L", "servers.db1.mem:L"}));
  EXPECT_EQ(FindPaths("servers.{w*,x}.cpu"), (Paths{"servers.web1.cpu:L", "servers.web2.cpu:L"}));
  EXPECT_EQ(FindPaths("Servers.*"), Paths{});  // case-sensitive
}

TEST_F(NameTreeTest, GlobstarFollowsGraphiteWeb) {
  // In the middle: zero or more components.
  EXPECT_EQ(FindPaths("servers.**.cpu"),
            (Paths{"servers.db1.cpu:L", "servers.web1.cpu:L", "servers.web2.cpu:L"}));
  EXPECT_EQ(FindPaths("a.**.b"), (Paths{"a.b:LB"}));
  EXPECT_EQ(FindPaths("a.**.z"), (Paths{"a.x.y.z:L"}));
  // At the end: every descendant, branches included.
  EXPECT_EQ(FindPaths("a.**"),
            (Paths{"a.b:LB", "a.b.c:L", "a.b.d:L", "a.x:B", "a.x.y:B", "a.x.y.z:L"}));
  // Routes that reach one node twice still report it once.
  EXPECT_EQ(FindPaths("a.**.**"),
            (Paths{"a.b:LB", "a.b.c:L", "a.b.d:L", "a.x:B", "a.x.y:B", "a.x.y.z:L"}));
}

TEST_F(NameTreeTest, ResultsAreSortedByPath) {
  NameTree tree;
  for (const char* name : {"m.zeta", "m.alpha", "m.Beta", "m.alpha2", "m.a"}) {
    ASSERT_TRUE(tree.Insert(name, 1).ok());
  }
  auto glob = GlobPattern::Compile("m.*");
  ASSERT_TRUE(glob.ok());
  std::vector<NameTree::FindMatch> matches;
  ASSERT_TRUE(tree.Find(*glob, 100, {}, &matches).ok());
  std::vector<std::string> paths;
  for (const auto& m : matches) paths.push_back(m.path);
  EXPECT_EQ(paths, (Paths{"m.Beta", "m.a", "m.alpha", "m.alpha2", "m.zeta"}));
}

TEST_F(NameTreeTest, TooManyMatchesIsResourceExhausted) {
  auto glob = GlobPattern::Compile("servers.*.cpu");
  ASSERT_TRUE(glob.ok());
  std::vector<NameTree::FindMatch> matches;
  EXPECT_TRUE(tree_.Find(*glob, 3, {}, &matches).ok());
  EXPECT_EQ(matches.size(), 3u);
  const core::Status status = tree_.Find(*glob, 2, {}, &matches);
  EXPECT_EQ(status.code(), core::StatusCode::kResourceExhausted);
  EXPECT_TRUE(matches.empty());
  auto all = GlobPattern::Compile("**");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(tree_.Find(*all, 5, {}, &matches).code(), core::StatusCode::kResourceExhausted);
}

TEST_F(NameTreeTest, FindLeafIsExact) {
  EXPECT_EQ(tree_.FindLeaf("a.b"), 0u);
  EXPECT_EQ(tree_.FindLeaf("servers.db1.mem"), 7u);
  EXPECT_FALSE(tree_.FindLeaf("a.x").has_value());  // branch only
  EXPECT_FALSE(tree_.FindLeaf("a.q").has_value());
  EXPECT_FALSE(tree_.FindLeaf("a.b.c.d").has_value());
}

TEST_F(NameTreeTest, ReinsertReplacesLeafIndex) {
  ASSERT_TRUE(tree_.Insert("a.b", 99).ok());
  EXPECT_EQ(tree_.FindLeaf("a.b"), 99u);
  EXPECT_EQ(tree_.leaf_count(), 9u);
}

TEST_F(NameTreeTest, SameComponentUnderDifferentParentsIsDistinct) {
  NameTree tree;
  ASSERT_TRUE(tree.Insert("x.cpu", 1).ok());
  ASSERT_TRUE(tree.Insert("y.cpu", 2).ok());
  EXPECT_EQ(tree.FindLeaf("x.cpu"), 1u);
  EXPECT_EQ(tree.FindLeaf("y.cpu"), 2u);
  EXPECT_EQ(tree.node_count(), 5u);  // root, x, y and two "cpu"
}

TEST_F(NameTreeTest, EmptyComponentsAreKept) {
  NameTree tree;
  ASSERT_TRUE(tree.Insert("a..b", 1).ok());
  EXPECT_EQ(tree.FindLeaf("a..b"), 1u);
  EXPECT_FALSE(tree.FindLeaf("a.b").has_value());
}

TEST_F(NameTreeTest, OverlongComponentIsInvalidAndLeavesTreeUnchanged) {
  NameTree tree;
  const std::string huge(NameTree::kMaxComponentBytes + 1, 'x');
  EXPECT_EQ(tree.Insert("ok." + huge, 1).code(), core::StatusCode::kInvalidArgument);
  EXPECT_EQ(tree.node_count(), 1u);
  // Five maximal components overflow the first 256 KiB name block: one starts a new block.
  const std::string big(NameTree::kMaxComponentBytes - 1, 'y');
  for (uint32_t i = 0; i < 5; ++i) {
    ASSERT_TRUE(tree.Insert("ok." + big + std::to_string(i), i).ok());
  }
  for (uint32_t i = 0; i < 5; ++i) EXPECT_EQ(tree.FindLeaf("ok." + big + std::to_string(i)), i);
}

TEST_F(NameTreeTest, FamiliesGrowingPastTheScanThresholdStayFindable) {
  NameTree tree;
  for (uint32_t i = 0; i < 40; ++i) {
    ASSERT_TRUE(tree.Insert("p.c" + std::to_string(i), i).ok());
    for (uint32_t j = 0; j <= i; ++j) {
      ASSERT_EQ(tree.FindLeaf("p.c" + std::to_string(j)), j) << i << " " << j;
    }
  }
  EXPECT_FALSE(tree.FindLeaf("p.c40").has_value());
  EXPECT_FALSE(tree.FindLeaf("p.c").has_value());
}

TEST_F(NameTreeTest, ForEachLeafVisitsEveryLeafWithItsPath) {
  std::vector<std::pair<std::string, uint32_t>> leaves;
  tree_.ForEachLeaf([&](std::string_view path, uint32_t index) {
    leaves.emplace_back(std::string(path), index);
  });
  std::sort(leaves.begin(), leaves.end());
  const std::vector<std::pair<std::string, uint32_t>> want = {{"a.b", 0},
                                                              {"a.b.c", 1},
                                                              {"a.b.d", 2},
                                                              {"a.x.y.z", 3},
                                                              {"servers.db1.cpu", 6},
                                                              {"servers.db1.mem", 7},
                                                              {"servers.web1.cpu", 4},
                                                              {"servers.web2.cpu", 5},
                                                              {"top", 8}};
  EXPECT_EQ(leaves, want);
  EXPECT_EQ(tree_.leaf_count(), 9u);
}

TEST_F(NameTreeTest, ManyNamesStayFindable) {
  NameTree tree;
  uint32_t index = 0;
  for (int dc = 0; dc < 4; ++dc) {
    for (int host = 0; host < 2000; ++host) {
      for (const char* metric : {"user", "system"}) {
        const std::string name =
            "servers.dc" + std::to_string(dc) + ".host-" + std::to_string(host) + ".cpu." + metric;
        ASSERT_TRUE(tree.Insert(name, index++).ok());
      }
    }
  }
  auto glob = GlobPattern::Compile("servers.dc3.*.cpu.user");
  ASSERT_TRUE(glob.ok());
  std::vector<NameTree::FindMatch> matches;
  ASSERT_TRUE(tree.Find(*glob, 100000, {}, &matches).ok());
  EXPECT_EQ(matches.size(), 2000u);
  EXPECT_TRUE(std::is_sorted(matches.begin(), matches.end(),
                             [](const auto& a, const auto& b) { return a.path < b.path; }));
  EXPECT_EQ(tree.FindLeaf("servers.dc2.host-1999.cpu.system"), 2u * 2000 * 2 + 1999 * 2 + 1);
  EXPECT_GT(tree.MemoryBytes(), 0u);
}

}  // namespace
}  // namespace meridian::storage::internal
