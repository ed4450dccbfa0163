// NscaSink against Debian's real nsca daemon: XOR and no encryption, v3 and 2.7 packets, a
// daemon that starts late, unsendable names, batches. nsca writes what it accepts into a FIFO
// command file that the test reads like Nagios would.
#include "alerting/nsca_sink.h"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "support/fifo_reader.h"
#include "support/nsca_daemon.h"
#include "support/process.h"

namespace meridian::alerting {
namespace {

using std::chrono::seconds;
using testing::FifoReader;
using testing::NscaDaemon;
using testing::NscaDaemonOptions;
using testing::TempDir;
using testing::WaitFor;

constexpr char kPassword[] = "s3cret-Pa55";

CheckResult Result(int i) {
  return {.time = 1700000000 + i,
          .host = "web1",
          .service = "latency " + std::to_string(i),
          .state = static_cast<CheckState>(i % 4),
          .output = "CRITICAL - p99 is " + std::to_string(i) +
                    " s; over 2 | p99=" + std::to_string(i) + "s;1;2;0\nsecond line C:\\temp"};
}

std::vector<CheckResult> Results(int from, int to) {
  std::vector<CheckResult> v;
  for (int i = from; i < to; ++i) v.push_back(Result(i));
  return v;
}

// What nsca writes for `r`, minus its own `[receive time] ` prefix: nsca 2.10 escapes '\' and
// newlines exactly as FormatServiceCheckResult does.
std::string ExpectedCommand(const CheckResult& r) {
  std::string line = FormatServiceCheckResult(0, r.host, r.service, r.state, r.output);
  return line.substr(line.find("] ") + 2);
}

// "[1700000000] PROCESS..." -> "PROCESS..."; empty if the prefix is malformed.
std::string StripTime(const std::string& line) {
  if (line.empty() || line[0] != '[') return "";
  size_t close = line.find("] ");
  if (close == std::string::npos) return "";
  return line.substr(close + 2);
}

class NscaSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::signal(SIGPIPE, SIG_IGN);
    ASSERT_TRUE(testing::MakeFifo(cmd_).ok());
    auto reader = FifoReader::Open(cmd_);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    reader_ = std::move(reader).value();
  }

  std::unique_ptr<NscaDaemon> StartDaemon(int method, uint16_t port = 0) {
    NscaDaemonOptions o;
    o.command_file = cmd_;
    o.decryption_method = method;
    o.password = kPassword;
    o.port = port;
    auto d = NscaDaemon::Start(o);
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    return d.ok() ? std::move(d).value() : nullptr;
  }
  NscaSinkOptions Options(uint16_t port, NscaEncryption encryption) const {
    NscaSinkOptions o;
    o.host = "127.0.0.1";
    o.port = port;
    o.password = kPassword;
    o.encryption = encryption;
    o.retry_initial_ms = 20;
    o.retry_max_ms = 100;
    o.connect_timeout_ms = 2000;
    o.io_timeout_ms = 2000;
    return o;
  }
  std::unique_ptr<NscaSink> MakeSink(const NscaSinkOptions& o) {
    auto sink = NscaSink::Create(o, metrics_);
    EXPECT_TRUE(sink.ok()) << sink.status().ToString();
    return std::move(sink).value();
  }
  uint64_t Outcome(const std::string& outcome) {
    return metrics_
        .GetCounter("alert_sink_results_total", "", {{"sink", "nsca"}, {"outcome", outcome}})
        .Value();
  }
  uint64_t Errors(const std::string& reason) {
    return metrics_
        .GetCounter("alert_sink_errors_total", "", {{"sink", "nsca"}, {"reason", reason}})
        .Value();
  }
  // Waits for want.size() more lines and compares them (nsca's receive time aside).
  void ExpectDelivered(const std::vector<CheckResult>& want, size_t first_line = 0) {
    ASSERT_TRUE(reader_->WaitForLines(first_line + want.size(), seconds(20)))
        << "got " << reader_->lines().size() << " lines";
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(StripTime(reader_->lines()[first_line + i]), ExpectedCommand(want[i]))
          << reader_->lines()[first_line + i];
    }
  }

  TempDir dir_{"nsca-sink"};
  std::string cmd_ = dir_.Sub("nagios.cmd");
  std::unique_ptr<FifoReader> reader_;
  core::MetricsRegistry metrics_;
};

