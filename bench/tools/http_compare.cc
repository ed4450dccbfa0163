// http_compare: the HTTP front-door benchmark of issue 8. Meridian vs VictoriaMetrics (Go
// net/http), same machine, same run, one server after the other.
//
//   http_compare [--meridian PATH] [--vm PATH] [--only meridian|vm] [--clients 64] [--rounds 1]
//                [--duration 10] [--warmup 1] [--idle 2000] [--slow 1000] [--seed 42] [--keep]
//
// Per server, in a fresh temp dir on free loopback ports: writes one series (60 points 10 s
// apart, a random walk with 2 decimals, fixed seed, ending at a fixed minute before now) over
// Graphite plaintext, waits until the render API serves all 60 points, then measures `/health`
// and the one-series render with `--clients` threads, each holding one keep-alive connection
// and sending back to back (closed loop), for --warmup + --duration seconds per cell: p50/p99
// latency, requests/s and the server's CPU. Then it opens --idle keep-alive connections (each
// answered one /health, then silent) and --slow connections that sent part of their headers,
// waits 2 s, reads the server's VmRSS, and measures the same two routes again. Bytes per idle
// connection = (VmRSS with the crowd - VmRSS just before) / (idle + slow). Reports; asserts
// nothing. Meridian runs with http.header_timeout and idle_timeout at 300 s (default 10 s / 60
// s), VictoriaMetrics with -http.idleConnTimeout=300s; its 5 s header timeout is fixed in code,
// so its slow connections are closed and replaced during the run (counted in the output).
// --rounds N repeats the whole sequence (Meridian, VictoriaMetrics, Meridian, ...) and reports
// medians, which a shared machine needs.
#include <fmt/core.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "http_compare/child_process.h"
#include "http_compare/load.h"
#include "http_compare/raw_client.h"
#include "http_compare/report.h"

namespace {

namespace bench = meridian::bench;
using std::chrono::milliseconds;

constexpr std::string_view kSeries = "bench.http.host-000.cpu.user";
constexpr int kPoints = 60, kStep = 10;

struct Options {
  std::string meridian;
  std::string vm = "/usr/bin/victoria-metrics";
  std::vector<std::string> only;
  int clients = 64, idle = 2000, slow = 1000, rounds = 1;
  double duration = 10, warmup = 1;
  uint64_t seed = 42;
  bool keep = false;
};

std::string DefaultMeridian() {
  if (const char* dir = std::getenv("MERIDIAN_BUILD_DIR")) {
    return std::string(dir) + "/app/meridian";
  }
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return (self.parent_path().parent_path() / "app" / "meridian").string();
}

bool ParseArgs(int argc, char** argv, Options& o) {
  o.meridian = DefaultMeridian();
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--keep") {
      o.keep = true;
      continue;
    }
    if (i + 1 >= argc) return false;
    const char* v = argv[++i];
    if (a == "--meridian") {
      o.meridian = v;
    } else if (a == "--vm") {
      o.vm = v;
    } else if (a == "--only" &&
               (std::string_view(v) == "meridian" || std::string_view(v) == "vm")) {
      o.only.emplace_back(v);
    } else if (a == "--clients") {
      o.clients = std::atoi(v);
    } else if (a == "--idle") {
      o.idle = std::atoi(v);
    } else if (a == "--slow") {
      o.slow = std::atoi(v);
    } else if (a == "--duration") {
      o.duration = std::atof(v);
    } else if (a == "--warmup") {
      o.warmup = std::atof(v);
    } else if (a == "--rounds") {
      o.rounds = std::atoi(v);
    } else if (a == "--seed") {
      o.seed = std::strtoull(v, nullptr, 10);
    } else {
      return false;
    }
  }
  return o.clients > 0 && o.rounds > 0 && o.idle >= 0 && o.slow >= 0 && o.duration > 0 &&
         o.warmup >= 0;
}

bool Wanted(const Options& o, std::string_view key) {
  return o.only.empty() || std::find(o.only.begin(), o.only.end(), key) != o.only.end();
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return fmt::format("{} {} {}", a, b, c);
}

// A server under test, with the render target that returns the one series on it.
struct Server {
  std::string name;
  std::unique_ptr<bench::ChildProcess> process;
  uint16_t http_port = 0, graphite_port = 0;
  std::string render_target, render_note, log;
};

bool Wait(double seconds, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return false;
}

bench::Reply Fetch(uint16_t port, std::string_view target) {
  bench::KeepAliveClient client(port);
  bench::Reply reply;
  if (!client.Get(bench::GetRequest(target), reply)) reply.status = 0;
  return reply;
}

// "... (port G), HTTP on ... (port H), ..." from Meridian's start line.
bool ParseMeridianPorts(const std::string& log, Server& s) {
  std::ifstream in(log);
  for (std::string line; std::getline(in, line);) {
    const size_t graphite = line.find("serving Graphite on ");
    if (graphite == std::string::npos) continue;
    const size_t g = line.find("(port ", graphite), h = line.find("(port ", g + 1);
    if (g == std::string::npos || h == std::string::npos) return false;
    s.graphite_port = static_cast<uint16_t>(std::atoi(line.c_str() + g + 6));
    s.http_port = static_cast<uint16_t>(std::atoi(line.c_str() + h + 6));
    return s.graphite_port > 0 && s.http_port > 0;
  }
  return false;
}

