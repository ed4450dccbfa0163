// Aggregate push-down through the evaluator and the federated source, over fake peers that
// compute partials with the code a real peer's /api/federation/partials runs: every pushed-down
// target equals the fetched evaluation bit for bit (names, tags, windows, values), counters show
// it was used or why it fell back, a missing peer is reported as for a fetch, and a peer sends
// one group whatever its series count. The wire is tested in partials_test.cc and against real
// Meridians in test/integration/federation_test.cc.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

#include "core/metrics.h"
#include "query/evaluator.h"
#include "query/federation/federated_source.h"
#include "query/function_registry.h"
#include "query/partials.h"
#include "support/fake_series_source.h"

namespace meridian::query::federation {
namespace {

using storage::SeriesData;
using testing::FakeSeriesSource;

constexpr double kNull = std::numeric_limits<double>::quiet_NaN();

// A peer over an in-memory store: renders and computes partials as a Meridian would (local=1),
// or fails every call, or is a peer without the partials route.
class FakePeer final : public Peer {
 public:
  explicit FakePeer(std::string name, PeerRole role = PeerRole::kRegion)
      : name_(std::move(name)), role_(role) {}

  FakeSeriesSource& data() { return data_; }
  void set_down(bool down) { down_ = down; }
  void set_legacy(bool legacy) { legacy_ = legacy; }
  void set_mount(PeerMount m) { mount_ = std::move(m); }
  int partial_calls() const { return partial_calls_; }

  const std::string& name() const override { return name_; }
  PeerRole role() const override { return role_; }
  const PeerMount& mount() const override { return mount_; }
  bool ShouldTry() override { return true; }

  core::Result<std::vector<storage::FindMatch>> Find(std::string_view pattern, int64_t, int64_t,
                                                     const core::Deadline& d) override {
    RETURN_IF_ERROR(Up());
    return data_.Find(pattern, ReadOptions::WithDeadline(d));
  }
  core::Result<std::vector<SeriesData>> Render(const std::vector<std::string>& targets,
                                               int64_t from, int64_t until, int64_t,
                                               const core::Deadline& d) override {
    RETURN_IF_ERROR(Up());
    std::vector<SeriesData> out;
    for (const std::string& t : targets) {
      ASSIGN_OR_RETURN(auto got,
                       data_.FetchMatching(SpecOf(t), from, until, ReadOptions::WithDeadline(d)));
      for (auto& s : got) out.push_back(std::move(s));
    }
    return out;
  }
  core::Result<PartialAnswer> FetchPartials(const PartialRequest& request, int64_t from,
                                            int64_t until, int64_t now,
                                            const core::Deadline& d) override {
    if (legacy_) return Peer::FetchPartials(request, from, until, now, d);
    RETURN_IF_ERROR(Up());
    ++partial_calls_;
    ASSIGN_OR_RETURN(auto mine,
                     data_.FetchMatching(request.spec, from, until, ReadOptions::WithDeadline(d)));
    return ComputePartials(mine, request);
  }
  core::Result<std::vector<std::string>> Expand(std::string_view pattern,
                                                const core::Deadline& d) override {
    RETURN_IF_ERROR(Up());
    return data_.Expand(pattern, ReadOptions::WithDeadline(d));
  }
  core::Result<std::vector<std::string>> FindTagged(const std::vector<std::string>& e,
                                                    const core::Deadline& d) override {
    RETURN_IF_ERROR(Up());
    return data_.FindTagged(e, ReadOptions::WithDeadline(d));
  }
  core::Result<std::vector<std::string>> TagNames(std::string_view f, size_t limit,
                                                  const core::Deadline& d) override {
    RETURN_IF_ERROR(Up());
    return data_.TagNames(f, limit, ReadOptions::WithDeadline(d));
  }
  core::Result<std::vector<storage::TagValueCount>> TagValues(std::string_view tag,
                                                              std::string_view f, size_t limit,
                                                              const core::Deadline& d) override {
    RETURN_IF_ERROR(Up());
    return data_.TagValues(tag, f, limit, ReadOptions::WithDeadline(d));
  }
  core::Result<std::vector<std::string>> AllLeaves(const core::Deadline& d) override {
    RETURN_IF_ERROR(Up());
    return data_.AllLeaves(ReadOptions::WithDeadline(d));
  }

