// alert_delay: end-to-end alert latency (issue 4): from a point's arrival over Graphite plaintext
// TCP to the PROCESS_SERVICE_CHECK_RESULT line on the Nagios command FIFO.
//
//   alert_delay [--meridian PATH] [--trials N] [--intervals 1,10] [--seed S] [--keep]
//
// Starts the real `meridian serve` (default: ../app/meridian next to this binary, or
// $MERIDIAN_BUILD_DIR/app/meridian) in a temp dir on loopback port 0, with one rule group per
// interval (delay.i<I>.value, window 1min, reduce last, critical "50", host "delay", service
// "i<I>") and alerting.nagios.command_file = a FIFO this tool creates and reads (it also holds a
// write end open, as Nagios does, so the reader never sees EOF). For each interval, after the
// check reports OK, each trial waits a random part of the interval (fixed seed), sends 90 or 10
// (alternating CRITICAL and OK, so every send is a transition) timestamped now, and times the
// first line carrying the new state for that check. Prints p50/p90/max delay, their ratio to
// the interval, and the median of how late the line came after its evaluation time ([epoch]).
#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/core.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::system_clock;

struct Options {
  std::string meridian;
  int trials = 12;
  std::vector<int> intervals = {1, 10};
  uint64_t seed = 42;
  bool keep = false;
};

double NowSeconds() {
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

std::string DefaultMeridian() {
  if (const char* dir = std::getenv("MERIDIAN_BUILD_DIR"))
    return std::string(dir) + "/app/meridian";
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return (self.parent_path().parent_path() / "app" / "meridian").string();
}

bool ParseArgs(int argc, char** argv, Options& o) {
  o.meridian = DefaultMeridian();
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (a == "--keep") {
      o.keep = true;
      continue;
    }
    if (v == nullptr) return false;
    ++i;
    if (a == "--meridian") {
      o.meridian = v;
    } else if (a == "--trials") {
      o.trials = std::atoi(v);
    } else if (a == "--seed") {
      o.seed = std::strtoull(v, nullptr, 10);
    } else if (a == "--intervals") {
      o.intervals.clear();
      std::stringstream list(v);
      for (std::string item; std::getline(list, item, ',');) o.intervals.push_back(std::stoi(item));
    } else {
      return false;
    }
  }
  return o.trials > 0 && !o.intervals.empty() &&
         std::all_of(o.intervals.begin(), o.intervals.end(), [](int i) { return i > 0; });
}

// The FIFO as Nagios holds it: read end non-blocking, plus a write end so it never sees EOF.
class CommandFifo {
 public:
  bool Open(const std::string& path) {
    if (mkfifo(path.c_str(), 0600) != 0) return false;
    read_fd_ = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    write_fd_ = open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    return read_fd_ >= 0 && write_fd_ >= 0;
  }
  ~CommandFifo() {
    if (read_fd_ >= 0) close(read_fd_);
    if (write_fd_ >= 0) close(write_fd_);
  }
  // The next complete line, waiting until `deadline` (epoch seconds); nullopt on timeout.
  std::optional<std::string> NextLine(double deadline) {
    while (true) {
      if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      const double left = deadline - NowSeconds();
      if (left <= 0) return std::nullopt;
      pollfd p{read_fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left * 1000) + 1) <= 0) continue;
      char chunk[65536];
      const ssize_t n = read(read_fd_, chunk, sizeof chunk);
      if (n > 0) buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

 private:
  int read_fd_ = -1, write_fd_ = -1;
  std::string buffer_;
};

struct ResultLine {
  int64_t epoch = 0;
  std::string host, service;
  int rc = -1;
};

// "[epoch] PROCESS_SERVICE_CHECK_RESULT;host;service;rc;output"
std::optional<ResultLine> ParseLine(const std::string& line) {
  ResultLine r;
  const size_t close = line.find("] PROCESS_SERVICE_CHECK_RESULT;");
  if (line.empty() || line[0] != '[' || close == std::string::npos) return std::nullopt;
  r.epoch = std::atoll(line.c_str() + 1);
  std::vector<std::string> fields;
  std::stringstream rest(line.substr(close + 2));
  for (std::string f; fields.size() < 4 && std::getline(rest, f, ';');) fields.push_back(f);
  if (fields.size() < 4) return std::nullopt;
  r.host = fields[1];
  r.service = fields[2];
  r.rc = std::atoi(fields[3].c_str());
  return r;
}

struct Server {
  pid_t pid = -1;
  int graphite_port = 0;
  ~Server() {
    if (pid > 0) {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
    }
  }
};

