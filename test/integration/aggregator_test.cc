// Aggregation rules at ingest against Debian's carbon-aggregator (graphite-carbon 1.1.7): the same
// lines, rules file and rewrite rules into both; carbon-aggregator forwards (line protocol) to a
// small receiver here, Meridian writes into its store; every aggregated interval must agree.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/carbon_cache.h"
#include "support/meridian_process.h"
#include "support/process.h"

namespace meridian::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kRules[] = R"(# same file for carbon-aggregator and Meridian
agg.sum.<dc> (2) = sum servers.<dc>.*.requests
agg.avg.<dc> (2) = avg servers.<dc>.*.requests
agg.min (2) = min servers.*.*.requests
agg.max (2) = max servers.*.*.requests
agg.count.<dc> (2) = count servers.<dc>.*.requests
agg.p50 (2) = p50 servers.*.*.latency
agg.p90 (2) = p90 servers.*.*.latency
agg.p999 (2) = p999 servers.*.*.latency
agg.deep.<rest> (4) = sum deep.<<rest>>.x
)";
constexpr char kRewrites[] = "[pre]\n^collectd\\.(\\w+)\\. = servers.\\1.\n";

// Collects the lines a carbon daemon sends to a line-protocol destination.
class LineReceiver {
 public:
  LineReceiver() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(fd_, 8);
    thread_ = std::thread([this] { Run(); });
  }
  ~LineReceiver() {
    stopping_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  uint16_t port() const { return port_; }

  // metric → interval → the last value received (carbon re-sends an interval that grew).
  std::map<std::string, std::map<int64_t, double>> Last(std::string_view prefix) {
    std::lock_guard lock(mu_);
    std::map<std::string, std::map<int64_t, double>> out;
    for (const auto& [name, value, ts] : lines_) {
      if (name.rfind(prefix, 0) == 0) out[name][ts] = value;
    }
    return out;
  }
  std::chrono::steady_clock::time_point last_arrival() {
    std::lock_guard lock(mu_);
    return last_arrival_;
  }

 private:
  void Run() {
    while (!stopping_) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string buffer;
      char chunk[65536];
      ssize_t n;
      while ((n = ::read(c, chunk, sizeof chunk)) > 0) {
        buffer.append(chunk, static_cast<size_t>(n));
        size_t nl;
        while ((nl = buffer.find('\n')) != std::string::npos) {
          Add(buffer.substr(0, nl));
          buffer.erase(0, nl + 1);
        }
      }
      ::close(c);
    }
  }
  void Add(const std::string& line) {
    char name[512];
    double value = 0;
    double ts = 0;
    if (std::sscanf(line.c_str(), "%511s %lf %lf", name, &value, &ts) != 3) return;
    std::lock_guard lock(mu_);
    lines_.push_back({name, value, static_cast<int64_t>(ts)});
    last_arrival_ = std::chrono::steady_clock::now();
  }

  struct Line {
    std::string name;
    double value;
    int64_t ts;
  };
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<Line> lines_;
  std::chrono::steady_clock::time_point last_arrival_;
};

// Debian's carbon-aggregator on free loopback ports, its conf in a temp dir.
class CarbonAggregator {
 public:
  static core::Result<std::unique_ptr<CarbonAggregator>> Start(uint16_t destination_port) {
    auto agg = std::unique_ptr<CarbonAggregator>(new CarbonAggregator());
    const auto conf = agg->dir_.path() / "conf";
    const auto storage = agg->dir_.path() / "storage";
    std::filesystem::create_directories(conf);
    std::filesystem::create_directories(storage / "log");
    agg->port_ = FreeTcpPort();
    RETURN_IF_ERROR(WriteFile(
        conf / "carbon.conf",
        fmt::format("[cache]\nSTORAGE_DIR = {0}\nLOCAL_DATA_DIR = {0}/whisper\nLOG_DIR = {0}/log\n"
                    "PID_DIR = {0}\nUSER =\n"
                    "[aggregator]\nLINE_RECEIVER_INTERFACE = 127.0.0.1\nLINE_RECEIVER_PORT = {1}\n"
                    "PICKLE_RECEIVER_INTERFACE = 127.0.0.1\nPICKLE_RECEIVER_PORT = {2}\n"
                    "FORWARD_ALL = True\nDESTINATIONS = 127.0.0.1:{3}\n"
                    "DESTINATION_PROTOCOL = line\nMAX_AGGREGATION_INTERVALS = 1000\n"
                    "LOG_AGGREGATOR_MISSES = False\nCARBON_METRIC_INTERVAL = 0\n"
                    "ENABLE_TAGS = False\nLOG_LISTENER_CONN_SUCCESS = True\n",
                    storage.string(), agg->port_, FreeTcpPort(), destination_port)));
    RETURN_IF_ERROR(
        WriteFile(conf / "storage-schemas.conf", "[default]\npattern = .*\nretentions = 1s:1h\n"));
    RETURN_IF_ERROR(WriteFile(conf / "aggregation-rules.conf", kRules));
    RETURN_IF_ERROR(WriteFile(conf / "rewrite-rules.conf", kRewrites));
    SubprocessOptions sub;
    sub.argv = {kSystemPython, "/usr/bin/carbon-aggregator",
                "--config=" + (conf / "carbon.conf").string(), "--nodaemon", "start"};
    sub.env = {"GRAPHITE_ROOT=" + agg->dir_.path().string(), "GRAPHITE_CONF_DIR=" + conf.string(),
               "GRAPHITE_STORAGE_DIR=" + storage.string(), "PYTHONWARNINGS=ignore"};
    sub.cwd = agg->dir_.path();
    sub.log_path = agg->dir_.path() / "carbon-aggregator.log";
    ASSIGN_OR_RETURN(agg->proc_, Subprocess::Start(std::move(sub)));
    Subprocess& p = *agg->proc_;
    const uint16_t port = agg->port_;
    if (!WaitFor([&] { return !p.Running() || WaitForTcpPort(port, milliseconds(0)); },
                 seconds(30)) ||
        !p.Running()) {
      return core::Unavailable("carbon-aggregator did not start: " + p.ReadLog());
    }
    return agg;
  }
  uint16_t port() const { return port_; }
  std::string Log() const { return proc_->ReadLog(); }

