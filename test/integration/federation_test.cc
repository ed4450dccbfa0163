// Federation with real Meridians on loopback (and hostile peers on real sockets):
//  - differential: the render differential suite's dataset spread over 3 regions (one of them two
//    shards, one shard with a replica), every target of render_targets.txt answered through each
//    region's Meridian byte-for-byte equal to one instance holding all the data; find, expand,
//    index and tags the same; regions list each other (no loops, nothing counted twice);
//  - faults: a refused port, a peer that never answers, garbage, a truncated body, an HTTP 500 —
//    every degraded answer marked (X-Meridian-Partial, never cached), partial=deny refusing, a
//    peer probed back in, /api/peers showing it;
//  - determinism over diverging replicas; an alert rule over a federated target going UNKNOWN
//    when its region is down; peers over HTTPS with a CA and tokens; SIGHUP changing peers.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/carbon_cache.h"
#include "support/diff_dataset.h"
#include "support/fifo_reader.h"
#include "support/graphite_web.h"
#include "support/meridian_process.h"
#include "support/peers.h"
#include "support/pki.h"
#include "support/process.h"
#include "support/render_compare.h"

namespace meridian::testing {
namespace {

using namespace std::chrono_literals;

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

std::string UrlOf(const MeridianProcess& m) {
  return fmt::format("http://127.0.0.1:{}", m.http_port());
}

struct PeerSpec {
  std::string name, url, role, extra;  // extra: more flow-mapping keys, e.g. "backoff_min: 100ms"
};

std::string FederationYaml(const std::vector<PeerSpec>& peers, const std::string& section_extra) {
  if (peers.empty()) return "federation:\n" + section_extra + "  peers: []\n";
  std::string y = "federation:\n" + section_extra + "  peers:\n";
  for (const PeerSpec& p : peers) {
    y += fmt::format("    - {{ name: {}, url: \"{}\", role: {}{}{} }}\n", p.name, p.url, p.role,
                     p.extra.empty() ? "" : ", ", p.extra);
  }
  return y;
}

nlohmann::json GetJson(const MeridianProcess& m, const std::string& path,
                       const HttpParams& params = {}) {
  auto r = m.Get(path, params);
  if (!r.ok() || r->status != 200) return nullptr;
  return nlohmann::json::parse(r->body, nullptr, false);
}

// The value of one self-metric sample of /metrics ("name{labels}" without "meridian_"); 0 when
// it has not been counted yet.
double Metric(const MeridianProcess& m, const std::string& sample) {
  auto r = m.Get("/metrics");
  if (!r.ok() || r->status != 200) return -1;
  const std::string key = "\nmeridian_" + sample + " ";
  const size_t pos = r->body.find(key);
  return pos == std::string::npos ? 0 : std::stod(r->body.substr(pos + key.size()));
}

// The peers an X-Meridian-Partial header names, without their reasons, sorted.
std::vector<std::string> PartialPeers(const std::string& header) {
  std::vector<std::string> names;
  size_t at = 0;
  while (at < header.size()) {
    const size_t paren = header.find(" (", at);
    if (paren == std::string::npos) break;
    names.push_back(header.substr(at, paren - at));
    const size_t next = header.find("), ", paren);
    if (next == std::string::npos) break;
    at = next + 3;
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Waits until /api/peers lists exactly `names` (SIGHUP applied).
bool WaitForPeers(const MeridianProcess& m, std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  return WaitFor(
      [&] {
        auto j = GetJson(m, "/api/peers");
        if (!j.is_object()) return false;
        std::vector<std::string> got;
        for (const auto& p : j["peers"]) got.push_back(p["name"]);
        std::sort(got.begin(), got.end());
        return got == names;
      },
      20s);
}

// Lines of a plaintext stream grouped by which instance gets them.
std::map<std::string, std::string> Split(
    const std::string& stream,
    const std::function<std::vector<std::string>(const std::string& name)>& where) {
  std::map<std::string, std::string> out;
  std::istringstream in(stream);
  std::string line;
  while (std::getline(in, line)) {
    const std::string name = line.substr(0, line.find(' '));
    for (const std::string& to : where(name)) out[to] += line + "\n";
  }
  return out;
}

// Waits until `name` has a value in [from, until] on `m` alone (local=1).
bool WaitForPoint(const MeridianProcess& m, const std::string& name, int64_t from, int64_t until) {
  return WaitFor(
      [&] {
        auto r = m.Get("/render", {{"target", name},
                                   {"from", std::to_string(from)},
                                   {"until", std::to_string(until)},
                                   {"format", "json"},
                                   {"local", "1"}});
        if (!r.ok() || r->status != 200) return false;
        auto j = nlohmann::json::parse(r->body, nullptr, false);
        if (!j.is_array() || j.empty()) return false;
        for (const auto& p : j[0]["datapoints"]) {
          if (!p[0].is_null()) return true;
        }
        return false;
      },
      60s);
}

std::unique_ptr<MeridianProcess> Start(const std::string& yaml, bool tls = false) {
  MeridianOptions o;
  o.binary = MERIDIAN_BINARY;
  o.config_yaml = yaml;
  o.tls = tls;
  auto m = MeridianProcess::Start(o);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? std::move(*m) : nullptr;
}

// ---------------------------------------------------------------------------------------------
// Differential: a topology against one instance holding everything.

class FederationDiffTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    base_ = Now() - Now() % 600;
    single_ = Start(std::string("instance: single\n") + kDiffMeridianYaml).release();
    // Region a; region b = shards b1 and b2, b1 replicated by b1r; f, a front holding no data
    // whose peers are all disjoint (a, b1, b2 as regions): the one that pushes aggregates down
    // (the others list the replica b1r, which rules push-down out).
    for (const char* name : {"a", "b1", "b2", "b1r", "f"}) {
      regions_[name] = Start(Yaml(name, "")).release();
    }
    for (const auto& [name, m] : regions_) ASSERT_NE(m, nullptr) << name;
    ASSERT_NE(single_, nullptr);
    // Every instance lists every other one (a's view: b1 and b2 are regions, b1r a replica;
    // b1's: b2 a shard, b1r its replica, a a region; …), so regions list each other.
    auto url = [](const char* n) { return UrlOf(*regions_[n]); };
    const std::map<std::string, std::vector<PeerSpec>> peers = {
        {"a",
         {{"b1", url("b1"), "region", ""},
          {"b2", url("b2"), "region", ""},
          {"b1r", url("b1r"), "replica", ""}}},
        {"b1",
         {{"a", url("a"), "region", ""},
          {"b2", url("b2"), "shard", ""},
          {"b1r", url("b1r"), "replica", ""}}},
        {"b2",
         {{"a", url("a"), "region", ""},
          {"b1", url("b1"), "shard", ""},
          {"b1r", url("b1r"), "replica", ""}}},
        {"b1r",
         {{"a", url("a"), "region", ""},
          {"b2", url("b2"), "shard", ""},
          {"b1", url("b1"), "replica", ""}}},
        {"f",
         {{"a", url("a"), "region", ""},
          {"b1", url("b1"), "region", ""},
          {"b2", url("b2"), "region", ""}}},
    };
    for (const auto& [name, list] : peers) {
      ASSERT_TRUE(regions_[name]->Reconfigure(Yaml(name, FederationYaml(list, ""))).ok());
    }
    for (const auto& [name, list] : peers) {
      std::vector<std::string> names;
      for (const PeerSpec& p : list) names.push_back(p.name);
      ASSERT_TRUE(WaitForPeers(*regions_[name], names)) << regions_[name]->Log();
    }

    // The data: each series on one of a, b1, b2 (by its position in the spec list); b1's also on
    // b1r; everything on the single instance. A sentinel last on every instance.
    const std::vector<DiffSeriesSpec> specs = DiffSpecs();
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < specs.size(); ++i) index[specs[i].name] = i;
    const std::string sentinel = "zz.sentinel";
    const std::string stream = DiffStream(specs, base_);
    auto parts = Split(stream, [&](const std::string& name) -> std::vector<std::string> {
      switch (index.at(name) % 3) {
        case 0:
          return {"a"};
        case 1:
          return {"b1", "b1r"};
        default:
          return {"b2"};
      }
    });
    // Push-down's own data, spread over a, b1 (and b1r) and b2 by host: integer counters
    // (certified exact sums) and decimal gauges (sums fall back).
    const std::string counters = CounterStream(base_);
    auto counter_parts = Split(counters, [](const std::string& name) -> std::vector<std::string> {
      switch (std::stoi(name.substr(name.find("host") + 4, 2)) % 3) {
        case 0:
          return {"a"};
        case 1:
          return {"b1", "b1r"};
        default:
          return {"b2"};
      }
    });
    for (auto& [name, part] : counter_parts) parts[name] += part;
    const std::string sentinel_line = fmt::format("{} 1 {}\n", sentinel, base_ - 60);
    ASSERT_TRUE(single_->SendTcp(stream + counters + sentinel_line).ok());
    for (auto& [name, m] : regions_) ASSERT_TRUE(m->SendTcp(parts[name] + sentinel_line).ok());
    ASSERT_TRUE(WaitForPoint(*single_, sentinel, base_ - 600, base_)) << single_->Log();
    for (auto& [name, m] : regions_) {
      ASSERT_TRUE(WaitForPoint(*m, sentinel, base_ - 600, base_)) << name << "\n" << m->Log();
    }
  }

