#include "storage/verify.h"

#include <fmt/format.h>

#include <filesystem>
#include <unordered_map>
#include <vector>

#include "storage/internal/block_codec.h"
#include "storage/internal/coding.h"
#include "storage/internal/rocks_db.h"

namespace meridian::storage {

using internal::Family;

core::Result<VerifyReport> VerifyStore(const VerifyOptions& options, const core::Clock& clock,
                                       const std::function<void(const std::string&)>& problem) {
  const std::filesystem::path dir = std::filesystem::path(options.data_dir) / "db";
  std::error_code ec;
  if (!std::filesystem::exists(dir / "CURRENT", ec)) {
    return core::FailedPrecondition(fmt::format("no Meridian store in {}", options.data_dir));
  }
  auto opened = internal::RocksDb::Open(dir.string(), clock);
  if (!opened.ok()) {
    return core::Unavailable(fmt::format("cannot open {} (is meridian running on it?): {}",
                                         dir.string(), opened.status().message()));
  }
  internal::RocksDb& db = **opened;
  VerifyReport report;
  // Names by id, for the report: an index entry is <varint spec length><spec><name>.
  std::unordered_map<uint64_t, std::string> names;
  RETURN_IF_ERROR(db.Scan(Family::kIndex, "", "", [&](std::string_view k, std::string_view v) {
    if (k.size() != 8) return true;
    internal::Reader r(v);
    uint64_t len = 0;
    std::string_view spec, name;
    if (r.GetVarint(&len) && r.GetBytes(len, &spec)) r.GetBytes(r.remaining(), &name);
    names[internal::GetBigEndian64(k.data())] = std::string(name);
    ++report.series;
    return true;
  }));
  std::vector<std::string> bad_keys;
  std::vector<internal::SlotValue> slots;
  core::Status scanned =
      db.Scan(Family::kBlocks, "", "", [&](std::string_view k, std::string_view v) {
        if (k.size() != 13) return true;
        ++report.blocks;
        const uint64_t id = internal::GetBigEndian64(k.data());
        const int archive = static_cast<uint8_t>(k[8]);
        const int64_t start = internal::GetBigEndian32(k.data() + 9);
        slots.clear();
        core::Status st = v.size() < 4 ? core::Corruption("block: shorter than its header")
                                       : internal::DecodeBlock(v.substr(4), &slots);
        if (!st.ok()) {
          ++report.bad_blocks;
          auto it = names.find(id);
          problem(fmt::format("series '{}' archive {} block from {}: {}",
                              it == names.end() ? fmt::format("#{}", id) : it->second, archive,
                              start, st.message()));
          bad_keys.emplace_back(k);
        }
        return true;
      });
  if (!scanned.ok()) report.checksum_error = scanned.message();
  core::Status checksums = db.VerifyChecksums();
  if (!checksums.ok() && report.checksum_error.empty()) report.checksum_error = checksums.message();
  if (!report.checksum_error.empty()) problem("RocksDB: " + report.checksum_error);
  if (options.repair && !bad_keys.empty()) {
    internal::WriteBatch wb;
    for (const std::string& k : bad_keys) wb.Delete(Family::kBlocks, k);
    RETURN_IF_ERROR(db.Write(wb));
    RETURN_IF_ERROR(db.FlushAll());
    report.deleted_blocks = bad_keys.size();
  }
  return report;
}

}  // namespace meridian::storage
