#include "support/nagios.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <limits.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace meridian::testing {
namespace {

using namespace std::chrono_literals;

// nagios.cfg with every path inside `dir`. Intervals are Nagios's minimum (1 s) so tests see
// results quickly; notifications are off; everything else keeps Nagios's defaults.
std::string MainConfig(const std::filesystem::path& dir, const std::vector<std::string>& extra) {
  const std::string d = dir.string();
  std::string cfg = fmt::format(
      "log_file={0}/nagios.log\n"
      "cfg_file={0}/objects.cfg\n"
      "object_cache_file={0}/objects.cache\n"
      "precached_object_file={0}/objects.precache\n"
      "resource_file={0}/resource.cfg\n"
      "status_file={0}/status.dat\n"
      "status_update_interval=1\n"
      "temp_file={0}/nagios.tmp\n"
      "temp_path={0}\n"
      "lock_file={0}/nagios.lock\n"
      "check_result_path={0}/checkresults\n"
      "check_result_reaper_frequency=1\n"
      "command_file={0}/nagios.cmd\n"
      "query_socket={0}/nagios.qh\n"
      "debug_file={0}/nagios.debug\n"
      "state_retention_file={0}/retention.dat\n"
      "retain_state_information=0\n"
      "log_archive_path={0}/archives\n"
      "log_rotation_method=n\n"
      "use_syslog=0\n"
      "check_workers=1\n"
      "check_external_commands=1\n"
      // The tests run as root; Nagios then keeps root instead of dropping to a `nagios` user.
      "nagios_user=root\n"
      "nagios_group=root\n"
      "log_passive_checks=1\n"
      "log_external_commands=1\n"
      "accept_passive_service_checks=1\n"
      "accept_passive_host_checks=1\n"
      "check_service_freshness=1\n"
      "service_freshness_check_interval=1\n"
      "enable_notifications=0\n"
      "illegal_object_name_chars=`~!$%^&*|'\"<>?,()=\n"
      "illegal_macro_output_chars=`~$&|'\"<>\n",
      d);
  for (const std::string& line : extra) cfg += line + "\n";
  return cfg;
}

core::Status Errno(std::string_view what) {
  return core::IoError(fmt::format("{}: {}", what, std::strerror(errno)));
}

// One attempt: OK, UNAVAILABLE (no reader yet) or another error.
core::Status WriteFifoOnce(const std::filesystem::path& fifo, std::string_view line) {
  const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENXIO || errno == ENOENT) return core::Unavailable("no reader on the FIFO");
    return Errno(fmt::format("open {}", fifo.string()));
  }
  const ssize_t n = ::write(fd, line.data(), line.size());
  const int write_errno = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(line.size())) {
    errno = write_errno;
    return Errno(fmt::format("write {} ({} of {} bytes)", fifo.string(), n, line.size()));
  }
  return core::Status::Ok();
}

// True once someone reads the FIFO. Opening and closing a writer is harmless: Nagios reads the
// FIFO O_RDWR, so it never sees EOF when a writer closes.
bool FifoHasReader(const std::filesystem::path& fifo) {
  const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

}  // namespace

std::string NagiosBaseObjects() {
  return R"(define timeperiod {
  timeperiod_name meridian-test-24x7
  alias           always
  monday          00:00-24:00
  tuesday         00:00-24:00
  wednesday       00:00-24:00
  thursday        00:00-24:00
  friday          00:00-24:00
  saturday        00:00-24:00
  sunday          00:00-24:00
}
define command {
  command_name meridian-test-dummy
  command_line /usr/lib/nagios/plugins/check_dummy $ARG1$ "$ARG2$"
}
define contact {
  contact_name                  meridian-test-nobody
  host_notifications_enabled    0
  service_notifications_enabled 0
  host_notification_period      meridian-test-24x7
  service_notification_period   meridian-test-24x7
  host_notification_options     n
  service_notification_options  n
  host_notification_commands    meridian-test-dummy
  service_notification_commands meridian-test-dummy
}
)";
}

std::string NagiosPassiveService(std::string_view host, std::string_view service) {
  return fmt::format(R"(define host {{
  host_name              {0}
  address                127.0.0.1
  max_check_attempts     1
  check_period           meridian-test-24x7
  active_checks_enabled  0
  passive_checks_enabled 1
  contacts               meridian-test-nobody
  notification_period    meridian-test-24x7
}}
define service {{
  host_name              {0}
  service_description    {1}
  check_command          meridian-test-dummy!3!no passive result
  max_check_attempts     1
  check_interval         1
  retry_interval         1
  check_period           meridian-test-24x7
  active_checks_enabled  0
  passive_checks_enabled 1
  check_freshness        0
  contacts               meridian-test-nobody
  notification_period    meridian-test-24x7
}}
)",
                     host, service);
}

Nagios::Nagios(NagiosOptions options) : options_(std::move(options)) {}

