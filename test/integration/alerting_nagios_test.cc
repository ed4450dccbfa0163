// The whole alerting path with the real receivers: Meridian evaluates rule files over ingested
// data and delivers passive results to Debian's nagios4 through its command pipe (and through
// Debian's nsca daemon), whose status.dat must show what Meridian sent.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "support/meridian_process.h"
#include "support/nagios.h"
#include "support/nsca_daemon.h"
#include "support/process.h"

namespace meridian::testing {
namespace {

using std::chrono::seconds;

constexpr const char* kRules = R"(group: eu-west-db
interval: 1s
rules:
  - name: pg-conns
    target: eu-west.db*.pg.conns
    window: 3s
    reduce: last
    warning: "~:150"
    critical: "~:300"
    no_data: unknown
    nagios:
      host: "{node:1}"
      service: "pg-conns"
    output: "{name} connections {value}"
)";

// 1-second resolution so that a stopped series leaves the 3 s window quickly.
std::string MeridianConfig(const std::string& rules_dir, const std::string& extra) {
  return "storage:\n  schemas:\n    - { pattern: \".*\", retentions: \"1s:1h\" }\n"
         "alerting:\n  rules_dir: " +
         rules_dir + "\n" + extra;
}

// Sends the current value of every active series each 200 ms, as collectd would.
class Feeder {
 public:
  explicit Feeder(const MeridianProcess& meridian) : meridian_(meridian) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~Feeder() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void Set(const std::string& name, double value) {
    std::lock_guard lock(mu_);
    values_[name] = value;
  }
  void Remove(const std::string& name) {
    std::lock_guard lock(mu_);
    values_.erase(name);
  }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    // One round every 200 ms (the sender's own pace) until the feeder is destroyed.
    while (!cv_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stop_; })) {
      std::string lines;
      const auto now =
          std::chrono::duration_cast<seconds>(std::chrono::system_clock::now().time_since_epoch())
              .count();
      for (const auto& [name, value] : values_) {
        lines += name + " " + std::to_string(value) + " " + std::to_string(now) + "\n";
      }
      lock.unlock();
      // A send can fail while Meridian restarts; the next round sends again.
      if (!lines.empty()) meridian_.SendTcp(lines).IgnoreError();
      lock.lock();
    }
  }

  const MeridianProcess& meridian_;
  std::mutex mu_;
  std::map<std::string, double> values_;
  bool stop_ = false;  // guarded by mu_
  std::condition_variable cv_;
  std::thread thread_;
};

class AlertingNagiosTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(WriteFile(rules_.path() / "db.yaml", kRules).ok()); }

  std::unique_ptr<MeridianProcess> StartMeridian(const std::string& sink_config) {
    MeridianOptions o;
    o.binary = MERIDIAN_BINARY;
    o.config_yaml = MeridianConfig(rules_.path().string(), sink_config);
    auto m = MeridianProcess::Start(o);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? std::move(*m) : nullptr;
  }

  // `meridian export-nagios` against the running server: the objects Nagios loads.
  std::string Export(const MeridianProcess& m) {
    SubprocessOptions o;
    const std::string out = scratch_.Sub("objects.cfg");
    o.argv = {"/bin/sh", "-c",
              std::string(MERIDIAN_BINARY) +
                  " export-nagios --contact-groups meridian-test-oncall --rules " +
                  rules_.path().string() +
                  " --url http://127.0.0.1:" + std::to_string(m.http_port()) + " > " + out};
    auto run = RunAndCapture(o, scratch_.path(), seconds(30));
    EXPECT_TRUE(run.ok()) << run.status().ToString();
    // The export goes into an existing Nagios config; NagiosBaseObjects() stands in for the
    // rest of it (Nagios refuses to start without a contact).
    return NagiosBaseObjects() +
           "define contactgroup {\n  contactgroup_name meridian-test-oncall\n"
           "  members meridian-test-nobody\n}\n" +
           ReadFileOrEmpty(out);
  }

  // Waits until Meridian's own API shows `host` evaluated with data (so export sees it).
  bool WaitForChecks(const MeridianProcess& m, size_t count) {
    return WaitFor(
        [&] {
          auto r = m.Get("/api/alerts");
          if (!r.ok() || r->status != 200) return false;
          auto j = nlohmann::json::parse(r->body, nullptr, false);
          return j.is_array() && j.size() >= count;
        },
        seconds(20));
  }

  TempDir rules_{"meridian-rules"};
  TempDir scratch_{"meridian-alerting"};
};

