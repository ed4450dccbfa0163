// The Nagios harness against Debian's real nagios4: config verification, passive results through
// the command FIFO as Nagios's status.dat reports them, restart.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <string>

#include "support/nagios.h"

namespace meridian::testing {
namespace {

using namespace std::chrono_literals;

std::string Objects() { return NagiosBaseObjects() + NagiosPassiveService("web01", "disk io"); }

NagiosOptions Options() {
  NagiosOptions o;
  o.objects = Objects();
  return o;
}

std::string ServiceResult(int64_t epoch, int code, std::string_view output) {
  return fmt::format("[{}] PROCESS_SERVICE_CHECK_RESULT;web01;disk io;{};{}", epoch, code, output);
}

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

std::string Field(const NagiosStatusBlock& block, const std::string& key) {
  auto it = block.find(key);
  return it == block.end() ? "" : it->second;
}

TEST(NagiosHarnessTest, VerifyAcceptsPassiveServiceDefinition) {
  auto st = Nagios::Verify(Objects());
  EXPECT_TRUE(st.ok()) << st.ToString();
}

TEST(NagiosHarnessTest, VerifyRejectsServiceOnUnknownHostWithNagiosMessage) {
  const std::string broken = NagiosBaseObjects() + R"(define service {
  host_name           nosuchhost
  service_description s
  check_command       meridian-test-dummy!0!ok
  max_check_attempts  1
  check_period        meridian-test-24x7
  contacts            meridian-test-nobody
}
)";
  auto st = Nagios::Verify(broken);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("nosuchhost"), std::string::npos) << st.message();
}

TEST(NagiosHarnessTest, VerifyRejectsSyntaxError) {
  auto st = Nagios::Verify(NagiosBaseObjects() + "define host {\n  host_name x\n");
  EXPECT_FALSE(st.ok());
}

TEST(NagiosHarnessTest, PassiveResultThroughFifoReachesStatusDat) {
  Nagios nagios(Options());
  ASSERT_TRUE(nagios.Start().ok()) << nagios.ProcessOutput();
  ASSERT_TRUE(std::filesystem::is_fifo(nagios.command_file()));

  const int64_t t = Now();
  ASSERT_TRUE(nagios.SubmitCommand(ServiceResult(t, 2, "CRIT - x | v=1;2;3")).ok());
  NagiosStatusBlock last;
  ASSERT_TRUE(nagios.WaitForService(
      "web01", "disk io",
      [&](const NagiosStatusBlock& b) { return Field(b, "last_check") == fmt::format("{}", t); },
      20s, &last))
      << nagios.ReadLog();
  EXPECT_EQ(last["current_state"], "2");
  EXPECT_EQ(last["plugin_output"], "CRIT - x");
  EXPECT_EQ(last["performance_data"], "v=1;2;3");
  EXPECT_EQ(last["check_type"], "1");  // passive
  EXPECT_EQ(last["state_type"], "1");  // HARD: max_check_attempts 1
  EXPECT_EQ(last["has_been_checked"], "1");
  EXPECT_NE(nagios.ReadLog().find("SERVICE ALERT: web01;disk io;CRITICAL;HARD;1;CRIT - x"),
            std::string::npos)
      << nagios.ReadLog();
  EXPECT_TRUE(nagios.Stop().ok());
}

TEST(NagiosHarnessTest, LongOutputEscapesAndSemicolons) {
  Nagios nagios(Options());
  ASSERT_TRUE(nagios.Start().ok()) << nagios.ProcessOutput();
  const int64_t t = Now();
  ASSERT_TRUE(
      nagios.SubmitCommand(ServiceResult(t, 1, "WARN - a; b | p=1\\nline; two\\nline three")).ok());
  NagiosStatusBlock last;
  ASSERT_TRUE(nagios.WaitForService(
      "web01", "disk io",
      [&](const NagiosStatusBlock& b) { return Field(b, "current_state") == "1"; }, 20s, &last))
      << nagios.ReadLog();
  // Nagios turns ';' in the short output into ':' (base/checks.c), not in long output/perfdata.
  EXPECT_EQ(last["plugin_output"], "WARN - a: b");
  EXPECT_EQ(last["performance_data"], "p=1");
  EXPECT_EQ(last["long_plugin_output"], "line; two\\nline three");
}

TEST(NagiosHarnessTest, UnknownServiceIsLoggedAndIgnored) {
  Nagios nagios(Options());
  ASSERT_TRUE(nagios.Start().ok()) << nagios.ProcessOutput();
  ASSERT_TRUE(
      nagios.SubmitCommand(fmt::format("[{}] PROCESS_SERVICE_CHECK_RESULT;web01;nope;2;x", Now()))
          .ok());
  EXPECT_TRUE(WaitFor(
      [&] { return nagios.ReadLog().find("could not be found") != std::string::npos; }, 20s))
      << nagios.ReadLog();
}

TEST(NagiosHarnessTest, StopAndStartAgain) {
  Nagios nagios(Options());
  ASSERT_TRUE(nagios.Start().ok()) << nagios.ProcessOutput();
  ASSERT_TRUE(nagios.Stop().ok());
  EXPECT_FALSE(nagios.Running());
  ASSERT_TRUE(nagios.Start().ok()) << nagios.ProcessOutput() << nagios.ReadLog();
  const int64_t t = Now();
  ASSERT_TRUE(nagios.SubmitCommand(ServiceResult(t, 0, "OK - back")).ok());
  NagiosStatusBlock last;
  EXPECT_TRUE(nagios.WaitForService(
      "web01", "disk io",
      [&](const NagiosStatusBlock& b) { return Field(b, "plugin_output") == "OK - back"; }, 20s,
      &last))
      << nagios.ReadLog();
  EXPECT_EQ(last["current_state"], "0");
}

TEST(NagiosHarnessTest, ParsesStatusBlocksOfOneType) {
  const std::string text =
      "info {\n\tversion=4.4.6\n\t}\n\n"
      "servicestatus {\n\thost_name=h\n\tservice_description=s\n\tplugin_output=a=b\n\t}\n"
      "hoststatus {\n\thost_name=h\n\t}\n"
      "servicestatus {\n\thost_name=h\n\tservice_description=t\n\t}\n";
  auto blocks = ParseNagiosStatus(text, "servicestatus");
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0]["plugin_output"], "a=b");
  EXPECT_EQ(blocks[1]["service_description"], "t");
  EXPECT_EQ(ParseNagiosStatus(text, "hoststatus").size(), 1u);
}

}  // namespace
}  // namespace meridian::testing
