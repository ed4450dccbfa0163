// StateStore: the durable key-value records the alert engine keeps (series states, transition
// history). Meridian's RocksDB store backs it in `meridian serve`; MemoryStateStore serves
// `rules test` and unit tests.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace meridian::alerting {

struct StateWrite {
  std::vector<std::pair<std::string, std::string>> puts;
  std::vector<std::string> deletes;
};

class StateStore {
 public:
  virtual ~StateStore() = default;
  // Applies all puts and deletes atomically and durably (as durable as ingested points).
  virtual core::Status Write(const StateWrite& write) = 0;
  // Calls fn(key, value) for every key starting with `prefix`, in key order, until fn returns
  // false.
  virtual core::Status Scan(std::string_view prefix,
                            const std::function<bool(std::string_view, std::string_view)>& fn) = 0;
};

// In memory; thread-safe.
class MemoryStateStore final : public StateStore {
 public:
  core::Status Write(const StateWrite& write) override;
  core::Status Scan(std::string_view prefix,
                    const std::function<bool(std::string_view, std::string_view)>& fn) override;

 private:
  std::mutex mu_;
  std::map<std::string, std::string, std::less<>> data_;
};

}  // namespace meridian::alerting
