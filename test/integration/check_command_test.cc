// `meridian check` as Nagios runs it: the real binary against a real `meridian serve`, asserting
// exit codes and the exact plugin output on stdout.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/meridian_process.h"
#include "support/process.h"

namespace meridian::testing {
namespace {

using namespace std::chrono_literals;

struct PluginRun {
  int exit_code = -1;
  std::string stdout_text;
  std::string stderr_text;
};

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

// Runs `meridian check ARGS` with stdout and stderr captured apart.
PluginRun RunCheck(const TempDir& dir, const std::vector<std::string>& args) {
  const std::string err_path = dir.Sub("stderr");
  SubprocessOptions o;
  o.argv = {"/bin/sh", "-c", "exec \"$0\" \"$@\" 2>\"$CHECK_STDERR\"", MERIDIAN_BINARY, "check"};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.env = {"CHECK_STDERR=" + err_path};
  o.log_path = dir.Sub("stdout");
  PluginRun run;
  auto proc = Subprocess::Start(o);
  EXPECT_TRUE(proc.ok()) << proc.status().ToString();
  if (!proc.ok()) return run;
  auto code = (*proc)->Wait(30s);
  EXPECT_TRUE(code.has_value()) << "meridian check did not finish";
  run.exit_code = code.value_or(-1);
  run.stdout_text = ReadFileOrEmpty(o.log_path);
  run.stderr_text = ReadFileOrEmpty(err_path);
  return run;
}

class CheckCommandTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    MeridianOptions o;
    o.binary = MERIDIAN_BINARY;
    auto m = MeridianProcess::Start(o);
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    meridian_ = std::move(m).value().release();
  }
  static void TearDownTestSuite() {
    delete meridian_;
    meridian_ = nullptr;
  }

  std::string Url() const { return fmt::format("http://127.0.0.1:{}", meridian_->http_port()); }

  // Sends "name value t" lines and waits until the render API returns `points` non-null points
  // for `target` over the last 10 minutes.
  void Ingest(const std::string& lines, const std::string& target, size_t points) {
    ASSERT_TRUE(meridian_->SendTcp(lines).ok());
    ASSERT_TRUE(WaitFor([&] { return CountPoints(target) == points; }, 10s)) << meridian_->Log();
  }

  size_t CountPoints(const std::string& target) const {
    auto r = meridian_->Render(target, "-10min");
    if (!r.ok()) return 0;
    size_t n = 0;
    for (const auto& s : *r) {
      for (const auto& dp : s["datapoints"]) n += dp[0].is_null() ? 0 : 1;
    }
    return n;
  }

  PluginRun Check(const std::vector<std::string>& args) const { return RunCheck(dir_, args); }

  // -w/-c plus the usual flags.
  PluginRun CheckTarget(const std::string& target, const std::string& warn, const std::string& crit,
                        std::vector<std::string> extra = {}) const {
    std::vector<std::string> args{"--url", Url(), "--target", target, "-w", warn, "-c", crit};
    args.insert(args.end(), extra.begin(), extra.end());
    return Check(args);
  }

  static MeridianProcess* meridian_;
  TempDir dir_{"meridian-check"};
};

MeridianProcess* CheckCommandTest::meridian_ = nullptr;

std::string FirstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

TEST_F(CheckCommandTest, OkWithAverageOfTheWindow) {
  const int64_t t = Now();
  Ingest(fmt::format("chk.ok.conns 10 {}\nchk.ok.conns 20 {}\n", t - 120, t - 60), "chk.ok.conns",
         2);
  auto r = CheckTarget("chk.ok.conns", "100", "300");
  EXPECT_EQ(r.exit_code, 0) << r.stdout_text << r.stderr_text;
  EXPECT_EQ(r.stdout_text, "METRIC OK - chk.ok.conns=15 (avg 5min) | chk.ok.conns=15;100;300\n");
  EXPECT_EQ(r.stderr_text, "");
}

TEST_F(CheckCommandTest, WarningWithLabelAndReducer) {
  const int64_t t = Now();
  Ingest(fmt::format("chk.warn.conns 150 {}\nchk.warn.conns 50 {}\n", t - 120, t - 60),
         "chk.warn.conns", 2);
  auto r = CheckTarget("chk.warn.conns", "100", "300",
                       {"--reduce", "max", "--label", "CONNS", "--window", "10min"});
  EXPECT_EQ(r.exit_code, 1) << r.stdout_text;
  EXPECT_EQ(r.stdout_text,
            "CONNS WARNING - chk.warn.conns=150 (max 10min) | chk.warn.conns=150;100;300\n");
}

