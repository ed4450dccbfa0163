#include "support/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/core.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace meridian::testing {
namespace {

using core::Status;

Status Errno(std::string_view what) {
  return core::IoError(fmt::format("{}: {}", what, std::strerror(errno)));
}

sockaddr_in Loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

// Binds a socket of `type` to 127.0.0.1:port; returns the fd (caller closes) or -1.
int BindLoopback(int type, uint16_t port) {
  int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr = Loopback(port);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

uint16_t BoundPort(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

int ConnectTcp(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr = Loopback(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// The child's environment: the parent's, with `overrides` replacing same-named entries.
std::vector<std::string> MergedEnv(const std::vector<std::string>& overrides) {
  std::vector<std::string> env;
  auto name_of = [](const std::string& kv) { return kv.substr(0, kv.find('=')); };
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv(*e);
    bool replaced = false;
    for (const auto& o : overrides) replaced = replaced || name_of(o) == name_of(kv);
    if (!replaced) env.push_back(std::move(kv));
  }
  env.insert(env.end(), overrides.begin(), overrides.end());
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

TempDir::TempDir(std::string_view prefix) {
  const char* root = std::getenv("TMPDIR");
  std::string pattern = fmt::format("{}/{}-XXXXXX", root != nullptr ? root : "/tmp", prefix);
  if (mkdtemp(pattern.data()) == nullptr) {
    // Nothing in a test can work without a scratch dir; fail loudly rather than limp on.
    std::perror("mkdtemp");
    std::abort();
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::Sub(std::string_view name) const { return (path_ / name).string(); }

Status WriteFile(const std::filesystem::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) return core::IoError("cannot write " + path.string());
  return Status::Ok();
}

std::string ReadFileOrEmpty(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

uint16_t FreeTcpPort() {
  int fd = BindLoopback(SOCK_STREAM, 0);
  if (fd < 0) return 0;
  uint16_t port = BoundPort(fd);
  close(fd);
  return port;
}

uint16_t FreeTcpUdpPort() {
  for (int attempt = 0; attempt < 100; ++attempt) {
    int tcp = BindLoopback(SOCK_STREAM, 0);
    if (tcp < 0) continue;
    uint16_t port = BoundPort(tcp);
    int udp = BindLoopback(SOCK_DGRAM, port);
    close(tcp);
    if (udp >= 0) {
      close(udp);
      return port;
    }
  }
  return 0;
}

bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds deadline) {
  auto end = std::chrono::steady_clock::now() + deadline;
  auto backoff = std::chrono::milliseconds(1);
  while (true) {
    if (cond()) return true;
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(50));
  }
}

bool WaitForTcpPort(uint16_t port, std::chrono::milliseconds deadline) {
  return WaitFor(
      [port] {
        int fd = ConnectTcp(port);
        if (fd < 0) return false;
        close(fd);
        return true;
      },
      deadline);
}

Status SendTcp(uint16_t port, std::string_view text) {
  int fd = ConnectTcp(port);
  if (fd < 0) return Errno(fmt::format("connect 127.0.0.1:{}", port));
  size_t sent = 0;
  while (sent < text.size()) {
    ssize_t n = send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status st = Errno("send");
      close(fd);
      return st;
    }
    sent += static_cast<size_t>(n);
  }
  // Half-close and wait for the peer's close: then the server has consumed every byte.
  shutdown(fd, SHUT_WR);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  char buf[4096];
  while (recv(fd, buf, sizeof(buf), 0) > 0) {
  }
  close(fd);
  return Status::Ok();
}

Status SendUdp(uint16_t port, std::string_view text) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Errno("socket");
  sockaddr_in addr = Loopback(port);
  ssize_t n =
      sendto(fd, text.data(), text.size(), 0, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  Status st = n == static_cast<ssize_t>(text.size()) ? Status::Ok() : Errno("sendto");
  close(fd);
  return st;
}

core::Result<HttpResponse> HttpGet(uint16_t port, const std::string& path, const HttpParams& params,
                                   std::chrono::milliseconds timeout) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  httplib::Params query(params.begin(), params.end());
  auto res = client.Get(path, query, httplib::Headers{});
  if (!res) {
    return core::Unavailable(
        fmt::format("GET 127.0.0.1:{}{}: {}", port, path, httplib::to_string(res.error())));
  }
  HttpResponse out{res->status, res->body, {}};
  for (const auto& [k, v] : res->headers) out.headers.emplace_back(k, v);
  return out;
}

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return v;
    }
  }
  return "";
}

