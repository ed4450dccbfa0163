// FederatedSource over fake peers (unit): fan-out, deterministic merge, partial answers and the
// refuse policy, peers that hang past the deadline, mounts. The wire is tested against real
// Meridians in test/integration/federation_test.cc.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>

#include "core/metrics.h"
#include "query/federation/federated_source.h"
#include "query/federation/merge.h"
#include "query/federation/mount.h"
#include "support/fake_series_source.h"
#include "support/hold.h"

namespace meridian::query::federation {
namespace {

using storage::SeriesData;
using testing::FakeSeriesSource;

constexpr double kNull = std::numeric_limits<double>::quiet_NaN();

SeriesData S(std::string name, int64_t start, int64_t step, std::vector<double> values) {
  SeriesData d;
  d.name = std::move(name);
  d.start = start;
  d.step = step;
  d.end = start + step * static_cast<int64_t>(values.size());
  d.values = std::move(values);
  return d;
}

// Compares values with NaN == NaN.
void ExpectValues(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "slot " << i << " = " << got[i];
    } else {
      EXPECT_EQ(got[i], want[i]) << "slot " << i;
    }
  }
}

// A peer over an in-memory source. Behaviours: answer, fail with a status, or hang until the
// call's deadline (a peer that accepts and never answers).
class FakePeer final : public Peer {
 public:
  enum class Mode { kAnswer, kFail, kHang };
  FakePeer(std::string name, PeerRole role = PeerRole::kRegion)
      : name_(std::move(name)), role_(role) {}

  FakeSeriesSource& data() { return data_; }
  void set_mode(Mode m, core::Status failure = core::Unavailable("connection refused")) {
    mode_ = m;
    failure_ = std::move(failure);
  }
  void set_should_try(bool v) { should_try_ = v; }
  // Answers also a series nobody asked for (a broken or hostile peer).
  void set_smuggle(bool v) { smuggle_ = v; }
  void set_mount(PeerMount m) { mount_ = std::move(m); }
  int calls() const { return calls_.load(); }
  const std::vector<std::string>& last_targets() const { return last_targets_; }

  const std::string& name() const override { return name_; }
  PeerRole role() const override { return role_; }
  const PeerMount& mount() const override { return mount_; }
  bool ShouldTry() override { return should_try_; }

  core::Result<std::vector<storage::FindMatch>> Find(std::string_view pattern, int64_t, int64_t,
                                                     const core::Deadline& d) override {
    RETURN_IF_ERROR(Behave(d));
    return data_.Find(pattern, ReadOptions::WithDeadline(d));
  }
  core::Result<std::vector<SeriesData>> Render(const std::vector<std::string>& targets,
                                               int64_t from, int64_t until, int64_t,
                                               const core::Deadline& d) override {
    RETURN_IF_ERROR(Behave(d));
    last_targets_ = targets;
    std::vector<SeriesData> out;
    for (const std::string& t : targets) {
      FetchSpec spec = FetchSpec::Pattern(t);
      if (t.starts_with("seriesByTag(")) {
        // seriesByTag('a=b','c=d') → the quoted expressions
        std::vector<std::string> exprs;
        for (size_t b = t.find('\''); b != std::string::npos; b = t.find('\'', b + 1)) {
          const size_t e = t.find('\'', b + 1);
          exprs.push_back(t.substr(b + 1, e - b - 1));
          b = e;
        }
        spec = FetchSpec::Tagged(exprs);
      }
      ASSIGN_OR_RETURN(auto got,
                       data_.FetchMatching(spec, from, until, ReadOptions::WithDeadline(d)));
      for (auto& s : got) out.push_back(std::move(s));
    }
    if (smuggle_) {
      out.push_back(SeriesData{"admin.password.leak", from, from + 10, 10, {1}, {}});
      out.push_back(SeriesData{"admin;password=leak", from, from + 10, 10, {1}, {}});
    }
    return out;
  }
  core::Result<std::vector<std::string>> Expand(std::string_view pattern,
                                                const core::Deadline& d) override {
    RETURN_IF_ERROR(Behave(d));
    ASSIGN_OR_RETURN(auto names, data_.Expand(pattern, ReadOptions::WithDeadline(d)));
    if (smuggle_) names.push_back("admin.password.leak");
    return names;
  }
  core::Result<std::vector<std::string>> FindTagged(const std::vector<std::string>& e,
                                                    const core::Deadline& d) override {
    RETURN_IF_ERROR(Behave(d));
    ASSIGN_OR_RETURN(auto names, data_.FindTagged(e, ReadOptions::WithDeadline(d)));
    if (smuggle_) {
      names.push_back("admin;password=leak");   // does not match
      names.push_back("cpu;region=x;host=h9");  // not canonical (tags out of order)
    }
    return names;
  }
  core::Result<std::vector<std::string>> TagNames(std::string_view f, size_t limit,
                                                  const core::Deadline& d) override {
    RETURN_IF_ERROR(Behave(d));
    return data_.TagNames(f, limit, ReadOptions::WithDeadline(d));
  }
  core::Result<std::vector<storage::TagValueCount>> TagValues(std::string_view tag,
                                                              std::string_view f, size_t limit,
                                                              const core::Deadline& d) override {
    RETURN_IF_ERROR(Behave(d));
    return data_.TagValues(tag, f, limit, ReadOptions::WithDeadline(d));
  }
  core::Result<std::vector<std::string>> AllLeaves(const core::Deadline& d) override {
    RETURN_IF_ERROR(Behave(d));
    return data_.AllLeaves(ReadOptions::WithDeadline(d));
  }

