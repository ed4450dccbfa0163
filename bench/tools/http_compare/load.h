// The two loads of http_compare: a closed loop of keep-alive clients that is measured, and a
// crowd of connections that only sits there (idle keep-alive and never-finished headers).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace meridian::bench {

struct LoadResult {
  size_t requests = 0;    // answered 200 within the measured window
  size_t errors = 0;      // I/O errors and non-200 answers within the window
  size_t reconnects = 0;  // connections the clients had to reopen (server closes, errors)
  double seconds = 0;     // the measured window
  double p50_us = 0, p99_us = 0;
  size_t body_bytes = 0;  // of the last answer
  double requests_per_second() const { return seconds > 0 ? requests / seconds : 0; }
};

// `clients` threads, each with one keep-alive connection to 127.0.0.1:port, send `request` back
// to back (the next as soon as the answer is read) for warmup + duration. Requests started after
// the warm-up count: latency is from the first byte sent to the last byte read.
LoadResult RunClosedLoop(uint16_t port, const std::string& request, int clients,
                         std::chrono::milliseconds warmup, std::chrono::milliseconds duration);

// Holds `idle` keep-alive connections (each answered one request, then sends nothing) and
// `slow` connections that sent part of a request's headers and never finish them. A background
// thread checks them every 100 ms and replaces any the server closed (a header or idle timeout),
// counting the replacements, so the crowd stays the same size whatever the server's timeouts.
//
// Thread-compatible; the counters may be read from any thread.
class ConnectionCrowd {
 public:
  ConnectionCrowd(uint16_t port, std::string request, int idle, int slow);
  ~ConnectionCrowd();  // stops the thread, closes every connection
  ConnectionCrowd(const ConnectionCrowd&) = delete;
  ConnectionCrowd& operator=(const ConnectionCrowd&) = delete;

  // Opens them all and starts the watcher. False if a connection could not be opened.
  bool Open();
  size_t idle_replaced() const { return idle_replaced_.load(); }
  size_t slow_replaced() const { return slow_replaced_.load(); }

 private:
  enum class Kind { kIdle, kSlow };
  int OpenOne(Kind kind) const;
  void Watch();

  const uint16_t port_;
  const std::string request_;
  const int idle_, slow_;
  std::vector<int> fds_;  // idle first, then slow
  std::atomic<size_t> idle_replaced_{0}, slow_replaced_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread watcher_;
};

// Percentile `p` (0..100) of `values` (reordered), nearest rank; 0 when empty.
double Percentile(std::vector<double>& values, double p);

}  // namespace meridian::bench
