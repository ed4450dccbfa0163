// Real senders and comparison stores from Debian's packages, each in a temp dir on free loopback
// ports, stopped by its destructor. None reads a config under /etc: each gets its own file.
//   CarbonCRelay   — carbon-c-relay forwarding everything to one Graphite plaintext destination.
//   Collectd       — collectd-core with write_graphite (load + memory + cpu, Interval 1).
//   VictoriaMetrics — victoria-metrics with its Graphite listener (benchmark/comparison peer).
// (carbon-cache, the storage oracle, is in support/carbon_cache.h.)
//
// Thread-safety: not thread-safe; use each from the test thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "support/process.h"

namespace meridian::testing {

class CarbonCRelay {
 public:
  // Listens on 127.0.0.1 TCP+UDP (linemode) and forwards every line to 127.0.0.1:dest_port over
  // TCP. Submission mode (-s): the relay adds no statistics metrics of its own.
  static core::Result<std::unique_ptr<CarbonCRelay>> Start(uint16_t dest_port);
  // The same, sharding over several destinations with carbon-c-relay's jump_fnv1a_ch consistent
  // hash, each series sent to `replication` of them.
  static core::Result<std::unique_ptr<CarbonCRelay>> StartSharded(
      const std::vector<uint16_t>& dest_ports, int replication);

  uint16_t port() const { return port_; }
  std::string Log() const { return proc_->ReadLog(); }
  // False once the relay exited. Debian's 3.7.3 sometimes segfaults in a worker thread just
  // after it starts on a loaded machine (dmesg: "segfault at 8 ... in libc.so.6"): tests that
  // depend on it replace a dead relay and resend their (idempotent) lines.
  bool running() const { return proc_->Running(); }
  // SIGTERM (the relay flushes its queues on shutdown) and wait; returns the exit code.
  int Stop() { return proc_->Stop(std::chrono::seconds(10)); }

 private:
  CarbonCRelay() = default;
  static core::Result<std::unique_ptr<CarbonCRelay>> StartWith(const std::string& cluster);
  TempDir dir_{"carbon-c-relay"};
  uint16_t port_ = 0;
  std::unique_ptr<Subprocess> proc_;
};

class Collectd {
 public:
  // Runs collectd in the foreground as host `hostname` (no dots), sending to
  // 127.0.0.1:dest_port with prefix "collectd.", so metrics are collectd.<hostname>.<plugin>...
  static core::Result<std::unique_ptr<Collectd>> Start(uint16_t dest_port,
                                                       const std::string& hostname);

  std::string Log() const { return proc_->ReadLog(); }
  int Stop() { return proc_->Stop(std::chrono::seconds(10)); }

 private:
  Collectd() = default;
  TempDir dir_{"collectd"};
  std::unique_ptr<Subprocess> proc_;
};

class VictoriaMetrics {
 public:
  // Graphite plaintext on a free TCP+UDP port, HTTP on another; ready once /health answers.
  static core::Result<std::unique_ptr<VictoriaMetrics>> Start();

  uint16_t graphite_port() const { return graphite_port_; }
  uint16_t http_port() const { return http_port_; }
  std::filesystem::path data_dir() const { return dir_.path() / "data"; }
  pid_t pid() const { return proc_->pid(); }
  std::string Log() const { return proc_->ReadLog(); }

  // GET /internal/force_flush: makes recently ingested rows searchable now instead of within the
  // next in-memory flush (a few seconds).
  core::Status ForceFlush() const;
  // GET /api/v1/export?match[]=<selector>: raw samples as JSON lines.
  core::Result<std::string> Export(const std::string& selector) const;
  int Stop() { return proc_->Stop(std::chrono::seconds(20)); }

 private:
  VictoriaMetrics() = default;
  TempDir dir_{"victoria-metrics"};
  uint16_t graphite_port_ = 0;
  uint16_t http_port_ = 0;
  std::unique_ptr<Subprocess> proc_;
};

}  // namespace meridian::testing