 private:
  core::Status Behave(const core::Deadline& d) {
    ++calls_;
    if (mode_ == Mode::kFail) return failure_;
    if (mode_ == Mode::kHang) {
      hold_.Until(d);
      return core::DeadlineExceeded("peer did not answer");
    }
    return core::Status::Ok();
  }

  std::string name_;
  PeerRole role_;
  PeerMount mount_;
  testing::Hold hold_;  // kHang: until the call's deadline
  FakeSeriesSource data_{FakeSeriesSource::Options{FakeSeriesSource::FetchMode::kStored, false}};
  Mode mode_ = Mode::kAnswer;
  core::Status failure_;
  bool should_try_ = true;
  bool smuggle_ = false;
  std::atomic<int> calls_{0};
  std::vector<std::string> last_targets_;
};

class FederationTest : public ::testing::Test {
 protected:
  FederationTest() {
    local_.Add("eu.web1.requests", 100, 10, {1, 2, 3});
    eu_ = std::make_shared<FakePeer>("us-east");
    eu_->data().Add("us.web1.requests", 100, 10, {10, 20, 30});
    eu_->data().Add("us.web2.requests", 100, 10, {100, 200, 300});
    ap_ = std::make_shared<FakePeer>("ap-south");
    ap_->data().Add("ap.web1.requests", 100, 10, {5, kNull, 7});
  }

  std::unique_ptr<FederatedSource> Make(FederationOptions o = {}) {
    return std::make_unique<FederatedSource>(local_, std::vector<std::shared_ptr<Peer>>{eu_, ap_},
                                             o, metrics_);
  }

  FakeSeriesSource local_;
  std::shared_ptr<FakePeer> eu_, ap_;
  core::MetricsRegistry metrics_;
};

TEST_F(FederationTest, FetchUnionsEveryRegionInOneRoundTripPerPeer) {
  auto source = Make();
  ReadReport report;
  ReadOptions read;
  read.scope.report = &report;
  auto got = source->FetchMatching(FetchSpec::Pattern("*.web*.requests"), 100, 130, read);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 4u);
  EXPECT_EQ((*got)[0].name, "ap.web1.requests");
  EXPECT_EQ((*got)[1].name, "eu.web1.requests");
  EXPECT_EQ((*got)[2].name, "us.web1.requests");
  EXPECT_EQ((*got)[3].name, "us.web2.requests");
  EXPECT_EQ(eu_->calls(), 1);
  EXPECT_EQ(ap_->calls(), 1);
  EXPECT_EQ(eu_->last_targets(), std::vector<std::string>{"*.web*.requests"});
  EXPECT_FALSE(report.partial());
}

