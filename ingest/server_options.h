// ServerOptions: every knob of the Graphite listeners (plaintext TCP/UDP, pickle TCP), with its
// unit and default.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/status.h"

namespace meridian::ingest {

struct ServerOptions {
  // Address both listeners bind: "host:port", IPv6 as "[::]:2003". Host must be an IP literal,
  // "localhost" (127.0.0.1) or "" (0.0.0.0); no DNS. Port 0 picks a free port (tests); UDP then
  // takes the TCP port number if free.
  std::string listen = "0.0.0.0:2003";
  // Also receive plaintext over UDP on the same address (carbon's ENABLE_UDP_LISTENER; on here).
  bool udp = true;
  // Address of carbon's pickle receiver (PICKLE_RECEIVER_PORT; carbon-relay's and
  // carbon-relay-ng's pickle destinations): "host:port" as `listen`; "" = no pickle listener.
  // Its connections share max_connections, max_connections_per_source, idle_timeout, batching
  // and backpressure with the plaintext ones.
  std::string pickle_listen;
  // Largest pickle frame in bytes, without its 4-byte length (carbon's PICKLE_RECEIVER_MAX_LENGTH,
  // 1 MiB). A larger length prefix closes the connection before anything is allocated for it
  // (ingest_pickle_frames_rejected_total{reason="too_large"}). A connection's read buffer grows
  // to the largest frame it received plus read_buffer_bytes. 1 KiB..256 MiB.
  size_t max_pickle_frame_bytes = size_t{1} << 20;
  // Longest line in bytes, excluding its '\n' (carbon's 16384). TCP: a longer line, or an
  // unterminated tail that grows longer, closes that connection (as carbon does); earlier points
  // are kept. UDP: that line is rejected (reason too_long), the datagram's other lines are kept.
  // Pickle: a longer path is rejected (reason too_long), the frame's other points are kept.
  size_t max_line_bytes = 16384;
  // Open TCP connections at most. A connection beyond the limit is closed at once and counted.
  size_t max_connections = 10000;
  // Open TCP connections from one source IP address at most (IPv4-mapped IPv6 counts as IPv4), so
  // one sender cannot take every slot; beyond it a connection is closed at once and counted.
  // 0 = no per-source limit. Values above max_connections act as max_connections.
  size_t max_connections_per_source = 1000;
  // A TCP connection that delivered no valid point for this long is closed (carbon's
  // METRIC_CLIENT_IDLE_TIMEOUT: only a parsed point resets it; bad lines do not). A connection
  // paused by a full sink is never idle. 0 = never.
  std::chrono::milliseconds idle_timeout = std::chrono::minutes(10);
  // SO_RCVBUF requested for the UDP socket, in bytes; SO_RCVBUFFORCE is tried when
  // net.core.rmem_max caps it (works with CAP_NET_ADMIN). What the kernel granted is logged and
  // exported (ingest_udp_receive_buffer_bytes). 0 = leave the system default.
  size_t udp_receive_buffer_bytes = size_t{16} << 20;
  // How often the UDP socket's kernel drop count is read into ingest_udp_kernel_drops_total
  // (also read once at Stop()).
  std::chrono::milliseconds udp_drops_poll_interval = std::chrono::seconds(1);
  // A connection hands its batch to the sink when it holds this many points...
  size_t batch_points = 4096;
  // ...or this many bytes (names + entries, PointBatch::ByteSize)...
  size_t batch_bytes = size_t{1} << 20;
  // ...or when this many milliseconds passed since the batch's first point, and at close.
  int flush_interval_ms = 100;
  // While the sink refuses a full batch the connection reads nothing and retries every this many
  // milliseconds (backpressure: memory per connection stays bounded, senders see TCP push back).
  int backpressure_retry_ms = 5;
  // Stop() waits at most this many milliseconds for pending batches to reach the sink; points
  // still refused after it are dropped and counted (ingest_points_dropped_total{reason=shutdown}).
  int drain_timeout_ms = 5000;
  // Per-connection read buffer in bytes; must exceed max_line_bytes + 1. Memory bound per
  // connection is about read_buffer_bytes + batch_bytes + max_line_bytes.
  size_t read_buffer_bytes = 32768;
  // Threads running the network event loop.
  int io_threads = 1;
  // Rejected lines are logged to stderr at most once per this many milliseconds (all counted).
  int reject_log_interval_ms = 1000;

  // InvalidArgument naming the first bad field.
  core::Status Validate() const;
};

// "host:port" split and checked (port 0-65535, host non-empty or "" for any). For "[v6]:port" the
// brackets are removed from *host.
core::Status SplitHostPort(const std::string& listen, std::string* host, uint16_t* port);

}  // namespace meridian::ingest
