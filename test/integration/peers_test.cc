// Real Graphite peers from Debian's packages, against each other and against Meridian:
// the harnesses themselves (carbon-cache + whisper, carbon-c-relay, victoria-metrics), then
// carbon-c-relay and collectd feeding a real `meridian serve`.
#include "support/peers.h"

#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <ctime>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/carbon_cache.h"
#include "support/meridian_process.h"
#include "support/process.h"

namespace meridian::testing {
namespace {

using std::chrono::seconds;

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

std::unique_ptr<CarbonCache> StartCarbon() {
  auto carbon = CarbonCache::Start({"[all]\npattern = .*\nretentions = 10s:1h,1m:1d\n",
                                    "[all]\npattern = .*\nxFilesFactor = 0\naggregationMethod = "
                                    "average\n",
                                    "", seconds(30)});
  EXPECT_TRUE(carbon.ok()) << carbon.status().ToString();
  return carbon.ok() ? std::move(*carbon) : nullptr;
}

TEST(CarbonCacheHarness, FetchReturnsWrittenPointsWithLastWriteWinning) {
  auto carbon = StartCarbon();
  ASSERT_NE(carbon, nullptr);
  const int64_t base = Now() / 60 * 60 - 600;
  std::string lines =
      fmt::format("h.a 1.5 {0}\nh.a 2.25 {1}\nh.b 7 {0}\nh.a 3 {0}\n", base, base + 13);
  ASSERT_TRUE(SendTcp(carbon->line_port(), lines).ok());
  ASSERT_TRUE(carbon->WaitUntilWritten({"h.a", "h.b"}, 1, seconds(30)).ok()) << carbon->Log();

  auto fetched = carbon->Fetch({"h.a", "h.b", "h.missing"}, {{base - 10, base + 20}});
  ASSERT_TRUE(fetched.ok()) << fetched.status().ToString();
  const auto& a = (*fetched)["h.a"][0];
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->step, 10);
  EXPECT_EQ(a->from, base);
  ASSERT_EQ(a->values.size(), 3u);
  EXPECT_EQ(a->values[0], 3.0);   // The duplicate sent last wins.
  EXPECT_EQ(a->values[1], 2.25);  // base+13 lands in the slot base+10.
  EXPECT_FALSE(a->values[2].has_value());
  EXPECT_EQ((*fetched)["h.b"][0]->values[0], 7.0);
  EXPECT_FALSE((*fetched)["h.missing"][0].has_value());
}

TEST(CarbonCRelayHarness, ForwardsTcpAndUdpLinesToItsDestination) {
  auto carbon = StartCarbon();
  ASSERT_NE(carbon, nullptr);
  auto relay = CarbonCRelay::Start(carbon->line_port());
  ASSERT_TRUE(relay.ok()) << relay.status().ToString();
  const int64_t base = Now() / 60 * 60 - 300;
  int replaced = 0;
  // The relay keeps its connection to carbon open: wait for the whisper files instead. The same
  // points are re-sent while waiting (idempotent: last write wins): on a loaded machine the
  // relay's UDP socket or its first connection to carbon can come up after the first send, and
  // a relay that crashed (CarbonCRelay::running) is replaced, at most twice.
  ASSERT_TRUE(WaitFor(
      [&] {
        if (!(*relay)->running() && replaced < 2) {
          ++replaced;
          auto again = CarbonCRelay::Start(carbon->line_port());
          if (again.ok()) relay = std::move(again);
        }
        SendTcp((*relay)->port(), fmt::format("r.tcp 4.5 {}\n", base)).IgnoreError();
        SendUdp((*relay)->port(), fmt::format("r.udp 5.5 {}\n", base)).IgnoreError();
        auto f = carbon->Fetch({"r.tcp", "r.udp"}, {{base - 10, base}});
        return f.ok() && (*f)["r.tcp"][0] && (*f)["r.udp"][0] &&
               (*f)["r.tcp"][0]->values[0] == 4.5 && (*f)["r.udp"][0]->values[0] == 5.5;
      },
      seconds(60)))
      << (*relay)->Log() << carbon->Log();
}

TEST(VictoriaMetricsHarness, ExportsGraphitePointsAfterForceFlush) {
  auto vm = VictoriaMetrics::Start();
  ASSERT_TRUE(vm.ok()) << vm.status().ToString();
  const int64_t t = Now() - 60;
  ASSERT_TRUE(
      SendTcp((*vm)->graphite_port(), fmt::format("v.a 1.25 {0}\nv.a 2.5 {1}\n", t, t + 10)).ok());
  std::string body;
  ASSERT_TRUE(WaitFor(
      [&] {
        if (!(*vm)->ForceFlush().ok()) return false;
        auto e = (*vm)->Export("{__name__=\"v.a\"}");
        body = e.ok() ? *e : "";
        return body.find("\"values\":[1.25,2.5]") != std::string::npos;
      },
      seconds(30)))
      << body << (*vm)->Log();
  EXPECT_NE(body.find(fmt::format("\"timestamps\":[{}000,{}000]", t, t + 10)), std::string::npos)
      << body;
}

// ---- Meridian fed by real senders ----

constexpr char kMeridianConfig[] =
    "storage:\n"
    "  schemas:\n"
    "    - pattern: '.*'\n"
    "      retentions: '10s:6h,1m:7d'\n"
    "  aggregation:\n"
    "    - pattern: '.*'\n"
    "      method: average\n"
    "      xFilesFactor: 0\n";

std::unique_ptr<MeridianProcess> StartMeridian() {
  auto m = MeridianProcess::Start({MERIDIAN_BINARY, kMeridianConfig, {}, seconds(30)});
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? std::move(*m) : nullptr;
}

// Non-null datapoints of the single series `target` in [from, until], by timestamp.
std::map<int64_t, double> Points(const MeridianProcess& m, const std::string& target, int64_t from,
                                 int64_t until) {
  std::map<int64_t, double> out;
  auto r = m.Render(target, std::to_string(from), std::to_string(until));
  if (!r.ok() || !r->is_array() || r->empty()) return out;
  for (const auto& p : (*r)[0]["datapoints"]) {
    if (p.size() == 2 && p[0].is_number()) out[p[1].get<int64_t>()] = p[0].get<double>();
  }
  return out;
}

TEST(PeersIntoMeridian, CarbonCRelayForwardsMixedTcpAndUdpStream) {
  auto meridian = StartMeridian();
  ASSERT_NE(meridian, nullptr);
  const int64_t base = Now() / 10 * 10 - 600;
  const std::vector<std::string> names = {"relay.gauge.a", "relay.counter.b", "relay.neg.c",
                                          "relay.sci.d"};
  std::map<std::string, std::map<int64_t, double>> sent;
  std::string tcp;
  std::vector<std::string> datagrams;
  for (int i = 0; i < 30; ++i) {
    int64_t ts = base + 10 * i;
    std::vector<std::pair<std::string, std::string>> values = {
        {names[0], fmt::format("{:.2f}", 10.0 + 0.37 * i)},
        {names[1], std::to_string(1000 + 17 * i)},
        {names[2], fmt::format("{:.1f}", -5.0 - 0.5 * i)},
        {names[3], fmt::format("{}e3", 1 + i % 7)},
    };
    std::string udp;
    for (size_t k = 0; k < values.size(); ++k) {
      sent[values[k].first][ts] = std::stod(values[k].second);
      std::string line = fmt::format("{} {} {}\n", values[k].first, values[k].second, ts);
      (k % 2 == 0 ? tcp : udp) += line;
    }
    datagrams.push_back(std::move(udp));
  }

  // A relay that crashed (see CarbonCRelay::running) is replaced and the stream sent again.
  std::unique_ptr<CarbonCRelay> relay;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto started = CarbonCRelay::Start(meridian->graphite_port());
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    relay = std::move(*started);
    for (const std::string& udp : datagrams) ASSERT_TRUE(SendUdp(relay->port(), udp).ok());
    ASSERT_TRUE(SendTcp(relay->port(), tcp).ok());
    const bool delivered = WaitFor(
        [&] {
          for (const auto& name : names) {
            if (Points(*meridian, name, base - 10, base + 300).size() < sent[name].size()) {
              return !relay->running();  // stop waiting for a dead relay
            }
          }
          return true;
        },
        seconds(30));
    if (relay->running() || !delivered) break;
    std::cerr << "carbon-c-relay died (attempt " << attempt << "), replacing it\n";
  }
  for (const auto& name : names) {
    const std::map<int64_t, double> got = Points(*meridian, name, base - 10, base + 300);
    EXPECT_EQ(got.size(), sent[name].size()) << name << "\n" << relay->Log();
    EXPECT_EQ(got, sent[name]) << name;
  }
}

