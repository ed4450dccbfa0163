#include "http_compare/load.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <latch>
#include <string_view>

#include "http_compare/raw_client.h"

namespace meridian::bench {
namespace {

using Clock = std::chrono::steady_clock;

// What a slowloris client sends: a request line and part of a header, never the blank line.
constexpr std::string_view kPartialHeaders =
    "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: http_compare-slow\r\nX-Pending: ";

struct ClientStats {
  std::vector<double> latencies_us;
  size_t errors = 0, reconnects = 0, body_bytes = 0;
};

void RunClient(const std::string& request, Clock::time_point measure_from, Clock::time_point end,
               KeepAliveClient& client, ClientStats& out) {
  Reply reply;
  reply.body.reserve(16384);
  out.latencies_us.reserve(1 << 16);
  for (Clock::time_point t0; (t0 = Clock::now()) < end;) {
    const bool ok = client.Get(request, reply) && reply.status == 200;
    const Clock::time_point t1 = Clock::now();
    if (t0 >= measure_from) {
      if (ok) {
        out.latencies_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      } else {
        ++out.errors;
      }
    }
    // A refused or broken connection must not turn into a busy loop that starves the server.
    if (!ok) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  out.reconnects = client.reconnects();
  out.body_bytes = reply.body.size();
}

}  // namespace

double Percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  const double rank = std::ceil(p / 100 * static_cast<double>(values.size()));
  const size_t at = std::min(values.size() - 1, static_cast<size_t>(std::max(rank, 1.0)) - 1);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(at), values.end());
  return values[at];
}

LoadResult RunClosedLoop(uint16_t port, const std::string& request, int clients,
                         std::chrono::milliseconds warmup, std::chrono::milliseconds duration) {
  std::vector<ClientStats> stats(static_cast<size_t>(clients));
  std::latch connected(clients), go(1);
  Clock::time_point start;
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&, i] {
      KeepAliveClient client(port);
      client.Connect();  // a failure shows as errors: Get retries
      connected.count_down();
      go.wait();
      RunClient(request, start + warmup, start + warmup + duration, client,
                stats[static_cast<size_t>(i)]);
    });
  }
  connected.wait();
  start = Clock::now();
  go.count_down();
  for (auto& t : threads) t.join();

  LoadResult result;
  result.seconds = std::chrono::duration<double>(duration).count();
  std::vector<double> all;
  for (auto& s : stats) {
    all.insert(all.end(), s.latencies_us.begin(), s.latencies_us.end());
    result.errors += s.errors;
    result.reconnects += s.reconnects;
    result.body_bytes = std::max(result.body_bytes, s.body_bytes);
  }
  result.requests = all.size();
  result.p50_us = Percentile(all, 50);
  result.p99_us = Percentile(all, 99);
  return result;
}

ConnectionCrowd::ConnectionCrowd(uint16_t port, std::string request, int idle, int slow)
    : port_(port), request_(std::move(request)), idle_(idle), slow_(slow) {}

ConnectionCrowd::~ConnectionCrowd() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (watcher_.joinable()) watcher_.join();
  for (int fd : fds_) {
    if (fd >= 0) close(fd);
  }
}

int ConnectionCrowd::OpenOne(Kind kind) const {
  if (kind == Kind::kIdle) {
    KeepAliveClient client(port_);
    Reply reply;
    if (!client.Get(request_, reply) || reply.status != 200) return -1;
    return client.Release();
  }
  const int fd = ConnectLoopback(port_);
  if (fd < 0) return -1;
  if (send(fd, kPartialHeaders.data(), kPartialHeaders.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(kPartialHeaders.size())) {
    close(fd);
    return -1;
  }
  return fd;
}

bool ConnectionCrowd::Open() {
  bool ok = true;
  for (int i = 0; i < idle_ + slow_; ++i) {
    fds_.push_back(OpenOne(i < idle_ ? Kind::kIdle : Kind::kSlow));
    ok = ok && fds_.back() >= 0;
  }
  watcher_ = std::thread([this] { Watch(); });
  return ok;
}

void ConnectionCrowd::Watch() {
  std::vector<pollfd> polled(fds_.size());
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, std::chrono::milliseconds(100), [this] { return stop_; })) {
    for (size_t i = 0; i < fds_.size(); ++i) polled[i] = {fds_[i], POLLIN | POLLRDHUP, 0};
    if (poll(polled.data(), polled.size(), 0) <= 0) continue;
    for (size_t i = 0; i < fds_.size(); ++i) {
      if (polled[i].revents == 0 || fds_[i] < 0) continue;
      // Any byte or close from the server ends this connection's role (an idle one is never
      // answered anything; a slow one only a 408 or a close): replace it.
      close(fds_[i]);
      const bool idle = i < static_cast<size_t>(idle_);
      fds_[i] = OpenOne(idle ? Kind::kIdle : Kind::kSlow);
      (idle ? idle_replaced_ : slow_replaced_).fetch_add(1);
    }
  }
}

}  // namespace meridian::bench