TEST_F(CheckCommandTest, Critical) {
  Ingest(fmt::format("chk.crit.conns 350 {}\n", Now() - 30), "chk.crit.conns", 1);
  auto r = CheckTarget("chk.crit.conns", "100", "300");
  EXPECT_EQ(r.exit_code, 2) << r.stdout_text;
  EXPECT_EQ(r.stdout_text,
            "METRIC CRITICAL - chk.crit.conns=350 (avg 5min) | chk.crit.conns=350;100;300\n");
}

TEST_F(CheckCommandTest, WorstSeriesWinsAndOffendersAreNamed) {
  const int64_t t = Now() - 30;
  Ingest(fmt::format("chk.multi.db1.conns 12 {0}\nchk.multi.db2.conns 350 {0}\n"
                     "chk.multi.db3.conns 150 {0}\n",
                     t),
         "chk.multi.*.conns", 3);
  auto r = CheckTarget("chk.multi.*.conns", "100", "300");
  EXPECT_EQ(r.exit_code, 2) << r.stdout_text;
  EXPECT_EQ(r.stdout_text,
            "METRIC CRITICAL - 1 of 3 series critical: chk.multi.db2.conns=350; 1 warning: "
            "chk.multi.db3.conns=150 (avg 5min) | chk.multi.db1.conns=12;100;300 "
            "chk.multi.db2.conns=350;100;300 chk.multi.db3.conns=150;100;300\n"
            "CRITICAL: chk.multi.db2.conns=350\n"
            "WARNING: chk.multi.db3.conns=150\n"
            "OK: chk.multi.db1.conns=12\n");
}

TEST_F(CheckCommandTest, InsideRangeAlerts) {
  Ingest(fmt::format("chk.inside.v 15 {}\n", Now() - 30), "chk.inside.v", 1);
  auto inside = CheckTarget("chk.inside.v", "@5:9", "@10:20");
  EXPECT_EQ(inside.exit_code, 2) << inside.stdout_text;
  EXPECT_EQ(inside.stdout_text,
            "METRIC CRITICAL - chk.inside.v=15 (avg 5min) | chk.inside.v=15;@5:9;@10:20\n");
  auto outside = CheckTarget("chk.inside.v", "@5:9", "@30:40");
  EXPECT_EQ(outside.exit_code, 0) << outside.stdout_text;
}

TEST_F(CheckCommandTest, NoMatchingSeriesIsUnknown) {
  auto r = CheckTarget("chk.nothing.*", "1", "2");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.stdout_text,
            "METRIC UNKNOWN - target 'chk.nothing.*' matched no series in the last 5min\n");
}

TEST_F(CheckCommandTest, NoDataInTheWindowIsUnknown) {
  Ingest(fmt::format("chk.old.v 5 {}\n", Now() - 400), "chk.old.v", 1);
  auto r = CheckTarget("chk.old.v", "1", "2", {"--window", "2min"});
  EXPECT_EQ(r.exit_code, 3) << r.stdout_text;
  EXPECT_EQ(FirstLine(r.stdout_text),
            "METRIC UNKNOWN - no data for chk.old.v in the last 2min | "
            "chk.old.v=U;1;2");
}

TEST_F(CheckCommandTest, ServerDownIsUnknown) {
  const uint16_t closed = FreeTcpPort();
  auto r = Check({"--url", fmt::format("http://127.0.0.1:{}", closed), "--target", "a", "-w", "1",
                  "-c", "2", "--timeout", "5s"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_TRUE(r.stdout_text.starts_with(
      fmt::format("METRIC UNKNOWN - cannot render 'a': http://127.0.0.1:{}/render: ", closed)))
      << r.stdout_text;
  EXPECT_EQ(std::count(r.stdout_text.begin(), r.stdout_text.end(), '\n'), 1);
}

TEST_F(CheckCommandTest, BadRangeIsUnknownWithUsageOnStderr) {
  auto r = CheckTarget("chk.ok.conns", "10:5", "300");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_TRUE(r.stdout_text.starts_with(
      "METRIC UNKNOWN - bad -w: threshold range '10:5': start is greater than end"))
      << r.stdout_text;
  EXPECT_EQ(std::count(r.stdout_text.begin(), r.stdout_text.end(), '\n'), 1) << r.stdout_text;
  EXPECT_NE(r.stderr_text.find("Usage: meridian check"), std::string::npos);
}

TEST_F(CheckCommandTest, BadTargetIsUnknownWithTheServersMessage) {
  auto r = CheckTarget("sumSeries(chk.ok.*", "1", "2");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_TRUE(r.stdout_text.starts_with(
      fmt::format("METRIC UNKNOWN - cannot render 'sumSeries(chk.ok.*': HTTP 400 from "
                  "http://127.0.0.1:{}/render: ",
                  meridian_->http_port())))
      << r.stdout_text;
  EXPECT_GT(r.stdout_text.size(), 100u) << "the server's message is missing: " << r.stdout_text;
}

TEST_F(CheckCommandTest, UsageErrorsAreUnknown) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {},
           {"--url", Url(), "--target", "a"},
           {"--url", Url(), "--target", "a", "-w"},
           {"--url", Url(), "--target", "a", "-w", "1", "--x"},
           {"--url", "https://h", "--target", "a", "-c", "1"},
           {"--url", Url(), "--target", "a", "-c", "1", "--reduce", "mode"},
           {"--url", Url(), "--target", "a", "-c", "1", "--window", "5 parsecs"}}) {
    auto r = Check(args);
    EXPECT_EQ(r.exit_code, 3) << r.stdout_text;
    EXPECT_TRUE(r.stdout_text.starts_with("METRIC UNKNOWN - ")) << r.stdout_text;
    EXPECT_EQ(std::count(r.stdout_text.begin(), r.stdout_text.end(), '\n'), 1) << r.stdout_text;
  }
}

