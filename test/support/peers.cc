#include "support/peers.h"

#include <fmt/core.h>

namespace meridian::testing {
namespace {

using core::Status;
constexpr auto kStartTimeout = std::chrono::seconds(30);

// Starts `sub`, then waits until `ready` holds or the process exits; on failure the error
// carries the tail of its log.
core::Result<std::unique_ptr<Subprocess>> StartAndWait(SubprocessOptions sub,
                                                       const std::function<bool()>& ready,
                                                       std::string_view name) {
  ASSIGN_OR_RETURN(auto proc, Subprocess::Start(std::move(sub)));
  Subprocess* p = proc.get();
  bool up = WaitFor([&] { return !p->Running() || ready(); }, kStartTimeout);
  if (!up || !p->Running()) {
    std::string log = p->ReadLog();
    p->Stop(std::chrono::seconds(2));
    return core::Unavailable(fmt::format("{} did not start: {}", name,
                                         log.substr(log.size() > 4000 ? log.size() - 4000 : 0)));
  }
  return proc;
}

}  // namespace

core::Result<std::unique_ptr<CarbonCRelay>> CarbonCRelay::Start(uint16_t dest_port) {
  return StartWith(fmt::format("forward 127.0.0.1:{} proto tcp", dest_port));
}

core::Result<std::unique_ptr<CarbonCRelay>> CarbonCRelay::StartSharded(
    const std::vector<uint16_t>& dest_ports, int replication) {
  std::string cluster = fmt::format("jump_fnv1a_ch replication {}", replication);
  for (uint16_t p : dest_ports) cluster += fmt::format(" 127.0.0.1:{} proto tcp", p);
  return StartWith(cluster);
}

core::Result<std::unique_ptr<CarbonCRelay>> CarbonCRelay::StartWith(const std::string& cluster) {
  std::unique_ptr<CarbonCRelay> relay(new CarbonCRelay());
  relay->port_ = FreeTcpUdpPort();
  // An explicit listen block: loopback only and no unix socket in /tmp (which -p would add).
  std::string conf = fmt::format(
      "listen type linemode 127.0.0.1:{0} proto tcp 127.0.0.1:{0} proto udp;\n"
      "cluster meridian {1};\n"
      "match * send to meridian stop;\n",
      relay->port_, cluster);
  std::filesystem::path conf_path = relay->dir_.path() / "relay.conf";
  RETURN_IF_ERROR(WriteFile(conf_path, conf));
  SubprocessOptions sub;
  // -T: the relay's connect/write timeout towards its destination. Its 600 ms default gives up on
  // a destination that is slow to accept on a loaded 2-core CI machine (carbon-cache starting).
  sub.argv = {
      "/usr/bin/carbon-c-relay", "-f", conf_path.string(), "-s", "-w", "2", "-T", "5000", "-H",
      "meridian-test-relay"};
  sub.cwd = relay->dir_.path();
  sub.log_path = relay->dir_.path() / "relay.log";
  uint16_t port = relay->port_;
  ASSIGN_OR_RETURN(
      relay->proc_,
      StartAndWait(
          std::move(sub), [port] { return WaitForTcpPort(port, std::chrono::milliseconds(0)); },
          "carbon-c-relay"));
  return relay;
}

core::Result<std::unique_ptr<Collectd>> Collectd::Start(uint16_t dest_port,
                                                        const std::string& hostname) {
  std::unique_ptr<Collectd> collectd(new Collectd());
  const auto& dir = collectd->dir_.path();
  std::string conf = fmt::format(
      "Hostname \"{0}\"\nFQDNLookup false\nBaseDir \"{1}\"\nPIDFile \"{1}/collectd.pid\"\n"
      "PluginDir \"/usr/lib/collectd\"\nTypesDB \"/usr/share/collectd/types.db\"\n"
      "Interval 1\nAutoLoadPlugin false\n"
      "LoadPlugin logfile\n<Plugin logfile>\n  LogLevel info\n  File STDOUT\n"
      "  Timestamp true\n</Plugin>\n"
      "LoadPlugin load\nLoadPlugin memory\nLoadPlugin cpu\nLoadPlugin write_graphite\n"
      "<Plugin write_graphite>\n  <Node \"meridian\">\n    Host \"127.0.0.1\"\n"
      "    Port \"{2}\"\n    Protocol \"tcp\"\n    Prefix \"collectd.\"\n"
      "    StoreRates true\n    AlwaysAppendDS false\n    EscapeCharacter \"_\"\n"
      "  </Node>\n</Plugin>\n",
      hostname, dir.string(), dest_port);
  std::filesystem::path conf_path = dir / "collectd.conf";
  RETURN_IF_ERROR(WriteFile(conf_path, conf));
  SubprocessOptions sub;
  sub.argv = {"/usr/sbin/collectd", "-f", "-C",
              conf_path.string(),   "-P", (dir / "collectd.pid").string()};
  sub.cwd = dir;
  sub.log_path = dir / "collectd.log";
  std::filesystem::path log_path = sub.log_path;
  ASSIGN_OR_RETURN(collectd->proc_, StartAndWait(
                                        std::move(sub),
                                        [log_path] {
                                          return ReadFileOrEmpty(log_path).find(
                                                     "entering read-loop") != std::string::npos;
                                        },
                                        "collectd"));
  return collectd;
}

core::Result<std::unique_ptr<VictoriaMetrics>> VictoriaMetrics::Start() {
  std::unique_ptr<VictoriaMetrics> vm(new VictoriaMetrics());
  vm->graphite_port_ = FreeTcpUdpPort();
  vm->http_port_ = FreeTcpPort();
  SubprocessOptions sub;
  sub.argv = {"/usr/bin/victoria-metrics",
              "-storageDataPath=" + vm->data_dir().string(),
              fmt::format("-graphiteListenAddr=127.0.0.1:{}", vm->graphite_port_),
              fmt::format("-httpListenAddr=127.0.0.1:{}", vm->http_port_),
              "-retentionPeriod=100y",
              "-loggerLevel=WARN"};
  sub.cwd = vm->dir_.path();
  sub.log_path = vm->dir_.path() / "victoria-metrics.log";
  uint16_t http = vm->http_port_;
  uint16_t graphite = vm->graphite_port_;
  ASSIGN_OR_RETURN(vm->proc_, StartAndWait(
                                  std::move(sub),
                                  [http, graphite] {
                                    auto res =
                                        HttpGet(http, "/health", {}, std::chrono::seconds(1));
                                    return res.ok() && res->status == 200 &&
                                           WaitForTcpPort(graphite, std::chrono::milliseconds(0));
                                  },
                                  "victoria-metrics"));
  return vm;
}

Status VictoriaMetrics::ForceFlush() const {
  ASSIGN_OR_RETURN(HttpResponse res, HttpGet(http_port_, "/internal/force_flush"));
  if (res.status != 200) return core::Internal("force_flush: HTTP " + std::to_string(res.status));
  return Status::Ok();
}

core::Result<std::string> VictoriaMetrics::Export(const std::string& selector) const {
  ASSIGN_OR_RETURN(HttpResponse res,
                   HttpGet(http_port_, "/api/v1/export", {{"match[]", selector}}));
  if (res.status != 200) {
    return core::Internal(fmt::format("export: HTTP {}: {}", res.status, res.body));
  }
  return res.body;
}

}  // namespace meridian::testing
