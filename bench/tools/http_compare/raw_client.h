// A minimal blocking HTTP/1.1 client over loopback TCP for http_compare: one keep-alive
// connection, one request at a time, with as little client work per request as possible (no
// header map, the body copied only into a reused buffer), so that the client's own CPU, which
// shares the machine with the server under test, stays small.
//
// Thread-compatible: one KeepAliveClient per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace meridian::bench {

// A connected, blocking TCP socket to 127.0.0.1:port with TCP_NODELAY and 30 s send/receive
// timeouts, or -1.
int ConnectLoopback(uint16_t port);

// "GET <target> HTTP/1.1" with a Host header and nothing else (no Accept-Encoding: both servers
// answer uncompressed).
std::string GetRequest(std::string_view target);

struct Reply {
  int status = 0;
  bool close = false;  // the server said "Connection: close"
  std::string body;    // reused between requests
};

class KeepAliveClient {
 public:
  explicit KeepAliveClient(uint16_t port) : port_(port) {}
  ~KeepAliveClient();
  KeepAliveClient(const KeepAliveClient&) = delete;
  KeepAliveClient& operator=(const KeepAliveClient&) = delete;

  // Connects now (Get connects lazily otherwise). False when the connection fails.
  bool Connect();
  // Sends `request` (from GetRequest) and reads the whole answer (Content-Length or chunked).
  // False on an I/O or framing error; the connection is then closed and the next call opens a
  // new one. A "Connection: close" answer also closes it after reading.
  bool Get(std::string_view request, Reply& reply);
  // Hands the open socket to the caller (-1 if none); this client forgets it.
  int Release();
  // Connections opened after the first (server closes, errors).
  size_t reconnects() const { return connects_ > 0 ? connects_ - 1 : 0; }

 private:
  bool Fill();
  bool ReadReply(Reply& reply);
  void Reset();

  uint16_t port_;
  int fd_ = -1;
  size_t connects_ = 0;
  std::string buffer_;  // bytes read and not yet consumed
};

// The number of non-null points in a JSON render answer: graphite-web's `"datapoints": [[v, t],
// ...]` or Prometheus' `"values": [[t, "v"], ...]` (first series only).
size_t CountPoints(std::string_view body);

}  // namespace meridian::bench
