// Application records (Store::WriteRecords / ScanRecords): keys "x" + user key in the meta
// column family, apart from the store's own meta keys ("d…", "p…", "log_floor").
#include <string>

#include "storage/internal/rocks_store.h"

namespace meridian::storage::internal {
namespace {

constexpr char kRecordPrefix = 'x';

std::string RecordKey(std::string_view key) {
  std::string out;
  out.reserve(key.size() + 1);
  out.push_back(kRecordPrefix);
  out.append(key);
  return out;
}

// The first key after every key starting with `prefix` (prefix + 0xff... is never needed: keys
// are compared bytewise, so incrementing the last byte that is not 0xff bounds the range).
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty() && static_cast<unsigned char>(prefix.back()) == 0xff) prefix.pop_back();
  if (prefix.empty()) return std::string(1, static_cast<char>(kRecordPrefix + 1));
  prefix.back() = static_cast<char>(static_cast<unsigned char>(prefix.back()) + 1);
  return prefix;
}

}  // namespace

core::Status RocksStore::WriteRecords(const std::vector<std::pair<std::string, std::string>>& puts,
                                      const std::vector<std::string>& deletes) {
  WriteBatch wb;
  for (const auto& key : deletes) wb.Delete(Family::kMeta, RecordKey(key));
  for (const auto& [key, value] : puts) wb.Put(Family::kMeta, RecordKey(key), value);
  if (wb.Count() == 0) return core::Status::Ok();
  if (read_only_) return core::FailedPrecondition("store is read-only (disk full at start-up)");
  return db_->Write(wb);
}

core::Status RocksStore::ScanRecords(
    std::string_view prefix,
    const std::function<bool(std::string_view, std::string_view)>& fn) const {
  const std::string begin = RecordKey(prefix);
  const std::string end = PrefixEnd(begin);
  return db_->Scan(Family::kMeta, begin, end,
                   [&](std::string_view k, std::string_view v) { return fn(k.substr(1), v); });
}

}  // namespace meridian::storage::internal
