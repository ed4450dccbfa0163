// ConnectionManager: the set of open TCP connections (owns them between I/O operations), the
// max_connections limit, and the "all drained" wait of GraphiteServer::Stop(). Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <unordered_set>

#include "core/metrics.h"

namespace meridian::ingest::internal {

class TcpConnection;

class ConnectionManager {
 public:
  // `open` mirrors size(). REQUIRES: it outlives this.
  explicit ConnectionManager(core::Gauge& open) : open_(open) {}

  // Adds `c` unless `max` connections are open already or DrainAll() ran; false means the caller
  // must close it.
  bool TryAdd(std::shared_ptr<TcpConnection> c, size_t max);
  // Forgets `c` (no-op if absent). Called by a connection when it has closed.
  void Remove(const std::shared_ptr<TcpConnection>& c);
  // Asks every open connection to flush and close (TcpConnection::Drain); refuses new ones.
  void DrainAll();
  // Blocks until no connection is open or `timeout` passes; true if none is open.
  bool WaitEmpty(std::chrono::milliseconds timeout);
  size_t size() const;

 private:
  core::Gauge& open_;
  mutable std::mutex mu_;
  std::condition_variable empty_cv_;
  std::unordered_set<std::shared_ptr<TcpConnection>> connections_;
  bool draining_ = false;
};

}  // namespace meridian::ingest::internal
