// A raw HTTP/1.1 client over a blocking loopback socket, for tests that must control every byte
// and every pause: slow headers, idle keep-alive, pipelining, floods, slow readers.
//
// Thread-safety: one RawConnection per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/status.h"

namespace meridian::testing {

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

class RawConnection {
 public:
  // Connects to 127.0.0.1:port. `receive_buffer` > 0 sets SO_RCVBUF first (a slow reader).
  static core::Result<RawConnection> Connect(uint16_t port, int receive_buffer = 0);
  RawConnection(RawConnection&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  RawConnection& operator=(RawConnection&& other) noexcept;
  ~RawConnection();

  core::Status Send(std::string_view bytes) const;
  // Reads one response (Content-Length or chunked body, or until close). kUnavailable when the
  // connection closes before a full response, kDeadlineExceeded past `timeout`.
  core::Result<RawResponse> Read(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // True once the peer closed (read returns 0 or reset) within `timeout`.
  bool WaitClosed(std::chrono::milliseconds timeout);
  int fd() const { return fd_; }

 private:
  explicit RawConnection(int fd) : fd_(fd) {}
  int fd_ = -1;
  std::string pending_;  // bytes read past the last response (pipelining)
};

// Sends one request on a new connection and reads its response.
core::Result<RawResponse> RawRequest(uint16_t port, std::string_view request,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(20));

// Raises this process's open-file soft limit to `wanted` (or the hard limit). Returns the limit.
size_t RaiseOpenFileLimit(size_t wanted);

}  // namespace meridian::testing