auto State(const std::string& state) {
  return [state](const NagiosStatusBlock& b) {
    auto it = b.find("current_state");
    return it != b.end() && it->second == state;
  };
}

TEST_F(AlertingNagiosTest, PassiveResultsReachNagiosThroughTheCommandPipe) {
  // A first Meridian sees the series, so that export-nagios can name every check.
  auto meridian = StartMeridian("");
  ASSERT_NE(meridian, nullptr);
  Feeder feed(*meridian);
  feed.Set("eu-west.db1.pg.conns", 100);
  feed.Set("eu-west.db2.pg.conns", 200);
  feed.Set("eu-west.db3.pg.conns", 400);
  feed.Set("eu-west.db4.pg.conns", 50);
  ASSERT_TRUE(WaitForChecks(*meridian, 4)) << meridian->Log();
  const std::string objects = Export(*meridian);
  ASSERT_NE(objects.find("db4"), std::string::npos) << objects;
  ASSERT_TRUE(Nagios::Verify(objects).ok()) << Nagios::Verify(objects).ToString();

  NagiosOptions options;
  options.objects = objects;
  Nagios nagios(options);
  ASSERT_TRUE(meridian->Stop().ok());
  // Meridian with its pipe sink on this Nagios's FIFO, started before Nagios: the sink retries
  // (with backoff) until Nagios creates the FIFO and reads it.
  auto with_pipe =
      StartMeridian("  nagios: { command_file: " + nagios.command_file().string() + " }\n");
  ASSERT_NE(with_pipe, nullptr);
  Feeder feed2(*with_pipe);
  feed2.Set("eu-west.db1.pg.conns", 100);
  feed2.Set("eu-west.db2.pg.conns", 200);
  feed2.Set("eu-west.db3.pg.conns", 400);
  feed2.Set("eu-west.db4.pg.conns", 50);
  ASSERT_TRUE(nagios.Start().ok()) << nagios.ProcessOutput();

  NagiosStatusBlock last;
  ASSERT_TRUE(nagios.WaitForService("db3", "pg-conns", State("2"), seconds(30), &last))
      << last["plugin_output"] << "\n"
      << nagios.ReadLog() << with_pipe->Log();
  EXPECT_EQ(last["plugin_output"], "CRITICAL - eu-west.db3.pg.conns connections 400");
  EXPECT_EQ(last["performance_data"], "pg-conns=400;~:150;~:300");
  EXPECT_EQ(last["check_type"], "1");  // passive
  ASSERT_TRUE(nagios.WaitForService("db2", "pg-conns", State("1"), seconds(10), &last));
  EXPECT_EQ(last["plugin_output"], "WARNING - eu-west.db2.pg.conns connections 200");
  ASSERT_TRUE(nagios.WaitForService("db1", "pg-conns", State("0"), seconds(10), &last));
  EXPECT_EQ(last["plugin_output"], "OK - eu-west.db1.pg.conns connections 100");

  // db4 stops reporting: UNKNOWN, not forgotten.
  feed2.Remove("eu-west.db4.pg.conns");
  ASSERT_TRUE(nagios.WaitForService("db4", "pg-conns", State("3"), seconds(20), &last))
      << last["plugin_output"];
  EXPECT_EQ(last["plugin_output"], "UNKNOWN - eu-west.db4.pg.conns connections no data");
  EXPECT_EQ(last["performance_data"], "pg-conns=U;~:150;~:300");

  // Recovery.
  feed2.Set("eu-west.db3.pg.conns", 120);
  ASSERT_TRUE(nagios.WaitForService("db3", "pg-conns", State("0"), seconds(20), &last))
      << last["plugin_output"];

  // Nagios goes away: evaluation goes on (nothing blocks); results flow again when it returns.
  ASSERT_TRUE(nagios.Stop().ok());
  feed2.Set("eu-west.db1.pg.conns", 500);
  ASSERT_TRUE(WaitFor(
      [&] {
        auto r = with_pipe->Get("/api/alerts", {{"host", "db1"}});
        return r.ok() && r->body.find("\"CRITICAL\"") != std::string::npos;
      },
      seconds(20)));
  auto metrics = with_pipe->Get("/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("meridian_alert_sink_retries_total{sink=\"nagios\"}"),
            std::string::npos);
  ASSERT_TRUE(nagios.Start().ok()) << nagios.ProcessOutput();
  ASSERT_TRUE(nagios.WaitForService("db1", "pg-conns", State("2"), seconds(30), &last))
      << last["plugin_output"] << with_pipe->Log();

  // A Meridian restart keeps the states: db2 has been WARNING since the same moment.
  auto before = with_pipe->Get("/api/alerts", {{"host", "db2"}});
  ASSERT_TRUE(before.ok());
  auto before_json = nlohmann::json::parse(before->body);
  ASSERT_EQ(before_json.size(), 1u);
  ASSERT_TRUE(with_pipe->Stop().ok());
  ASSERT_TRUE(with_pipe->Restart().ok());
  ASSERT_TRUE(WaitFor(
      [&] {
        auto after = with_pipe->Get("/api/alerts", {{"host", "db2"}});
        if (!after.ok()) return false;
        auto j = nlohmann::json::parse(after->body, nullptr, false);
        return j.is_array() && j.size() == 1 && j[0]["state"] == "WARNING" &&
               j[0]["state_since"] == before_json[0]["state_since"] &&
               j[0]["last_evaluation"] != before_json[0]["last_evaluation"];
      },
      seconds(20)))
      << with_pipe->Log();
  auto history = with_pipe->Get("/api/alerts/history", {{"host", "db3"}});
  ASSERT_TRUE(history.ok());
  auto h = nlohmann::json::parse(history->body);
  ASSERT_GE(h.size(), 2u);
  EXPECT_EQ(h[0]["to"], "OK");
  EXPECT_EQ(h[0]["from"], "CRITICAL");
}

