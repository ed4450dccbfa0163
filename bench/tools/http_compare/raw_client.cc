#include "http_compare/raw_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <cstring>

namespace meridian::bench {
namespace {

bool SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Case-insensitive "does the header line start with `name:`"; the value (trimmed) on a match.
bool HeaderValue(std::string_view line, std::string_view name, std::string_view& value) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  }
  value = line.substr(name.size() + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  return true;
}

bool ContainsNoCase(std::string_view text, std::string_view word) {
  for (size_t i = 0; i + word.size() <= text.size(); ++i) {
    size_t j = 0;
    while (j < word.size() && std::tolower(static_cast<unsigned char>(text[i + j])) == word[j]) ++j;
    if (j == word.size()) return true;
  }
  return false;
}

}  // namespace

int ConnectLoopback(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const timeval timeout{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  return fd;
}

std::string GetRequest(std::string_view target) {
  std::string request = "GET ";
  request.append(target);
  request.append(" HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: http_compare\r\n\r\n");
  return request;
}

KeepAliveClient::~KeepAliveClient() { Reset(); }

bool KeepAliveClient::Connect() {
  if (fd_ >= 0) return true;
  fd_ = ConnectLoopback(port_);
  if (fd_ < 0) return false;
  ++connects_;
  buffer_.clear();
  return true;
}

bool KeepAliveClient::Get(std::string_view request, Reply& reply) {
  if (!Connect()) return false;
  if (!SendAll(fd_, request) || !ReadReply(reply)) {
    Reset();
    return false;
  }
  if (reply.close) Reset();
  return true;
}

int KeepAliveClient::Release() {
  const int fd = fd_;
  fd_ = -1;
  buffer_.clear();
  return fd;
}

void KeepAliveClient::Reset() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  buffer_.clear();
}

bool KeepAliveClient::Fill() {
  char chunk[16384];
  const ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
  if (n <= 0) return false;
  buffer_.append(chunk, static_cast<size_t>(n));
  return true;
}

bool KeepAliveClient::ReadReply(Reply& reply) {
  size_t header_end;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!Fill()) return false;
  }
  const std::string_view head(buffer_.data(), header_end);
  if (head.size() < 12 || head.substr(0, 5) != "HTTP/") return false;
  reply.status = std::atoi(head.data() + 9);
  reply.close = false;
  long content_length = -1;
  bool chunked = false;
  for (size_t at = head.find("\r\n"); at != std::string_view::npos && at < head.size();) {
    const size_t next = head.find("\r\n", at + 2);
    const std::string_view line = head.substr(
        at + 2, next == std::string_view::npos ? std::string_view::npos : next - at - 2);
    std::string_view value;
    if (HeaderValue(line, "content-length", value)) {
      content_length = std::strtol(std::string(value).c_str(), nullptr, 10);
    } else if (HeaderValue(line, "transfer-encoding", value)) {
      chunked = ContainsNoCase(value, "chunked");
    } else if (HeaderValue(line, "connection", value)) {
      reply.close = ContainsNoCase(value, "close");
    }
    at = next;
  }
  size_t pos = header_end + 4;
  reply.body.clear();
  if (chunked) {
    while (true) {
      size_t eol;
      while ((eol = buffer_.find("\r\n", pos)) == std::string::npos) {
        if (!Fill()) return false;
      }
      const size_t size = std::strtoul(buffer_.c_str() + pos, nullptr, 16);
      pos = eol + 2;
      while (buffer_.size() < pos + size + 2) {
        if (!Fill()) return false;
      }
      reply.body.append(buffer_, pos, size);
      pos += size + 2;  // a last chunk's "\r\n" ends an answer without trailers
      if (size == 0) break;
    }
  } else if (content_length >= 0) {
    const size_t length = static_cast<size_t>(content_length);
    while (buffer_.size() < pos + length) {
      if (!Fill()) return false;
    }
    reply.body.assign(buffer_, pos, length);
    pos += length;
  } else if (reply.status != 204 && reply.status != 304) {
    return false;  // a body delimited by close: not something either server sends here
  }
  buffer_.erase(0, pos);
  return true;
}

size_t CountPoints(std::string_view body) {
  size_t at = body.find("\"datapoints\"");
  if (at == std::string_view::npos) at = body.find("\"values\"");
  if (at == std::string_view::npos) return 0;
  const size_t end = body.find("]]", at);
  if (end == std::string_view::npos) return 0;
  const std::string_view points = body.substr(at, end - at);
  size_t open = 0, nulls = 0;
  for (size_t i = 0; i < points.size(); ++i) {
    if (points[i] != '[') continue;
    ++open;
    if (points.substr(i + 1, 4) == "null") ++nulls;
  }
  return open > nulls + 1 ? open - 1 - nulls : 0;
}

}  // namespace meridian::bench