core::Result<std::unique_ptr<Subprocess>> Subprocess::Start(SubprocessOptions options) {
  if (options.argv.empty()) return core::InvalidArgument("Subprocess: empty argv");
  std::unique_ptr<Subprocess> proc(new Subprocess(std::move(options)));
  const SubprocessOptions& o = proc->options_;
  // Everything the child touches is prepared before fork: after fork in a threaded process only
  // async-signal-safe calls are allowed.
  std::vector<std::string> args = o.argv;
  std::vector<std::string> env = MergedEnv(o.env);
  std::vector<char*> argv = CStrings(args);
  std::vector<char*> envp = CStrings(env);
  std::string log = o.log_path.empty() ? "/dev/null" : o.log_path.string();
  std::string cwd = o.cwd.string();
  pid_t parent = getpid();

  pid_t pid = fork();
  if (pid < 0) return Errno("fork");
  if (pid == 0) {
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      close(fd);
    }
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(127);
    execvpe(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  setpgid(pid, pid);  // Also from the parent, so Signal() cannot race the child's setpgid.
  proc->pid_ = pid;
  return proc;
}

Subprocess::~Subprocess() {
  if (Running()) {
    Signal(SIGKILL);
    Reap(0);
  }
}

bool Subprocess::Reap(int flags) {
  if (exit_code_) return true;
  int status = 0;
  pid_t r = waitpid(pid_, &status, flags);
  if (r != pid_) return false;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return true;
}

void Subprocess::Signal(int sig) {
  if (exit_code_ || pid_ <= 0) return;
  // The group first (helpers the child forked die too), the pid itself as a fallback.
  if (kill(-pid_, sig) != 0) kill(pid_, sig);
}

bool Subprocess::Running() { return pid_ > 0 && !Reap(WNOHANG); }

std::optional<int> Subprocess::Wait(std::chrono::milliseconds deadline) {
  if (!WaitFor([this] { return !Running(); }, deadline)) return std::nullopt;
  return exit_code_;
}

int Subprocess::Stop(std::chrono::milliseconds deadline) {
  Signal(SIGTERM);
  if (auto code = Wait(deadline)) return *code;
  Signal(SIGKILL);
  Reap(0);
  return exit_code_.value_or(-1);
}

core::Result<std::string> RunAndCapture(SubprocessOptions options,
                                        const std::filesystem::path& scratch_dir,
                                        std::chrono::milliseconds deadline) {
  static std::atomic<int> counter{0};
  if (options.log_path.empty()) {
    options.log_path = scratch_dir / fmt::format("run-{}-{}.out", getpid(), counter++);
  }
  std::string name = options.argv.empty() ? "" : options.argv[0];
  ASSIGN_OR_RETURN(auto proc, Subprocess::Start(options));
  std::optional<int> code = proc->Wait(deadline);
  std::string out = proc->ReadLog();
  std::error_code ec;
  std::filesystem::remove(options.log_path, ec);
  if (!code) return core::Status(core::StatusCode::kDeadlineExceeded, name + " timed out");
  if (*code != 0) {
    return core::Internal(fmt::format("{} exited with {}: {}", name, *code, out.substr(0, 4000)));
  }
  return out;
}

CliRun RunProgram(const TempDir& dir, const std::string& program, std::vector<std::string> args) {
  static int counter = 0;
  const std::string out = dir.Sub("cli-stdout-" + std::to_string(counter));
  const std::string err = dir.Sub("cli-stderr-" + std::to_string(counter++));
  SubprocessOptions o;
  o.argv = {"/bin/sh", "-c", "exec \"$0\" \"$@\" >\"$RUN_OUT\" 2>\"$RUN_ERR\"", program};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.env = {"RUN_OUT=" + out, "RUN_ERR=" + err};
  auto proc = Subprocess::Start(o);
  if (!proc.ok()) return CliRun{-1, "", proc.status().ToString()};
  std::optional<int> code = (*proc)->Wait(std::chrono::seconds(60));
  return CliRun{code.value_or(-1), ReadFileOrEmpty(out), ReadFileOrEmpty(err)};
}

}  // namespace meridian::testing
