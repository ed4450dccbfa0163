// Runs Debian's real Nagios Core 4 (/usr/sbin/nagios4, package nagios4-core) from a temp dir for
// integration tests: a generated nagios.cfg whose every path points into the temp dir (nothing
// under /etc or /var is read or written), the object definitions given as text, the external
// command FIFO at <dir>/nagios.cmd and status.dat rewritten every second.
// Readiness = status.dat written and the command FIFO has a reader.
//
// Thread-safety: not thread-safe; use from the test thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "support/process.h"

namespace meridian::testing {

inline constexpr const char* kNagiosBinary = "/usr/sbin/nagios4";

// Object definitions every test config needs, under names no generated config uses: timeperiod
// `meridian-test-24x7`, command `meridian-test-dummy` (check_dummy $ARG1$ "$ARG2$"), contact
// `meridian-test-nobody` (notifications off).
std::string NagiosBaseObjects();
// A host `host` and a passive-only service `service` on it (max_check_attempts 1, freshness off),
// built on NagiosBaseObjects() names. Append to NagiosBaseObjects().
std::string NagiosPassiveService(std::string_view host, std::string_view service);

struct NagiosOptions {
  std::string objects;  // object definitions, written to <dir>/objects.cfg (cfg_file)
  // Extra "key=value" lines appended to nagios.cfg (Nagios keeps the last value of a key).
  std::vector<std::string> extra_config;
  std::chrono::milliseconds start_timeout = std::chrono::seconds(30);
};

// One block of status.dat: key -> value, as Nagios writes it (long_plugin_output keeps its
// escaped "\n").
using NagiosStatusBlock = std::map<std::string, std::string>;
// (host_name, service_description) -> servicestatus block.
using NagiosServiceStatus = std::map<std::pair<std::string, std::string>, NagiosStatusBlock>;

class Nagios {
 public:
  explicit Nagios(NagiosOptions options);
  ~Nagios() = default;
  Nagios(const Nagios&) = delete;
  Nagios& operator=(const Nagios&) = delete;

  // `nagios4 -v` on a config holding `objects`: OK, or INVALID_ARGUMENT carrying its output.
  static core::Status Verify(std::string_view objects);

  // Writes the config and runs `nagios4 <cfg>` in the foreground as a Subprocess; waits until
  // status.dat is written and the command FIFO accepts a writer. A FIFO left by an earlier run is
  // removed first (Nagios creates its own). The error carries nagios.log and the process output.
  // REQUIRES: not running.
  core::Status Start();
  // SIGTERM, and OK once Nagios has exited 0 within `deadline`.
  core::Status Stop(std::chrono::milliseconds deadline = std::chrono::seconds(20));
  bool Running() { return proc_ != nullptr && proc_->Running(); }

  const std::filesystem::path& dir() const { return dir_.path(); }
  std::filesystem::path command_file() const { return dir_.path() / "nagios.cmd"; }
  std::filesystem::path status_file() const { return dir_.path() / "status.dat"; }
  std::filesystem::path config_file() const { return dir_.path() / "nagios.cfg"; }

  // Writes `line` (a whole external command, '\n' appended if missing) with one write() on the
  // FIFO opened O_WRONLY|O_NONBLOCK, retrying the open while no reader is there (ENXIO) until
  // `deadline`. REQUIRES: line.size() < PIPE_BUF.
  core::Status SubmitCommand(std::string_view line,
                             std::chrono::milliseconds deadline = std::chrono::seconds(10)) const;

  // Parsed servicestatus blocks of the current status.dat (NOT_FOUND if there is none).
  core::Result<NagiosServiceStatus> ReadServiceStatus() const;
  // Polls status.dat until the service's block satisfies `pred` (true) or `deadline` passes
  // (false). `last`, if given, receives the last block seen (unchanged if the service never
  // appeared), for failure messages.
  bool WaitForService(std::string_view host, std::string_view service,
                      const std::function<bool(const NagiosStatusBlock&)>& pred,
                      std::chrono::milliseconds deadline, NagiosStatusBlock* last = nullptr) const;

  // nagios.log (Nagios's own log: EXTERNAL COMMAND, SERVICE ALERT, warnings).
  std::string ReadLog() const;
  // stdout+stderr of the last run.
  std::string ProcessOutput() const;

 private:
  core::Status WriteConfig() const;

  NagiosOptions options_;
  TempDir dir_{"meridian-nagios"};
  std::unique_ptr<Subprocess> proc_;
};

// Parses status.dat text: every "<type> {" ... "}" block of `type` ("servicestatus",
// "hoststatus", "info", ...) as key=value maps (split at the first '='), in file order.
std::vector<NagiosStatusBlock> ParseNagiosStatus(std::string_view text, std::string_view type);

}  // namespace meridian::testing