TEST_F(CheckCommandTest, HelpPrintsUsageAndExitsUnknown) {
  auto r = Check({"--help"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_TRUE(r.stdout_text.starts_with("Usage: meridian check")) << r.stdout_text;
}

// A render server that answers what the test tells it to, and records the last request.
class FakeRenderServer {
 public:
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;
  explicit FakeRenderServer(Handler handler) : handler_(std::move(handler)) {
    server_.Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        last_path_ = req.path;
        last_params_ = req.params;
      }
      handler_(req, res);
    });
    port_ = static_cast<uint16_t>(server_.bind_to_any_port("127.0.0.1"));
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FakeRenderServer() {
    server_.stop();
    thread_.join();
  }
  std::string Url(std::string_view prefix = "") const {
    return fmt::format("http://127.0.0.1:{}{}", port_, prefix);
  }
  std::string last_path() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_path_;
  }
  httplib::Params last_params() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_params_;
  }

 private:
  Handler handler_;
  httplib::Server server_;
  uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::string last_path_;
  httplib::Params last_params_;
};

PluginRun CheckAgainst(const std::string& url, std::vector<std::string> extra = {}) {
  TempDir dir("meridian-check");
  std::vector<std::string> args{"--url", url, "--target", "a.b", "-w", "10", "-c", "20"};
  args.insert(args.end(), extra.begin(), extra.end());
  return RunCheck(dir, args);
}

TEST(CheckCommandFakeServerTest, SendsRenderQueryUnderThePrefix) {
  FakeRenderServer server([](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"([{"target": "a.b", "datapoints": [[5, 100], [null, 110]]}])",
                    "application/json");
  });
  auto r = CheckAgainst(server.Url("/graphite/"), {"--window", "2h"});
  EXPECT_EQ(r.exit_code, 0) << r.stdout_text;
  EXPECT_EQ(r.stdout_text, "METRIC OK - a.b=5 (avg 2h) | a.b=5;10;20\n");
  EXPECT_EQ(server.last_path(), "/graphite/render");
  EXPECT_EQ(server.last_params(),
            (httplib::Params{
                {"format", "json"}, {"from", "-7200s"}, {"target", "a.b"}, {"until", "now"}}));
}

TEST(CheckCommandFakeServerTest, ServerErrorIsUnknownWithItsMessage) {
  FakeRenderServer server([](const httplib::Request&, httplib::Response& res) {
    res.status = 503;
    res.set_content("too many queries\n", "text/plain");
  });
  auto r = CheckAgainst(server.Url());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.stdout_text, fmt::format("METRIC UNKNOWN - cannot render 'a.b': HTTP 503 from "
                                       "{}/render: too many queries\n",
                                       server.Url()));
}

TEST(CheckCommandFakeServerTest, NonJsonAnswerIsUnknown) {
  FakeRenderServer server([](const httplib::Request&, httplib::Response& res) {
    res.set_content("<html>login</html>", "text/html");
  });
  auto r = CheckAgainst(server.Url());
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(
      r.stdout_text,
      "METRIC UNKNOWN - cannot render 'a.b': render answer is not JSON: '<html>login</html>'\n");
}

TEST(CheckCommandFakeServerTest, SilentServerTimesOut) {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  FakeRenderServer server([&](const httplib::Request&, httplib::Response& res) {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return release; });
    res.set_content("[]", "application/json");
  });
  auto r = CheckAgainst(server.Url(), {"--timeout", "1s"});
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.stdout_text,
            fmt::format("METRIC UNKNOWN - cannot render 'a.b': {}/render: no answer within 1s\n",
                        server.Url()));
}

}  // namespace
}  // namespace meridian::testing