 private:
  CarbonAggregator() = default;
  TempDir dir_{"carbon-aggregator"};
  uint16_t port_ = 0;
  std::unique_ptr<Subprocess> proc_;
};

std::string MeridianConfig(const TempDir& dir, std::string_view extra = "") {
  return fmt::format(
      "storage:\n  schemas:\n    - {{ pattern: \".*\", retentions: \"1s:1h\" }}\n"
      "aggregator:\n  rules_file: {}\n  rewrite_rules_file: {}\n  max_intervals: 1000\n"
      "  flush_interval: 100ms\n{}",
      dir.Sub("aggregation-rules.conf"), dir.Sub("rewrite-rules.conf"), extra);
}

MeridianOptions Options(std::string config_yaml) {
  MeridianOptions o;
  o.binary = MERIDIAN_BINARY;
  o.config_yaml = std::move(config_yaml);
  return o;
}

// Input lines: requests and latency of 4 hosts in 2 data centres (one named the collectd way,
// renamed by the [pre] rewrite), and deep names for the greedy field, over 24 s in the past.
std::string Inputs(int64_t now) {
  std::string lines;
  for (int64_t t = now - 30; t < now - 6; ++t) {
    for (int h = 0; h < 4; ++h) {
      const double v = static_cast<double>((t * 7 + h * 13) % 29) / 4 + h;
      lines += fmt::format("servers.ams.h{}.requests {} {}\n", h, v, t);
      lines += fmt::format("collectd.fra.h{}.requests {} {}\n", h, v * 3 - 5, t);
      lines += fmt::format("servers.ams.h{}.latency {} {}\n", h, v * v / 7, t);
      lines += fmt::format("deep.a{}.b.c.x {} {}\n", h % 2, v, t);
    }
  }
  return lines;
}

