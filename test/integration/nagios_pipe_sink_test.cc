// NagiosPipeSink against a real FIFO: a missing or vanishing reader never blocks Submit(), lines
// arrive in order once a reader is back, a regular file is never written, the queue bound drops
// the oldest, and every line is one atomic write even next to another writer.
#include "alerting/nagios_pipe_sink.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <string>
#include <thread>
#include <vector>

#include "support/fifo_reader.h"
#include "support/process.h"

namespace meridian::alerting {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::FifoReader;
using testing::TempDir;
using testing::WaitFor;

CheckResult Result(int i, size_t pad = 0) {
  return {.time = 1700000000 + i,
          .host = "web1",
          .service = "svc-" + std::to_string(i),
          .state = static_cast<CheckState>(i % 4),
          .output = "CRITICAL - p99 is " + std::to_string(i) + " s | p99=" + std::to_string(i) +
                    "s;1;2\nsecond line with a \\ backslash" + std::string(pad, 'x')};
}

std::vector<CheckResult> Results(int from, int to, size_t pad = 0) {
  std::vector<CheckResult> v;
  for (int i = from; i < to; ++i) v.push_back(Result(i, pad));
  return v;
}

std::string Line(const CheckResult& r) {
  return FormatServiceCheckResult(r.time, r.host, r.service, r.state, r.output);
}

class NagiosPipeSinkTest : public ::testing::Test {
 protected:
  void SetUp() override { std::signal(SIGPIPE, SIG_IGN); }

  NagiosPipeSinkOptions Options() const {
    NagiosPipeSinkOptions o;
    o.path = path_;
    o.retry_initial_ms = 10;
    o.retry_max_ms = 50;
    o.write_timeout_ms = 2000;
    o.stop_timeout_ms = 1000;
    return o;
  }
  std::unique_ptr<NagiosPipeSink> MakeSink(const NagiosPipeSinkOptions& o) {
    auto sink = NagiosPipeSink::Create(o, metrics_);
    EXPECT_TRUE(sink.ok()) << sink.status().ToString();
    return std::move(sink).value();
  }
  uint64_t Outcome(const std::string& outcome) {
    return metrics_
        .GetCounter("alert_sink_results_total", "", {{"sink", "nagios"}, {"outcome", outcome}})
        .Value();
  }
  uint64_t Errors(const std::string& reason) {
    return metrics_
        .GetCounter("alert_sink_errors_total", "", {{"sink", "nagios"}, {"reason", reason}})
        .Value();
  }
  uint64_t Retries() {
    return metrics_.GetCounter("alert_sink_retries_total", "", {{"sink", "nagios"}}).Value();
  }
  std::unique_ptr<FifoReader> OpenReader() {
    auto reader = FifoReader::Open(path_);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    return std::move(reader).value();
  }
  void ExpectLines(const FifoReader& reader, size_t first_line,
                   const std::vector<CheckResult>& want) {
    ASSERT_GE(reader.lines().size(), first_line + want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(reader.lines()[first_line + i], Line(want[i])) << "line " << first_line + i;
    }
  }

