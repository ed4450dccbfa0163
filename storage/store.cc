#include "storage/store.h"

#include <fmt/format.h>

#include <filesystem>

#include "storage/internal/rocks_db.h"
#include "storage/internal/rocks_store.h"

namespace meridian::storage {

core::Status StoreOptions::Validate() const {
  if (data_dir.empty()) return core::InvalidArgument("storage: data_dir is empty");
  if (sync_interval_ms < 0) return core::InvalidArgument("storage: sync_interval must be >= 0");
  if (apply_interval_ms <= 0) return core::InvalidArgument("storage: apply_interval must be > 0");
  if (max_pending_points == 0) return core::InvalidArgument("storage: max_pending_points is 0");
  if (points_per_block < 8 || points_per_block > (1u << 16)) {
    return core::InvalidArgument("storage: points_per_block must be in [8, 65536]");
  }
  if (seal_grace_seconds < 0) return core::InvalidArgument("storage: seal_grace must be >= 0");
  if (checkpoint_interval_seconds <= 0) {
    return core::InvalidArgument("storage: checkpoint_interval must be > 0");
  }
  return core::Status::Ok();
}

core::Result<std::unique_ptr<Store>> OpenRocksStore(const StoreOptions& options,
                                                    const core::Clock& clock,
                                                    core::MetricsRegistry& metrics) {
  RETURN_IF_ERROR(options.Validate());
  std::error_code ec;
  const std::string dir = options.data_dir + "/db";
  std::filesystem::create_directories(dir, ec);
  if (ec) return core::IoError(fmt::format("cannot create {}: {}", dir, ec.message()));
  ASSIGN_OR_RETURN(std::unique_ptr<internal::RocksDb> db, internal::RocksDb::Open(dir, clock));
  auto store = std::make_unique<internal::RocksStore>(options, clock, metrics, std::move(db));
  RETURN_IF_ERROR(store->Start());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace meridian::storage
