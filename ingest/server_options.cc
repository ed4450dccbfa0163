#include "ingest/server_options.h"

#include <charconv>

namespace meridian::ingest {

core::Status SplitHostPort(const std::string& listen, std::string* host, uint16_t* port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return core::InvalidArgument("listen \"" + listen + "\" is not host:port");
  }
  std::string h = listen.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  std::string_view p = std::string_view(listen).substr(colon + 1);
  unsigned value = 0;
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), value);
  if (p.empty() || ec != std::errc() || ptr != p.data() + p.size() || value > 65535) {
    return core::InvalidArgument("listen \"" + listen + "\" has no valid port (0-65535)");
  }
  *host = h;
  *port = static_cast<uint16_t>(value);
  return core::Status::Ok();
}

core::Status ServerOptions::Validate() const {
  std::string host;
  uint16_t port = 0;
  RETURN_IF_ERROR(SplitHostPort(listen, &host, &port));
  if (max_line_bytes == 0) return core::InvalidArgument("max_line_bytes must be > 0");
  if (!pickle_listen.empty()) {
    RETURN_IF_ERROR(SplitHostPort(pickle_listen, &host, &port));
  }
  if (max_pickle_frame_bytes < 1024 || max_pickle_frame_bytes > (size_t{256} << 20)) {
    return core::InvalidArgument("max_pickle_frame_bytes must be in 1 KiB..256 MiB");
  }
  if (read_buffer_bytes < max_line_bytes + 2) {
    return core::InvalidArgument("read_buffer_bytes must be >= max_line_bytes + 2");
  }
  if (max_connections == 0) return core::InvalidArgument("max_connections must be > 0");
  if (idle_timeout.count() < 0) return core::InvalidArgument("idle_timeout must be >= 0");
  // Linux doubles SO_RCVBUF and keeps it in an int.
  if (udp_receive_buffer_bytes > (size_t{1} << 30)) {
    return core::InvalidArgument("udp_receive_buffer_bytes must be <= 1 GiB");
  }
  if (udp_drops_poll_interval.count() <= 0) {
    return core::InvalidArgument("udp_drops_poll_interval must be > 0");
  }
  if (batch_points == 0) return core::InvalidArgument("batch_points must be > 0");
  if (batch_bytes == 0) return core::InvalidArgument("batch_bytes must be > 0");
  if (flush_interval_ms <= 0) return core::InvalidArgument("flush_interval_ms must be > 0");
  if (backpressure_retry_ms <= 0) {
    return core::InvalidArgument("backpressure_retry_ms must be > 0");
  }
  if (drain_timeout_ms < 0) return core::InvalidArgument("drain_timeout_ms must be >= 0");
  if (io_threads < 1 || io_threads > 256) {
    return core::InvalidArgument("io_threads must be in [1, 256]");
  }
  if (reject_log_interval_ms < 0) {
    return core::InvalidArgument("reject_log_interval_ms must be >= 0");
  }
  return core::Status::Ok();
}

}  // namespace meridian::ingest
