#include "dashboards/overview.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>

#include "dashboards/status.h"
#include "support/fake_clock.h"

namespace meridian::dashboards {
namespace {

using nlohmann::json;
constexpr int64_t kNow = 1'700'000'000;

class FakeStats final : public InstanceStats {
 public:
  uint64_t SeriesCount() const override { return series; }
  double IngestPointsPerSecond() const override { return rate; }
  std::string HealthProblem() const override { return problem; }
  uint64_t series = 0;
  double rate = 0;
  std::string problem;
};

alerting::CheckStatus Check(std::string host, alerting::CheckState s, int64_t since) {
  alerting::CheckStatus c;
  c.group = "web";
  c.rule = "cpu";
  c.host = std::move(host);
  c.service = "load";
  c.state.state = s;
  c.state.state_since = since;
  c.state.last_value = s == alerting::CheckState::kUnknown ? NAN : 97.5;
  c.output = "out " + c.host;
  return c;
}

TEST(StatusReporterTest, CountsAlertsAndListsProblemsWorstFirst) {
  FakeStats stats;
  stats.series = 1234;
  stats.rate = 55.5;
  testing::FakeClock clock(kNow);
  StatusReporter status(
      {"eu", "0.1.0", kNow - 60}, stats,
      [] {
        return std::vector<alerting::CheckStatus>{Check("a", alerting::CheckState::kOk, 1),
                                                  Check("b", alerting::CheckState::kWarning, 5),
                                                  Check("c", alerting::CheckState::kCritical, 30),
                                                  Check("d", alerting::CheckState::kCritical, 10),
                                                  Check("e", alerting::CheckState::kUnknown, 2)};
      },
      clock);
  json j = json::parse(status.Json());
  EXPECT_EQ(j["name"], "eu");
  EXPECT_EQ(j["version"], "0.1.0");
  EXPECT_EQ(j["started"], kNow - 60);
  EXPECT_EQ(j["now"], kNow);
  EXPECT_EQ(j["series"], 1234);
  EXPECT_DOUBLE_EQ(j["ingest_points_per_second"].get<double>(), 55.5);
  EXPECT_EQ(j["alerts"], json({{"OK", 1}, {"WARNING", 1}, {"CRITICAL", 2}, {"UNKNOWN", 1}}));
  std::vector<std::string> hosts;
  for (const auto& p : j["problems"]) hosts.push_back(p["host"]);
  EXPECT_EQ(hosts, (std::vector<std::string>{"d", "c", "b", "e"}));
  EXPECT_EQ(j["problems"][0]["state"], "CRITICAL");
  EXPECT_EQ(j["problems"][0]["state_since"], 10);
  EXPECT_EQ(j["problems"][0]["output"], "out d");
  EXPECT_EQ(j["problems"][0]["value"], 97.5);
  EXPECT_TRUE(j["problems"][3]["value"].is_null());
  EXPECT_EQ(j["health"], "ok");
  EXPECT_EQ(j["alerting"], true);
}

TEST(StatusReporterTest, AlertingOffAndDegradedHealth) {
  FakeStats stats;
  stats.problem = "writes paused: disk full";
  testing::FakeClock clock(kNow);
  StatusReporter status({"eu", "0.1.0", kNow}, stats, nullptr, clock);
  json j = json::parse(status.Json());
  EXPECT_EQ(j["alerting"], false);
  EXPECT_EQ(j["alerts"]["CRITICAL"], 0);
  EXPECT_TRUE(j["problems"].empty());
  EXPECT_EQ(j["health"], "degraded: writes paused: disk full");
}

TEST(RateWindowTest, RateOverTheLastMinute) {
  RateWindow w(std::chrono::seconds(60));
  constexpr int64_t kS = 1'000'000;
  EXPECT_EQ(w.Update(0, 0), 0);         // no history yet
  EXPECT_EQ(w.Update(kS / 2, 100), 0);  // under a second
  EXPECT_DOUBLE_EQ(w.Update(10 * kS, 1000), 100.0);
  for (int s = 11; s <= 120; ++s) w.Update(s * kS, 1000 + static_cast<uint64_t>(s - 10) * 10);
  // Over the last ~60 s the counter grew 10/s; the burst at the start is out of the window.
  EXPECT_NEAR(w.Update(121 * kS, 1000 + 111 * 10), 10.0, 0.5);
  EXPECT_EQ(w.Update(122 * kS, 5), 0);  // counter went backwards (restart)
}

// A peer with a scripted answer; `hang` blocks the call until Release(), whatever its deadline
// (a region that never answers).
class FakePeer final : public RemoteInstance {
 public:
  FakePeer(std::string name, std::string role) : name_(std::move(name)), role_(std::move(role)) {}
  const std::string& name() const override { return name_; }
  std::string_view role() const override { return role_; }
  core::Result<std::string> GetJson(const std::string& path,
                                    const core::Deadline& deadline) override {
    paths.push_back(path);
    (void)deadline;
    if (hang) {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return released_; });
      return core::DeadlineExceeded("timeout");
    }
    return answer;
  }
  core::Status Probe(const core::Deadline&) override {
    probes++;
    return answer.ok() ? core::Status::Ok() : answer.status();
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }
  core::Result<std::string> answer = std::string("{}");
  bool hang = false;
  std::vector<std::string> paths;
  std::atomic<int> probes{0};

 private:
  std::string name_, role_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool released_ = false;
};

class FakeDirectory final : public PeerDirectory {
 public:
  std::vector<std::shared_ptr<RemoteInstance>> Peers() const override { return peers; }
  std::vector<std::shared_ptr<RemoteInstance>> peers;
};