 private:
  // seriesByTag('a=b','c=d') → its expressions; anything else a pattern.
  static FetchSpec SpecOf(const std::string& t) {
    if (!t.starts_with("seriesByTag(")) return FetchSpec::Pattern(t);
    std::vector<std::string> exprs;
    for (size_t b = t.find('\''); b != std::string::npos; b = t.find('\'', b + 1)) {
      const size_t e = t.find('\'', b + 1);
      exprs.push_back(t.substr(b + 1, e - b - 1));
      b = e;
    }
    return FetchSpec::Tagged(exprs);
  }
  core::Status Up() const { return down_ ? core::Unavailable("cannot connect") : core::Status(); }

  std::string name_;
  PeerRole role_;
  PeerMount mount_;
  FakeSeriesSource data_;
  bool down_ = false;
  bool legacy_ = false;
  int partial_calls_ = 0;
};

// Integer counters (push-down applies) and decimal gauges (it falls back), over this store and
// two regions; tagged cpu series across all three.
class PushDownTest : public ::testing::Test {
 protected:
  PushDownTest() {
    us_ = std::make_shared<FakePeer>("us-east");
    ap_ = std::make_shared<FakePeer>("ap-south");
    FakeSeriesSource* where[] = {&local_, &us_->data(), &ap_->data()};
    const char* regions[] = {"eu", "us", "ap"};
    for (int r = 0; r < 3; ++r) {
      for (int h = 1; h <= 4; ++h) {
        std::vector<double> counts, gauge;
        for (int t = 0; t < 6; ++t) {
          const bool gap = (r * 7 + h * 3 + t) % 5 == 0;
          counts.push_back(gap ? kNull : 1000.0 * r + 37 * h + 11 * t);
          gauge.push_back(gap ? kNull : 0.1 * (r + 1) + 0.01 * h * t);
        }
        const std::string host = fmt::format("{}.web{}", regions[r], h);
        where[r]->Add(host + ".requests.count", 100, 10, counts);
        where[r]->Add(host + ".latency.mean", 100, 10, gauge);
        where[r]->Add(fmt::format("cpu;dc={};host=h{}", regions[r], h), 100, 10, counts);
      }
    }
    local_.Add("mem;dc=eu;host=h1", 100, 10, {1, 2, 3, 4, 5, 6});
    us_->data().Add("mem;dc=us;host=h1", 100, 10, {1, kNull, 3, 4, 5, 6});
  }

  std::unique_ptr<FederatedSource> Make(std::vector<std::shared_ptr<Peer>> peers = {},
                                        FederationOptions o = {}) {
    if (peers.empty()) peers = {us_, ap_};
    return std::make_unique<FederatedSource>(local_, std::move(peers), o, metrics_);
  }

  core::Result<SeriesList> Eval(SeriesSource& source, const std::string& target, bool push_down,
                                ReadReport* report = nullptr,
                                PartialPolicy partial = PartialPolicy::kAllow) {
    EvalLimits limits;
    limits.scope.push_down = push_down;
    limits.scope.report = report;
    limits.scope.partial = partial;
    Evaluator ev(source, FunctionRegistry::Default(), limits);
    return ev.EvaluateTarget(target, EvalWindow{100, 160, 160});
  }

  uint64_t Used() {
    return metrics_.GetCounter("federation_pushdowns_total", "", {{"outcome", "used"}}).Value();
  }
  uint64_t Fallbacks(const std::string& reason) {
    return metrics_.GetCounter("federation_pushdown_fallbacks_total", "", {{"reason", reason}})
        .Value();
  }
  uint64_t Received(const std::string& peer, const std::string& route) {
    return metrics_
        .GetCounter("federation_peer_series_received_total", "", {{"peer", peer}, {"route", route}})
        .Value();
  }

