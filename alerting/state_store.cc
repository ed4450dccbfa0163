#include "alerting/state_store.h"

namespace meridian::alerting {

core::Status MemoryStateStore::Write(const StateWrite& write) {
  std::lock_guard lock(mu_);
  for (const auto& key : write.deletes) data_.erase(key);
  for (const auto& [key, value] : write.puts) data_[key] = value;
  return core::Status::Ok();
}

core::Status MemoryStateStore::Scan(
    std::string_view prefix, const std::function<bool(std::string_view, std::string_view)>& fn) {
  std::lock_guard lock(mu_);
  for (auto it = data_.lower_bound(prefix); it != data_.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    if (!fn(it->first, it->second)) break;
  }
  return core::Status::Ok();
}

}  // namespace meridian::alerting
