#include "ingest/internal/connection_manager.h"

#include <vector>

#include "ingest/internal/tcp_connection.h"

namespace meridian::ingest::internal {

bool ConnectionManager::TryAdd(std::shared_ptr<TcpConnection> c, size_t max) {
  std::lock_guard lock(mu_);
  if (draining_ || connections_.size() >= max) return false;
  connections_.insert(std::move(c));
  open_.Set(static_cast<int64_t>(connections_.size()));
  return true;
}

void ConnectionManager::Remove(const std::shared_ptr<TcpConnection>& c) {
  std::lock_guard lock(mu_);
  connections_.erase(c);
  open_.Set(static_cast<int64_t>(connections_.size()));
  if (connections_.empty()) empty_cv_.notify_all();
}

void ConnectionManager::DrainAll() {
  std::vector<std::shared_ptr<TcpConnection>> all;
  {
    std::lock_guard lock(mu_);
    draining_ = true;
    all.assign(connections_.begin(), connections_.end());
  }
  // Outside the lock: a connection may finish (and Remove itself) on another thread meanwhile.
  for (const auto& c : all) c->Drain();
}

bool ConnectionManager::WaitEmpty(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return empty_cv_.wait_for(lock, timeout, [this] { return connections_.empty(); });
}

size_t ConnectionManager::size() const {
  std::lock_guard lock(mu_);
  return connections_.size();
}

}  // namespace meridian::ingest::internal