  // Pushed down and fetched evaluations of `target` are the same series, bit for bit.
  void ExpectSame(SeriesSource& source, const std::string& target) {
    SCOPED_TRACE(target);
    auto pushed = Eval(source, target, true);
    auto fetched = Eval(source, target, false);
    ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
    ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
    ASSERT_EQ(pushed->size(), fetched->size());
    for (size_t i = 0; i < pushed->size(); ++i) {
      const Series& p = (*pushed)[i];
      const Series& f = (*fetched)[i];
      EXPECT_EQ(p.name, f.name);
      EXPECT_EQ(p.tags, f.tags) << p.name;
      EXPECT_EQ(p.path_expression, f.path_expression);
      EXPECT_EQ(p.start, f.start);
      EXPECT_EQ(p.end, f.end);
      EXPECT_EQ(p.step, f.step);
      EXPECT_EQ(p.consolidation_func, f.consolidation_func);
      EXPECT_EQ(p.x_files_factor, f.x_files_factor);
      ASSERT_EQ(p.values.size(), f.values.size());
      for (size_t k = 0; k < p.values.size(); ++k) {
        EXPECT_EQ(std::isnan(p.values[k]), std::isnan(f.values[k])) << p.name << " [" << k << "]";
        if (!std::isnan(f.values[k])) {
          EXPECT_EQ(std::bit_cast<uint64_t>(p.values[k]), std::bit_cast<uint64_t>(f.values[k]))
              << p.name << " [" << k << "]";
        }
      }
    }
  }

