#include <gtest/gtest.h>

#include <string>

#include "alerting/nagios_pipe_sink.h"
#include "alerting/nsca_sink.h"

namespace meridian::alerting {
namespace {

TEST(NagiosPipeSinkOptionsTest, DefaultsWithPathAreValid) {
  NagiosPipeSinkOptions o;
  o.path = "/var/lib/nagios4/rw/nagios.cmd";
  EXPECT_TRUE(o.Validate().ok());
  EXPECT_EQ(o.max_queued_results, 100000u);
}

TEST(NagiosPipeSinkOptionsTest, RejectsBadFields) {
  NagiosPipeSinkOptions base;
  base.path = "/x";
  EXPECT_FALSE(NagiosPipeSinkOptions{}.Validate().ok());  // no path
  auto bad = [&](auto mutate) {
    NagiosPipeSinkOptions o = base;
    mutate(o);
    return o.Validate().code() == core::StatusCode::kInvalidArgument;
  };
  EXPECT_TRUE(bad([](auto& o) { o.max_queued_results = 0; }));
  EXPECT_TRUE(bad([](auto& o) { o.max_queued_bytes = 0; }));
  EXPECT_TRUE(bad([](auto& o) { o.retry_initial_ms = 0; }));
  EXPECT_TRUE(bad([](auto& o) { o.retry_max_ms = o.retry_initial_ms - 1; }));
  EXPECT_TRUE(bad([](auto& o) { o.write_timeout_ms = 0; }));
  EXPECT_TRUE(bad([](auto& o) { o.stop_timeout_ms = -1; }));
}

TEST(NscaSinkOptionsTest, DefaultsWithHostAreValid) {
  NscaSinkOptions o;
  o.host = "nagios.example.org";
  EXPECT_TRUE(o.Validate().ok());
  EXPECT_EQ(o.port, 5667);
  EXPECT_EQ(o.format, NscaPacketFormat::kV3);
}

TEST(NscaSinkOptionsTest, RejectsBadFields) {
  NscaSinkOptions base;
  base.host = "127.0.0.1";
  EXPECT_FALSE(NscaSinkOptions{}.Validate().ok());  // no host
  auto bad = [&](auto mutate) {
    NscaSinkOptions o = base;
    mutate(o);
    return o.Validate().code() == core::StatusCode::kInvalidArgument;
  };
  EXPECT_TRUE(bad([](auto& o) { o.port = 0; }));
  EXPECT_TRUE(bad([](auto& o) { o.password = std::string(512, 'p'); }));
  EXPECT_TRUE(bad([](auto& o) { o.password = std::string("a\0b", 3); }));
  EXPECT_TRUE(bad([](auto& o) { o.encryption = static_cast<NscaEncryption>(7); }));
  EXPECT_TRUE(bad([](auto& o) { o.connect_timeout_ms = 0; }));
  EXPECT_TRUE(bad([](auto& o) { o.io_timeout_ms = 0; }));
  EXPECT_TRUE(bad([](auto& o) { o.batch_size = 0; }));
  EXPECT_TRUE(bad([](auto& o) { o.max_queued_results = 0; }));
  EXPECT_TRUE(bad([](auto& o) { o.retry_max_ms = 1; }));
  NscaSinkOptions ok = base;
  ok.password = std::string(511, 'p');
  EXPECT_TRUE(ok.Validate().ok());
}

CheckResult Sendable() {
  return {.time = 1,
          .host = "web1",
          .service = "latency",
          .state = CheckState::kOk,
          .output = "OK | t=1"};
}

TEST(NscaUnsendableReasonTest, AcceptsNamesAtTheFieldLimits) {
  CheckResult r = Sendable();
  EXPECT_EQ(NscaUnsendableReason(r), "");
  r.host = std::string(63, 'h');
  r.service = std::string(127, 's');
  EXPECT_EQ(NscaUnsendableReason(r), "");
}

TEST(NscaUnsendableReasonTest, NamesEachReason) {
  CheckResult r = Sendable();
  r.host = std::string(64, 'h');
  EXPECT_EQ(NscaUnsendableReason(r), "host_too_long");
  r = Sendable();
  r.host = "";
  EXPECT_EQ(NscaUnsendableReason(r), "empty_host");
  r = Sendable();
  r.service = std::string(128, 's');
  EXPECT_EQ(NscaUnsendableReason(r), "service_too_long");
  r = Sendable();
  r.service = "";
  EXPECT_EQ(NscaUnsendableReason(r), "empty_service");
  r = Sendable();
  r.output = std::string("a\0b", 3);
  EXPECT_EQ(NscaUnsendableReason(r), "nul_byte");
}

TEST(NscaUnsendableReasonTest, LongOutputIsSendable) {
  CheckResult r = Sendable();
  r.output = std::string(10000, 'x');  // truncated by the encoder, not refused
  EXPECT_EQ(NscaUnsendableReason(r), "");
}

}  // namespace
}  // namespace meridian::alerting