std::optional<Server> StartMeridian(const Options& o, const std::string& dir) {
  Server s;
  s.name = "meridian";
  s.log = dir + "/meridian.log";
  const std::string config = dir + "/meridian.yaml";
  std::ofstream(config) << fmt::format(
      "data_dir: {}/data\nhttp: {{ header_timeout: 300s, idle_timeout: 300s }}\n", dir);
  s.process = bench::ChildProcess::Start(
      {o.meridian, "serve", "--config", config, "--graphite-listen", "127.0.0.1:0", "--http-listen",
       "127.0.0.1:0", "--pickle-listen", "off"},
      s.log);
  if (!s.process ||
      !Wait(60, [&] { return ParseMeridianPorts(s.log, s) || !s.process->Running(); }) ||
      !s.process->Running()) {
    return std::nullopt;
  }
  return s;
}

std::optional<Server> StartVm(const Options& o, const std::string& dir) {
  Server s;
  s.name = "victoria-metrics";
  s.log = dir + "/victoria-metrics.log";
  s.http_port = bench::FreeLoopbackPort(false);
  s.graphite_port = bench::FreeLoopbackPort(true);
  // No rollup result cache (as in query_compare): Meridian computes every render too.
  s.process = bench::ChildProcess::Start(
      {o.vm, "-storageDataPath=" + dir + "/data",
       fmt::format("-httpListenAddr=127.0.0.1:{}", s.http_port),
       fmt::format("-graphiteListenAddr=127.0.0.1:{}", s.graphite_port), "-search.disableCache",
       "-http.idleConnTimeout=300s", "-http.connTimeout=1h", "-loggerLevel=WARN"},
      s.log);
  const auto ready = [&] {
    if (!s.process->Running()) return true;
    const int g = bench::ConnectLoopback(s.graphite_port);
    if (g >= 0) close(g);
    return g >= 0 && Fetch(s.http_port, "/health").status == 200;
  };
  if (!s.process || !Wait(60, ready) || !s.process->Running()) return std::nullopt;
  return s;
}

// 60 points of a gauge (random walk, 2 decimals), 10 s apart, ending at `end`.
bool WriteSeries(uint16_t graphite_port, int64_t end, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> step(0, 1.5);
  double value = 42;
  std::string lines;
  for (int i = kPoints - 1; i >= 0; --i) {
    value = std::clamp(value + step(rng), 0.0, 100.0);
    lines += fmt::format("{} {:.2f} {}\n", kSeries, value, end - i * kStep);
  }
  const int fd = bench::ConnectLoopback(graphite_port);
  if (fd < 0) return false;
  const bool ok = write(fd, lines.data(), lines.size()) == static_cast<ssize_t>(lines.size());
  close(fd);
  return ok;
}

// Waits until the series is served in full and picks the render target: Graphite's /render
// where the server has it, else (VictoriaMetrics 1.79) Prometheus' /api/v1/query_range.
bool WaitForSeries(Server& s, int64_t end) {
  const int64_t first = end - (kPoints - 1) * kStep;
  const std::string graphite = fmt::format("/render?target={}&from={}&until={}&format=json",
                                           kSeries, first - kStep + 1, end + 1);
  const std::string prometheus =
      fmt::format("/api/v1/query_range?query=%7B__name__%3D%22{}%22%7D&start={}&end={}&step={}",
                  kSeries, first, end, kStep);
  const bool vm = s.name != "meridian";
  return Wait(60, [&] {
    if (vm) Fetch(s.http_port, "/internal/force_flush");
    if (bench::CountPoints(Fetch(s.http_port, graphite).body) == kPoints) {
      s.render_target = graphite;
      s.render_note = "Graphite /render, format=json";
      return true;
    }
    if (vm && bench::CountPoints(Fetch(s.http_port, prometheus).body) == kPoints) {
      s.render_target = prometheus;
      s.render_note = "no Graphite /render in this version: /api/v1/query_range, step 10 s";
      return true;
    }
    return false;
  });
}

// The server's own count of open HTTP connections from its /metrics (this request's included),
// or -1: Meridian's http_connections_open gauge, VictoriaMetrics' vm_tcplistener_conns.
double ServerOpenConnections(const Server& s) {
  const std::string prefix = s.name == "meridian" ? "meridian_http_connections_open "
                                                  : "vm_tcplistener_conns{name=\"http\"";
  const bench::Reply reply = Fetch(s.http_port, "/metrics");
  for (size_t at = 0; at < reply.body.size();) {
    const size_t eol = std::min(reply.body.find('\n', at), reply.body.size());
    const std::string_view line(reply.body.data() + at, eol - at);
    if (line.substr(0, prefix.size()) == prefix) {
      return std::atof(std::string(line.substr(line.rfind(' ') + 1)).c_str());
    }
    at = eol + 1;
  }
  return -1;
}