bool StartServer(const Options& o, const std::string& dir, Server& server) {
  const std::string log = dir + "/meridian.log";
  server.pid = fork();
  if (server.pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    const std::string config = dir + "/meridian.yaml";
    execl(o.meridian.c_str(), o.meridian.c_str(), "serve", "--config", config.c_str(),
          "--graphite-listen", "127.0.0.1:0", "--http-listen", "127.0.0.1:0", "--pickle-listen",
          "off", nullptr);
    _exit(127);
  }
  const double deadline = NowSeconds() + 30;
  while (NowSeconds() < deadline) {
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) {
      const size_t at = line.find("serving Graphite on ");
      if (at == std::string::npos) continue;
      const size_t port = line.find("(port ", at);
      server.graphite_port = std::atoi(line.c_str() + port + 6);
      return server.graphite_port > 0;
    }
    if (waitpid(server.pid, nullptr, WNOHANG) == server.pid) {
      server.pid = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  fmt::print(stderr, "alert_delay: meridian did not start; log {}\n", log);
  return false;
}

void WriteSetup(const Options& o, const std::string& dir) {
  std::filesystem::create_directories(dir + "/rules");
  std::ofstream(dir + "/meridian.yaml") << fmt::format(
      "data_dir: {0}/data\nalerting:\n  rules_dir: {0}/rules\n  nagios:\n"
      "    command_file: {0}/nagios.cmd\n",
      dir);
  for (int i : o.intervals) {
    std::ofstream(fmt::format("{}/rules/delay{}.yaml", dir, i)) << fmt::format(
        "group: delay{0}\ninterval: {0}s\nrules:\n  - name: delay{0}\n"
        "    target: delay.i{0}.value\n    window: 1min\n    reduce: last\n"
        "    critical: \"50\"\n    nagios:\n      host: delay\n      service: i{0}\n",
        i);
  }
}

int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

struct Sample {
  double delay = 0;     // send -> line read, seconds
  double lateness = 0;  // line read - its [epoch] (evaluation time), seconds
};

// Sends `value` for interval `i` and waits for the check's line with `rc`.
std::optional<Sample> Trial(int sock, CommandFifo& fifo, int i, double value, int rc) {
  const std::string service = fmt::format("i{}", i);
  const double sent = NowSeconds();
  const std::string line =
      fmt::format("delay.i{}.value {} {}\n", i, value, static_cast<int64_t>(sent));
  if (write(sock, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    return std::nullopt;
  }
  const double deadline = sent + 3.0 * i + 10;
  while (auto text = fifo.NextLine(deadline)) {
    const auto r = ParseLine(*text);
    if (!r || r->host != "delay" || r->service != service || r->rc != rc) continue;
    const double got = NowSeconds();
    return Sample{got - sent, got - static_cast<double>(r->epoch)};
  }
  return std::nullopt;
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const size_t at = std::min(v.size() - 1, static_cast<size_t>(p / 100 * (v.size() - 1) + 0.5));
  return v[at];
}

bool Measure(const Options& o, int sock, CommandFifo& fifo, int interval, std::mt19937_64& rng) {
  // Settle on OK first: the check starts as UNKNOWN (no data).
  if (!Trial(sock, fifo, interval, 10, 0)) {
    fmt::print(stderr, "alert_delay: no OK line for interval {}s\n", interval);
    return false;
  }
  std::uniform_real_distribution<double> phase(0, interval);
  std::vector<double> delays, lateness;
  for (int t = 0; t < o.trials; ++t) {
    std::this_thread::sleep_for(std::chrono::duration<double>(phase(rng)));
    const bool critical = t % 2 == 0;
    const auto s = Trial(sock, fifo, interval, critical ? 90 : 10, critical ? 2 : 0);
    if (!s) {
      fmt::print(stderr, "alert_delay: trial {} of interval {}s timed out\n", t, interval);
      return false;
    }
    delays.push_back(s->delay * 1e3);
    lateness.push_back(s->lateness * 1e3);
  }
  const double ms = interval * 1e3;
  const double p50 = Percentile(delays, 50), p90 = Percentile(delays, 90),
               max = Percentile(delays, 100);
  fmt::print("| {}s | {} | {:.0f} | {:.0f} | {:.0f} | {:.2f} | {:.2f} | {:.2f} | {:.0f} |\n",
             interval, o.trials, p50, p90, max, p50 / ms, p90 / ms, max / ms,
             Percentile(lateness, 50));
  std::fflush(stdout);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, o)) {
    fmt::print(stderr,
               "usage: alert_delay [--meridian PATH] [--trials N] [--intervals 1,10] "
               "[--seed S] [--keep]\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  char tmpl[] = "/tmp/alert_delay.XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  WriteSetup(o, dir);
  bool ok = false;
  {
    CommandFifo fifo;
    Server server;
    if (!fifo.Open(dir + "/nagios.cmd")) {
      fmt::print(stderr, "alert_delay: cannot create the FIFO in {}\n", dir);
    } else if (StartServer(o, dir, server)) {
      const int sock = Connect(server.graphite_port);
      std::mt19937_64 rng(o.seed);
      fmt::print(
          "| interval | trials | p50 ms | p90 ms | max ms | p50/interval | p90/interval "
          "| max/interval | line after its [epoch], p50 ms |\n"
          "|---|---|---|---|---|---|---|---|---|\n");
      ok = sock >= 0;
      for (int i : o.intervals) ok = ok && Measure(o, sock, fifo, i, rng);
      if (sock >= 0) close(sock);
    }
  }
  if (ok && !o.keep) {
    std::filesystem::remove_all(dir);
  } else {
    fmt::print(stderr, "alert_delay: temp dir kept: {}\n", dir);
  }
  return ok ? 0 : 1;
}