  // fc.web.host01..12.{requests.count (integers), load (hundredths)} over the last 100 minutes,
  // one point per 10 s slot, some slots empty.
  static std::string CounterStream(int64_t base) {
    std::string out;
    for (int h = 1; h <= 12; ++h) {
      int64_t counter = 1000 * h;
      for (int64_t ts = base - 6000; ts < base; ts += 10) {
        counter += (ts / 10 + h) % 9;
        if ((ts / 10 + h) % 7 == 0) continue;
        out += fmt::format("fc.web.host{:02}.requests.count {} {}\n", h, counter, ts);
        out += fmt::format("fc.web.host{:02}.load {:.2f} {}\n", h, ((ts / 10) % 300) / 100.0, ts);
      }
    }
    return out;
  }

  // Each instance has its own name (its self-metrics are meridian.<name>.*).
  static std::string Yaml(const std::string& instance, const std::string& federation) {
    return "instance: " + instance + "\n" + kDiffMeridianYaml +
           (federation.empty() ? FederationYaml({}, "") : federation);
  }

  static void TearDownTestSuite() {
    for (auto& [name, m] : regions_) delete m;
    regions_.clear();
    delete single_;
    single_ = nullptr;
  }

  // The same request to the single instance and to each front (the regions a, b1, b2 and the
  // push-down front f): the same status and bytes, and never a partial answer. `fronts_params`,
  // when given, is what the fronts are sent instead (the same request with pushDown=0).
  static std::vector<std::string> Differences(
      const std::string& path, const HttpParams& params, const std::string& label,
      const std::vector<std::string>& fronts = {"a", "b1", "b2", "f"},
      const std::optional<HttpParams>& fronts_params = std::nullopt) {
    std::vector<std::string> out;
    auto want = single_->Get(path, params);
    if (!want.ok()) return {label + ": single instance: " + want.status().ToString()};
    for (const std::string& name : fronts) {
      auto got = regions_[name]->Get(path, fronts_params.value_or(params));
      if (!got.ok()) {
        out.push_back(fmt::format("{} via {}: {}", label, name, got.status().ToString()));
        continue;
      }
      if (!got->Header("X-Meridian-Partial").empty()) {
        out.push_back(
            fmt::format("{} via {}: partial: {}", label, name, got->Header("X-Meridian-Partial")));
      }
      if (got->status != want->status || got->body != want->body) {
        size_t at = 0;
        while (at < got->body.size() && at < want->body.size() && got->body[at] == want->body[at]) {
          ++at;
        }
        const size_t from = at > 60 ? at - 60 : 0;
        out.push_back(fmt::format("{} via {}: HTTP {} vs {}; at byte {}: single …{}… region …{}…",
                                  label, name, want->status, got->status, at,
                                  want->body.substr(from, 160), got->body.substr(from, 160)));
      }
    }
    return out;
  }