  TempDir dir_{"nagios-pipe-sink"};
  std::string path_ = dir_.Sub("nagios.cmd");
  core::MetricsRegistry metrics_;
};

TEST_F(NagiosPipeSinkTest, NoReaderRetriesThenDeliversInOrderOnceReaderOpens) {
  ASSERT_TRUE(testing::MakeFifo(path_).ok());
  auto sink = MakeSink(Options());
  auto want = Results(0, 50);
  sink->Submit(want);  // returns at once although nobody reads the FIFO
  ASSERT_TRUE(WaitFor([&] { return Errors("no_reader") >= 3 && Retries() >= 3; }, seconds(10)));
  EXPECT_EQ(Outcome("sent"), 0u);

  auto reader = OpenReader();
  ASSERT_TRUE(reader->WaitForLines(50, seconds(10)));
  ExpectLines(*reader, 0, want);
  EXPECT_TRUE(WaitFor([&] { return Outcome("sent") == 50; }, seconds(5)));
  EXPECT_EQ(reader->partial(), "");
}

TEST_F(NagiosPipeSinkTest, MissingFifoIsRetriedAndNeverCreated) {
  auto sink = MakeSink(Options());
  auto want = Results(0, 5);
  sink->Submit(want);
  ASSERT_TRUE(WaitFor([&] { return Errors("missing") >= 3; }, seconds(10)));
  EXPECT_FALSE(std::filesystem::exists(path_));

  ASSERT_TRUE(testing::MakeFifo(path_).ok());  // "Nagios starts"
  auto reader = OpenReader();
  ASSERT_TRUE(reader->WaitForLines(5, seconds(10)));
  ExpectLines(*reader, 0, want);
}

TEST_F(NagiosPipeSinkTest, ReaderGoesAwayAndComesBackWithoutLoss) {
  ASSERT_TRUE(testing::MakeFifo(path_).ok());
  auto sink = MakeSink(Options());
  auto reader = OpenReader();
  auto first = Results(0, 10);
  sink->Submit(first);
  ASSERT_TRUE(reader->WaitForLines(10, seconds(10)));
  ExpectLines(*reader, 0, first);

  reader->Close();  // "Nagios stops"
  auto second = Results(10, 30);
  for (const CheckResult& r : second) sink->Submit({&r, 1});
  ASSERT_TRUE(
      WaitFor([&] { return Errors("reader_gone") >= 1 && Errors("no_reader") >= 2; }, seconds(10)));

  auto reader2 = OpenReader();  // "Nagios is back"
  ASSERT_TRUE(reader2->WaitForLines(20, seconds(10)));
  ExpectLines(*reader2, 0, second);
  auto third = Results(30, 35);
  sink->Submit(third);
  ASSERT_TRUE(reader2->WaitForLines(25, seconds(10)));
  ExpectLines(*reader2, 20, third);
  EXPECT_TRUE(WaitFor([&] { return Outcome("sent") == 35; }, seconds(5)));
  EXPECT_EQ(Outcome("dropped_queue_full"), 0u);
}

TEST_F(NagiosPipeSinkTest, RegularFileIsNeverWritten) {
  ASSERT_TRUE(testing::WriteFile(path_, "not a fifo\n").ok());
  auto sink = MakeSink(Options());
  sink->Submit(Results(0, 3));
  ASSERT_TRUE(WaitFor([&] { return Errors("not_fifo") >= 3; }, seconds(10)));
  sink->Stop();
  EXPECT_EQ(testing::ReadFileOrEmpty(path_), "not a fifo\n");
  EXPECT_EQ(Outcome("sent"), 0u);
  EXPECT_EQ(Outcome("dropped_shutdown"), 3u);
}

TEST_F(NagiosPipeSinkTest, QueueBoundDropsOldest) {
  ASSERT_TRUE(testing::MakeFifo(path_).ok());
  NagiosPipeSinkOptions o = Options();
  o.max_queued_results = 5;
  auto sink = MakeSink(o);
  auto all = Results(0, 20);
  sink->Submit(all);
  EXPECT_EQ(Outcome("dropped_queue_full"), 15u);

  auto reader = OpenReader();
  ASSERT_TRUE(reader->WaitForLines(5, seconds(10)));
  ExpectLines(*reader, 0, std::vector<CheckResult>(all.begin() + 15, all.end()));
  EXPECT_TRUE(WaitFor([&] { return Outcome("sent") == 5; }, seconds(5)));
}

TEST_F(NagiosPipeSinkTest, StopReturnsPromptlyAndCountsWhatIsLeft) {
  ASSERT_TRUE(testing::MakeFifo(path_).ok());
  NagiosPipeSinkOptions o = Options();
  o.retry_initial_ms = 60000;  // the sink sits in a long backoff when Stop() comes
  o.retry_max_ms = 60000;
  auto sink = MakeSink(o);
  sink->Submit(Results(0, 7));
  ASSERT_TRUE(WaitFor([&] { return Retries() >= 1; }, seconds(10)));
  auto start = std::chrono::steady_clock::now();
  sink->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(5));
  EXPECT_EQ(Outcome("dropped_shutdown"), 7u);
  sink->Submit(Results(7, 8));  // after Stop: dropped, counted
  EXPECT_EQ(Outcome("dropped_shutdown"), 8u);
}

TEST_F(NagiosPipeSinkTest, StopFlushesWhenReaderIsThere) {
  ASSERT_TRUE(testing::MakeFifo(path_).ok());
  auto reader = OpenReader();
  auto sink = MakeSink(Options());
  auto want = Results(0, 100);
  sink->Submit(want);
  sink->Stop();  // 100 short lines fit in the pipe buffer: Stop() writes them all
  EXPECT_EQ(Outcome("sent"), 100u);
  EXPECT_EQ(Outcome("dropped_shutdown"), 0u);
  reader->Poll();
  ExpectLines(*reader, 0, want);
}

// Long lines (about 3.5 KB) from the sink and from a second writer fill the 64 KB pipe many times
// over; with one write() per line below PIPE_BUF no line is ever torn or mixed.
TEST_F(NagiosPipeSinkTest, LinesNeverInterleaveWithAnotherWriter) {
  ASSERT_TRUE(testing::MakeFifo(path_).ok());
  auto reader = OpenReader();
  constexpr int kOurs = 300;
  constexpr int kTheirs = 300;
  auto want = Results(0, kOurs, 3400);
  for (const CheckResult& r : want) ASSERT_LT(Line(r).size(), 4096u);
  std::thread other([&] {
    int fd = open(path_.c_str(), O_WRONLY | O_CLOEXEC);  // blocking writer, like a Nagios CGI
    ASSERT_GE(fd, 0);
    for (int i = 0; i < kTheirs; ++i) {
      std::string line = "[1] OTHER;" + std::to_string(i) + ";" + std::string(3500, 'o') + "\n";
      ASSERT_EQ(write(fd, line.data(), line.size()), static_cast<ssize_t>(line.size()));
    }
    close(fd);
  });
  auto sink = MakeSink(Options());
  for (const CheckResult& r : want) sink->Submit({&r, 1});
  bool all = reader->WaitForLines(kOurs + kTheirs, seconds(30));
  other.join();
  ASSERT_TRUE(all) << reader->lines().size();
  std::vector<std::string> ours;
  int theirs = 0;
  for (const std::string& line : reader->lines()) {
    if (line.starts_with("[1] OTHER;")) {
      EXPECT_EQ(line, "[1] OTHER;" + std::to_string(theirs) + ";" + std::string(3500, 'o') + "\n");
      ++theirs;
    } else {
      ours.push_back(line);
    }
  }
  EXPECT_EQ(theirs, kTheirs);
  ASSERT_EQ(ours.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(ours[i], Line(want[i])) << i;
  EXPECT_EQ(reader->partial(), "");
}

}  // namespace
}  // namespace meridian::alerting
