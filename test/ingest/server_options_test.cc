#include "ingest/server_options.h"

#include <gtest/gtest.h>

namespace meridian::ingest {
namespace {

TEST(ServerOptionsTest, DefaultsAreValidAndMatchCarbon) {
  ServerOptions o;
  EXPECT_TRUE(o.Validate().ok());
  EXPECT_EQ(o.listen, "0.0.0.0:2003");
  EXPECT_EQ(o.max_line_bytes, 16384u);
  EXPECT_EQ(o.max_connections_per_source, 1000u);
  EXPECT_EQ(o.idle_timeout, std::chrono::minutes(10));
  EXPECT_EQ(o.udp_receive_buffer_bytes, size_t{16} << 20);
}

TEST(ServerOptionsTest, ZeroTurnsOffIdleTimeoutPerSourceLimitAndBufferSizing) {
  ServerOptions o;
  o.idle_timeout = {};
  o.max_connections_per_source = 0;
  o.udp_receive_buffer_bytes = 0;
  EXPECT_TRUE(o.Validate().ok());
}

TEST(ServerOptionsTest, EachBadFieldIsInvalidArgument) {
  auto invalid = [](auto mutate) {
    ServerOptions o;
    mutate(o);
    return o.Validate().code() == core::StatusCode::kInvalidArgument;
  };
  EXPECT_TRUE(invalid([](ServerOptions& o) { o.listen = "2003"; }));
  EXPECT_TRUE(invalid([](ServerOptions& o) { o.listen = "host:"; }));
  EXPECT_TRUE(invalid([](ServerOptions& o) { o.listen = "host:65536"; }));
  EXPECT_TRUE(invalid([](ServerOptions& o) { o.listen = "host:20x3"; }));
  EXPECT_TRUE(invalid([](ServerOptions& o) { o.max_line_bytes = 0; }));
  EXPECT_TRUE(invalid([](ServerOptions& o) { o.read_buffer_bytes = o.max_line_bytes + 1; }));
  EXPECT_TRUE(invalid([](ServerOptions& o) { o.max_connections = 0; }));
  EXPECT_TRUE(invalid([](ServerOptions& o) { o.batch_points = 0; }));
  EXPECT_TRUE(invalid([](ServerOptions& o) { o.batch_bytes = 0; }));
  EXPECT_TRUE(invalid([](ServerOptions& o) { o.flush_interval_ms = 0; }));
  EXPECT_TRUE(invalid([](ServerOptions& o) { o.backpressure_retry_ms = 0; }));
  EXPECT_TRUE(invalid([](ServerOptions& o) { o.drain_timeout_ms = -1; }));
  EXPECT_TRUE(invalid([](ServerOptions& o) { o.io_threads = 0; }));
  EXPECT_TRUE(invalid([](ServerOptions& o) { o.reject_log_interval_ms = -1; }));
  EXPECT_TRUE(invalid([](ServerOptions& o) { o.idle_timeout = std::chrono::milliseconds(-1); }));
  EXPECT_TRUE(
      invalid([](ServerOptions& o) { o.udp_receive_buffer_bytes = (size_t{1} << 30) + 1; }));
  EXPECT_TRUE(invalid([](ServerOptions& o) { o.udp_drops_poll_interval = {}; }));
}

TEST(ServerOptionsTest, SplitHostPortHandlesIpv6Brackets) {
  std::string host;
  uint16_t port = 0;
  ASSERT_TRUE(SplitHostPort("[::1]:2003", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 2003);
  ASSERT_TRUE(SplitHostPort(":0", &host, &port).ok());
  EXPECT_EQ(host, "");
  EXPECT_EQ(port, 0);
}

}  // namespace
}  // namespace meridian::ingest