  static inline int64_t base_ = 0;
  static inline MeridianProcess* single_ = nullptr;
  static inline std::map<std::string, MeridianProcess*> regions_;
};

TEST_F(FederationDiffTest, EveryRenderTargetEqualsOneInstanceHoldingAllTheData) {
  std::ifstream in(std::string(MERIDIAN_SOURCE_DIR) + "/test/integration/render_targets.txt");
  std::stringstream text;
  text << in.rdbuf();
  auto specs = ParseRenderTargets(text.str());
  ASSERT_TRUE(specs.ok()) << specs.status().ToString();
  ASSERT_GT(specs->size(), 300u);
  const MeridianProcess& f = *regions_["f"];
  const std::string used = "federation_pushdowns_total{outcome=\"used\"}";
  const double used_before = Metric(f, used);
  std::vector<std::string> differences;
  size_t compared = 0;
  // Push-down on (the default) through every front; then off (pushDown=0) through f, the front
  // that pushes down.
  for (const bool push_down : {true, false}) {
    for (const RenderTargetSpec& spec : *specs) {
      auto params = DiffRequestParams(spec, base_);
      ASSERT_TRUE(params.has_value()) << spec.Label();
      std::vector<std::string> d;
      if (push_down) {
        d = Differences("/render", *params, spec.Label());
      } else {
        HttpParams off = *params;
        off.emplace_back("pushDown", "0");
        d = Differences("/render", *params, spec.Label() + " (pushDown=0)", {"f"}, off);
      }
      differences.insert(differences.end(), d.begin(), d.end());
      ++compared;
    }
  }
  std::string report;
  for (size_t i = 0; i < differences.size() && i < 30; ++i) report += differences[i] + "\n";
  EXPECT_TRUE(differences.empty())
      << differences.size() << " differences over " << compared << " target runs:\n"
      << report;
  // The aggregates of the suite were pushed down at f (counters of integers, min/max/count of
  // anything), and the rest fell back.
  const double pushed = Metric(f, used) - used_before;
  EXPECT_GE(pushed, 10) << "push-down was not used";
  std::cout << "federation differential: " << compared << " target runs (4 fronts with push-down, "
            << "f without), " << differences.size() << " differences; " << pushed
            << " pushed down at f, fallbacks: inexact "
            << Metric(f, "federation_pushdown_fallbacks_total{reason=\"inexact\"}")
            << ", heterogeneous "
            << Metric(f, "federation_pushdown_fallbacks_total{reason=\"heterogeneous\"}")
            << "; at a (which lists a replica): replica peer "
            << Metric(*regions_["a"],
                      "federation_pushdown_fallbacks_total{reason=\"replica peer\"}")
            << "\n";
}

TEST_F(FederationDiffTest, CounterAggregatesArePushedDownAndGaugeSumsFallBack) {
  const MeridianProcess& f = *regions_["f"];
  const std::string used = "federation_pushdowns_total{outcome=\"used\"}";
  const std::string inexact = "federation_pushdown_fallbacks_total{reason=\"inexact\"}";
  auto params = [&](const std::string& target) {
    return HttpParams{{"target", target},
                      {"from", std::to_string(base_ - 3600)},
                      {"until", std::to_string(base_)},
                      {"format", "json"}};
  };
  // Integer counters: the sums are certified exact, one group per peer crosses the wire.
  for (const std::string target :
       {"sumSeries(fc.web.*.requests.count)", "groupByNode(fc.web.*.requests.count, 2, \"sum\")",
        "averageSeries(fc.web.*.requests.count)",
        "aggregate(fc.web.*.requests.count, \"avg\", 0.8)",
        "alias(sumSeries(fc.web.*.requests.count), \"total\")",
        "scale(groupByNodes(fc.web.*.requests.count, \"count\", 1, 2), 2)",
        "sumSeries(gw.web.*.requests.count)", "aggregate(gw.status.code, \"sum\")",
        "groupByNode(seriesByTag(\"name=cpu.load\"), \"dc\", \"max\")",
        "groupByTags(seriesByTag(\"dc=eu\"), \"min\", \"host\")", "maxSeries(fc.web.*.load)",
        "minSeries(gw.web.*.latency.mean)", "countSeries(gw.db.*.*.cpu)"}) {
    const double before = Metric(f, used);
    auto d = Differences("/render", params(target), target, {"f"});
    EXPECT_TRUE(d.empty()) << d.front();
    EXPECT_EQ(Metric(f, used), before + 1) << target << " was not pushed down";
  }
  // Decimal gauges: a sum could round differently; fetched instead, same bytes.
  for (const std::string target :
       {"sumSeries(fc.web.*.load)", "groupByNode(fc.web.*.load, 1, \"avg\")",
        "sumSeries(gw.web.*.latency.mean)"}) {
    const double before_used = Metric(f, used), before = Metric(f, inexact);
    auto d = Differences("/render", params(target), target, {"f"});
    EXPECT_TRUE(d.empty()) << d.front();
    EXPECT_EQ(Metric(f, inexact), before + 1) << target;
    EXPECT_EQ(Metric(f, used), before_used) << target;
  }
  // A peer sends one group however many series it holds; fetched, every series.
  // (a holds fc hosts 3, 6, 9, 12 and every gw.web counter.)
  for (const auto& [pattern, members] :
       {std::pair<std::string, double>{"fc.web.*.requests.count", 4},
        {"gw.web.*.requests.count", 8}}) {
    const std::string groups =
        "federation_peer_series_received_total{peer=\"a\",route=\"partials\"}";
    const std::string series = "federation_peer_series_received_total{peer=\"a\",route=\"render\"}";
    const std::string bytes = "federation_peer_response_bytes_total{peer=\"a\"}";
    const double groups_before = Metric(f, groups), series_before = Metric(f, series);
    const double bytes_0 = Metric(f, bytes);
    auto pushed = f.Get("/render", params("sumSeries(" + pattern + ")"));
    ASSERT_TRUE(pushed.ok());
    const double bytes_1 = Metric(f, bytes);
    HttpParams off = params("sumSeries(" + pattern + ")");
    off.emplace_back("pushDown", "0");
    auto fetched = f.Get("/render", off);
    ASSERT_TRUE(fetched.ok());
    EXPECT_EQ(pushed->body, fetched->body);
    EXPECT_EQ(Metric(f, groups), groups_before + 1) << pattern;
    EXPECT_EQ(Metric(f, series), series_before + members) << pattern;
    std::cout << "sumSeries(" << pattern << "): a sent " << bytes_1 - bytes_0
              << " bytes pushed down, " << Metric(f, bytes) - bytes_1 << " fetched (" << members
              << " series)\n";
  }
}

TEST_F(FederationDiffTest, FindExpandIndexAndTagsEqualOneInstance) {
  std::vector<std::string> differences;
  auto check = [&](const std::string& path, const HttpParams& params) {
    auto d = Differences(path, params, path);
    differences.insert(differences.end(), d.begin(), d.end());
  };
  for (const char* q : {"*", "gw.*", "gw.web.*", "gw.web.*.*", "gw.*.*.*.cpu", "gw.db.{eu,us}.*",
                        "nothing.here.*"}) {
    check("/metrics/find", {{"query", q}});
    check("/metrics/find", {{"query", q}, {"format", "completer"}});
    check("/metrics/expand", {{"query", q}});
    check("/metrics/expand", {{"query", q}, {"leavesOnly", "1"}});
  }
  // index.json without the instances' own self-metrics (meridian.<instance>.*: the federated
  // instances count their peers, the single one has none).
  auto leaves = [](const MeridianProcess& m) {
    std::vector<std::string> out;
    auto j = GetJson(m, "/metrics/index.json");
    if (!j.is_array()) return std::vector<std::string>{"<no answer>"};
    for (const auto& name : j) {
      if (!name.get<std::string>().starts_with("meridian.")) out.push_back(name);
    }
    return out;
  };
  const std::vector<std::string> all = leaves(*single_);
  EXPECT_GT(all.size(), 50u);
  for (const char* name : {"a", "b1", "b2"}) EXPECT_EQ(leaves(*regions_[name]), all) << name;
  check("/tags", {});
  check("/tags/dc", {});
  check("/tags/host", {});
  check("/tags/findSeries", {{"expr", "dc=eu"}});
  check("/tags/findSeries", {{"expr", "name=~cpu.*"}, {"expr", "host!=a"}});
  check("/tags/autoComplete/tags", {{"tagPrefix", "h"}});
  check("/tags/autoComplete/values", {{"tag", "dc"}});
  std::string report;
  for (const std::string& d : differences) report += d + "\n";
  EXPECT_TRUE(differences.empty()) << report;
}

TEST_F(FederationDiffTest, RegionsListingEachOtherNeverCountTwice) {
  // Each region's sum over everything equals the single instance's: no loop (local=1) and no
  // double count of the replica.
  const HttpParams params = {{"target", "sumSeries(gw.web.*.requests.count)"},
                             {"from", std::to_string(base_ - 3600)},
                             {"until", std::to_string(base_)},
                             {"format", "json"}};
  auto d = Differences("/render", params, "sum");
  EXPECT_TRUE(d.empty()) << (d.empty() ? "" : d[0]);
  auto count = GetJson(*regions_["b1r"], "/render",
                       {{"target", "countSeries(gw.*.*.*.*)"},
                        {"from", std::to_string(base_ - 600)},
                        {"until", std::to_string(base_)},
                        {"format", "json"}});
  auto want = GetJson(*single_, "/render",
                      {{"target", "countSeries(gw.*.*.*.*)"},
                       {"from", std::to_string(base_ - 600)},
                       {"until", std::to_string(base_)},
                       {"format", "json"}});
  ASSERT_TRUE(count.is_array() && want.is_array());
  EXPECT_EQ(count, want);
}

// ---------------------------------------------------------------------------------------------
// Hostile peers on real sockets.

// A TCP listener on 127.0.0.1 that answers every connection one way.
class HostilePeer {
 public:
  enum class Mode { kHang, kGarbage, kTruncated, kError, kEmptyList };