core::Status Nagios::WriteConfig() const {
  std::error_code ec;
  std::filesystem::create_directories(dir() / "checkresults", ec);
  if (ec) return core::IoError(fmt::format("mkdir checkresults: {}", ec.message()));
  RETURN_IF_ERROR(WriteFile(config_file(), MainConfig(dir(), options_.extra_config)));
  RETURN_IF_ERROR(WriteFile(dir() / "objects.cfg", options_.objects));
  return WriteFile(dir() / "resource.cfg", "");
}

core::Status Nagios::Verify(std::string_view objects) {
  NagiosOptions options;
  options.objects = std::string(objects);
  Nagios nagios(std::move(options));
  RETURN_IF_ERROR(nagios.WriteConfig());
  SubprocessOptions run;
  run.argv = {kNagiosBinary, "-v", nagios.config_file().string()};
  auto out = RunAndCapture(run, nagios.dir(), 30s);
  if (out.ok()) return core::Status::Ok();
  return core::InvalidArgument(out.status().message());
}

core::Status Nagios::Start() {
  if (Running()) return core::FailedPrecondition("nagios is already running");
  RETURN_IF_ERROR(WriteConfig());
  std::error_code ec;
  std::filesystem::remove(command_file(), ec);  // left by a previous run; Nagios makes its own
  std::filesystem::remove(status_file(), ec);
  SubprocessOptions run;
  run.argv = {kNagiosBinary, config_file().string()};
  run.cwd = dir();
  run.log_path = dir() / "nagios.out";
  ASSIGN_OR_RETURN(proc_, Subprocess::Start(run));
  const bool ready = WaitFor(
      [&] {
        return !proc_->Running() ||
               (std::filesystem::exists(status_file()) && FifoHasReader(command_file()));
      },
      options_.start_timeout);
  if (ready && proc_->Running()) return core::Status::Ok();
  proc_->Stop(2s);
  return core::Unavailable(fmt::format("nagios4 did not become ready:\n{}\n--- nagios.log:\n{}",
                                       ProcessOutput(), ReadLog()));
}

core::Status Nagios::Stop(std::chrono::milliseconds deadline) {
  if (proc_ == nullptr) return core::FailedPrecondition("nagios was not started");
  const int code = proc_->Stop(deadline);
  if (code != 0) {
    return core::Internal(fmt::format("nagios4 exited with {}:\n{}", code, ProcessOutput()));
  }
  return core::Status::Ok();
}

core::Status Nagios::SubmitCommand(std::string_view line,
                                   std::chrono::milliseconds deadline) const {
  std::string text(line);
  if (!text.ends_with('\n')) text += '\n';
  if (text.size() >= PIPE_BUF) return core::InvalidArgument("command line >= PIPE_BUF");
  core::Status last = core::Unavailable("not tried");
  WaitFor(
      [&] {
        last = WriteFifoOnce(command_file(), text);
        return last.code() != core::StatusCode::kUnavailable;
      },
      deadline);
  return last;
}

core::Result<NagiosServiceStatus> Nagios::ReadServiceStatus() const {
  // Nagios writes status.dat to a temp file and renames it: a read sees one whole version.
  const std::string text = ReadFileOrEmpty(status_file());
  if (text.empty()) return core::NotFound(status_file().string() + " is missing or empty");
  NagiosServiceStatus out;
  for (NagiosStatusBlock& block : ParseNagiosStatus(text, "servicestatus")) {
    auto key = std::make_pair(block["host_name"], block["service_description"]);
    out.emplace(std::move(key), std::move(block));
  }
  return out;
}

bool Nagios::WaitForService(std::string_view host, std::string_view service,
                            const std::function<bool(const NagiosStatusBlock&)>& pred,
                            std::chrono::milliseconds deadline, NagiosStatusBlock* last) const {
  const auto key = std::make_pair(std::string(host), std::string(service));
  return WaitFor(
      [&] {
        auto status = ReadServiceStatus();
        if (!status.ok()) return false;
        auto it = status->find(key);
        if (it == status->end()) return false;
        if (last != nullptr) *last = it->second;
        return pred(it->second);
      },
      deadline);
}

std::string Nagios::ReadLog() const { return ReadFileOrEmpty(dir() / "nagios.log"); }

std::string Nagios::ProcessOutput() const { return ReadFileOrEmpty(dir() / "nagios.out"); }

std::vector<NagiosStatusBlock> ParseNagiosStatus(std::string_view text, std::string_view type) {
  std::vector<NagiosStatusBlock> out;
  NagiosStatusBlock* current = nullptr;
  bool skipping = false;  // inside a block of another type
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line.front() == '#') continue;
    if (line == "}") {
      current = nullptr;
      skipping = false;
    } else if (current == nullptr && !skipping && line.ends_with('{')) {
      std::string_view name = line.substr(0, line.size() - 1);
      while (name.ends_with(' ')) name.remove_suffix(1);
      if (name == type) {
        current = &out.emplace_back();
      } else {
        skipping = true;
      }
    } else if (current != nullptr) {
      const size_t eq = line.find('=');
      if (eq == std::string_view::npos) continue;
      (*current)[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
    }
  }
  return out;
}

}  // namespace meridian::testing
