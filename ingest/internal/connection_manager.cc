#include "ingest/internal/connection_manager.h"

#include <utility>
#include <vector>

#include "ingest/internal/tcp_connection.h"

namespace meridian::ingest::internal {

ConnectionManager::Admission ConnectionManager::CheckLocked(const std::string& source) const {
  if (draining_) return Admission::kDraining;
  switch (limits_.Check(source)) {
    case ConnectionLimits::Verdict::kAdmit:
      return Admission::kAdded;
    case ConnectionLimits::Verdict::kMaxConnections:
      return Admission::kMaxConnections;
    case ConnectionLimits::Verdict::kMaxPerSource:
      return Admission::kMaxPerSource;
  }
  return Admission::kMaxConnections;
}

ConnectionManager::Admission ConnectionManager::Check(const std::string& source) const {
  std::lock_guard lock(mu_);
  return CheckLocked(source);
}

ConnectionManager::Admission ConnectionManager::TryAdd(std::shared_ptr<TcpConnection> c,
                                                       const std::string& source) {
  std::lock_guard lock(mu_);
  Admission a = CheckLocked(source);
  if (a != Admission::kAdded) return a;
  if (connections_.emplace(std::move(c), source).second) limits_.Add(source);
  open_.Set(static_cast<int64_t>(connections_.size()));
  return a;
}

void ConnectionManager::Remove(const std::shared_ptr<TcpConnection>& c) {
  std::lock_guard lock(mu_);
  auto it = connections_.find(c);
  if (it != connections_.end()) {
    limits_.Remove(it->second);
    connections_.erase(it);
  }
  open_.Set(static_cast<int64_t>(connections_.size()));
  if (connections_.empty()) empty_cv_.notify_all();
}

void ConnectionManager::DrainAll() {
  std::vector<std::shared_ptr<TcpConnection>> all;
  {
    std::lock_guard lock(mu_);
    draining_ = true;
    for (const auto& [c, source] : connections_) all.push_back(c);
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

size_t ConnectionManager::CountFrom(const std::string& source) const {
  std::lock_guard lock(mu_);
  return limits_.Count(source);
}

}  // namespace meridian::ingest::internal