  explicit HostilePeer(Mode mode) : mode_(mode) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(fd_, 64);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~HostilePeer() {
    stop_ = true;
    thread_.join();
    for (int c : clients_) close(c);
    close(fd_);
  }
  std::string url() const { return fmt::format("http://127.0.0.1:{}", port_); }
  void set_mode(Mode m) { mode_ = m; }

 private:
  void Loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      const int c = accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      // Read what the request sends (enough for its headers and form).
      char buf[65536];
      pollfd cp{c, POLLIN, 0};
      if (poll(&cp, 1, 1000) > 0) (void)read(c, buf, sizeof(buf));
      std::string reply;
      switch (mode_.load()) {
        case Mode::kHang:
          clients_.push_back(c);  // held open, never answered
          continue;
        case Mode::kGarbage:
          reply =
              "HTTP/1.1 200 OK\r\nContent-Length: 27\r\nConnection: close\r\n\r\n"
              "<html>welcome, admin</html>";
          break;
        case Mode::kTruncated:
          reply = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n\x91\x84";
          break;
        case Mode::kError:
          reply =
              "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 15\r\n"
              "Connection: close\r\n\r\ndatabase locked";
          break;
        case Mode::kEmptyList:
          reply =
              "HTTP/1.1 200 OK\r\nContent-Type: application/x-msgpack\r\n"
              "Content-Length: 1\r\nConnection: close\r\n\r\n\x90";
          break;
      }
      (void)write(c, reply.data(), reply.size());
      close(c);
    }
  }

  std::atomic<Mode> mode_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::vector<int> clients_;
  std::thread thread_;
};

class FederationFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    peer_ = Start("");
    ASSERT_NE(peer_, nullptr);
    // A port nobody listens on: bound, then closed.
    HostilePeer probe(HostilePeer::Mode::kError);
    dead_url_ = probe.url();
  }

  std::unique_ptr<MeridianProcess> StartFront(const std::string& extra_section = "",
                                              const std::string& extra_yaml = "") {
    std::vector<PeerSpec> peers = {
        {"live", UrlOf(*peer_), "region", ""},
        {"dead", dead_url_, "region", "backoff_min: 100ms, backoff_max: 200ms"},
        {"hang", hang_.url(), "region", "backoff_min: 100ms, backoff_max: 200ms"},
        {"garbage", garbage_.url(), "region", "backoff_min: 100ms, backoff_max: 200ms"},
        {"truncated", truncated_.url(), "region", "backoff_min: 100ms, backoff_max: 200ms"},
        {"err", error_.url(), "region", "backoff_min: 100ms, backoff_max: 200ms"},
    };
    return Start(FederationYaml(peers, "  timeout: 1s\n" + extra_section) + extra_yaml);
  }

  std::unique_ptr<MeridianProcess> peer_;
  std::string dead_url_;
  HostilePeer hang_{HostilePeer::Mode::kHang};
  HostilePeer garbage_{HostilePeer::Mode::kGarbage};
  HostilePeer truncated_{HostilePeer::Mode::kTruncated};
  HostilePeer error_{HostilePeer::Mode::kError};
};

TEST_F(FederationFaultTest, DegradedAnswersAreMarkedNeverCachedAndNeverHeld) {
  auto front = StartFront();
  ASSERT_NE(front, nullptr);
  const int64_t t = Now() - Now() % 60 - 60;
  ASSERT_TRUE(front->SendTcp(fmt::format("eu.web1.req 5 {}\n", t)).ok());
  ASSERT_TRUE(peer_->SendTcp(fmt::format("us.web1.req 7 {}\n", t)).ok());
  ASSERT_TRUE(WaitForPoint(*front, "eu.web1.req", t - 60, t + 60));
  ASSERT_TRUE(WaitForPoint(*peer_, "us.web1.req", t - 60, t + 60));
  const HttpParams params = {{"target", "sumSeries(*.web1.req)"},
                             {"from", std::to_string(t - 60)},
                             {"until", std::to_string(t + 60)},
                             {"format", "json"}};
  auto r = front->Get("/render", params);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->status, 200) << r->body;
  // The answer has what answered: 5 + 7 at t.
  auto j = nlohmann::json::parse(r->body);
  bool found = false;
  for (const auto& p : j[0]["datapoints"]) {
    if (p[1] == t) {
      EXPECT_EQ(p[0], 12.0);
      found = true;
    }
  }
  EXPECT_TRUE(found) << r->body;
  const std::string partial = r->Header("X-Meridian-Partial");
  EXPECT_NE(partial.find("dead (cannot connect)"), std::string::npos) << partial;
  EXPECT_NE(partial.find("hang (timeout)"), std::string::npos) << partial;
  EXPECT_NE(partial.find("garbage ("), std::string::npos) << partial;
  EXPECT_NE(partial.find("truncated ("), std::string::npos) << partial;
  EXPECT_NE(partial.find("err (HTTP 500"), std::string::npos) << partial;
  EXPECT_EQ(partial.find("live"), std::string::npos) << partial;
  EXPECT_EQ(r->Header("Cache-Control"), "no-store");
  // Every peer is a region: the sum was pushed down, and its degraded answer is marked exactly as
  // a fetched one — the same body, the same peers named, never cached.
  EXPECT_EQ(Metric(*front, "federation_pushdowns_total{outcome=\"used\"}"), 1);
  HttpParams fetch = params;
  fetch.emplace_back("pushDown", "0");
  auto fetched = front->Get("/render", fetch);
  ASSERT_TRUE(fetched.ok());
  EXPECT_EQ(fetched->status, 200);
  EXPECT_EQ(fetched->body, r->body);
  EXPECT_EQ(PartialPeers(fetched->Header("X-Meridian-Partial")), PartialPeers(partial));
  EXPECT_EQ(PartialPeers(partial),
            (std::vector<std::string>{"dead", "err", "garbage", "hang", "truncated"}));
  EXPECT_EQ(fetched->Header("Cache-Control"), "no-store");

  // Asking to refuse partial answers: an error naming the missing peers.
  HttpParams deny = params;
  deny.emplace_back("partial", "deny");
  auto refused = front->Get("/render", deny);
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->status, 503) << refused->body;
  EXPECT_NE(refused->body.find("dead"), std::string::npos) << refused->body;

  // find, expand and tags are marked too.
  auto find = front->Get("/metrics/find", {{"query", "*"}});
  ASSERT_TRUE(find.ok());
  EXPECT_EQ(find->status, 200);
  EXPECT_NE(find->Header("X-Meridian-Partial").find("dead"), std::string::npos);
  EXPECT_NE(find->body.find("\"us\""), std::string::npos) << find->body;

  // /api/peers: health and last errors, no token. (The hung call reports its timeout a moment
  // after the answer went out without it; reads in between skip the peer.)
  EXPECT_TRUE(WaitFor(
      [&] {
        auto j = GetJson(*front, "/api/peers");
        if (!j.is_object()) return false;
        for (const auto& p : j["peers"]) {
          if (p["name"] == "hang") return p["last_error"] == "timeout";
        }
        return false;
      },
      10s));
  auto peers = GetJson(*front, "/api/peers");
  ASSERT_TRUE(peers.is_object());
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& p : peers["peers"]) by_name[p["name"]] = p;
  EXPECT_TRUE(by_name["live"]["up"].get<bool>());
  EXPECT_FALSE(by_name["dead"]["up"].get<bool>());
  EXPECT_EQ(by_name["dead"]["last_error"], "cannot connect");
  EXPECT_EQ(by_name["hang"]["last_error"], "timeout");
  EXPECT_NE(by_name["err"]["last_error"].get<std::string>().find("HTTP 500"), std::string::npos);

  // The self-metrics count it.
  auto metrics = front->Get("/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("federation_partial_reads_total"), std::string::npos);
  EXPECT_NE(metrics->body.find("http_partial_answers_total"), std::string::npos);
}

