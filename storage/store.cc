#include "storage/store.h"

#include <fmt/format.h>
#include <sys/statvfs.h>

#include <filesystem>

#include "storage/internal/rocks_db.h"
#include "storage/internal/rocks_store.h"
#include "storage/verify.h"

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
  return internal::OpenRocksStoreWithEnv(options, clock, metrics, nullptr);
}

core::Result<std::unique_ptr<Store>> internal::OpenRocksStoreWithEnv(const StoreOptions& options,
                                                                     const core::Clock& clock,
                                                                     core::MetricsRegistry& metrics,
                                                                     rocksdb::Env* env) {
  RETURN_IF_ERROR(options.Validate());
  RETURN_IF_ERROR(CompleteInterruptedRepair(options.data_dir));
  std::error_code ec;
  const std::string dir = options.data_dir + "/db";
  std::filesystem::create_directories(dir, ec);
  if (ec) return core::IoError(fmt::format("cannot create {}: {}", dir, ec.message()));
  // On a disk already below storage.min_free_bytes, opening for writing would write (manifest,
  // WAL) and may meet ENOSPC inside RocksDB: an existing store is opened read-only instead, so
  // reads are served until a restart with space.
  std::string read_only_reason;
  struct statvfs fs {};
  if (options.min_free_bytes != 0 && statvfs(options.data_dir.c_str(), &fs) == 0 &&
      std::filesystem::exists(dir + "/CURRENT", ec)) {
    const uint64_t free_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
    if (free_bytes < options.min_free_bytes) {
      read_only_reason = fmt::format(
          "read-only: started with disk free {} MiB < storage.min_free_bytes ({} MiB); restart "
          "once space is freed",
          free_bytes >> 20, options.min_free_bytes >> 20);
      fmt::print(stderr, "meridian: storage: {} ({})\n", read_only_reason, options.data_dir);
    }
  }
  ASSIGN_OR_RETURN(std::unique_ptr<internal::RocksDb> db,
                   internal::RocksDb::Open(dir, clock, !read_only_reason.empty(), env));
  auto store = std::make_unique<internal::RocksStore>(options, clock, metrics, std::move(db));
  if (!read_only_reason.empty()) store->SetReadOnly(read_only_reason);
  RETURN_IF_ERROR(store->Start());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace meridian::storage
