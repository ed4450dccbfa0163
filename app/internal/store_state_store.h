// The alert engine's StateStore on Meridian's RocksDB store (Store::WriteRecords/ScanRecords).
#pragma once

#include "alerting/state_store.h"
#include "storage/store.h"

namespace meridian::app::internal {

class StoreStateStore final : public alerting::StateStore {
 public:
  explicit StoreStateStore(storage::Store& store) : store_(store) {}
  core::Status Write(const alerting::StateWrite& write) override {
    return store_.WriteRecords(write.puts, write.deletes);
  }
  core::Status Scan(std::string_view prefix,
                    const std::function<bool(std::string_view, std::string_view)>& fn) override {
    return store_.ScanRecords(prefix, fn);
  }

 private:
  storage::Store& store_;
};

}  // namespace meridian::app::internal