// This process's CPU (every thread), in seconds.
double SelfCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  const auto sec = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

// The machine's busy CPU time (every CPU, all but idle and iowait), in seconds.
double MachineBusySeconds() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;
  double total = 0, idle = 0, value;
  for (int field = 0; field < 8 && in >> value; ++field) {
    total += value;
    if (field == 3 || field == 4) idle += value;
  }
  return (total - idle) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

bench::Cell RunCell(const Options& o, Server& s, std::string_view route, bool crowd) {
  bench::Cell cell;
  cell.route = std::string(route);
  cell.crowd = crowd;
  const std::string request =
      bench::GetRequest(route == "/health" ? std::string("/health") : s.render_target);
  const double cpu0 = s.process->CpuSeconds(), self0 = SelfCpuSeconds();
  const double busy0 = MachineBusySeconds();
  const auto t0 = std::chrono::steady_clock::now();
  cell.load = bench::RunClosedLoop(s.http_port, request, o.clients,
                                   milliseconds(static_cast<int64_t>(o.warmup * 1000)),
                                   milliseconds(static_cast<int64_t>(o.duration * 1000)));
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  cell.server_cpu = (s.process->CpuSeconds() - cpu0) / wall;
  cell.client_cpu = (SelfCpuSeconds() - self0) / wall;
  cell.others_cpu = (MachineBusySeconds() - busy0) / wall - cell.server_cpu - cell.client_cpu;
  fmt::print(stderr, "http_compare: {} {} {}: {:.0f} req/s, p99 {:.0f} us, load {}\n", s.name,
             crowd ? "crowd" : "no-crowd", route, cell.load.requests_per_second(), cell.load.p99_us,
             LoadAverage());
  return cell;
}

bench::ServerResult Measure(const Options& o, Server& s) {
  bench::ServerResult r;
  r.name = s.name;
  r.render_note = s.render_note;
  for (const char* route : {"/health", "render"}) r.cells.push_back(RunCell(o, s, route, false));
  std::this_thread::sleep_for(milliseconds(1000));
  r.rss_before = s.process->RssBytes();
  bench::ConnectionCrowd crowd(s.http_port, bench::GetRequest("/health"), o.idle, o.slow);
  if (!crowd.Open())
    fmt::print(stderr, "http_compare: {}: some crowd connections failed\n", s.name);
  std::this_thread::sleep_for(milliseconds(2000));
  r.rss_crowd = s.process->RssBytes();
  r.server_connections = ServerOpenConnections(s);
  for (const char* route : {"/health", "render"}) r.cells.push_back(RunCell(o, s, route, true));
  r.idle_replaced = crowd.idle_replaced();
  r.slow_replaced = crowd.slow_replaced();
  r.ok = s.process->Running();
  return r;
}

std::optional<bench::ServerResult> RunServer(const Options& o, std::string_view key, int64_t end) {
  char tmpl[] = "/tmp/http_compare.XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  std::optional<Server> s = key == "meridian" ? StartMeridian(o, dir) : StartVm(o, dir);
  std::optional<bench::ServerResult> result;
  if (!s) {
    fmt::print(stderr, "http_compare: {} did not start; see {}\n", key, dir);
  } else if (!WriteSeries(s->graphite_port, end, o.seed) || !WaitForSeries(*s, end)) {
    fmt::print(stderr, "http_compare: {} never served the series; see {}\n", s->name, dir);
  } else {
    fmt::print(stderr, "http_compare: {} ready (pid {}), load {}\n", s->name, s->process->pid(),
               LoadAverage());
    result = Measure(o, *s);
  }
  if (s) s->process->Stop();
  if (result && result->ok && !o.keep) {
    std::filesystem::remove_all(dir);
  } else {
    fmt::print(stderr, "http_compare: temp dir kept: {}\n", dir);
  }
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, o)) {
    fmt::print(
        stderr,
        "usage: http_compare [--meridian PATH] [--vm PATH] [--only meridian|vm] "
        "[--clients N] [--rounds N] [--duration S] [--warmup S] [--idle N] [--slow N] [--seed S] "
        "[--keep]\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  const size_t files = bench::RaiseOpenFileLimit();
  fmt::print("http_compare: load average at start {} ({} CPUs); open-file limit {}\n",
             LoadAverage(), std::thread::hardware_concurrency(), files);
  std::fflush(stdout);
  // One fixed minute, two minutes back: past VictoriaMetrics' 30 s -search.latencyOffset.
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  const int64_t end = now / 60 * 60 - 120;
  std::vector<bench::ServerResult> results;
  for (int round = 0; round < o.rounds; ++round) {
    for (const char* key : {"meridian", "vm"}) {
      if (!Wanted(o, key)) continue;
      if (auto r = RunServer(o, key, end)) results.push_back(std::move(*r));
    }
  }
  bench::PrintReport({.clients = o.clients, .idle = o.idle, .slow = o.slow}, results);
  fmt::print("load average at end {}\n", LoadAverage());
  return results.empty() ? 1 : 0;
}
