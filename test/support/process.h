// Process and socket helpers for integration tests and peer harnesses: temp dirs, free loopback
// ports, child processes with logs, condition waits with deadlines, plaintext senders and a small
// HTTP GET client. Everything binds 127.0.0.1 only.
//
// Thread-safety: free functions are thread-safe. TempDir and Subprocess are not; use each from one
// thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace meridian::testing {

// A fresh directory under $TMPDIR (or /tmp), removed recursively on destruction.
class TempDir {
 public:
  // REQUIRES: the temp root is writable (aborts the test process otherwise: nothing can run).
  explicit TempDir(std::string_view prefix = "meridian-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // path() / name, as a string.
  std::string Sub(std::string_view name) const;

 private:
  std::filesystem::path path_;
};

// Writes `text` to `path`, replacing it.
core::Status WriteFile(const std::filesystem::path& path, std::string_view text);
// Whole file; empty string if it cannot be read.
std::string ReadFileOrEmpty(const std::filesystem::path& path);

// A loopback TCP port that was free a moment ago (bind port 0, read it, close). Another process
// can take it before the caller binds it; callers that start servers retry on failure.
uint16_t FreeTcpPort();
// A port free for both TCP and UDP on 127.0.0.1 (Graphite plaintext listens on both).
uint16_t FreeTcpUdpPort();

// Polls `cond` with a short backoff (1 ms doubling to 50 ms) until it is true or `deadline` has
// passed; returns the last result. This is how tests wait: never a bare sleep.
bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds deadline);
// True once a TCP connect to 127.0.0.1:port succeeds within `deadline`.
bool WaitForTcpPort(uint16_t port, std::chrono::milliseconds deadline);

// Connects to 127.0.0.1:port, writes all of `text`, shuts down the write side and waits (up to
// 10 s) for the peer to close, so the peer has read everything when this returns OK.
core::Status SendTcp(uint16_t port, std::string_view text);
// Sends `text` as one datagram (REQUIRES: text.size() < 65000).
core::Status SendUdp(uint16_t port, std::string_view text);

struct HttpResponse {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // as received (HttpGet fills it)
  // The first header of that name (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};
using HttpParams = std::vector<std::pair<std::string, std::string>>;
// GET http://127.0.0.1:port<path>?<params url-encoded>. A transport failure is kUnavailable;
// any HTTP status (also 4xx/5xx) is a successful Result.
core::Result<HttpResponse> HttpGet(uint16_t port, const std::string& path,
                                   const HttpParams& params = {},
                                   std::chrono::milliseconds timeout = std::chrono::seconds(10));

struct SubprocessOptions {
  std::vector<std::string> argv;  // argv[0] is an absolute path or found on PATH.
  // Added to (or replacing) the inherited environment, "NAME=value".
  std::vector<std::string> env;
  std::filesystem::path cwd;       // Empty = inherit.
  std::filesystem::path log_path;  // stdout+stderr go here (truncated). Empty = /dev/null.
};

// A child process in its own process group; it dies with the parent (PR_SET_PDEATHSIG) and is
// SIGKILLed by the destructor if still running.
class Subprocess {
 public:
  static core::Result<std::unique_ptr<Subprocess>> Start(SubprocessOptions options);
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;

  pid_t pid() const { return pid_; }
  const std::filesystem::path& log_path() const { return options_.log_path; }
  std::string ReadLog() const { return ReadFileOrEmpty(options_.log_path); }

  // Sends `sig` to the child's process group. No-op once the child was reaped.
  void Signal(int sig);
  // True if the child has not exited (reaps it if it has).
  bool Running();
  // Waits for exit up to `deadline`; the exit code (128+signal if killed), or nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds deadline);
  // SIGTERM, wait up to `deadline`, then SIGKILL. Returns the exit code.
  int Stop(std::chrono::milliseconds deadline = std::chrono::seconds(10));

 private:
  explicit Subprocess(SubprocessOptions options) : options_(std::move(options)) {}
  bool Reap(int flags);

  SubprocessOptions options_;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// Runs a command to completion and returns its stdout+stderr (via a log file in `scratch_dir`).
// kDeadlineExceeded if it runs past `deadline` (it is killed); kInternal on a non-zero exit, with
// the output in the message.
core::Result<std::string> RunAndCapture(SubprocessOptions options,
                                        const std::filesystem::path& scratch_dir,
                                        std::chrono::milliseconds deadline);

// A command-line run: exit code (-1 if it could not start or ran past a minute), stdout, stderr.
struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};
// Runs `program args…` to completion with stdout and stderr captured in separate files of `dir`
// (named cli-stdout-N / cli-stderr-N, so they never collide with paths a test passes).
CliRun RunProgram(const TempDir& dir, const std::string& program, std::vector<std::string> args);

}  // namespace meridian::testing
