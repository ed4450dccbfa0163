// udp_burst: how many datagrams of a burst a running `meridian serve` loses in the kernel, and
// whether its counters account for every one (issue 12 "losses that show").
//
//   udp_burst --port GRAPHITE_PORT --http-port HTTP_PORT [--count N] [--host 127.0.0.1]
//
// Sends N (200000) one-line datagrams (`udp.burst.s<i % 1000> <i> <now>`) as fast as one socket
// can, then polls /metrics until meridian_ingest_udp_datagrams_total plus
// meridian_ingest_udp_kernel_drops_total account for the burst (or 10 s pass) and prints sent,
// received, kernel drops, unaccounted and the granted receive buffer. Differences are taken
// against the counters read before the burst.
#include <arpa/inet.h>
#include <fmt/core.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <string>
#include <string_view>
#include <thread>

namespace {

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  int http_port = 0;
  int64_t count = 200'000;
};

sockaddr_in Address(const std::string& host, int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, host.c_str(), &a.sin_addr);
  return a;
}

// GET /metrics over a plain socket (HTTP/1.0: the server closes when done).
std::string FetchMetrics(const Options& o) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a = Address(o.host, o.http_port);
  std::string body;
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0) {
    std::string req = "GET /metrics HTTP/1.0\r\nHost: " + o.host + "\r\n\r\n";
    if (send(fd, req.data(), req.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(req.size())) {
      char buf[65536];
      ssize_t n;
      while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) body.append(buf, static_cast<size_t>(n));
    }
  }
  close(fd);
  return body;
}

// The value of an unlabelled sample `name` in Prometheus text, 0 if absent.
int64_t Sample(const std::string& text, std::string_view name) {
  size_t pos = 0;
  const std::string key = "\n" + std::string(name) + " ";
  pos = text.find(key);
  if (pos == std::string::npos) return 0;
  return std::strtoll(text.c_str() + pos + key.size(), nullptr, 10);
}

bool ParseArgs(int argc, char** argv, Options* o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view arg = argv[i];
    const char* v = argv[i + 1];
    if (arg == "--host") {
      o->host = v;
    } else if (arg == "--port") {
      o->port = std::atoi(v);
    } else if (arg == "--http-port") {
      o->http_port = std::atoi(v);
    } else if (arg == "--count") {
      o->count = std::atoll(v);
    } else {
      return false;
    }
  }
  return argc % 2 == 1 && o->port > 0 && o->http_port > 0 && o->count > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, &o)) {
    fmt::print(stderr,
               "usage: udp_burst --port GRAPHITE_PORT --http-port HTTP_PORT [--count N] "
               "[--host 127.0.0.1]\n");
    return 2;
  }
  const std::string before = FetchMetrics(o);
  const int64_t dg0 = Sample(before, "meridian_ingest_udp_datagrams_total");
  const int64_t dr0 = Sample(before, "meridian_ingest_udp_kernel_drops_total");

  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a = Address(o.host, o.port);
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  int64_t sent = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < o.count; ++i) {
    std::string line = fmt::format("udp.burst.s{} {} {}\n", i % 1000, i, now);
    if (sendto(fd, line.data(), line.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof(a)) ==
        static_cast<ssize_t>(line.size())) {
      ++sent;
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  close(fd);

  int64_t received = 0, drops = 0;
  std::string after;
  for (int i = 0; i < 100; ++i) {
    after = FetchMetrics(o);
    received = Sample(after, "meridian_ingest_udp_datagrams_total") - dg0;
    drops = Sample(after, "meridian_ingest_udp_kernel_drops_total") - dr0;
    if (received + drops >= sent) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  fmt::print("{:>10} {:>10} {:>13} {:>12} {:>14} {:>10}\n", "sent", "received", "kernel drops",
             "unaccounted", "rcvbuf granted", "send s");
  fmt::print("{:>10} {:>10} {:>13} {:>12} {:>14} {:>10.2f}\n", sent, received, drops,
             sent - received - drops, Sample(after, "meridian_ingest_udp_receive_buffer_bytes"),
             secs);
  return 0;
}
