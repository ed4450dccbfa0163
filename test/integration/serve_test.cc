// `meridian serve` as a user runs it: the real binary, real sockets, real RocksDB.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <string>

#include "core/clock.h"
#include "support/corrupt_block.h"
#include "support/meridian_process.h"
#include "support/process.h"

namespace meridian::testing {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<MeridianProcess> StartMeridian(const std::string& yaml = "") {
  MeridianOptions o;
  o.binary = MERIDIAN_BINARY;
  o.config_yaml = yaml;
  auto p = MeridianProcess::Start(o);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? std::move(p).value() : nullptr;
}

// Non-null (value, timestamp) pairs of every series a render returns, keyed by target.
std::map<std::string, std::vector<std::pair<double, int64_t>>> Points(const MeridianProcess& m,
                                                                      const std::string& target) {
  std::map<std::string, std::vector<std::pair<double, int64_t>>> out;
  auto r = m.Render(target, "-1h");
  if (!r.ok()) return out;
  for (const auto& s : *r) {
    auto& v = out[s["target"].get<std::string>()];
    for (const auto& dp : s["datapoints"]) {
      if (!dp[0].is_null()) v.emplace_back(dp[0].get<double>(), dp[1].get<int64_t>());
    }
  }
  return out;
}

size_t CountPoints(const MeridianProcess& m, const std::string& target) {
  size_t n = 0;
  for (const auto& [name, pts] : Points(m, target)) n += pts.size();
  return n;
}

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

TEST(ServeTest, TcpAndUdpLinesAreQueryable) {
  auto m = StartMeridian();
  ASSERT_TRUE(m);
  const int64_t t = Now() - 60;
  ASSERT_TRUE(
      m->SendTcp(fmt::format("web01.cpu.user 42.5 {}\nweb01.cpu.system 7 {}\n", t, t)).ok());
  ASSERT_TRUE(m->SendUdp(fmt::format("web02.cpu.user 1.25 {}\n", t)).ok());
  ASSERT_TRUE(WaitFor([&] { return CountPoints(*m, "web0*.cpu.*") == 3; }, 10s)) << m->Log();
  auto pts = Points(*m, "web01.cpu.user");
  ASSERT_EQ(pts["web01.cpu.user"].size(), 1u);
  EXPECT_EQ(pts["web01.cpu.user"][0].first, 42.5);
  EXPECT_EQ(pts["web01.cpu.user"][0].second, t / 10 * 10);
}

TEST(ServeTest, MalformedLinesAreCountedAndNeighboursKept) {
  auto m = StartMeridian();
  ASSERT_TRUE(m);
  const int64_t t = Now() - 30;
  std::string stream = fmt::format(
      "good.a 1 {0}\n"
      "only.two.fields 5\n"
      "good.b 2 {0}\n"
      "bad.value abc {0}\n"
      "good.c\t3\t{0}\r\n"
      "bad.ts 1 yesterday\n"
      "nan.value nan {0}\n"
      "good.d  4   {0}\n",
      t);
  ASSERT_TRUE(m->SendTcp(stream).ok());
  ASSERT_TRUE(WaitFor([&] { return CountPoints(*m, "good.*") == 4; }, 10s)) << m->Log();
  EXPECT_EQ(CountPoints(*m, "bad.*"), 0u);
  auto metrics = m->Get("/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("meridian_ingest_lines_rejected_total{reason=\"too_few_fields\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics->body.find("meridian_ingest_lines_rejected_total{reason=\"bad_value\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics->body.find("meridian_ingest_lines_rejected_total{reason=\"bad_timestamp\"} 1"),
            std::string::npos);
}

// Regression: csv repeats the name on every row (a 4 KB name over 5 years made a 1.06 GB body);
// find and render answers are bounded by http.max_response_bytes, and the refusals counted.
TEST(ServeTest, AnswersPastMaxResponseBytesAre422AndCounted) {
  auto m = StartMeridian("http: { max_response_bytes: 16384 }\n");
  ASSERT_TRUE(m);
  const int64_t t = Now() - 1900;  // 30 points a minute apart, within -1h
  const std::string name = "long." + std::string(1000, 'n');
  std::string lines;
  for (int i = 0; i < 30; ++i) lines += fmt::format("{} {} {}\n", name, i, t + 60 * i);
  for (int i = 0; i < 300; ++i)
    lines += fmt::format("bulk.{}{} 1 {}\n", std::string(60, 'b'), i, t);
  ASSERT_TRUE(m->SendTcp(lines).ok());
  ASSERT_TRUE(WaitFor([&] { return CountPoints(*m, "long.*") == 30; }, 10s)) << m->Log();
  auto csv = m->Get("/render", {{"target", "long.*"}, {"from", "-1h"}, {"format", "csv"}});
  ASSERT_TRUE(csv.ok());
  EXPECT_EQ(csv->status, 422) << csv->body;
  EXPECT_NE(csv->body.find("http.max_response_bytes"), std::string::npos) << csv->body;
  auto find = m->Get("/metrics/find", {{"query", "bulk.*"}, {"format", "completer"}});
  ASSERT_TRUE(find.ok());
  EXPECT_EQ(find->status, 422) << find->body;
  auto expand = m->Get("/metrics/expand", {{"query", "bulk.*"}});
  ASSERT_TRUE(expand.ok());
  EXPECT_EQ(expand->status, 422) << expand->body;
  auto small = m->Get("/metrics/find", {{"query", "long.*"}});
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->status, 200) << small->body;
  auto metrics = m->Get("/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("meridian_http_limit_rejections_total{limit=\"response_bytes\"} 3"),
            std::string::npos)
      << metrics->body;
}

// http.memory_budget_bytes: a render whose values alone need more than the whole budget is
// refused with the knob named; one that fits answers, and its reservation is released after.
TEST(ServeTest, RendersAreBoundedByTheMemoryBudget) {
  // 4 series x ~60 one-minute slots over -1h: ~4*256 + 240*16 = ~4.9 KB fits in 8 KiB;
  // 4 series over -2d at one-minute slots (2880 each) does not.
  auto m = StartMeridian(
      "http: { memory_budget_bytes: 8192 }\nstorage:\n  schemas:\n    - { pattern: '.*', "
      "retentions: '1m:7d' }\n");
  ASSERT_TRUE(m);
  const int64_t t = Now() - 1900;
  std::string lines;
  for (int s = 0; s < 4; ++s) lines += fmt::format("mem.s{} {} {}\n", s, s, t);
  ASSERT_TRUE(m->SendTcp(lines).ok());
  ASSERT_TRUE(WaitFor([&] { return CountPoints(*m, "mem.*") == 4; }, 10s)) << m->Log();
  auto big = m->Get("/render", {{"target", "mem.*"}, {"from", "-2d"}, {"format", "json"}});
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big->status, 422) << big->body;
  EXPECT_NE(big->body.find("http.memory_budget_bytes"), std::string::npos) << big->body;
  auto small = m->Get("/render", {{"target", "mem.*"}, {"from", "-1h"}, {"format", "json"}});
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->status, 200) << small->body;
  auto metrics = m->Get("/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("meridian_http_memory_in_use_bytes 0\n"), std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find("meridian_http_memory_budget_bytes 8192\n"), std::string::npos);
  EXPECT_NE(metrics->body.find("meridian_http_memory_refused_total 1\n"), std::string::npos);
}

TEST(ServeTest, BadNamesAreRejectedAndGraphiteKnobsReachTheListener) {
  auto m = StartMeridian(
      "graphite: { udp_receive_buffer_bytes: 1048576, idle_timeout: 0,"
      " max_connections_per_source: 0 }\n");
  ASSERT_TRUE(m);
  const int64_t t = Now() - 30;
  ASSERT_TRUE(
      m->SendTcp(fmt::format("dot..dot 1 {0}\n.lead 1 {0}\ntrail. 1 {0}\ngood.name 1 {0}\n", t))
          .ok());
  ASSERT_TRUE(m->SendUdp(fmt::format("c\x01trl 1 {0}\n{1} 1 {0}\ngood.udp 1 {0}\n", t,
                                     std::string(20'000, 'u')))
                  .ok());
  ASSERT_TRUE(WaitFor([&] { return CountPoints(*m, "good.*") == 2; }, 10s)) << m->Log();
  auto top = m->Find("*");
  ASSERT_TRUE(top.ok());
  const std::string listed = top->dump();
  for (const char* absent : {"\"dot\"", "\"lead\"", "\"trail\"", "trl"}) {
    EXPECT_EQ(listed.find(absent), std::string::npos) << absent << " in " << listed;
  }
  EXPECT_NE(listed.find("\"good\""), std::string::npos) << listed;
  auto metrics = m->Get("/metrics");
  ASSERT_TRUE(metrics.ok());
  for (const char* want : {"meridian_ingest_lines_rejected_total{reason=\"empty_node\"} 3",
                           "meridian_ingest_lines_rejected_total{reason=\"control_char\"} 1",
                           "meridian_ingest_lines_rejected_total{reason=\"too_long\"} 1",
                           "meridian_ingest_udp_receive_buffer_bytes 2097152",
                           "meridian_ingest_udp_kernel_drops_total 0"}) {
    EXPECT_NE(metrics->body.find(want), std::string::npos) << want;
  }
  EXPECT_NE(m->Log().find("receive buffer requested 1048576 bytes, granted 2097152"),
            std::string::npos)
      << m->Log();
}

TEST(ServeTest, CleanRestartKeepsEverything) {
  auto m = StartMeridian();
  ASSERT_TRUE(m);
  const int64_t t = Now() / 10 * 10 - 500;
  std::string lines;
  for (int s = 0; s < 20; ++s) {
    for (int i = 0; i < 40; ++i) lines += fmt::format("restart.s{}.v {}.5 {}\n", s, i, t + 10 * i);
  }
  ASSERT_TRUE(m->SendTcp(lines).ok());
  ASSERT_TRUE(WaitFor([&] { return CountPoints(*m, "restart.*.v") == 800; }, 10s));
  auto before = Points(*m, "restart.*.v");
  ASSERT_TRUE(m->Stop().ok()) << m->Log();
  EXPECT_NE(m->Log().find("stopped cleanly"), std::string::npos) << m->Log();
  ASSERT_TRUE(m->Restart().ok()) << m->Log();
  EXPECT_EQ(Points(*m, "restart.*.v"), before);
}

TEST(ServeTest, KillNineAfterIngestKeepsAppliedPoints) {
  auto m = StartMeridian();
  ASSERT_TRUE(m);
  const int64_t t = Now() / 10 * 10 - 300;
  std::string lines;
  for (int i = 0; i < 30; ++i) lines += fmt::format("crash.series {} {}\n", i, t + 10 * i);
  ASSERT_TRUE(m->SendTcp(lines).ok());
  // Queryable = applied = in RocksDB's WAL: a process kill cannot lose it.
  ASSERT_TRUE(WaitFor([&] { return CountPoints(*m, "crash.series") == 30; }, 10s));
  m->Kill();
  ASSERT_TRUE(m->Restart().ok()) << m->Log();
  auto pts = Points(*m, "crash.series")["crash.series"];
  ASSERT_EQ(pts.size(), 30u);
  for (int i = 0; i < 30; ++i) EXPECT_EQ(pts[i].first, i);
}

TEST(ServeTest, TwoHundredConcurrentConnectionsAllDelivered) {
  auto m = StartMeridian();
  ASSERT_TRUE(m);
  const int64_t t = Now() - 100;
  std::vector<int> fds;
  for (int c = 0; c < 200; ++c) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(m->graphite_port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    fds.push_back(fd);
  }
  // All 200 are open at once; each sends its lines, then all close.
  for (int c = 0; c < 200; ++c) {
    std::string lines;
    for (int i = 0; i < 5; ++i) lines += fmt::format("conn.c{}.m{} {} {}\n", c, i, c, t);
    ASSERT_EQ(::write(fds[c], lines.data(), lines.size()), static_cast<ssize_t>(lines.size()));
  }
  for (int fd : fds) ::close(fd);
  ASSERT_TRUE(WaitFor([&] { return CountPoints(*m, "conn.*.*") == 1000; }, 20s))
      << CountPoints(*m, "conn.*.*");
}

TEST(ServeTest, SelfMetricsAreWrittenIntoTheStore) {
  auto m = StartMeridian("instance: selftest\nstorage:\n  self_metrics_interval: 1s\n");
  ASSERT_TRUE(m);
  ASSERT_TRUE(m->SendTcp(fmt::format("some.metric 1 {}\n", Now())).ok());
  ASSERT_TRUE(WaitFor(
      [&] {
        auto pts = Points(*m, "meridian.selftest.ingest_points_received_total");
        auto& v = pts["meridian.selftest.ingest_points_received_total"];
        return !v.empty() && v.back().first >= 1;
      },
      20s))
      << m->Log();
  auto found = m->Find("meridian.selftest.*");
  ASSERT_TRUE(found.ok());
  EXPECT_GT(found->size(), 5u);
}

TEST(ServeTest, ConfigErrorNamesKeyAndLineAndExitsNonZero) {
  TempDir dir;
  ASSERT_TRUE(WriteFile(dir.path() / "bad.yaml",
                        "instance: x\nstorage:\n  schemas:\n    - { pattern: \".*\", retentions: "
                        "\"10s:oops\" }\n")
                  .ok());
  SubprocessOptions o;
  o.argv = {MERIDIAN_BINARY, "serve", "--config", (dir.path() / "bad.yaml").string()};
  auto out = RunAndCapture(o, dir.path(), 20s);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.status().message().find("bad.yaml:4"), std::string::npos) << out.status().message();
  EXPECT_NE(out.status().message().find("retentions"), std::string::npos) << out.status().message();
}

// A corrupt block on disk: the render answers with the rest, says so in X-Meridian-Partial (as a
// missing federation peer would be), and partial=deny refuses instead.
TEST(ServeTest, ACorruptBlockIsAnsweredAroundAndMarked) {
  auto m = StartMeridian(
      "storage:\n  points_per_block: 8\n  schemas:\n    - { pattern: '.*', retentions: '10s:1d' "
      "}\n");
  ASSERT_NE(m, nullptr);
  const int64_t base = std::time(nullptr) / 600 * 600 - 3600;
  std::string lines;
  for (int i = 0; i < 300; ++i) lines += fmt::format("bad.b {} {}\n", i, base + 10 * i);
  ASSERT_TRUE(m->SendTcp(lines).ok());
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r = m->Render("bad.b", std::to_string(base + 2980), std::to_string(base + 3000));
        return r.ok() && r->is_array() && !r->empty() && (*r)[0]["datapoints"][0][0] == 299.0;
      },
      30s));
  ASSERT_TRUE(m->Stop().ok()) << m->Log();  // a clean stop writes every block
  ASSERT_TRUE(CorruptFirstBlock(m->data_dir() / "db", "bad.b", core::RealClock::Get()).ok());
  ASSERT_TRUE(m->Restart().ok()) << m->Log();
  const HttpParams params = {{"target", "sumSeries(bad.b)"},
                             {"from", std::to_string(base - 1)},
                             {"until", std::to_string(base + 3000)},
                             {"format", "json"}};
  auto r = m->Get("/render", params);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_NE(r->Header("X-Meridian-Partial").find("storage (damaged data in bad.b: corrupt block"),
            std::string::npos)
      << r->Header("X-Meridian-Partial");
  EXPECT_EQ(r->Header("Cache-Control"), "no-store");
  EXPECT_NE(r->body.find("[299.0, "), std::string::npos);  // the rest is there
  HttpParams deny = params;
  deny.emplace_back("partial", "deny");
  auto refused = m->Get("/render", deny);
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->status, 503) << refused->body;
  EXPECT_NE(m->Log().find("of series 'bad.b' skipped"), std::string::npos) << m->Log();

  // meridian verify finds it (exit 1), repair deletes it (exit 0), verify is then clean, and the
  // restarted server answers without a marker (the block's slots are gone, as the read skipped).
  ASSERT_TRUE(m->Stop().ok());
  TempDir scratch("meridian-verify");
  auto run = [&](const char* command) {
    SubprocessOptions o;
    o.argv = {MERIDIAN_BINARY, command, "--data-dir", m->data_dir().string()};
    return RunAndCapture(o, scratch.path(), 60s);
  };
  auto verify = run("verify");
  ASSERT_FALSE(verify.ok());  // exit 1
  EXPECT_NE(verify.status().message().find("series 'bad.b' archive 0 block from "),
            std::string::npos)
      << verify.status().message();
  EXPECT_NE(verify.status().message().find("1 that do not decode"), std::string::npos)
      << verify.status().message();
  auto repair = run("repair");
  ASSERT_TRUE(repair.ok()) << repair.status().message();
  EXPECT_NE(repair->find("(1 deleted); 0 unreadable ranges; RocksDB checksums: ok"),
            std::string::npos)
      << *repair;
  auto again = run("verify");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_NE(again->find("0 that do not decode"), std::string::npos) << *again;
  ASSERT_TRUE(m->Restart().ok()) << m->Log();
  auto after = m->Get("/render", params);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->status, 200);
  EXPECT_EQ(after->Header("X-Meridian-Partial"), "");
  EXPECT_NE(after->body.find("[299.0, "), std::string::npos);
  // A store in use is refused, not damaged.
  auto busy = run("verify");
  ASSERT_FALSE(busy.ok());
  EXPECT_NE(busy.status().message().find("is meridian running on it?"), std::string::npos)
      << busy.status().message();
}

}  // namespace
}  // namespace meridian::testing
