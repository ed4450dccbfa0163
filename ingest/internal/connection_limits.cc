#include "ingest/internal/connection_limits.h"

namespace meridian::ingest::internal {

ConnectionLimits::Verdict ConnectionLimits::Check(const std::string& source) const {
  if (total_ >= max_total_) return Verdict::kMaxConnections;
  if (max_per_source_ != 0 && Count(source) >= max_per_source_) return Verdict::kMaxPerSource;
  return Verdict::kAdmit;
}

void ConnectionLimits::Add(const std::string& source) {
  ++total_;
  ++per_source_[source];
}

void ConnectionLimits::Remove(const std::string& source) {
  auto it = per_source_.find(source);
  if (it == per_source_.end()) return;
  --total_;
  // Erased at zero so the map stays as small as the set of sources connected now.
  if (--it->second == 0) per_source_.erase(it);
}

size_t ConnectionLimits::Count(const std::string& source) const {
  auto it = per_source_.find(source);
  return it == per_source_.end() ? 0 : it->second;
}

}  // namespace meridian::ingest::internal