TEST_F(AlertingNagiosTest, NscaDaemonDeliversMeridiansResultsToNagios) {
  auto seed = StartMeridian("");
  ASSERT_NE(seed, nullptr);
  {
    Feeder feed(*seed);
    feed.Set("eu-west.db7.pg.conns", 999);
    ASSERT_TRUE(WaitForChecks(*seed, 1));
  }
  const std::string objects = Export(*seed);
  ASSERT_TRUE(seed->Stop().ok());

  NagiosOptions options;
  options.objects = objects;
  Nagios nagios(options);
  ASSERT_TRUE(nagios.Start().ok()) << nagios.ProcessOutput();
  NscaDaemonOptions d;
  d.command_file = nagios.command_file();
  d.decryption_method = 1;
  d.password = "s3cret";
  auto nsca = NscaDaemon::Start(d);
  ASSERT_TRUE(nsca.ok()) << nsca.status().ToString();

  auto meridian =
      StartMeridian("  nsca: { host: 127.0.0.1, port: " + std::to_string((*nsca)->port()) +
                    ", password: s3cret, encryption: xor }\n");
  ASSERT_NE(meridian, nullptr);
  Feeder feed(*meridian);
  feed.Set("eu-west.db7.pg.conns", 999);
  NagiosStatusBlock last;
  ASSERT_TRUE(nagios.WaitForService("db7", "pg-conns", State("2"), seconds(30), &last))
      << last["plugin_output"] << nagios.ReadLog() << meridian->Log();
  EXPECT_EQ(last["plugin_output"], "CRITICAL - eu-west.db7.pg.conns connections 999");
  EXPECT_EQ(last["performance_data"], "pg-conns=999;~:150;~:300");
}

}  // namespace
}  // namespace meridian::testing
