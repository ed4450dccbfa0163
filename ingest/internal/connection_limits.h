// ConnectionLimits: the admission rule for TCP senders — at most max_connections open, and at
// most max_connections_per_source from one source address, so one sender (or one broken sender
// holding idle connections) cannot take every slot. Socket-free; counts only.
// Not thread-safe: ConnectionManager calls it under its lock.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

namespace meridian::ingest::internal {

class ConnectionLimits {
 public:
  enum class Verdict { kAdmit, kMaxConnections, kMaxPerSource };

  // max_per_source 0 = no per-source limit. REQUIRES: max_total > 0.
  ConnectionLimits(size_t max_total, size_t max_per_source)
      : max_total_(max_total), max_per_source_(max_per_source) {}

  // Whether one more connection from `source` fits. The total limit is checked first.
  Verdict Check(const std::string& source) const;
  // Counts a connection from `source` (whatever Check said: the caller decides).
  void Add(const std::string& source);
  // Uncounts one connection from `source`; no-op if none is counted.
  void Remove(const std::string& source);

  size_t total() const { return total_; }
  // Open connections from `source`.
  size_t Count(const std::string& source) const;
  size_t max_total() const { return max_total_; }
  size_t max_per_source() const { return max_per_source_; }

 private:
  size_t max_total_;
  size_t max_per_source_;
  size_t total_ = 0;
  std::unordered_map<std::string, size_t> per_source_;  // entries with count > 0 only
};

}  // namespace meridian::ingest::internal