TEST_F(FederationFaultTest, APeerThatComesBackIsProbedBackIn) {
  hang_.set_mode(HostilePeer::Mode::kEmptyList);
  garbage_.set_mode(HostilePeer::Mode::kEmptyList);
  truncated_.set_mode(HostilePeer::Mode::kEmptyList);
  auto front = Start(
      FederationYaml({{"live", UrlOf(*peer_), "region", ""},
                      {"flappy", error_.url(), "region", "backoff_min: 100ms, backoff_max: 200ms"}},
                     "  timeout: 2s\n"));
  ASSERT_NE(front, nullptr);
  const HttpParams params = {{"target", "x.y"}, {"from", "-10min"}, {"format", "json"}};
  auto first = front->Get("/render", params);
  ASSERT_TRUE(first.ok());
  EXPECT_NE(first->Header("X-Meridian-Partial").find("flappy (HTTP 500"), std::string::npos);
  error_.set_mode(HostilePeer::Mode::kEmptyList);
  EXPECT_TRUE(WaitFor(
      [&] {
        auto r = front->Get("/render", params);
        return r.ok() && r->status == 200 && r->Header("X-Meridian-Partial").empty();
      },
      20s));
  auto peers = GetJson(*front, "/api/peers");
  for (const auto& p : peers["peers"]) EXPECT_TRUE(p["up"].get<bool>()) << p.dump();
}

TEST_F(FederationFaultTest, ConfigDefaultDenyRefusesAndAllowOverridesIt) {
  auto front = StartFront("  partial: deny\n");
  ASSERT_NE(front, nullptr);
  const HttpParams params = {{"target", "*.web1.req"}, {"from", "-10min"}, {"format", "json"}};
  auto r = front->Get("/render", params);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503) << r->body;
  HttpParams allow = params;
  allow.emplace_back("partial", "allow");
  r = front->Get("/render", allow);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_FALSE(r->Header("X-Meridian-Partial").empty());
}

TEST_F(FederationFaultTest, AlertOverAFederatedTargetIsUnknownWhenItsRegionIsDown) {
  TempDir rules("meridian-fed-rules");
  std::filesystem::create_directories(rules.path() / "rules");
  ASSERT_TRUE(WriteFile(rules.path() / "rules" / "global.yaml",
                        "group: global\ninterval: 1s\nrules:\n"
                        "  - name: total\n    target: sumSeries(*.web1.req)\n"
                        "    window: 5min\n    reduce: last\n    critical: \"~:10\"\n"
                        "    nagios: { host: global, service: total }\n")
                  .ok());
  // Nagios's command file: what Nagios would read.
  const auto fifo = rules.path() / "nagios.cmd";
  ASSERT_TRUE(MakeFifo(fifo).ok());
  auto nagios = FifoReader::Open(fifo);
  ASSERT_TRUE(nagios.ok());
  auto front = Start(
      FederationYaml({{"live", UrlOf(*peer_), "region", "backoff_min: 100ms, backoff_max: 200ms"}},
                     "  timeout: 1s\n") +
      "alerting:\n  rules_dir: " + (rules.path() / "rules").string() +
      "\n  nagios: { command_file: " + fifo.string() + " }\n");
  ASSERT_NE(front, nullptr);
  const int64_t t = Now() - 30;
  ASSERT_TRUE(front->SendTcp(fmt::format("eu.web1.req 5 {}\n", t)).ok());
  ASSERT_TRUE(peer_->SendTcp(fmt::format("us.web1.req 7 {}\n", t)).ok());
  // 5 + 7 = 12 > 10: CRITICAL only if the peer's series are seen.
  auto last_result = [&](const std::string& code) {
    (*nagios)->Poll();
    for (auto it = (*nagios)->lines().rbegin(); it != (*nagios)->lines().rend(); ++it) {
      if (it->find(";global;total;" + code + ";") != std::string::npos) return *it;
    }
    return std::string();
  };
  ASSERT_TRUE(WaitFor([&] { return !last_result("2").empty(); }, 30s)) << front->Log();
  EXPECT_NE(last_result("2").find("CRITICAL"), std::string::npos) << last_result("2");
  peer_->Kill();
  ASSERT_TRUE(WaitFor([&] { return !last_result("3").empty(); }, 30s))
      << (*nagios)->lines().size() << " lines; " << front->Log();
  const std::string unknown = last_result("3");
  EXPECT_NE(unknown.find("UNKNOWN"), std::string::npos) << unknown;
  auto rules_status = front->Get("/api/rules");
  ASSERT_TRUE(rules_status.ok());
  EXPECT_NE(rules_status->body.find("partial input, peers missing: live"), std::string::npos)
      << rules_status->body;
}

// ---------------------------------------------------------------------------------------------
// Determinism, HTTPS and tokens, SIGHUP.

TEST(FederationTest, DivergingReplicasGiveTheSameBytesEveryTime) {
  // Two replicas with gaps in different places and different steps for one series.
  auto r1 = Start(
      "storage:\n  schemas:\n    - { pattern: '^coarse', retentions: '60s:1d' }\n"
      "    - { pattern: '.*', retentions: '10s:1d' }\n");
  auto r2 = Start("storage:\n  schemas:\n    - { pattern: '.*', retentions: '10s:1d' }\n");
  ASSERT_TRUE(r1 && r2);
  const int64_t base = Now() - Now() % 600 - 600;
  std::string s1, s2;
  for (int i = 0; i < 60; ++i) {
    const int64_t ts = base - 600 + i * 10;
    if (i % 3 != 0) s1 += fmt::format("fine.x {} {}\n", i, ts);
    if (i % 4 != 0) s2 += fmt::format("fine.x {} {}\n", i * 2, ts);
    if (i % 6 == 0) s1 += fmt::format("coarse.y {} {}\n", i, ts);
    if (i % 5 != 0) s2 += fmt::format("coarse.y {} {}\n", i + 1000, ts);
  }
  ASSERT_TRUE(r1->SendTcp(s1).ok());
  ASSERT_TRUE(r2->SendTcp(s2).ok());
  ASSERT_TRUE(WaitForPoint(*r1, "fine.x", base - 600, base));
  ASSERT_TRUE(WaitForPoint(*r2, "coarse.y", base - 600, base));
  auto front = Start(
      FederationYaml({{"r1", UrlOf(*r1), "replica", ""}, {"r2", UrlOf(*r2), "replica", ""}}, ""));
  ASSERT_NE(front, nullptr);
  const HttpParams params = {{"target", "*.*"},
                             {"from", std::to_string(base - 600)},
                             {"until", std::to_string(base)},
                             {"format", "json"}};
  auto first = front->Get("/render", params);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->status, 200);
  for (int i = 0; i < 100; ++i) {
    auto again = front->Get("/render", params);
    ASSERT_TRUE(again.ok());
    ASSERT_EQ(again->body, first->body) << "answer " << i << " differs";
  }
  // The fine series: r1's values where it has them, r2's in r1's gaps (by position).
  auto j = nlohmann::json::parse(first->body);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[1]["target"], "fine.x");
  const auto& fine = j[1]["datapoints"];
  size_t filled = 0;
  for (const auto& p : fine) {
    if (!p[0].is_null()) ++filled;
  }
  EXPECT_GT(filled, 50u) << first->body;
}

