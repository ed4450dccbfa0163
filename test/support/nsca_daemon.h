// NscaDaemon: Debian's nsca 2.10 (/usr/sbin/nsca) in the foreground, single-process mode, on
// 127.0.0.1 with its own nsca.cfg, pid file and dump file in a temp dir. It writes the results it
// accepts as `[t] PROCESS_SERVICE_CHECK_RESULT;...` lines to `command_file` (make it a FIFO with
// MakeFifo and keep a FifoReader open on it: nsca's fopen() of a FIFO blocks until a reader
// exists). nsca logs to syslog only, so Log() holds little.
//
// Thread-safety: not thread-safe; use from the test thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "core/status.h"
#include "support/process.h"

namespace meridian::testing {

struct NscaDaemonOptions {
  std::filesystem::path command_file;  // REQUIRED: where accepted results are written
  int decryption_method = 1;           // 0 none, 1 XOR
  std::string password;                // empty: no `password=` line
  uint16_t port = 0;                   // 0: a free loopback port
};

class NscaDaemon {
 public:
  // Ready once its port accepts connections.
  static core::Result<std::unique_ptr<NscaDaemon>> Start(NscaDaemonOptions options);

  uint16_t port() const { return port_; }
  std::string Log() const { return proc_->ReadLog(); }
  // SIGTERM and wait; returns the exit code.
  int Stop() { return proc_->Stop(std::chrono::seconds(10)); }

 private:
  NscaDaemon() = default;
  TempDir dir_{"nsca"};
  uint16_t port_ = 0;
  std::unique_ptr<Subprocess> proc_;
};

}  // namespace meridian::testing
