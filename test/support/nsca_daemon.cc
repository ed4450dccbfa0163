#include "support/nsca_daemon.h"

#include <fmt/core.h>

namespace meridian::testing {

core::Result<std::unique_ptr<NscaDaemon>> NscaDaemon::Start(NscaDaemonOptions options) {
  std::unique_ptr<NscaDaemon> d(new NscaDaemon());
  const auto& dir = d->dir_.path();
  std::filesystem::path conf = dir / "nsca.cfg";
  SubprocessOptions sub;
  sub.argv = {"/usr/sbin/nsca", "-f", "-c", conf.string(), "--single"};
  sub.cwd = dir;
  sub.log_path = dir / "nsca.log";
  std::string last_log;
  // A port taken between FreeTcpPort() and nsca's bind() is retried with another one.
  for (int attempt = 0; attempt < 3; ++attempt) {
    d->port_ = options.port != 0 ? options.port : FreeTcpPort();
    std::string cfg = fmt::format(
        "pid_file={0}/nsca.pid\nserver_port={1}\nserver_address=127.0.0.1\n"
        "debug=1\ncommand_file={2}\nalternate_dump_file={0}/nsca.dump\n"
        "aggregate_writes=0\nappend_to_file=0\nmax_packet_age=30\ndecryption_method={3}\n",
        dir.string(), d->port_, options.command_file.string(), options.decryption_method);
    if (!options.password.empty()) cfg += "password=" + options.password + "\n";
    RETURN_IF_ERROR(WriteFile(conf, cfg));
    ASSIGN_OR_RETURN(d->proc_, Subprocess::Start(sub));
    Subprocess* p = d->proc_.get();
    uint16_t port = d->port_;
    bool up =
        WaitFor([&] { return !p->Running() || WaitForTcpPort(port, std::chrono::milliseconds(0)); },
                std::chrono::seconds(20));
    if (up && p->Running()) return d;
    last_log = p->ReadLog();
    p->Stop(std::chrono::seconds(2));
    if (options.port != 0) break;
  }
  return core::Unavailable("nsca did not start: " + last_log);
}

}  // namespace meridian::testing