TEST(FederationTest, AMountedRegionIsPushedDownAndEqualsOneInstanceHoldingItsMountedNames) {
  // "legacy" names its series without a region; the front mounts it under "old" (and tags its
  // tagged series region=old). One instance holds both as the front names them.
  const std::string schema =
      "storage:\n  schemas:\n    - { pattern: '.*', retentions: '10s:1d' }\n";
  auto legacy = Start("instance: legacy\n" + schema);
  auto single = Start("instance: single\n" + schema);
  ASSERT_TRUE(legacy && single);
  const int64_t base = Now() - Now() % 600;
  std::string peer_lines, front_lines, single_lines;
  for (int h = 1; h <= 6; ++h) {
    int64_t counter = 100 * h;
    for (int64_t ts = base - 1200; ts < base; ts += 10) {
      counter += (ts / 10 + h) % 7;
      if ((ts / 10 + h) % 5 == 0) continue;  // gaps in different places
      const std::string v = std::to_string(counter);
      peer_lines += fmt::format("web.host{} {} {}\n", h, v, ts);
      peer_lines += fmt::format("requests;dc=old;host=h{} {} {}\n", h, v, ts);
      front_lines += fmt::format("eu.web.host{} {} {}\n", h, v, ts);
      front_lines += fmt::format("requests;dc=eu;host=h{};region=eu {} {}\n", h, v, ts);
      single_lines += fmt::format("old.web.host{} {} {}\n", h, v, ts);
      single_lines += fmt::format("requests;dc=old;host=h{};region=old {} {}\n", h, v, ts);
    }
  }
  single_lines += front_lines;
  auto front =
      Start("instance: front\n" + schema +
            FederationYaml(
                {{"legacy", UrlOf(*legacy), "region", "prefix: old, tags: { region: old }"}}, ""));
  ASSERT_NE(front, nullptr);
  ASSERT_TRUE(legacy->SendTcp(peer_lines).ok());
  ASSERT_TRUE(front->SendTcp(front_lines).ok());
  ASSERT_TRUE(single->SendTcp(single_lines).ok());
  const int64_t last = base - 10;
  ASSERT_TRUE(WaitForPoint(*legacy, "web.host6", last - 60, last + 1));
  ASSERT_TRUE(WaitForPoint(*front, "eu.web.host6", last - 60, last + 1));
  ASSERT_TRUE(WaitForPoint(*single, "old.web.host6", last - 60, last + 1));
  ASSERT_TRUE(WaitForPoint(*single, "eu.web.host6", last - 60, last + 1));
  const std::string used = "federation_pushdowns_total{outcome=\"used\"}";
  for (const std::string target :
       {"sumSeries(*.web.*)", "groupByNode(*.web.*, 0, \"sum\")",
        "groupByNode(*.web.*, 2, \"max\")", "groupByNodes(*.web.*, \"avg\", 0, 1)",
        "sumSeries(old.web.host[1-3])", "aggregate(*.web.*, \"count\")",
        "groupByNode(seriesByTag(\"name=requests\"), \"region\", \"sum\")",
        "groupByTags(seriesByTag(\"name=requests\"), \"min\", \"region\", \"dc\")",
        "sumSeries(seriesByTag(\"region=old\", \"host!=h2\"))",
        "alias(sumSeries(seriesByTag(\"name=requests\")), \"all\")"}) {
    SCOPED_TRACE(target);
    const HttpParams params = {{"target", target},
                               {"from", std::to_string(base - 1200)},
                               {"until", std::to_string(base)},
                               {"format", "json"}};
    auto want = single->Get("/render", params);
    ASSERT_TRUE(want.ok());
    ASSERT_EQ(want->status, 200) << want->body;
    const double before = Metric(*front, used);
    auto pushed = front->Get("/render", params);
    ASSERT_TRUE(pushed.ok());
    EXPECT_EQ(Metric(*front, used), before + 1) << "not pushed down\n" << front->Log();
    HttpParams off = params;
    off.emplace_back("pushDown", "0");
    auto fetched = front->Get("/render", off);
    ASSERT_TRUE(fetched.ok());
    EXPECT_EQ(pushed->Header("X-Meridian-Partial"), "");
    EXPECT_EQ(pushed->body, want->body);
    EXPECT_EQ(fetched->body, want->body);
  }
  // The old region is a line of its own, under its mounted name.
  auto by_region =
      nlohmann::json::parse(front
                                ->Get("/render", {{"target", "groupByNode(*.web.*, 0, \"sum\")"},
                                                  {"from", std::to_string(base - 1200)},
                                                  {"until", std::to_string(base)},
                                                  {"format", "json"}})
                                ->body);
  ASSERT_EQ(by_region.size(), 2u);
  EXPECT_EQ(by_region[0]["target"], "eu");
  EXPECT_EQ(by_region[1]["target"], "old");
  EXPECT_EQ(Metric(*front, "federation_pushdown_fallbacks_total{reason=\"mounted peer\"}"), 0);
}