  FakeSeriesSource local_;
  std::shared_ptr<FakePeer> us_, ap_;
  core::MetricsRegistry metrics_;
};

TEST_F(PushDownTest, AggregatesOfCountersArePushedDownAndEqualTheFetchedAnswer) {
  auto source = Make();
  const std::vector<std::string> targets = {
      "sumSeries(*.web*.requests.count)",
      "sum(*.web*.requests.count)",
      "averageSeries(*.web*.requests.count)",
      "avg(*.web*.requests.count)",
      "minSeries(*.web*.requests.count)",
      "maxSeries(*.web*.requests.count)",
      "countSeries(*.web*.requests.count)",
      "sumSeries(eu.web1.requests.count)",
      "aggregate(*.web*.requests.count, 'sum')",
      "aggregate(*.web*.requests.count, 'total')",
      "aggregate(*.web*.requests.count, 'avg', 0.9)",
      "aggregate(*.web*.requests.count, 'count')",
      "aggregate(*.web*.requests.count, 'maxSeries')",
      "multiplySeries(*.web1.requests.count)",  // three regions' counters: 28 odd bits
      "aggregate(*.web1.requests.count, 'multiply')",
      "groupByNode(*.web1.requests.count, 1, 'multiply')",
      "groupByNode(*.web*.requests.count, 0, 'sum')",
      "groupByNode(*.web*.requests.count, 1, 'sumSeries')",
      "groupByNode(*.web*.requests.count, 0)",
      "groupByNode(*.web*.requests.count, -3, 'avg')",
      "groupByNode(*.web*.requests.count, 0, 'countSeries')",
      "groupByNodes(*.web*.requests.count, 'min', 0, 1)",
      "groupByNodes(*.web*.requests.count, 'count')",
      "groupByNode(seriesByTag('name=cpu'), 'dc', 'sum')",
      "sumSeries(seriesByTag('name=cpu', 'dc!=us'))",
      "groupByTags(seriesByTag('name=cpu'), 'sum', 'dc')",
      "groupByTags(seriesByTag('name=cpu'), 'maxSeries', 'name', 'host')",
      "groupByTags(seriesByTag('host=h1'), 'avg', 'dc')",
      "groupByTags(seriesByTag('host=h1'), 'countSeries', 'name')",
      "alias(sumSeries(*.web*.requests.count), 'total')",
      "scale(groupByNode(*.web*.requests.count, 0, 'sum'), 2)",
      "aliasByNode(maxSeries(*.web*.requests.count), 0)",
      "sumSeries(nothing.matches.*)",
  };
  for (const std::string& t : targets) {
    const uint64_t before = Used();
    ExpectSame(*source, t);
    EXPECT_EQ(Used(), before + 1) << t << ": not pushed down";
  }
  EXPECT_GT(Received("us-east", "partials"), 0u);
  EXPECT_GT(Received("ap-south", "partials"), 0u);
}

TEST_F(PushDownTest, APushedDownCallFailsAsTheFetchedOneDoes) {
  auto source = Make();
  // groupByTags refuses an empty tag value in its key, pushed down or not.
  const std::string t = "groupByTags(seriesByTag('host=h1'), 'sum', 'nosuchtag')";
  auto pushed = Eval(*source, t, true);
  auto fetched = Eval(*source, t, false);
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.status().ToString(), fetched.status().ToString());
  EXPECT_EQ(Used(), 1u);
}

TEST_F(PushDownTest, FetchedEvaluationsDoNotAskForPartials) {
  auto source = Make();
  ASSERT_TRUE(Eval(*source, "sumSeries(*.web*.requests.count)", false).ok());
  EXPECT_EQ(us_->partial_calls(), 0);
  EXPECT_EQ(Used(), 0u);
  EXPECT_EQ(Fallbacks("request"), 1u);
}

TEST_F(PushDownTest, WhatDoesNotDecomposeIsEvaluatedAsUsual) {
  auto source = Make();
  for (const std::string t :
       {"sumSeries(*.web*.requests.count, eu.web1.latency.mean)", "stddevSeries(*.web*.*.*)",
        "multiplySeries(*.web1.requests.count, eu.web2.requests.count)",
        "aggregate(*.web*.requests.count, 'median')",
        "groupByNode(*.web*.requests.count, 0, 'diff')", "sumSeries(scale(*.web*.*.count, 2))",
        "groupByTags(seriesByTag('name=cpu'), 'median', 'dc')",
        "aggregate(*.web*.*.count, 'bogus')"}) {
    const int calls = us_->partial_calls();
    auto pushed = Eval(*source, t, true);
    auto fetched = Eval(*source, t, false);
    EXPECT_EQ(pushed.ok(), fetched.ok()) << t;
    EXPECT_EQ(us_->partial_calls(), calls) << t;
  }
  EXPECT_EQ(Used(), 0u);
}

TEST_F(PushDownTest, DecimalSumsFallBackWhileTheirMinAndMaxArePushedDown) {
  auto source = Make();
  ExpectSame(*source, "sumSeries(*.web*.latency.mean)");
  ExpectSame(*source, "groupByNode(*.web*.latency.mean, 0, 'avg')");
  EXPECT_EQ(Fallbacks("inexact"), 2u);
  EXPECT_EQ(Used(), 0u);
  ExpectSame(*source, "maxSeries(*.web*.latency.mean)");
  ExpectSame(*source, "groupByNode(*.web*.latency.mean, 0, 'min')");
  EXPECT_EQ(Used(), 2u);
}

TEST_F(PushDownTest, ProductsPastTheCertificateOrOfOneSeriesAreFetched) {
  auto source = Make();
  ExpectSame(*source, "multiplySeries(*.web*.requests.count)");  // 12 counters: > 53 odd bits
  EXPECT_EQ(Fallbacks("inexact"), 1u);
  EXPECT_EQ(Used(), 0u);
  // One series alone passes through multiplySeries under its own name: fetched as it is.
  ExpectSame(*source, "multiplySeries(eu.web1.requests.count)");
  EXPECT_EQ(Fallbacks("one series"), 1u);
  ExpectSame(*source, "groupByNode(*.web*.requests.count, 1, 'multiplySeries')");
  EXPECT_EQ(Used(), 0u);
}

TEST_F(PushDownTest, DifferentStepsFallBack) {
  ap_->data().Add("ap.web9.requests.count", 100, 20, {1, 2, 3});
  auto source = Make();
  ExpectSame(*source, "sumSeries(*.web*.requests.count)");
  EXPECT_EQ(Fallbacks("heterogeneous"), 1u);
}

TEST_F(PushDownTest, ReplicasGraphiteWebMountsAndTheSwitchFallBackWithTheirReason) {
  auto replica = std::make_shared<FakePeer>("eu-2", PeerRole::kReplica);
  auto graphite = std::make_shared<FakePeer>("old", PeerRole::kGraphite);
  auto mounted = std::make_shared<FakePeer>("mounted");
  mounted->set_mount(PeerMount{"m", {}});
  mounted->data().Add("web1.requests.count", 100, 10, {1, 2, 3, 4, 5, 6});
  const std::string t = "sumSeries(*.web*.requests.count)";
  ExpectSame(*Make({us_, replica}), t);
  ExpectSame(*Make({us_, graphite}), t);
  // "**" over a mount's prefix asks the peer more than the pattern matches (filtered after a
  // fetch; partials cannot be).
  ExpectSame(*Make({mounted, us_}), "sumSeries(**.requests.count)");
  // A mount too long to send (every name the peer groups would carry it) is fetched.
  auto long_mount = std::make_shared<FakePeer>("long");
  long_mount->set_mount(PeerMount{std::string(1100, 'm'), {}});
  ExpectSame(*Make({long_mount, us_}), t);
  FederationOptions off;
  off.push_down = false;
  ExpectSame(*Make({}, off), t);
  us_->set_legacy(true);
  ExpectSame(*Make(), t);
  EXPECT_EQ(Fallbacks("replica peer"), 1u);
  EXPECT_EQ(Fallbacks("graphite peer"), 1u);
  EXPECT_EQ(Fallbacks("mounted peer"), 2u);
  EXPECT_EQ(Fallbacks("disabled"), 2u);  // federation.push_down off wins over pushDown=0
  EXPECT_EQ(Fallbacks("peer cannot compute partials"), 1u);
  EXPECT_EQ(metrics_
                .GetCounter("federation_peer_pushdown_fallbacks_total", "",
                            {{"peer", "us-east"}, {"reason", "peer cannot compute partials"}})
                .Value(),
            1u);
  EXPECT_EQ(Used(), 0u);
}

TEST_F(PushDownTest, MountedPeersComputeTheirPartialsUnderTheNamesTheFrontSees) {
  // A region whose names lack the region: mounted under "old" and tagged region=old here. One of
  // its tagged series has a region of its own (kept), and two of its names sort the other way
  // round once mounted (…;host=h1 < …;host=h1;os=linux, but …;host=h1;os=linux;region=old <
  // …;host=h1;region=old).
  auto legacy = std::make_shared<FakePeer>("legacy");
  legacy->set_mount(PeerMount{"old", {{"region", "old"}}});
  for (int h = 1; h <= 3; ++h) {
    std::vector<double> counts;
    for (int t = 0; t < 6; ++t) counts.push_back((h + t) % 4 == 0 ? kNull : 500.0 * h + 3 * t);
    legacy->data().Add(fmt::format("web{}.requests.count", h), 100, 10, counts);
    legacy->data().Add(fmt::format("cpu;dc=old;host=h{}", h), 100, 10, counts);
  }
  legacy->data().Add("cpu;dc=old;host=h1;os=linux", 100, 10, {7, 7, 7, 7, 7, 7});
  legacy->data().Add("cpu;dc=x;host=h7;region=x", 100, 10, {9, 9, 9, 9, 9, 9});
  auto source = Make({us_, legacy, ap_});
  for (const std::string t : {
           "sumSeries(*.web*.requests.count)",
           "groupByNode(*.web*.requests.count, 0, 'sum')",  // the prefix is node 0
           "groupByNode(*.web*.requests.count, 1, 'max')",
           "groupByNode(*.web*.requests.count, -3, 'avg')",
           "groupByNodes(*.web*.requests.count, 'count', 0, 1)",
           "sumSeries(old.web*.requests.count)",  // only the mounted peer holds it
           "minSeries(o*.web[12].requests.count)",
           "sumSeries(nothing.web*.requests.count)",  // the mount's prefix does not match
           "groupByNode(seriesByTag('name=cpu'), 'region', 'sum')",
           "groupByTags(seriesByTag('name=cpu', 'region=~.+'), 'max', 'region', 'host')",
           "groupByTags(seriesByTag('name=cpu'), 'avg', 'dc')",
           "sumSeries(seriesByTag('region=old'))",
           "countSeries(seriesByTag('region=~o.*', 'host!=h2'))",
           "sumSeries(seriesByTag('region=x'))",  // the mount excludes the peer, as a fetch does
           "aliasByNode(maxSeries(*.web1.requests.count), 0)",
       }) {
    const uint64_t before = Used();
    ExpectSame(*source, t);
    EXPECT_EQ(Used(), before + 1) << t << ": not pushed down";
  }
  EXPECT_EQ(Fallbacks("mounted peer"), 0u);
  EXPECT_GT(Received("legacy", "partials"), 0u);
  // The old region is one line among the others, named as the front names it.
  auto by_region = Eval(*source, "groupByNode(*.web*.requests.count, 0, 'sum')", true);
  ASSERT_TRUE(by_region.ok());
  std::vector<std::string> names;
  for (const Series& s : *by_region) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"ap", "eu", "old", "us"}));
}

