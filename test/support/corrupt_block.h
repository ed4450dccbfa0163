// Damages a stopped store on purpose: overwrites the payload of a series' earliest archive-0
// block with bytes no codec accepts (keeping the 4-byte expiry prefix), as bit rot would. For
// the corruption tests of the store and the server. Header-only: only tests that link storage
// include it.
#pragma once

#include <fmt/format.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "storage/internal/rocks_db.h"

namespace meridian::testing {

// `db_dir` is the store's <data_dir>/db (the store stopped); the series is found by name.
inline core::Status CorruptFirstBlock(const std::filesystem::path& db_dir, std::string_view name,
                                      const core::Clock& clock) {
  namespace si = storage::internal;
  ASSIGN_OR_RETURN(auto db, si::RocksDb::Open(db_dir.string(), clock));
  // The series' id: its index entry ends with its name.
  int64_t id = -1;
  for (uint64_t i = 0; i < 100'000 && id < 0; ++i) {
    auto v = db->Get(si::Family::kIndex, si::IdKey(i));
    if (!v.ok()) break;  // ids are dense
    if (v->ends_with(name)) id = static_cast<int64_t>(i);
  }
  if (id < 0) return core::NotFound(fmt::format("no series '{}' in {}", name, db_dir.string()));
  std::string key, value;
  RETURN_IF_ERROR(db->Scan(si::Family::kBlocks, si::BlockKey(id, 0, 0), si::BlockKey(id + 1, 0, 0),
                           [&](std::string_view k, std::string_view v) {
                             key = std::string(k);
                             value = std::string(v);
                             return false;
                           }));
  if (key.empty()) return core::NotFound(fmt::format("series '{}' has no block", name));
  si::WriteBatch wb;
  wb.Put(si::Family::kBlocks, key, value.substr(0, 4) + std::string(16, '\xff'));
  return db->Write(wb);
}

}  // namespace meridian::testing
