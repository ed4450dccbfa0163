// Memory that comes back (issue 12): after a burst of large answers from several threads at once,
// the server's resident memory returns to within 20% of what it was before the burst (jemalloc's
// background purging; glibc's per-thread arenas kept their peak). The process's own gauge
// (process_resident_memory_bytes) reports it.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "support/meridian_process.h"
#include "support/process.h"

namespace meridian::testing {
namespace {

using namespace std::chrono_literals;

// VmRSS of a process in bytes, or -1.
int64_t ResidentBytes(pid_t pid) {
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  }
  return -1;
}

// Run twice: answers streamed (the default: longer than http.stream_min_bytes) and built whole
// (stream_min_bytes: 0); the printed peaks compare the two.
class MemoryTest : public ::testing::TestWithParam<const char*> {};

TEST_P(MemoryTest, ResidentMemoryComesBackAfterABurstOfLargeAnswers) {
  MeridianOptions o;
  o.binary = MERIDIAN_BINARY;
  o.config_yaml = fmt::format(
      "storage:\n  schemas:\n    - {{ pattern: '.*', retentions: '60s:1d' }}\n"
      "  self_metrics_interval: 1s\nhttp:\n  stream_min_bytes: {}\n",
      std::string_view(GetParam()) == "streamed" ? 1 << 20 : 0);
  auto started = MeridianProcess::Start(o);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  auto& m = *started;
  constexpr int kSeries = 3000, kPoints = 240;
  const int64_t end = std::time(nullptr) / 60 * 60 - 60;
  std::string lines;
  for (int s = 0; s < kSeries; ++s) {
    for (int p = 0; p < kPoints; ++p) {
      lines += fmt::format("mem.h{:04}.m{} {}.{} {}\n", s / 10, s % 10, (s * 7 + p) % 1000, p % 100,
                           end - (kPoints - 1 - p) * 60);
    }
  }
  ASSERT_TRUE(m->SendTcp(lines).ok());
  lines.clear();
  lines.shrink_to_fit();
  const HttpParams all = {{"target", "mem.*.*"},
                          {"from", std::to_string(end - kPoints * 60)},
                          {"until", std::to_string(end + 1)},
                          {"format", "json"}};
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r = m->Get("/render", {{"target", "countSeries(mem.*.*)"},
                                    {"from", std::to_string(end - 120)},
                                    {"until", std::to_string(end + 1)},
                                    {"format", "json"}});
        return r.ok() && r->status == 200 &&
               r->body.find(fmt::format("[{}.0, {}]", kSeries, end)) != std::string::npos;
      },
      120s))
      << m->Log();
  // Idle level: after one full read (caches warm), once it has settled.
  auto warm = HttpGet(m->http_port(), "/render", all, 120s);
  ASSERT_TRUE(warm.ok());
  ASSERT_EQ(warm->status, 200);
  const size_t answer_bytes = warm->body.size();
  ASSERT_GT(answer_bytes, 10u << 20);  // each answer is over 10 MB
  int64_t idle = ResidentBytes(m->pid());
  ASSERT_TRUE(WaitFor(  // settled: two samples a poll apart within 1 MiB
      [&] {
        const int64_t before = idle;
        idle = ResidentBytes(m->pid());
        return std::abs(idle - before) < (1 << 20);
      },
      30s));
  ASSERT_GT(idle, 0);

  // 50 large answers, four at a time.
  std::atomic<int> ok{0};
  int64_t peak = idle;
  std::vector<std::thread> clients;
  std::atomic<bool> done{false};
  std::thread sampler([&] {  // samples the peak until the clients are done
    WaitFor(
        [&] {
          peak = std::max(peak, ResidentBytes(m->pid()));
          return done.load();
        },
        600s);
  });
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      for (int i = t; i < 50; i += 4) {
        auto r = HttpGet(m->http_port(), "/render", all, 120s);
        if (r.ok() && r->status == 200 && r->body.size() == answer_bytes) ++ok;
      }
    });
  }
  for (auto& c : clients) c.join();
  done = true;
  sampler.join();
  EXPECT_EQ(ok.load(), 50);
  // Back within 20% of the idle level (the allocator purges freed pages within seconds).
  int64_t now = 0;
  const bool returned = WaitFor(
      [&] {
        now = ResidentBytes(m->pid());
        return now > 0 && now <= idle * 12 / 10;
      },
      60s);
  EXPECT_TRUE(returned) << "idle " << idle / 1048576 << " MB, peak " << peak / 1048576
                        << " MB, now " << now / 1048576 << " MB";
  std::cout << "memory (" << GetParam() << "): idle " << idle / 1048576
            << " MB, peak during 50 answers of " << answer_bytes / 1048576
            << " MB: " << peak / 1048576 << " MB, after: " << now / 1048576 << " MB\n";
  // The gauge reports it too.
  EXPECT_TRUE(WaitFor(
      [&] {
        auto metrics = m->Get("/metrics");
        return metrics.ok() &&
               metrics->body.find("meridian_process_resident_memory_bytes ") != std::string::npos;
      },
      10s));
}

INSTANTIATE_TEST_SUITE_P(AnswersStreamedOrWhole, MemoryTest, ::testing::Values("streamed", "whole"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace meridian::testing
