#include "ingest/internal/udp_socket_stats.h"

#include <fmt/format.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif

namespace meridian::ingest::internal {
namespace {

std::optional<size_t> ReadRcvBuf(int fd) {
  int value = 0;
  socklen_t len = sizeof(value);
  if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &value, &len) != 0 || value < 0) return std::nullopt;
  return static_cast<size_t>(value);
}

// SO_MEMINFO fills as many u32 slots as the kernel knows; older kernels stop before the drops.
std::optional<uint64_t> DropsFromMeminfo(int fd) {
  uint32_t mem[SK_MEMINFO_VARS + 8] = {};
  socklen_t len = sizeof(mem);
  if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) != 0) return std::nullopt;
  if (len < (SK_MEMINFO_DROPS + 1) * sizeof(uint32_t)) return std::nullopt;
  return mem[SK_MEMINFO_DROPS];
}

// /proc/net/udp line: "sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref ptr drops".
std::optional<uint64_t> DropsFromProc(const char* file, uint64_t inode) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string f[13];
    int n = 0;
    while (n < 13 && fields >> f[n]) ++n;
    if (n < 13 || f[9] != std::to_string(inode)) continue;
    uint64_t drops = 0;
    auto [ptr, ec] = std::from_chars(f[12].data(), f[12].data() + f[12].size(), drops);
    if (ec != std::errc()) return std::nullopt;
    return drops;
  }
  return std::nullopt;
}

}  // namespace

ReceiveBuffer SetReceiveBuffer(int fd, size_t bytes) {
  ReceiveBuffer rb;
  rb.requested = bytes;
  const int value = static_cast<int>(bytes);
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &value, sizeof(value)) != 0) {
    rb.error = fmt::format("setsockopt(SO_RCVBUF): {}", std::strerror(errno));
  }
  rb.granted = ReadRcvBuf(fd).value_or(0);
  if (rb.granted < bytes * 2) {
    // Capped by net.core.rmem_max. Only CAP_NET_ADMIN may exceed it; without it EPERM.
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &value, sizeof(value)) == 0) {
      rb.forced = true;
      rb.granted = ReadRcvBuf(fd).value_or(0);
    }
  }
  rb.capped = rb.granted < bytes * 2;
  return rb;
}

std::string DescribeReceiveBuffer(const ReceiveBuffer& rb) {
  std::string s = fmt::format(
      "receive buffer requested {} bytes, granted {}{} (SO_RCVBUF as read back: Linux reports "
      "twice the request)",
      rb.requested, rb.granted, rb.forced ? " with SO_RCVBUFFORCE" : "");
  if (rb.capped) {
    std::ifstream max_file("/proc/sys/net/core/rmem_max");
    std::string rmem_max = "?";
    max_file >> rmem_max;
    s += fmt::format(
        "; capped by net.core.rmem_max = {}: raise it (sysctl -w net.core.rmem_max={}) or give "
        "the process CAP_NET_ADMIN, else bursts are dropped by the kernel "
        "(ingest_udp_kernel_drops_total)",
        rmem_max, rb.requested);
  }
  if (!rb.error.empty()) s += "; " + rb.error;
  return s;
}

std::optional<uint64_t> ReadSocketDrops(int fd) {
  if (auto drops = DropsFromMeminfo(fd)) return drops;
  struct stat st {};
  if (fstat(fd, &st) != 0) return std::nullopt;
  if (auto drops = DropsFromProc("/proc/self/net/udp", st.st_ino)) return drops;
  return DropsFromProc("/proc/self/net/udp6", st.st_ino);
}

}  // namespace meridian::ingest::internal
