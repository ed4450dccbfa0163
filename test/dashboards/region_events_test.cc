#include "dashboards/region_events.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "alerting/state_store.h"
#include "dashboards/events_api.h"
#include "dashboards/record_event_store.h"
#include "support/fake_clock.h"

namespace meridian::dashboards {
namespace {

using nlohmann::json;
constexpr int64_t kNow = 1'700'000'000;

class ScriptedPeer final : public RemoteInstance {
 public:
  ScriptedPeer(std::string name, std::string role, core::Result<std::string> answer)
      : name_(std::move(name)), role_(std::move(role)), answer_(std::move(answer)) {}
  const std::string& name() const override { return name_; }
  std::string_view role() const override { return role_; }
  core::Result<std::string> GetJson(const std::string& path, const core::Deadline&) override {
    std::lock_guard lock(mu_);
    paths_.push_back(path);
    return answer_;
  }
  core::Status Probe(const core::Deadline&) override { return core::Status::Ok(); }
  std::vector<std::string> paths() {
    std::lock_guard lock(mu_);
    return paths_;
  }

 private:
  std::string name_, role_;
  core::Result<std::string> answer_;
  std::mutex mu_;
  std::vector<std::string> paths_;
};

class Directory final : public PeerDirectory {
 public:
  std::vector<std::shared_ptr<RemoteInstance>> Peers() const override { return peers; }
  std::vector<std::shared_ptr<RemoteInstance>> peers;
};

TEST(RegionEventsTest, RegionQueryDropsRegionTagsItCanApplyAfterwards) {
  EventQuery q;
  q.tags = {"deploy", "region:eu"};
  EXPECT_EQ(RegionQuery(q).tags, std::vector<std::string>{"deploy"});
  q.set = SetOperation::kUnion;
  EXPECT_TRUE(RegionQuery(q).tags.empty());
  q.tags = {"deploy", "web"};
  EXPECT_EQ(RegionQuery(q).tags, q.tags);
  q.from = 10;
  q.until = 20;
  EXPECT_EQ(RegionPath(q), "/events/get_data?from=10&until=20&local=1&tags=deploy%20web&set=union");
}

TEST(RegionEventsTest, ParsesGraphiteWebAnswersAndRefusesOthers) {
  auto e = ParsePeerEvents(
      R"([{"when": 5.5, "what": "w", "data": "d", "tags": "a b", "id": 3},
          {"when": 6, "what": "x", "tags": ["c"]}])");
  ASSERT_TRUE(e.ok());
  ASSERT_EQ(e->size(), 2u);
  EXPECT_EQ((*e)[0].when, 5);
  EXPECT_EQ((*e)[0].tags, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ((*e)[0].id, 3);
  EXPECT_EQ((*e)[1].tags, std::vector<std::string>{"c"});
  EXPECT_FALSE(ParsePeerEvents("{}").ok());
  EXPECT_FALSE(ParsePeerEvents(R"([{"what": "no when"}])").ok());
}

class CrossRegionApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = RecordEventStore::Open(records_, {}, clock_, metrics_);
    ASSERT_TRUE(s.ok());
    store_ = std::move(s).value();
    eu_ = std::make_shared<ScriptedPeer>(
        "eu", "region",
        std::string(R"([{"when": 1699999950, "what": "eu deploy", "data": "", "tags": ["deploy"],
                         "id": 1}])"));
    dir_.peers = {eu_};
    fanout_ = std::make_unique<PeerFanout>(dir_, PeerFanoutOptions{});
    EventsApiOptions o;
    o.peers = fanout_.get();
    o.region = "us";
    ASSERT_TRUE(RegisterEventRoutes(router_, *store_, nullptr, clock_, metrics_, o).ok());
    Event mine;
    mine.when = kNow - 100;
    mine.what = "us deploy";
    mine.tags = {"deploy"};
    ASSERT_TRUE(store_->Add(mine).ok());
  }
  http::Response Get(http::Params params) {
    auto m = router_.Find(http::Method::kGet, "/events/get_data");
    http::Request req;
    req.path = "/events/get_data";
    req.params = std::move(params);
    return m.route->handler(req);
  }

  alerting::MemoryStateStore records_;
  testing::FakeClock clock_{kNow};
  core::MetricsRegistry metrics_;
  std::unique_ptr<RecordEventStore> store_;
  std::shared_ptr<ScriptedPeer> eu_;
  Directory dir_;
  std::unique_ptr<PeerFanout> fanout_;
  http::Router router_;
};

TEST_F(CrossRegionApiTest, MergesEveryRegionTaggedWithItsName) {
  auto r = Get({{"tags", "deploy"}});
  ASSERT_EQ(r.status, 200) << r.body;
  json j = json::parse(r.body);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["what"], "us deploy");
  EXPECT_EQ(j[0]["tags"], json({"deploy", "region:us"}));
  EXPECT_EQ(j[1]["what"], "eu deploy");
  EXPECT_EQ(j[1]["tags"], json({"deploy", "region:eu"}));
  EXPECT_TRUE(eu_->paths()[0].find("local=1") != std::string::npos);
  EXPECT_TRUE(eu_->paths()[0].find("tags=deploy") != std::string::npos);
  // A region tag selects one region; local=1 answers this instance only.
  j = json::parse(Get({{"tags", "deploy region:eu"}}).body);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["what"], "eu deploy");
  j = json::parse(Get({{"local", "1"}}).body);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["tags"], json({"deploy"}));
}

TEST_F(CrossRegionApiTest, AMissingRegionIsNamedOrRefused) {
  auto down = std::make_shared<ScriptedPeer>("ap", "region", core::Unavailable("cannot connect"));
  auto replica = std::make_shared<ScriptedPeer>("us2", "replica", std::string("[]"));
  dir_.peers.push_back(down);
  dir_.peers.push_back(replica);
  auto r = Get({});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body).size(), 2u);
  std::string partial;
  for (const auto& [k, v] : r.headers) {
    if (k == "X-Meridian-Partial") partial = v;
  }
  EXPECT_EQ(partial, "ap (cannot connect)");
  EXPECT_TRUE(replica->paths().empty());  // replicas would repeat events
  auto refused = Get({{"partial", "deny"}});
  EXPECT_EQ(refused.status, 503);
  EXPECT_NE(refused.body.find("ap (cannot connect)"), std::string::npos);
}

}  // namespace
}  // namespace meridian::dashboards
