// ConnectionManager: the set of open TCP connections (owns them between I/O operations), the
// max_connections and max_connections_per_source limits (ConnectionLimits), and the
// "all drained" wait of GraphiteServer::Stop(). Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/metrics.h"
#include "ingest/internal/connection_limits.h"

namespace meridian::ingest::internal {

class TcpConnection;

class ConnectionManager {
 public:
  enum class Admission { kAdded, kMaxConnections, kMaxPerSource, kDraining };

  // `open` mirrors size(). max_per_source 0 = unlimited. REQUIRES: `open` outlives this.
  ConnectionManager(core::Gauge& open, size_t max_connections, size_t max_per_source)
      : open_(open), limits_(max_connections, max_per_source) {}

  // What TryAdd would answer for a connection from `source` now (without adding one). Lets the
  // listener refuse before it allocates a connection.
  Admission Check(const std::string& source) const;
  // Adds `c`, a connection from `source` (its IP address), unless a limit is reached or
  // DrainAll() ran; anything but kAdded means the caller must close it.
  Admission TryAdd(std::shared_ptr<TcpConnection> c, const std::string& source);
  // Forgets `c` (no-op if absent). Called by a connection when it has closed.
  void Remove(const std::shared_ptr<TcpConnection>& c);
  // Asks every open connection to flush and close (TcpConnection::Drain); refuses new ones.
  void DrainAll();
  // Blocks until no connection is open or `timeout` passes; true if none is open.
  bool WaitEmpty(std::chrono::milliseconds timeout);
  size_t size() const;
  // Open connections from `source`.
  size_t CountFrom(const std::string& source) const;

 private:
  Admission CheckLocked(const std::string& source) const;

  core::Gauge& open_;
  mutable std::mutex mu_;
  std::condition_variable empty_cv_;
  ConnectionLimits limits_;
  std::unordered_map<std::shared_ptr<TcpConnection>, std::string> connections_;  // → source
  bool draining_ = false;
};

}  // namespace meridian::ingest::internal