TEST_F(PushDownTest, APeerDownIsReportedExactlyAsForAFetch) {
  us_->set_down(true);
  auto source = Make();
  const std::string t = "groupByNode(*.web*.requests.count, 0, 'sum')";
  ReadReport pushed_report, fetched_report;
  auto pushed = Eval(*source, t, true, &pushed_report);
  auto fetched = Eval(*source, t, false, &fetched_report);
  ASSERT_TRUE(pushed.ok()) << pushed.status().ToString();
  ASSERT_TRUE(fetched.ok());
  EXPECT_EQ(Used(), 1u);
  EXPECT_TRUE(pushed_report.partial());
  EXPECT_EQ(pushed_report.Missing(), fetched_report.Missing());
  EXPECT_EQ(pushed_report.Describe(), "us-east (cannot connect)");
  ASSERT_EQ(pushed->size(), 2u);  // ap and eu: us is missing
  ASSERT_EQ(pushed->size(), fetched->size());
  for (size_t i = 0; i < pushed->size(); ++i) {
    EXPECT_EQ((*pushed)[i].name, (*fetched)[i].name);
  }
  // Refused partial answers are refused the same way.
  auto refused = Eval(*source, t, true, nullptr, PartialPolicy::kRefuse);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), core::StatusCode::kUnavailable);
  auto refused_fetch = Eval(*source, t, false, nullptr, PartialPolicy::kRefuse);
  EXPECT_EQ(refused.status().ToString(), refused_fetch.status().ToString());
}

