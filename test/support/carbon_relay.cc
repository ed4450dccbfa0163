#include "support/carbon_relay.h"

#include <fmt/core.h>

#include <filesystem>

#include "support/carbon_cache.h"

namespace meridian::testing {

core::Result<std::unique_ptr<CarbonRelay>> CarbonRelay::Start(CarbonRelayOptions options) {
  if (options.destination_port == 0) return core::InvalidArgument("destination_port is 0");
  std::unique_ptr<CarbonRelay> relay(new CarbonRelay(std::move(options)));
  core::Status last;
  for (int attempt = 0; attempt < 3; ++attempt) {  // a free port can be taken before carbon binds
    last = relay->Launch();
    if (last.ok()) return relay;
  }
  return last;
}

CarbonRelay::~CarbonRelay() {
  if (proc_) proc_->Stop(std::chrono::seconds(5));
}

std::string CarbonRelay::Log() const {
  std::string log = proc_ ? proc_->ReadLog() : std::string();
  for (const char* name : {"console.log", "listener.log", "clients.log"}) {
    std::string part = ReadFileOrEmpty(dir_.path() / "storage" / "log" / name);
    if (!part.empty()) log += fmt::format("\n--- {} ---\n{}", name, part);
  }
  return log;
}

int CarbonRelay::Stop() { return proc_ ? proc_->Stop(std::chrono::seconds(20)) : -1; }

core::Status CarbonRelay::Launch() {
  const auto& root = dir_.path();
  const std::filesystem::path conf = root / "conf";
  const std::filesystem::path storage = root / "storage";
  std::filesystem::create_directories(conf);
  std::filesystem::create_directories(storage / "log");
  line_port_ = FreeTcpPort();
  pickle_port_ = FreeTcpPort();
  const std::string carbon_conf = fmt::format(
      "[relay]\n"
      "STORAGE_DIR = {0}\nLOCAL_DATA_DIR = {0}/whisper\nLOG_DIR = {0}/log\nPID_DIR = {0}\n"
      "USER =\n"
      "LINE_RECEIVER_INTERFACE = 127.0.0.1\nLINE_RECEIVER_PORT = {1}\n"
      "PICKLE_RECEIVER_INTERFACE = 127.0.0.1\nPICKLE_RECEIVER_PORT = {2}\n"
      "ENABLE_UDP_LISTENER = False\n"
      "RELAY_METHOD = consistent-hashing\n"
      "DESTINATIONS = 127.0.0.1:{3}:a\n"
      "DESTINATION_PROTOCOL = pickle\n"
      "MAX_QUEUE_SIZE = 100000\n"
      "CARBON_METRIC_INTERVAL = 0\n"
      "LOG_LISTENER_CONN_SUCCESS = True\n{4}\n",
      storage.string(), line_port_, pickle_port_, options_.destination_port,
      options_.extra_relay_settings);
  RETURN_IF_ERROR(WriteFile(conf / "carbon.conf", carbon_conf));
  // Every carbon daemon insists on this file, though a relay never creates whisper files.
  RETURN_IF_ERROR(
      WriteFile(conf / "storage-schemas.conf", "[default]\npattern = .*\nretentions = 10s:1d\n"));
  std::error_code ec;
  std::filesystem::remove(storage / "carbon-relay-a.pid", ec);  // a stale pid blocks "start"
  SubprocessOptions sub;
  sub.argv = {kSystemPython, "/usr/bin/carbon-relay", "--config=" + (conf / "carbon.conf").string(),
              "--nodaemon", "start"};
  sub.env = {"GRAPHITE_ROOT=" + root.string(), "GRAPHITE_CONF_DIR=" + conf.string(),
             "GRAPHITE_STORAGE_DIR=" + storage.string(), "PYTHONWARNINGS=ignore"};
  sub.cwd = root;
  sub.log_path = root / "carbon-relay.log";
  ASSIGN_OR_RETURN(proc_, Subprocess::Start(std::move(sub)));
  const bool up = WaitFor(
      [this] {
        return !proc_->Running() || WaitForTcpPort(line_port_, std::chrono::milliseconds(0));
      },
      options_.start_timeout);
  if (!up || !proc_->Running()) {
    std::string log = Log();
    proc_->Stop(std::chrono::seconds(2));
    return core::Unavailable("carbon-relay did not start: " + log.substr(0, 4000));
  }
  return core::Status::Ok();
}

}  // namespace meridian::testing