TEST(FederationTest, PeersOverHttpsWithACaAndTokens) {
  TempDir dir("meridian-fed-tls");
  Pki pki(dir.path());
  ASSERT_TRUE(pki.MakeCa("ca").ok());
  ASSERT_TRUE(pki.MakeCa("other").ok());
  ASSERT_TRUE(pki.MakeCert("server", "ca", "127.0.0.1", "subjectAltName=IP:127.0.0.1").ok());
  ASSERT_TRUE(pki.MakeCert("impostor", "other", "127.0.0.1", "subjectAltName=IP:127.0.0.1").ok());
  const std::string secret = "fed-token-0123456789abcdef";
  {
    std::ofstream(pki.P("tokens.yaml"))
        << "tokens:\n  - { name: region-eu, token: \"" << secret << "\", scope: read }\n";
    std::ofstream(pki.P("good.token")) << secret << "\n";
    std::ofstream(pki.P("bad.token")) << "not-the-token-0123456789\n";
  }
  auto tls_peer = [&](const std::string& cert) {
    return Start(fmt::format("http: {{ tls: {{ cert_file: {0}.pem, key_file: {0}.key }}, "
                             "auth: {{ tokens_file: {1} }} }}\n",
                             pki.P(cert), pki.P("tokens.yaml")),
                 /*tls=*/true);
  };
  auto good = tls_peer("server");
  auto impostor = tls_peer("impostor");
  ASSERT_TRUE(good && impostor);
  const int64_t t = Now() - 60;
  ASSERT_TRUE(good->SendTcp(fmt::format("us.secure.x 3 {}\n", t)).ok());
  ASSERT_TRUE(impostor->SendTcp(fmt::format("xx.impostor.x 4 {}\n", t)).ok());
  const auto https = [](const MeridianProcess& m) {
    return fmt::format("https://127.0.0.1:{}", m.http_port());
  };
  auto front = Start(FederationYaml(
      {{"us", https(*good), "region",
        fmt::format("token_file: {}, tls: {{ ca_file: {} }}", pki.P("good.token"),
                    pki.P("ca.pem"))},
       {"wrongtoken", https(*good), "region",
        fmt::format("token_file: {}, tls: {{ ca_file: {} }}", pki.P("bad.token"), pki.P("ca.pem"))},
       {"impostor", https(*impostor), "region",
        fmt::format("token_file: {}, tls: {{ ca_file: {} }}", pki.P("good.token"),
                    pki.P("ca.pem"))}},
      "  timeout: 3s\n"));
  ASSERT_NE(front, nullptr);
  std::string partial;
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r =
            front->Get("/render", {{"target", "*.*.x"}, {"from", "-10min"}, {"format", "json"}});
        if (!r.ok() || r->status != 200) return false;
        partial = r->Header("X-Meridian-Partial");
        return r->body.find("us.secure.x") != std::string::npos;
      },
      30s))
      << front->Log();
  EXPECT_NE(partial.find("wrongtoken (HTTP 401"), std::string::npos) << partial;
  EXPECT_NE(partial.find("impostor (TLS"), std::string::npos) << partial;
  auto peers = front->Get("/api/peers");
  ASSERT_TRUE(peers.ok());
  EXPECT_NE(peers->body.find("HTTP 401"), std::string::npos) << peers->body;
  EXPECT_EQ(peers->body.find(secret), std::string::npos);
  EXPECT_EQ(peers->body.find("not-the-token"), std::string::npos);
  EXPECT_EQ(front->Log().find(secret), std::string::npos);
  EXPECT_EQ(good->Log().find(secret), std::string::npos);
}

TEST(FederationTest, SighupAddsAndRemovesPeersAndKeepsThemOnABadConfig) {
  auto peer = Start("");
  auto front = Start(FederationYaml({}, ""));
  ASSERT_TRUE(peer && front);
  const int64_t t = Now() - 60;
  ASSERT_TRUE(peer->SendTcp(fmt::format("remote.x 1 {}\n", t)).ok());
  ASSERT_TRUE(WaitForPoint(*peer, "remote.x", t - 60, t + 60));
  auto find = [&] {
    auto r = front->Get("/metrics/find", {{"query", "*"}});
    return r.ok() ? r->body : std::string();
  };
  EXPECT_EQ(find().find("remote"), std::string::npos);
  ASSERT_TRUE(front->Reconfigure(FederationYaml({{"p", UrlOf(*peer), "region", ""}}, "")).ok());
  ASSERT_TRUE(WaitForPeers(*front, {"p"})) << front->Log();
  EXPECT_NE(find().find("remote"), std::string::npos);
  // A broken file: the running peers stay, the log says why.
  ASSERT_TRUE(front->Reconfigure("federation:\n  peers:\n    - { name: p }\n").ok());
  ASSERT_TRUE(WaitFor([&] { return front->Log().find("not reloaded") != std::string::npos; }, 20s))
      << front->Log();
  EXPECT_NE(front->Log().find("federation.peers[0]: missing 'url'"), std::string::npos);
  EXPECT_NE(find().find("remote"), std::string::npos);
  ASSERT_TRUE(front->Reconfigure(FederationYaml({}, "")).ok());
  ASSERT_TRUE(WaitForPeers(*front, {}));
  EXPECT_EQ(find().find("remote"), std::string::npos);
}

// A region still on graphite-web (carbon-cache + whisper) and a region on Meridian, each seeing
// the other: Meridian lists the graphite-web as a `graphite` peer, the graphite-web lists
// Meridian in CLUSTER_SERVERS. Both answer for both regions, without loops.
TEST(FederationTest, GraphiteWebAsAPeerAndAsAClientInOneTopology) {
  auto carbon = CarbonCache::Start(
      {"[default]\npattern = .*\nretentions = 10s:1d\n", "", "", std::chrono::seconds(30)});
  ASSERT_TRUE(carbon.ok()) << carbon.status().ToString();
  auto meridian = Start("storage:\n  schemas:\n    - { pattern: '.*', retentions: '10s:1d' }\n" +
                        FederationYaml({}, ""));
  ASSERT_NE(meridian, nullptr);
  GraphiteWebOptions wo;
  wo.whisper_dir = (*carbon)->whisper_dir();
  wo.carbonlink_hosts = {fmt::format("127.0.0.1:{}", (*carbon)->cache_query_port())};
  wo.cluster_servers = {fmt::format("127.0.0.1:{}?format=msgpack&local=1", meridian->http_port())};
  auto web = GraphiteWeb::Start(wo);
  ASSERT_TRUE(web.ok()) << web.status().ToString();
  ASSERT_TRUE(meridian
                  ->Reconfigure(
                      "storage:\n  schemas:\n    - { pattern: '.*', retentions: '10s:1d' }\n" +
                      FederationYaml({{"old-dc", fmt::format("http://127.0.0.1:{}", (*web)->port()),
                                       "graphite", ""}},
                                     "  timeout: 5s\n"))
                  .ok());
  ASSERT_TRUE(WaitForPeers(*meridian, {"old-dc"}));

  const int64_t base = Now() - Now() % 600;
  std::string old_lines, new_lines;
  for (int i = 1; i <= 30; ++i) {
    const int64_t ts = base - 600 + i * 10;
    old_lines += fmt::format("old.web1.req {} {}\nold.web2.req {} {}\n", i, ts, 2 * i, ts);
    new_lines += fmt::format("new.web1.req {} {}\n", 100 + i, ts);
  }
  ASSERT_TRUE(SendTcp((*carbon)->line_port(), old_lines).ok());
  ASSERT_TRUE(meridian->SendTcp(new_lines).ok());
  ASSERT_TRUE((*carbon)->WaitUntilWritten({"old.web1.req", "old.web2.req"}, 1, 60s).ok());
  ASSERT_TRUE(WaitForPoint(*meridian, "new.web1.req", base - 600, base));

  const HttpParams params = {{"target", "sumSeries(*.*.req)"},
                             {"from", std::to_string(base - 600)},
                             {"until", std::to_string(base - 300)},
                             {"format", "json"}};
  // Meridian: its own series plus the graphite-web's, summed.
  auto mine = meridian->Get("/render", params);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->status, 200) << mine->body;
  EXPECT_EQ(mine->Header("X-Meridian-Partial"), "") << mine->Header("X-Meridian-Partial");
  auto j = nlohmann::json::parse(mine->body);
  ASSERT_EQ(j.size(), 1u) << mine->body;
  size_t checked = 0;
  for (const auto& p : j[0]["datapoints"]) {
    const int64_t ts = p[1];
    const int64_t i = (ts - (base - 600)) / 10;
    if (i < 1 || i > 30) continue;
    ASSERT_FALSE(p[0].is_null()) << ts << " " << mine->body;
    EXPECT_EQ(p[0].get<double>(), static_cast<double>(i + 2 * i + 100 + i)) << ts;
    ++checked;
  }
  EXPECT_GT(checked, 20u);
  // graphite-web: the same sum, through its cluster (Meridian answers its local=1 calls).
  auto theirs = (*web)->Render(params);
  ASSERT_TRUE(theirs.ok());
  ASSERT_EQ(theirs->status, 200) << theirs->body;
  auto tj = ParseGraphiteJson(theirs->body);
  ASSERT_TRUE(tj.ok());
  RenderDiff diff = CompareRenderJson(*tj, j);
  EXPECT_TRUE(diff.match()) << diff.Summary();
  // Browsing: both regions' trees from Meridian.
  auto find = meridian->Get("/metrics/find", {{"query", "*"}});
  ASSERT_TRUE(find.ok());
  EXPECT_NE(find->body.find("\"old\""), std::string::npos) << find->body;
  EXPECT_NE(find->body.find("\"new\""), std::string::npos) << find->body;
  auto expand = meridian->Get("/metrics/expand", {{"query", "*.*.req"}, {"leavesOnly", "1"}});
  ASSERT_TRUE(expand.ok());
  EXPECT_NE(expand->body.find("old.web2.req"), std::string::npos) << expand->body;
}