TEST(AggregatorTest, AggregatesEqualCarbonAggregatorsOutput) {
  TempDir files("aggregator-rules");
  ASSERT_TRUE(WriteFile(files.path() / "aggregation-rules.conf", kRules).ok());
  ASSERT_TRUE(WriteFile(files.path() / "rewrite-rules.conf", kRewrites).ok());
  LineReceiver receiver;
  auto carbon = CarbonAggregator::Start(receiver.port());
  ASSERT_TRUE(carbon.ok()) << carbon.status().message();
  auto meridian = MeridianProcess::Start(Options(MeridianConfig(files)));
  ASSERT_TRUE(meridian.ok()) << meridian.status().message();

  const int64_t now = ::time(nullptr);
  const std::string lines = Inputs(now);
  ASSERT_TRUE(SendTcp((*carbon)->port(), lines).ok());
  ASSERT_TRUE((*meridian)->SendTcp(lines).ok());

  // Every output interval, as carbon-aggregator computes them (2 s, and 4 s for agg.deep.*).
  std::set<std::pair<std::string, int64_t>> expected;
  for (int64_t t = now - 30; t < now - 6; ++t) {
    for (const char* m :
         {"agg.sum.ams", "agg.sum.fra", "agg.avg.ams", "agg.avg.fra", "agg.min", "agg.max",
          "agg.count.ams", "agg.count.fra", "agg.p50", "agg.p90", "agg.p999"}) {
      expected.insert({m, t - t % 2});
    }
    expected.insert({"agg.deep.a0.b.c", t - t % 4});
    expected.insert({"agg.deep.a1.b.c", t - t % 4});
  }
  // Carbon re-sends an interval each time it grew: wait until all are there and it went quiet
  // for two of its compute periods.
  std::map<std::string, std::map<int64_t, double>> want;
  const bool carbon_done = WaitFor(
      [&] {
        want = receiver.Last("agg.");
        for (const auto& [m, ts] : expected) {
          if (!want[m].count(ts)) return false;
        }
        return std::chrono::steady_clock::now() - receiver.last_arrival() > seconds(6);
      },
      seconds(60));
  ASSERT_TRUE(carbon_done) << (*carbon)->Log();
  ASSERT_EQ(want.size(), 13u);

  std::string diff;
  const bool equal = WaitFor(
      [&] {
        diff.clear();
        for (const auto& [metric, points] : want) {
          auto r = (*meridian)->Render(metric, std::to_string(now - 60), std::to_string(now));
          if (!r.ok() || r->empty()) {
            diff += metric + ": no series\n";
            continue;
          }
          std::map<int64_t, double> got;
          for (const auto& dp : (*r)[0]["datapoints"]) {
            if (!dp[0].is_null()) got[dp[1].get<int64_t>()] = dp[0].get<double>();
          }
          for (const auto& [ts, value] : points) {
            auto it = got.find(ts);
            if (it == got.end()) {
              diff += fmt::format("{} @{}: carbon {}, meridian none\n", metric, ts, value);
            } else if (std::abs(it->second - value) > 1e-9 * std::max(1.0, std::abs(value))) {
              diff +=
                  fmt::format("{} @{}: carbon {}, meridian {}\n", metric, ts, value, it->second);
            }
          }
          if (got.size() != points.size()) {
            diff += fmt::format("{}: carbon {} intervals, meridian {}\n", metric, points.size(),
                                got.size());
          }
        }
        return diff.empty();
      },
      seconds(20));
  EXPECT_TRUE(equal) << diff;
  // The inputs were forwarded too (FORWARD_ALL), under their rewritten names.
  auto forwarded = (*meridian)->Render("servers.fra.h1.requests", std::to_string(now - 60));
  ASSERT_TRUE(forwarded.ok());
  ASSERT_EQ(forwarded->size(), 1u);
}

TEST(AggregatorTest, ABrokenRulesFileIsAClearStartUpErrorAndAReloadKeepsTheOldRules) {
  TempDir files("aggregator-rules");
  ASSERT_TRUE(WriteFile(files.path() / "aggregation-rules.conf",
                        "agg.ok (2) = sum a.*\nagg.bad (2) = median b.*\n")
                  .ok());
  ASSERT_TRUE(WriteFile(files.path() / "rewrite-rules.conf", "").ok());
  auto broken = MeridianProcess::Start(Options(MeridianConfig(files)));
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.status().message().find(
                fmt::format("aggregator.rules_file: {}:2: unknown method 'median'",
                            files.Sub("aggregation-rules.conf"))),
            std::string::npos)
      << broken.status().message();

  ASSERT_TRUE(WriteFile(files.path() / "aggregation-rules.conf", "agg.ok (2) = sum a.*\n").ok());
  auto m = MeridianProcess::Start(Options(MeridianConfig(files)));
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_TRUE(
      WriteFile(files.path() / "aggregation-rules.conf", "agg.ok (2) = sum a.*\nbroken\n").ok());
  ASSERT_TRUE((*m)->Reconfigure(MeridianConfig(files)).ok());
  ASSERT_TRUE(WaitFor(
      [&] { return (*m)->Log().find("aggregation rules not reloaded") != std::string::npos; },
      seconds(10)))
      << (*m)->Log();
  EXPECT_NE((*m)->Log().find("aggregation-rules.conf:2: expected 'output_template (frequency) = "
                             "method input_pattern': broken"),
            std::string::npos);
  const int64_t t = ::time(nullptr) - 10;
  ASSERT_TRUE((*m)->SendTcp(fmt::format("a.x 1 {0}\na.y 2 {0}\n", t)).ok());
  double sum = 0;
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r = (*m)->Render("agg.ok", std::to_string(t - 10), std::to_string(t + 5));
        if (!r.ok() || r->empty()) return false;
        for (const auto& dp : (*r)[0]["datapoints"]) {
          if (!dp[0].is_null()) sum = dp[0].get<double>();
        }
        return sum == 3;
      },
      seconds(10)))
      << (*m)->Log();
}

}  // namespace
}  // namespace meridian::testing
