#include "storage/internal/name_tree.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace meridian::storage::internal {
namespace {

constexpr size_t kAnyBytes = std::numeric_limits<size_t>::max();

NameTree::FindLimits Limits(size_t max_results, size_t max_path_bytes = kAnyBytes,
                            core::Deadline deadline = {}) {
  NameTree::FindLimits limits;
  limits.max_results = max_results;
  limits.max_path_bytes = max_path_bytes;
  limits.deadline = std::move(deadline);
  return limits;
}

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
    const core::Status status = tree_.Find(*glob, Limits(max_results), &matches);
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
  ASSERT_TRUE(tree.Find(*GlobPattern::Compile("a.next"), Limits(10), &out).ok());
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].path, "a.next");
  out.clear();
  ASSERT_TRUE(tree.Find(*GlobPattern::Compile("a.*"), Limits(1000), &out).ok());
  EXPECT_EQ(out.size(), 258u);
  out.clear();
  ASSERT_TRUE(tree.Find(*GlobPattern::Compile("b.*"), Limits(10), &out).ok());
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
  ASSERT_TRUE(tree_.Find(*glob, Limits(10), &matches).ok());
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
  ASSERT_TRUE(tree.Find(*glob, Limits(100), &matches).ok());
  std::vector<std::string> paths;
  for (const auto& m : matches) paths.push_back(m.path);
  EXPECT_EQ(paths, (Paths{"m.Beta", "m.a", "m.alpha", "m.alpha2", "m.zeta"}));
}