TEST_F(NscaSinkTest, XorEncryptedResultsReachTheCommandFile) {
  auto daemon = StartDaemon(1);
  ASSERT_NE(daemon, nullptr);
  auto sink = MakeSink(Options(daemon->port(), NscaEncryption::kXor));
  auto want = Results(0, 4);
  sink->Submit(want);
  ExpectDelivered(want);
  EXPECT_TRUE(WaitFor([&] { return Outcome("sent") == 4; }, seconds(5)));
  int64_t now = std::time(nullptr);
  int64_t stamped = std::stoll(reader_->lines()[0].substr(1));
  EXPECT_LE(std::abs(stamped - now), 60) << "nsca stamps its receive time";
}

TEST_F(NscaSinkTest, UnencryptedResultsReachTheCommandFile) {
  auto daemon = StartDaemon(0);
  ASSERT_NE(daemon, nullptr);
  auto sink = MakeSink(Options(daemon->port(), NscaEncryption::kNone));
  auto want = Results(0, 3);
  sink->Submit(want);
  ExpectDelivered(want);
}

TEST_F(NscaSinkTest, Legacy27PacketsAreAccepted) {
  auto daemon = StartDaemon(1);
  ASSERT_NE(daemon, nullptr);
  NscaSinkOptions o = Options(daemon->port(), NscaEncryption::kXor);
  o.format = NscaPacketFormat::kLegacy27;
  auto sink = MakeSink(o);
  auto want = Results(0, 3);
  sink->Submit(want);
  ExpectDelivered(want);
}

TEST_F(NscaSinkTest, DaemonDownIsRetriedThenResultsArriveInOrder) {
  uint16_t port = testing::FreeTcpPort();
  auto sink = MakeSink(Options(port, NscaEncryption::kXor));
  auto want = Results(0, 10);
  sink->Submit(want);  // returns at once although nothing listens
  ASSERT_TRUE(WaitFor([&] { return Errors("connect") >= 3; }, seconds(10)));
  EXPECT_GE(metrics_.GetCounter("alert_sink_retries_total", "", {{"sink", "nsca"}}).Value(), 3u);
  EXPECT_EQ(Outcome("sent"), 0u);

  auto daemon = StartDaemon(1, port);
  ASSERT_NE(daemon, nullptr);
  ExpectDelivered(want);
}

TEST_F(NscaSinkTest, WrongPasswordDeliversNothingAndKeepsTheBatch) {
  auto daemon = StartDaemon(1);
  ASSERT_NE(daemon, nullptr);
  NscaSinkOptions o = Options(daemon->port(), NscaEncryption::kXor);
  o.password = "wrong";
  auto sink = MakeSink(o);
  sink->Submit(Results(0, 3));
  // The daemon closes the connection at the first packet that fails its CRC check; with more
  // packets unread that is a reset, so the batch stays queued and errors are counted.
  ASSERT_TRUE(WaitFor([&] { return Errors("reset") >= 2; }, seconds(10)));
  EXPECT_EQ(Outcome("sent"), 0u);
  reader_->Poll();
  EXPECT_TRUE(reader_->lines().empty());
}

TEST_F(NscaSinkTest, UnsendableNamesAreDroppedAndCounted) {
  auto daemon = StartDaemon(1);
  ASSERT_NE(daemon, nullptr);
  auto sink = MakeSink(Options(daemon->port(), NscaEncryption::kXor));
  std::vector<CheckResult> in = Results(0, 4);
  in[1].host = std::string(64, 'h');
  in[2].service = std::string(128, 's');
  sink->Submit(in);
  EXPECT_EQ(Outcome("dropped_invalid"), 2u);
  EXPECT_EQ(Errors("host_too_long"), 1u);
  EXPECT_EQ(Errors("service_too_long"), 1u);
  ExpectDelivered({in[0], in[3]});
}

TEST_F(NscaSinkTest, ManyResultsGoInSeveralBatchesInOrder) {
  auto daemon = StartDaemon(1);
  ASSERT_NE(daemon, nullptr);
  NscaSinkOptions o = Options(daemon->port(), NscaEncryption::kXor);
  o.batch_size = 40;
  auto sink = MakeSink(o);
  auto want = Results(0, 250);
  sink->Submit(want);
  ExpectDelivered(want);
  EXPECT_TRUE(WaitFor([&] { return Outcome("sent") == 250; }, seconds(5)));
}

}  // namespace
}  // namespace meridian::alerting
