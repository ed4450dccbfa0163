// A real carbon-relay (Debian's graphite-carbon) in a temp dir: plaintext in on its line
// receiver, pickle out to one destination with RELAY_METHOD = consistent-hashing, as a carbon
// site's relay tier forwards to its caches. Configured like CarbonCache (our own carbon.conf, free
// loopback ports, self-metrics off). Thread-safety: not thread-safe; use from the test thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "support/process.h"

namespace meridian::testing {

struct CarbonRelayOptions {
  uint16_t destination_port = 0;     // pickle destination on 127.0.0.1 (instance "a"). REQUIRED.
  std::string extra_relay_settings;  // Extra "KEY = value" lines for the [relay] section.
  std::chrono::milliseconds start_timeout = std::chrono::seconds(30);
};

class CarbonRelay {
 public:
  static core::Result<std::unique_ptr<CarbonRelay>> Start(CarbonRelayOptions options);
  ~CarbonRelay();

  uint16_t line_port() const { return line_port_; }
  std::string Log() const;

  // SIGTERM and wait (carbon-relay flushes its queues on the way out); the exit code.
  int Stop();

 private:
  explicit CarbonRelay(CarbonRelayOptions options) : options_(std::move(options)) {}
  core::Status Launch();

  CarbonRelayOptions options_;
  TempDir dir_{"carbon-relay"};
  uint16_t line_port_ = 0;
  uint16_t pickle_port_ = 0;
  std::unique_ptr<Subprocess> proc_;
};

}  // namespace meridian::testing