TEST(PeersIntoMeridian, CollectdWriteGraphiteMetricsAppearUnderHostPrefix) {
  auto meridian = StartMeridian();
  ASSERT_NE(meridian, nullptr);
  auto collectd = Collectd::Start(meridian->graphite_port(), "meridian-test");
  ASSERT_TRUE(collectd.ok()) << collectd.status().ToString();

  nlohmann::json nodes;
  auto has_node = [&](const std::string& text) {
    for (const auto& n : nodes) {
      if (n.value("text", "") == text) return true;
    }
    return false;
  };
  ASSERT_TRUE(WaitFor(
      [&] {
        auto f = meridian->Find("collectd.meridian-test.*");
        nodes = f.ok() ? *f : nlohmann::json::array();
        return has_node("load") && has_node("memory");
      },
      seconds(30)))
      << nodes.dump() << (*collectd)->Log();
  for (const auto& n : nodes) {
    EXPECT_EQ(n.value("id", ""), "collectd.meridian-test." + n.value("text", ""));
  }

  const int64_t now = Now();
  std::map<int64_t, double> load, used;
  ASSERT_TRUE(WaitFor(
      [&] {
        load = Points(*meridian, "collectd.meridian-test.load.load.shortterm", now - 300, now + 60);
        used = Points(*meridian, "collectd.meridian-test.memory.memory-used", now - 300, now + 60);
        return !load.empty() && !used.empty();
      },
      seconds(30)))
      << (*collectd)->Log();
  for (const auto& [ts, v] : load) EXPECT_GE(v, 0.0) << ts;
  for (const auto& [ts, v] : used) EXPECT_GT(v, 0.0) << ts;
}

}  // namespace
}  // namespace meridian::testing