TEST_F(FederationTest, SeriesAPeerWasNotAskedForAreDroppedAndCounted) {
  auto source = Make();
  eu_->set_smuggle(true);
  auto got = source->FetchMatching(FetchSpec::Pattern("*.web*.requests"), 100, 130, ReadOptions{});
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->size(), 4u);
  for (const SeriesData& d : *got) EXPECT_NE(d.name, "admin.password.leak");
  auto names = source->Expand("*.web*.requests", ReadOptions{});
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(std::count(names->begin(), names->end(), "admin.password.leak"), 0);
  EXPECT_EQ(
      metrics_.GetCounter("federation_peer_unrequested_total", "", {{"peer", "us-east"}}).Value(),
      3u);  // the series fetch's two, the expansion's one

  // Tagged reads: the answers are checked against the tag expressions the peer was asked.
  eu_->data().Add("cpu;dc=us;host=h9", 100, 10, {1, 2});
  auto tagged = source->FindTagged({"name=cpu"}, ReadOptions{});
  ASSERT_TRUE(tagged.ok()) << tagged.status().ToString();
  EXPECT_EQ(*tagged, std::vector<std::string>{"cpu;dc=us;host=h9"});
  auto fetched = source->FetchMatching(FetchSpec::Tagged({"name=cpu"}), 100, 130, ReadOptions{});
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  ASSERT_EQ(fetched->size(), 1u);
  EXPECT_EQ((*fetched)[0].name, "cpu;dc=us;host=h9");
  EXPECT_EQ(
      metrics_.GetCounter("federation_peer_unrequested_total", "", {{"peer", "us-east"}}).Value(),
      3u + 2 + 2);
}

TEST_F(FederationTest, LocalOnlyNeverAsksPeers) {
  auto source = Make();
  ReadOptions read;
  read.scope.local_only = true;
  auto got = source->FetchMatching(FetchSpec::Pattern("*.web*.requests"), 100, 130, read);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ(eu_->calls(), 0);
  EXPECT_EQ(ap_->calls(), 0);
}

TEST_F(FederationTest, AFailingPeerMakesTheAnswerPartialAndNamed) {
  auto source = Make();
  eu_->set_mode(FakePeer::Mode::kFail, core::Unavailable("connect: connection refused"));
  ReadReport report;
  ReadOptions read;
  read.scope.report = &report;
  auto got = source->FetchMatching(FetchSpec::Pattern("*.web*.requests"), 100, 130, read);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->size(), 2u);  // eu (local) + ap
  ASSERT_TRUE(report.partial());
  ASSERT_EQ(report.Missing().size(), 1u);
  EXPECT_EQ(report.Missing()[0].peer, "us-east");
  EXPECT_NE(report.Describe().find("us-east (connect: connection refused"), std::string::npos)
      << report.Describe();
  EXPECT_NE(metrics_.RenderPrometheus().find("federation_partial_reads_total 1"),
            std::string::npos);
}

TEST_F(FederationTest, RefusePolicyFailsNamingThePeers) {
  auto source = Make();
  ap_->set_mode(FakePeer::Mode::kFail, core::Unavailable("http 500"));
  ReadReport report;
  ReadOptions read;
  read.scope.report = &report;
  read.scope.partial = PartialPolicy::kRefuse;
  auto got = source->FetchMatching(FetchSpec::Pattern("*.web*.requests"), 100, 130, read);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), core::StatusCode::kUnavailable);
  EXPECT_NE(got.status().message().find("ap-south (http 500)"), std::string::npos)
      << got.status().message();
  EXPECT_TRUE(report.partial());
}

TEST_F(FederationTest, AHangingPeerIsCutAtTheFederationTimeout) {
  FederationOptions o;
  o.timeout = std::chrono::milliseconds(200);
  auto source = Make(o);
  eu_->set_mode(FakePeer::Mode::kHang);
  ReadReport report;
  ReadOptions read;
  read.scope.report = &report;
  read.deadline = core::Deadline::After(std::chrono::seconds(60));
  auto got = source->FetchMatching(FetchSpec::Pattern("*.web*.requests"), 100, 130, read);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->size(), 2u);
  ASSERT_EQ(report.Missing().size(), 1u);
  EXPECT_EQ(report.Missing()[0].peer, "us-east");
  EXPECT_EQ(report.Missing()[0].reason, "timeout");
}