TEST_F(NameTreeTest, TooManyMatchesIsResourceExhausted) {
  auto glob = GlobPattern::Compile("servers.*.cpu");
  ASSERT_TRUE(glob.ok());
  std::vector<NameTree::FindMatch> matches;
  EXPECT_TRUE(tree_.Find(*glob, Limits(3), &matches).ok());
  EXPECT_EQ(matches.size(), 3u);
  const core::Status status = tree_.Find(*glob, Limits(2), &matches);
  EXPECT_EQ(status.code(), core::StatusCode::kResourceExhausted);
  EXPECT_TRUE(matches.empty());
  auto all = GlobPattern::Compile("**");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(tree_.Find(*all, Limits(5), &matches).code(), core::StatusCode::kResourceExhausted);
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

// Regression: a family crossing the scan threshold while the hash table had to grow was hashed
// twice (growth placed it, then the loop placed the rest again), so the table filled up unseen
// and a lookup of a missing name probed forever — the store's writer spun holding its lock (seen
// with 100-odd self-metrics under one instance). Many families cross the threshold here, each
// checked with names that are absent.
TEST_F(NameTreeTest, ManyFamiliesCrossingTheScanThresholdKeepMissingNamesMissing) {
  NameTree tree;
  uint32_t index = 0;
  for (int family = 0; family < 300; ++family) {
    for (int child = 0; child < 12; ++child) {
      ASSERT_TRUE(tree.Insert(fmt::format("f{}.c{}", family, child), index++).ok());
      ASSERT_FALSE(tree.FindLeaf(fmt::format("f{}.missing", family)).has_value());
    }
    for (int f = 0; f <= family; f += 7) {
      ASSERT_FALSE(tree.FindLeaf(fmt::format("f{}.absent{}", f, family)).has_value());
    }
  }
  for (int family = 0; family < 300; ++family) {
    for (int child = 0; child < 12; ++child) {
      ASSERT_EQ(tree.FindLeaf(fmt::format("f{}.c{}", family, child)),
                static_cast<uint32_t>(family * 12 + child));
    }
  }
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
  ASSERT_TRUE(tree.Find(*glob, Limits(100000), &matches).ok());
  EXPECT_EQ(matches.size(), 2000u);
  EXPECT_TRUE(std::is_sorted(matches.begin(), matches.end(),
                             [](const auto& a, const auto& b) { return a.path < b.path; }));
  EXPECT_EQ(tree.FindLeaf("servers.dc2.host-1999.cpu.system"), 2u * 2000 * 2 + 1999 * 2 + 1);
  EXPECT_GT(tree.MemoryBytes(), 0u);
}

// Every node path of the tree, for cross-checks against GlobMatchFull.
std::vector<std::string> AllNodePaths(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const std::string& name : names) {
    for (size_t dot = name.find('.'); dot != std::string::npos; dot = name.find('.', dot + 1)) {
      out.push_back(name.substr(0, dot));
    }
    out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

TEST_F(NameTreeTest, SeveralGlobstarsSelectWhatGlobMatchFullMatches) {
  const std::vector<std::string> names = {"a.b",
                                          "a.b.c",
                                          "a.b.d",
                                          "a.x.y.z",
                                          "servers.web1.cpu",
                                          "servers.web2.cpu",
                                          "servers.db1.cpu",
                                          "servers.db1.mem",
                                          "top"};
  for (const char* pattern : {"**.b.**", "**.**.cpu", "a.**.**", "**.*.**.z", "**.b.**.d",
                              "**.**.**", "servers.**.**.cpu", "**.a.**"}) {
    std::vector<std::string> want;
    for (const std::string& path : AllNodePaths(names)) {
      if (GlobMatchFull(pattern, path)) want.push_back(path);
    }
    std::vector<std::string> got;
    for (const std::string& p : FindPaths(pattern)) got.push_back(p.substr(0, p.find(':')));
    EXPECT_EQ(got, want) << pattern;
  }
}

TEST(NameTreeGlobstarTest, ManyGlobstarsOverADeepNameArePolynomial) {
  // "**.x" twelve times over a chain of 40 "x" nodes: backtracking explores every way of
  // splitting the chain among the globstars (C(40,12), billions of routes: the regression took
  // seconds with ten "**" over 20k series). Each (node, component) state is expanded once now.
  NameTree tree;
  std::string chain = "x";
  for (int i = 1; i < 40; ++i) chain += ".x";
  ASSERT_TRUE(tree.Insert(chain, 0).ok());
  ASSERT_TRUE(tree.Insert("y.x.x", 1).ok());
  std::string pattern = "**.x";
  for (int i = 1; i < 12; ++i) pattern += ".**.x";
  auto glob = GlobPattern::Compile(pattern);
  ASSERT_TRUE(glob.ok());
  std::vector<NameTree::FindMatch> matches;
  ASSERT_TRUE(tree.Find(*glob, Limits(1000), &matches).ok());
  // Every node of the chain at depth 12..40 (each "**.x" takes at least one "x").
  ASSERT_EQ(matches.size(), 29u);
  EXPECT_EQ(std::count(matches.front().path.begin(), matches.front().path.end(), 'x'), 12);
  EXPECT_EQ(matches.back().path, chain);
}

TEST(NameTreeGlobstarTest, RunOfGlobstarsMatchesLikeOne) {
  NameTree tree;
  ASSERT_TRUE(tree.Insert("a.b.c.d", 0).ok());
  ASSERT_TRUE(tree.Insert("a.d", 1).ok());
  ASSERT_TRUE(tree.Insert("e", 2).ok());
  std::string run = "**";
  for (int i = 1; i < 20; ++i) run += ".**";
  auto find = [&](const std::string& pattern) {
    std::vector<NameTree::FindMatch> matches;
    EXPECT_TRUE(tree.Find(*GlobPattern::Compile(pattern), Limits(1000), &matches).ok()) << pattern;
    std::vector<std::string> paths;
    for (const auto& m : matches) paths.push_back(m.path);
    return paths;
  };
  EXPECT_EQ(find(run + ".d"), find("**.d"));
  EXPECT_EQ(find(run + ".d"), (std::vector<std::string>{"a.b.c.d", "a.d"}));
  EXPECT_EQ(find("a." + run), find("a.**"));
  EXPECT_EQ(find(run).size(), 6u);  // a, a.b, a.b.c, a.b.c.d, a.d, e
}

TEST_F(NameTreeTest, FindStopsAtACancelledOrPastDeadline) {
  auto glob = GlobPattern::Compile("**");
  ASSERT_TRUE(glob.ok());
  std::vector<NameTree::FindMatch> matches;
  core::Deadline cancelled = core::Deadline::Cancellable();
  cancelled.Cancel();
  EXPECT_EQ(tree_.Find(*glob, Limits(1000, kAnyBytes, cancelled), &matches).code(),
            core::StatusCode::kCancelled);
  EXPECT_TRUE(matches.empty());
  const core::Deadline past =
      core::Deadline::At(std::chrono::steady_clock::now() - std::chrono::seconds(1));
  const core::Status st = tree_.Find(*glob, Limits(1000, kAnyBytes, past), &matches);
  EXPECT_EQ(st.code(), core::StatusCode::kDeadlineExceeded);
  EXPECT_NE(st.message().find("glob expansion"), std::string::npos) << st.message();
  EXPECT_TRUE(matches.empty());
}

TEST(NameTreeGlobstarTest, PathBytesPastTheLimitFailBeforeAnyPathIsBuilt) {
  // "**" over one name of 2,000 nodes lists 2,000 prefixes of it: ~4 MB of paths from a 4 KB
  // name (67 MB, and > 4 GB for a 60 KB name, in the regression).
  NameTree tree;
  std::string name = "n";
  for (int i = 1; i < 2000; ++i) name += ".n";
  ASSERT_TRUE(tree.Insert(name, 0).ok());
  auto glob = GlobPattern::Compile("**");
  ASSERT_TRUE(glob.ok());
  std::vector<NameTree::FindMatch> matches;
  // Paths "n", "n.n", ...: 1 + 3 + 5 + ... = 2000^2 bytes.
  ASSERT_TRUE(tree.Find(*glob, Limits(10000, 2000 * 2000), &matches).ok());
  EXPECT_EQ(matches.size(), 2000u);
  const core::Status st = tree.Find(*glob, Limits(10000, 2000 * 2000 - 1), &matches);
  EXPECT_EQ(st.code(), core::StatusCode::kResourceExhausted);
  EXPECT_NE(st.message().find("bytes"), std::string::npos) << st.message();
  EXPECT_TRUE(matches.empty());
}

}  // namespace
}  // namespace meridian::storage::internal