TEST_F(PushDownTest, APeerSendsOneGroupWhateverItsSeriesCount) {
  auto big = std::make_shared<FakePeer>("big");
  for (int i = 0; i < 1000; ++i) {
    big->data().Add(fmt::format("big.web{:04}.requests.count", i), 100, 10, {1, 2, 3, 4, 5, 6});
  }
  auto small = std::make_shared<FakePeer>("small");
  for (int i = 0; i < 10; ++i) {
    small->data().Add(fmt::format("small.web{:04}.requests.count", i), 100, 10, {1, 2, 3, 4, 5, 6});
  }
  auto source = Make({big, small});
  const std::string t = "sumSeries(*.web*.requests.count)";
  ExpectSame(*source, t);
  EXPECT_EQ(Received("big", "partials"), 1u);
  EXPECT_EQ(Received("small", "partials"), 1u);
  EXPECT_EQ(Received("big", "render"), 1000u);  // the fetched run
  EXPECT_EQ(Received("small", "render"), 10u);
  ExpectSame(*source, "groupByNode(*.web*.requests.count, 0, 'sum')");
  EXPECT_EQ(Received("big", "partials"), 2u);  // one group per peer again
}

TEST_F(PushDownTest, PushedDownGroupsAreChargedAsSeriesAgainstTheBudgets) {
  auto source = Make();
  const std::string sum = "sumSeries(*.web*.requests.count)";
  const std::string by_region = "groupByNode(*.web*.requests.count, 0, 'sum')";
  auto eval = [&](size_t max_series, const std::string& target, bool push_down) {
    EvalLimits limits;
    limits.max_series = max_series;
    limits.scope.push_down = push_down;
    Evaluator ev(*source, FunctionRegistry::Default(), limits);
    return ev.EvaluateTarget(target, {100, 160, 160});
  };
  // 12 member series (4 of them read here) become one sum, or three region groups.
  EXPECT_TRUE(eval(5, sum, true).ok());
  EXPECT_EQ(eval(5, sum, false).status().code(), core::StatusCode::kResourceExhausted);
  EXPECT_TRUE(eval(5, by_region, true).ok());
  EXPECT_EQ(eval(2, by_region, true).status().code(), core::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace meridian::query::federation