class OverviewTest : public ::testing::Test {
 protected:
  FakeStats stats_;
  testing::FakeClock clock_{kNow};
  core::MetricsRegistry metrics_;
  StatusReporter self_{{"us", "0.1.0", kNow - 5}, stats_, nullptr, clock_};
  FakeDirectory dir_;
};

TEST_F(OverviewTest, SelfFirstThenPeersInOrderWithTheirStatus) {
  stats_.series = 7;
  auto eu = std::make_shared<FakePeer>("eu", "region");
  eu->answer = std::string(R"({"name":"eu-1","series":42,"ingest_points_per_second":3.5,)"
                           R"("alerts":{"CRITICAL":1},"problems":[{"host":"x"}]})");
  auto gw = std::make_shared<FakePeer>("legacy", "graphite");
  auto down = std::make_shared<FakePeer>("ap", "region");
  down->answer = core::Unavailable("cannot connect");
  dir_.peers = {eu, gw, down};
  PeerFanout fanout(dir_, {});
  Overview ov(self_, fanout, clock_, metrics_);
  json j = json::parse(ov.Json(core::Deadline::After(std::chrono::seconds(30))));
  EXPECT_EQ(j["now"], kNow);
  ASSERT_EQ(j["regions"].size(), 4u);
  const json& self = j["regions"][0];
  EXPECT_EQ(self["name"], "us");
  EXPECT_EQ(self["role"], "self");
  EXPECT_EQ(self["up"], true);
  EXPECT_EQ(self["series"], 7);
  const json& r_eu = j["regions"][1];
  EXPECT_EQ(r_eu["name"], "eu");
  EXPECT_EQ(r_eu["instance"], "eu-1");
  EXPECT_EQ(r_eu["role"], "region");
  EXPECT_EQ(r_eu["up"], true);
  EXPECT_EQ(r_eu["error"], "");
  EXPECT_EQ(r_eu["series"], 42);
  EXPECT_EQ(r_eu["alerts"]["CRITICAL"], 1);
  EXPECT_EQ(eu->paths, std::vector<std::string>{"/api/status?local=1"});
  const json& r_gw = j["regions"][2];
  EXPECT_EQ(r_gw["role"], "graphite");
  EXPECT_EQ(r_gw["up"], true);
  EXPECT_FALSE(r_gw.contains("series"));
  EXPECT_EQ(gw->probes.load(), 1);
  EXPECT_TRUE(gw->paths.empty());
  const json& r_ap = j["regions"][3];
  EXPECT_EQ(r_ap["up"], false);
  EXPECT_EQ(r_ap["error"], "cannot connect");
  EXPECT_FALSE(r_ap.contains("series"));
  EXPECT_EQ(metrics_.GetCounter("overview_peer_failures_total", "", {{"peer", "ap"}}).Value(), 1u);
}

TEST_F(OverviewTest, ASlowPeerIsDownAtTheTimeoutWhileTheOthersShow) {
  auto slow = std::make_shared<FakePeer>("slow", "region");
  slow->hang = true;
  auto fine = std::make_shared<FakePeer>("fine", "region");
  fine->answer = std::string(R"({"series": 1})");
  dir_.peers = {slow, fine};
  PeerFanoutOptions o;
  o.timeout = std::chrono::milliseconds(200);
  PeerFanout fanout(dir_, o);
  Overview ov(self_, fanout, clock_, metrics_);
  // Returns although the slow peer never answers: the timeout bounds the wait.
  json j = json::parse(ov.Json(core::Deadline::After(std::chrono::seconds(30))));
  slow->Release();
  EXPECT_EQ(j["regions"][1]["up"], false);
  EXPECT_NE(j["regions"][1]["error"].get<std::string>().find("federation.timeout"),
            std::string::npos);
  EXPECT_EQ(j["regions"][2]["up"], true);
  EXPECT_EQ(j["regions"][2]["series"], 1);
}

TEST_F(OverviewTest, GarbageAnswerIsDownWithTheReason) {
  auto odd = std::make_shared<FakePeer>("odd", "shard");
  odd->answer = std::string("<html>");
  dir_.peers = {odd};
  PeerFanout fanout(dir_, {});
  Overview ov(self_, fanout, clock_, metrics_);
  json j = json::parse(ov.Json(core::Deadline()));
  EXPECT_EQ(j["regions"][1]["up"], false);
  EXPECT_NE(j["regions"][1]["error"].get<std::string>().find("not a JSON object"),
            std::string::npos);
}

TEST_F(OverviewTest, PeersPastTheQueueBoundAreNotAskedAndSaySo) {
  std::vector<std::shared_ptr<FakePeer>> hanging;
  for (int i = 0; i < 3; ++i) {
    auto p = std::make_shared<FakePeer>("p" + std::to_string(i), "region");
    p->hang = true;
    dir_.peers.push_back(p);
    hanging.push_back(p);
  }
  PeerFanoutOptions o;
  o.timeout = std::chrono::milliseconds(100);
  o.threads = 1;
  o.max_pending = 1;
  PeerFanout fanout(dir_, o);
  Overview ov(self_, fanout, clock_, metrics_);
  json j = json::parse(ov.Json(core::Deadline()));
  ASSERT_EQ(j["regions"].size(), 4u);
  int not_asked = 0;
  for (size_t i = 1; i < 4; ++i) {
    EXPECT_EQ(j["regions"][i]["up"], false);
    not_asked +=
        j["regions"][i]["error"].get<std::string>().find("max_pending_calls") != std::string::npos;
  }
  EXPECT_EQ(not_asked, 2);
  for (auto& p : hanging) p->Release();
}

}  // namespace
}  // namespace meridian::dashboards
