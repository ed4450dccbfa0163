// ChildProcess: a server under test, started by http_compare and always stopped with it.
//
// Thread-compatible; the /proc readers may be called from any thread.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace meridian::bench {

class ChildProcess {
 public:
  // Starts argv[0] (a path) with `argv`, stdout and stderr appended to `log_path`. The child gets
  // SIGTERM if this process dies (PR_SET_PDEATHSIG). nullptr when fork fails.
  static std::unique_ptr<ChildProcess> Start(const std::vector<std::string>& argv,
                                             const std::string& log_path);
  ~ChildProcess();  // Stop()
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // SIGTERM, up to 15 s to exit, then SIGKILL. Idempotent.
  void Stop();
  // False once the child has exited (reaps it).
  bool Running();
  pid_t pid() const { return pid_; }

  // VmRSS from /proc/<pid>/status, in bytes; 0 when unreadable.
  size_t RssBytes() const;
  // utime + stime from /proc/<pid>/stat (every thread), in seconds; 0 when unreadable.
  double CpuSeconds() const;

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_;
};

// A loopback port that was free a moment ago (TCP, and UDP as well when `udp_too`), or 0.
uint16_t FreeLoopbackPort(bool udp_too);

// Raises RLIMIT_NOFILE's soft limit to the hard limit; returns the new soft limit.
size_t RaiseOpenFileLimit();

}  // namespace meridian::bench