// The README's sharding recipe: three shards behind carbon-c-relay (jump_fnv1a_ch, replication
// 2), each listing the other two. Every series is on two shards, answered once from any shard;
// with one shard killed, the other two give the same data (marked partial).
TEST(FederationTest, ThreeShardsBehindCarbonCRelayWithReplicationTwo) {
  std::vector<std::unique_ptr<MeridianProcess>> shards;
  for (int i = 0; i < 3; ++i) {
    shards.push_back(Start(fmt::format("instance: shard{}\n", i) + FederationYaml({}, "")));
    ASSERT_NE(shards.back(), nullptr);
  }
  for (int i = 0; i < 3; ++i) {
    std::vector<PeerSpec> peers;
    for (int j = 0; j < 3; ++j) {
      if (j != i) {
        peers.push_back({fmt::format("shard{}", j), UrlOf(*shards[j]), "replica",
                         "backoff_min: 100ms, backoff_max: 500ms"});
      }
    }
    ASSERT_TRUE(shards[i]
                    ->Reconfigure(fmt::format("instance: shard{}\n", i) +
                                  FederationYaml(peers, "  timeout: 2s\n"))
                    .ok());
  }
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(WaitForPeers(
        *shards[i], {fmt::format("shard{}", (i + 1) % 3), fmt::format("shard{}", (i + 2) % 3)}));
  }
  auto relay = CarbonCRelay::StartSharded(
      {shards[0]->graphite_port(), shards[1]->graphite_port(), shards[2]->graphite_port()}, 2);
  ASSERT_TRUE(relay.ok()) << relay.status().ToString();

  constexpr int kSeries = 30;
  const int64_t base = Now() - Now() % 600 - 600;
  std::string lines;
  for (int i = 0; i < kSeries; ++i) {
    for (int k = 1; k <= 3; ++k) {
      lines += fmt::format("shard.h{:02}.req {} {}\n", i, i * 10 + k, base + k * 10);
    }
  }
  ASSERT_TRUE(SendTcp((*relay)->port(), lines).ok());
  // Every series lands on exactly two shards. (A relay that crashed — see
  // CarbonCRelay::running — is replaced and the same lines sent again.)
  auto local_leaves = [&](const MeridianProcess& m) {
    std::vector<std::string> out;
    auto r =
        m.Get("/metrics/expand", {{"query", "shard.*.req"}, {"leavesOnly", "1"}, {"local", "1"}});
    if (!r.ok() || r->status != 200) return out;
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    if (j.is_object()) out = j["results"].get<std::vector<std::string>>();
    return out;
  };
  int replaced = 0;
  ASSERT_TRUE(WaitFor(
      [&] {
        if (!(*relay)->running() && replaced < 2) {
          ++replaced;
          auto again = CarbonCRelay::StartSharded(
              {shards[0]->graphite_port(), shards[1]->graphite_port(), shards[2]->graphite_port()},
              2);
          if (again.ok()) {
            relay = std::move(again);
            SendTcp((*relay)->port(), lines).IgnoreError();
          }
        }
        size_t total = 0;
        for (auto& s : shards) total += local_leaves(*s).size();
        return total == 2 * kSeries;
      },
      60s))
      << (*relay)->Log();
  std::map<std::string, int> copies;
  for (auto& s : shards) {
    for (const std::string& n : local_leaves(*s)) ++copies[n];
  }
  ASSERT_EQ(copies.size(), static_cast<size_t>(kSeries));
  for (const auto& [name, n] : copies) EXPECT_EQ(n, 2) << name;
  // Wait until every copy has all its points (a relay delivers per destination).
  const HttpParams params = {{"target", "shard.*.req"},
                             {"from", std::to_string(base)},
                             {"until", std::to_string(base + 60)},
                             {"format", "json"}};
  auto complete = [&](const MeridianProcess& m, bool local) {
    HttpParams p = params;
    if (local) p.emplace_back("local", "1");
    auto r = m.Get("/render", p);
    if (!r.ok() || r->status != 200) return false;
    auto j = nlohmann::json::parse(r->body, nullptr, false);
    for (const auto& s : j) {
      int values = 0;
      for (const auto& pt : s["datapoints"]) values += pt[0].is_null() ? 0 : 1;
      if (values != 3) return false;
    }
    return true;
  };
  for (auto& s : shards) ASSERT_TRUE(WaitFor([&] { return complete(*s, true); }, 60s));

  // Any shard answers for all: the same bytes from each, every series once with its values.
  std::vector<std::string> answers;
  for (auto& s : shards) {
    auto r = s->Get("/render", params);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200);
    EXPECT_EQ(r->Header("X-Meridian-Partial"), "");
    answers.push_back(r->body);
  }
  EXPECT_EQ(answers[0], answers[1]);
  EXPECT_EQ(answers[0], answers[2]);
  auto j = nlohmann::json::parse(answers[0]);
  ASSERT_EQ(j.size(), static_cast<size_t>(kSeries));
  for (int i = 0; i < kSeries; ++i) {
    EXPECT_EQ(j[i]["target"], fmt::format("shard.h{:02}.req", i));
    for (const auto& pt : j[i]["datapoints"]) {
      if (pt[0].is_null()) continue;
      const int64_t k = (pt[1].get<int64_t>() - base) / 10;
      EXPECT_EQ(pt[0].get<double>(), i * 10 + k);
    }
  }
  // One shard killed: the other two still hold a copy of everything.
  shards[1]->Kill();
  for (int i : {0, 2}) {
    auto r = shards[i]->Get("/render", params);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, 200);
    EXPECT_NE(r->Header("X-Meridian-Partial").find("shard1"), std::string::npos);
    EXPECT_EQ(r->body, answers[0]) << "shard" << i;
  }
}

}  // namespace
}  // namespace meridian::testing