TEST_F(FederationTest, APeerMissingEarlierInARequestIsNotAskedAgainByIt) {
  auto source = Make();
  eu_->set_mode(FakePeer::Mode::kFail, core::Unavailable("connect: connection refused"));
  ReadReport report;
  ReadOptions read;
  read.scope.report = &report;
  ASSERT_TRUE(source->Find("*", read).ok());
  EXPECT_EQ(eu_->calls(), 1);
  // The same request reads again (a dashboard's next variable, its next panel): the peer is
  // skipped at once, the first reason kept; the healthy peer is still asked.
  const int ap_before = ap_->calls();
  auto got = source->FetchMatching(FetchSpec::Pattern("*.web*.requests"), 100, 130, read);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(eu_->calls(), 1);
  EXPECT_EQ(ap_->calls(), ap_before + 1);
  EXPECT_EQ(got->size(), 2u);
  ASSERT_EQ(report.Missing().size(), 1u);
  EXPECT_NE(report.Describe().find("us-east (connect: connection refused"), std::string::npos);
  // Another request asks it again.
  ReadReport fresh;
  read.scope.report = &fresh;
  ASSERT_TRUE(source->Find("*", read).ok());
  EXPECT_EQ(eu_->calls(), 2);
}

TEST_F(FederationTest, APeerBackingOffIsNotAskedAndIsNamed) {
  auto source = Make();
  eu_->set_should_try(false);
  ReadReport report;
  ReadOptions read;
  read.scope.report = &report;
  auto got = source->Find("*", read);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(eu_->calls(), 0);
  ASSERT_EQ(report.Missing().size(), 1u);
  EXPECT_EQ(report.Missing()[0].reason, "down");
  std::vector<std::string> paths;
  for (const auto& m : *got) paths.push_back(m.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"ap", "eu"}));
}

TEST_F(FederationTest, FindUnionsLeafAndBranchAcrossSources) {
  local_.Add("shared.a", 100, 10, {1});
  eu_->data().Add("shared.a.b", 100, 10, {1});
  auto source = Make();
  auto got = source->Find("shared.*", ReadOptions{});
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].path, "shared.a");
  EXPECT_TRUE((*got)[0].is_leaf);
  EXPECT_TRUE((*got)[0].has_children);
}

TEST_F(FederationTest, ReplicasMergeIntoOneSeriesNeverTwo) {
  auto replica = std::make_shared<FakePeer>("eu-replica", PeerRole::kReplica);
  local_.Add("eu.db.qps", 100, 10, {1, kNull, 3, kNull});
  replica->data().Add("eu.db.qps", 100, 10, {kNull, 2, 30, kNull});
  FederatedSource source(local_, {replica}, {}, metrics_);
  auto got = source.FetchMatching(FetchSpec::Pattern("eu.db.qps"), 100, 140, ReadOptions{});
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 1u);
  ExpectValues((*got)[0].values, {1, 2, 3, kNull});  // local first: its 3 wins over 30
}

TEST_F(FederationTest, SeriesBudgetCountsMergedSeries) {
  auto source = Make();
  ReadOptions read;
  read.max_series = 3;
  auto got = source->FetchMatching(FetchSpec::Pattern("*.web*.requests"), 100, 130, read);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(WhichBudget(got.status()), ReadBudget::kSeries);
}

TEST_F(FederationTest, MountedPeerAppearsUnderItsPrefixAndTag) {
  auto mounted = std::make_shared<FakePeer>("legacy");
  mounted->data().Add("web1.cpu", 100, 10, {4, 5});
  mounted->data().Add("cpu;host=h1", 100, 10, {6, 7});
  mounted->set_mount(PeerMount{"old.dc", {{"region", "old"}}});
  FederatedSource source(local_, {mounted}, {}, metrics_);

  auto top = source.Find("*", ReadOptions{});
  ASSERT_TRUE(top.ok());
  std::vector<std::string> paths;
  for (const auto& m : *top) paths.push_back(m.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"eu", "old"}));

  auto leaf = source.FetchMatching(FetchSpec::Pattern("old.*.web1.cpu"), 100, 120, ReadOptions{});
  ASSERT_TRUE(leaf.ok());
  ASSERT_EQ(leaf->size(), 1u);
  EXPECT_EQ((*leaf)[0].name, "old.dc.web1.cpu");
  EXPECT_EQ(mounted->last_targets(), std::vector<std::string>{"web1.cpu"});

  auto none = source.FetchMatching(FetchSpec::Pattern("new.*.web1.cpu"), 100, 120, ReadOptions{});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  auto tagged =
      source.FetchMatching(FetchSpec::Tagged({"name=cpu", "region=old"}), 100, 120, ReadOptions{});
  ASSERT_TRUE(tagged.ok());
  ASSERT_EQ(tagged->size(), 1u);
  EXPECT_EQ((*tagged)[0].name, "cpu;host=h1;region=old");
  EXPECT_EQ(mounted->last_targets(), std::vector<std::string>{"seriesByTag('name=cpu')"});

  const int before = mounted->calls();
  auto excluded =
      source.FetchMatching(FetchSpec::Tagged({"name=cpu", "region=new"}), 100, 120, ReadOptions{});
  ASSERT_TRUE(excluded.ok());
  EXPECT_TRUE(excluded->empty());
  EXPECT_EQ(mounted->calls(), before);  // excluded by the mount: not asked
}

