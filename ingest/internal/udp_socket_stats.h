// Linux socket knobs and counters of the Graphite UDP socket: its receive buffer and the kernel's
// count of datagrams dropped because that buffer was full. Plain file descriptors, no Asio.
// Thread-safe (each call is one or two system calls on `fd`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace meridian::ingest::internal {

struct ReceiveBuffer {
  size_t requested = 0;  // bytes asked for
  // SO_RCVBUF read back after setting it. Linux doubles the request (the extra half pays for
  // its bookkeeping), so granting the request in full reads back as 2 × requested.
  size_t granted = 0;
  bool forced = false;  // SO_RCVBUFFORCE was needed and worked (CAP_NET_ADMIN)
  bool capped = false;  // still below the request: net.core.rmem_max applies
  std::string error;    // a setsockopt/getsockopt failure, empty if none
};

// Asks for `bytes` of receive buffer with SO_RCVBUF; when net.core.rmem_max caps it, tries
// SO_RCVBUFFORCE (allowed with CAP_NET_ADMIN, e.g. as root). REQUIRES: bytes <= 1 GiB.
ReceiveBuffer SetReceiveBuffer(int fd, size_t bytes);

// One line for the log: requested, granted, and what to do when capped.
std::string DescribeReceiveBuffer(const ReceiveBuffer& rb);

// The kernel's drop count of this UDP socket (sk_drops: datagrams refused because the receive
// buffer was full, plus the rare other receive-path drops), since the socket was created.
// Read with getsockopt(SO_MEMINFO)[SK_MEMINFO_DROPS]; where that is unavailable, from the
// "drops" column of /proc/self/net/udp or udp6 for the socket's inode. nullopt if neither works.
std::optional<uint64_t> ReadSocketDrops(int fd);

}  // namespace meridian::ingest::internal
