#include "support/raw_http.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace meridian::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

RawConnection& RawConnection::operator=(RawConnection&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
    pending_ = std::move(other.pending_);
  }
  return *this;
}

RawConnection::~RawConnection() {
  if (fd_ >= 0) ::close(fd_);
}

core::Result<RawConnection> RawConnection::Connect(uint16_t port, int receive_buffer) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return core::Unavailable(fmt::format("socket: {}", std::strerror(errno)));
  if (receive_buffer > 0) {
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int e = errno;
    ::close(fd);
    return core::Unavailable(fmt::format("connect: {}", std::strerror(e)));
  }
  return RawConnection(fd);
}

core::Status RawConnection::Send(std::string_view bytes) const {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return core::Unavailable(fmt::format("send: {}", std::strerror(errno)));
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return core::Status::Ok();
}

core::Result<RawResponse> RawConnection::Read(std::chrono::milliseconds timeout) {
  const auto until = Clock::now() + timeout;
  std::string& buf = pending_;
  bool closed = false;
  // Reads more bytes; false when the deadline passed.
  auto more = [&]() -> bool {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char tmp[65536];
    const ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) {
      closed = true;
    } else {
      buf.append(tmp, static_cast<size_t>(n));
    }
    return true;
  };
  size_t head_end;
  while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
    if (closed) return core::Unavailable("connection closed before a response");
    if (!more()) return core::DeadlineExceeded("no response headers in time");
  }
  RawResponse r;
  const std::string head = buf.substr(0, head_end);
  buf.erase(0, head_end + 4);
  if (head.size() < 12 || !head.starts_with("HTTP/1.")) {
    return core::Corruption("bad status line: " + head.substr(0, 40));
  }
  r.status = std::atoi(head.c_str() + 9);
  size_t pos = head.find("\r\n");
  while (pos != std::string::npos) {
    const size_t next = head.find("\r\n", pos + 2);
    const std::string line =
        head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
    const size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      r.headers[Lower(line.substr(0, colon))] = value;
    }
    pos = next;
  }
  if (r.status == 100) return Read(timeout);  // interim response: the real one follows
  if (auto it = r.headers.find("content-length"); it != r.headers.end()) {
    const size_t len = std::stoull(it->second);
    while (buf.size() < len) {
      if (closed) return core::Unavailable("connection closed inside the body");
      if (!more()) return core::DeadlineExceeded("body not complete in time");
    }
    r.body = buf.substr(0, len);
    buf.erase(0, len);
  } else if (Lower(r.headers["transfer-encoding"]) == "chunked") {
    for (;;) {
      size_t eol;
      while ((eol = buf.find("\r\n")) == std::string::npos) {
        if (closed || !more()) return core::Unavailable("chunked body not complete");
      }
      const size_t size = std::stoull(buf.substr(0, eol), nullptr, 16);
      while (buf.size() < eol + 2 + size + 2) {
        if (closed || !more()) return core::Unavailable("chunked body not complete");
      }
      r.body += buf.substr(eol + 2, size);
      buf.erase(0, eol + 2 + size + 2);
      if (size == 0) break;
    }
  } else {
    while (!closed && more()) {
    }
    r.body = std::move(buf);
    buf.clear();
  }
  return r;
}

bool RawConnection::WaitClosed(std::chrono::milliseconds timeout) {
  const auto until = Clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char tmp[4096];
    const ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) return true;
  }
}

core::Result<RawResponse> RawRequest(uint16_t port, std::string_view request,
                                     std::chrono::milliseconds timeout) {
  auto c = RawConnection::Connect(port);
  if (!c.ok()) return c.status();
  RETURN_IF_ERROR(c->Send(request));
  return c->Read(timeout);
}

size_t RaiseOpenFileLimit(size_t wanted) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 0;
  const rlim_t target = std::min<rlim_t>(std::max<rlim_t>(lim.rlim_cur, wanted), lim.rlim_max);
  lim.rlim_cur = target;
  setrlimit(RLIMIT_NOFILE, &lim);
  getrlimit(RLIMIT_NOFILE, &lim);
  return lim.rlim_cur;
}

}  // namespace meridian::testing