// --- merge rule ---

TEST(MergeTest, SameGridFillsGapsByPositionInSourceOrder) {
  auto m = MergeSameName({S("a", 0, 10, {1, kNull, kNull}), S("a", 0, 10, {9, 2, kNull}),
                          S("a", 0, 10, {kNull, 8, 3})});
  ExpectValues(m.values, {1, 2, 3});
}

TEST(MergeTest, FinestStepIsTheBaseWhateverTheOrder) {
  const SeriesData fine = S("a", 0, 10, {1, kNull, kNull, 4});
  const SeriesData coarse = S("a", 0, 20, {7, 8});
  auto ab = MergeSameName({fine, coarse});
  auto ba = MergeSameName({coarse, fine});
  EXPECT_EQ(ab.step, 10);
  EXPECT_EQ(ba.step, 10);
  ExpectValues(ab.values, {1, 7, 8, 4});
  ExpectValues(ba.values, {1, 7, 8, 4});
}

TEST(MergeTest, LongerRetentionCoversEarlierSlotsByTime) {
  // Same step, different windows (one replica keeps less history): filled by time, not position.
  auto m = MergeSameName({S("a", 20, 10, {kNull, 4}), S("a", 0, 10, {1, 2, 3, kNull})});
  EXPECT_EQ(m.start, 0);
  ExpectValues(m.values, {1, 2, 3, 4});
}

TEST(MergeTest, EmptyCandidatesAreIgnored) {
  auto m = MergeSameName({S("a", 0, 0, {}), S("a", 0, 10, {1})});
  EXPECT_EQ(m.step, 10);
  ExpectValues(m.values, {1});
}

TEST(MergeTest, TagValueCountsAddForDisjointAndMaxForReplicas) {
  auto v = MergeTagValues({{{"a", 2}, {"b", 1}}, {{"a", 3}}, {{"a", 2}, {"c", 1}}},
                          {false, false, true});
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0].value, "a");
  EXPECT_EQ(v[0].count, 5u);
  EXPECT_EQ(v[2].value, "c");
  EXPECT_EQ(v[2].count, 1u);
}

TEST(MountTest, PatternsAgainstAPrefix) {
  const PeerMount m{"eu.west", {}};
  EXPECT_EQ(MountPattern(m, "eu.*.web.cpu").peer_pattern, "web.cpu");
  EXPECT_EQ(MountPattern(m, "us.*.web.cpu").peer_pattern, "");
  auto inside = MountPattern(m, "e*");
  EXPECT_EQ(inside.peer_pattern, "");
  ASSERT_EQ(inside.prefix_nodes.size(), 1u);
  EXPECT_EQ(inside.prefix_nodes[0].path, "eu");
  EXPECT_EQ(MountPattern(m, "**.cpu").peer_pattern, "**.cpu");
  EXPECT_EQ(MountPattern(PeerMount{}, "a.b").peer_pattern, "a.b");
}

TEST(MountTest, TagExpressionsOnTheMountTagAreDecidedHere) {
  const PeerMount m{"", {{"region", "eu"}}};
  auto keep = MountTagExpressions(m, {"name=cpu", "region=~e"});
  ASSERT_TRUE(keep.ok());
  ASSERT_TRUE(keep->has_value());
  EXPECT_EQ(**keep, std::vector<std::string>{"name=cpu"});
  auto drop = MountTagExpressions(m, {"name=cpu", "region!=eu"});
  ASSERT_TRUE(drop.ok());
  EXPECT_FALSE(drop->has_value());
  auto only = MountTagExpressions(m, {"region=eu"});
  ASSERT_TRUE(only.ok());
  EXPECT_EQ(**only, std::vector<std::string>{"name=~.+"});
  EXPECT_FALSE(MountTagExpressions(m, {"nonsense"}).ok());
}

}  // namespace
}  // namespace meridian::query::federation
