#include "storage/verify.h"

#include <fmt/format.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <unordered_map>
#include <vector>

#include "storage/internal/block_codec.h"
#include "storage/internal/coding.h"
#include "storage/internal/rocks_db.h"

namespace meridian::storage {

using internal::Family;
namespace fs = std::filesystem;

namespace {

constexpr const char* kRepairDir = "db.repair";
constexpr const char* kRepairDone = "REPAIR_COMPLETE";
constexpr size_t kRepairBatchBytes = 8 << 20;

struct Families {
  Family family;
  const char* name;
};
constexpr Families kFamilies[] = {{Family::kIndex, "index"},
                                  {Family::kBlocks, "blocks"},
                                  {Family::kLog, "log"},
                                  {Family::kMeta, "meta"}};

std::string Hex(std::string_view key) {
  std::string out;
  for (unsigned char c : key.substr(0, 24)) out += fmt::format("{:02x}", c);
  return out;
}

// A key of a family, readably ("" = the start or the end of the family).
std::string DescribeKey(Family f, std::string_view key,
                        const std::unordered_map<uint64_t, std::string>& names, bool end) {
  if (key.empty()) return end ? "the end" : "the start";
  if ((f == Family::kBlocks && key.size() == 13) || (f == Family::kIndex && key.size() == 8)) {
    const uint64_t id = internal::GetBigEndian64(key.data());
    auto it = names.find(id);
    std::string series = it == names.end() ? fmt::format("#{}", id) : "'" + it->second + "'";
    if (f == Family::kIndex) return "series " + series;
    return fmt::format("series {} archive {} block from {}", series, static_cast<uint8_t>(key[8]),
                       internal::GetBigEndian32(key.data() + 9));
  }
  return "key " + Hex(key);
}

bool DecodesAsBlock(std::string_view v, std::vector<internal::SlotValue>& slots,
                    core::Status* why) {
  slots.clear();
  *why = v.size() < 4 ? core::Corruption("block: shorter than its header")
                      : internal::DecodeBlock(v.substr(4), &slots);
  return why->ok();
}

}  // namespace

core::Status CompleteInterruptedRepair(const std::string& data_dir) {
  const fs::path dir = fs::path(data_dir);
  std::error_code ec;
  const fs::path repaired = dir / kRepairDir;
  if (!fs::exists(repaired, ec)) return core::Status::Ok();
  if (fs::exists(repaired / kRepairDone, ec)) {
    // The rebuilt store was complete; the swap was interrupted after the damaged store moved.
    if (!fs::exists(dir / "db" / "CURRENT", ec)) {
      fs::remove_all(dir / "db", ec);
      fs::rename(repaired, dir / "db", ec);
      if (ec)
        return core::IoError(
            fmt::format("cannot finish the repair of {}: {}", data_dir, ec.message()));
      fs::remove(dir / "db" / kRepairDone, ec);
      return core::Status::Ok();
    }
  }
  fs::remove_all(repaired, ec);  // an unfinished rebuild: the store in db/ is the one to use
  return core::Status::Ok();
}

core::Result<VerifyReport> VerifyStore(const VerifyOptions& options, const core::Clock& clock,
                                       const std::function<void(const std::string&)>& problem) {
  const fs::path dir = fs::path(options.data_dir) / "db";
  std::error_code ec;
  RETURN_IF_ERROR(CompleteInterruptedRepair(options.data_dir));
  if (!fs::exists(dir / "CURRENT", ec)) {
    return core::FailedPrecondition(fmt::format("no Meridian store in {}", options.data_dir));
  }
  auto opened = internal::RocksDb::Open(dir.string(), clock);
  if (!opened.ok()) {
    return core::Unavailable(fmt::format("cannot open {} (is meridian running on it?): {}",
                                         dir.string(), opened.status().message()));
  }
  std::unique_ptr<internal::RocksDb> db = std::move(opened).value();
  VerifyReport report;
  // Names by id, for the report: an index entry is <varint spec length><spec><name>.
  std::unordered_map<uint64_t, std::string> names;
  bool index_lost = false;
  auto lost_in = [&](Family f, const char* family, bool* flag) {
    return
        [&, f, family, flag](std::string_view from, std::string_view to, const std::string& why) {
          ++report.unreadable_ranges;
          if (flag != nullptr) *flag = true;
          problem(fmt::format("{}: unreadable after {} up to {}: {}", family,
                              DescribeKey(f, from, names, false), DescribeKey(f, to, names, true),
                              why));
        };
  };
  RETURN_IF_ERROR(db->SalvageScan(
      Family::kIndex,
      [&](std::string_view k, std::string_view v) {
        if (k.size() != 8) return;
        internal::Reader r(v);
        uint64_t len = 0;
        std::string_view spec, name;
        if (r.GetVarint(&len) && r.GetBytes(len, &spec)) r.GetBytes(r.remaining(), &name);
        names[internal::GetBigEndian64(k.data())] = std::string(name);
        ++report.series;
      },
      lost_in(Family::kIndex, "index", &index_lost)));
  std::vector<std::string> bad_keys;
  std::vector<internal::SlotValue> slots;
  RETURN_IF_ERROR(db->SalvageScan(
      Family::kBlocks,
      [&](std::string_view k, std::string_view v) {
        if (k.size() != 13) return;
        ++report.blocks;
        core::Status why;
        if (DecodesAsBlock(v, slots, &why)) return;
        ++report.bad_blocks;
        problem(
            fmt::format("{}: {}", DescribeKey(Family::kBlocks, k, names, false), why.message()));
        bad_keys.emplace_back(k);
      },
      lost_in(Family::kBlocks, "blocks", nullptr)));
  for (Family f : {Family::kLog, Family::kMeta}) {
    const char* name = f == Family::kLog ? "log" : "meta";
    RETURN_IF_ERROR(db->SalvageScan(
        f, [](std::string_view, std::string_view) {}, lost_in(f, name, nullptr)));
  }
  if (core::Status checksums = db->VerifyChecksums(); !checksums.ok()) {
    report.checksum_error = checksums.message();
    problem("RocksDB: " + report.checksum_error);
  }
  if (!options.repair) return report;

  if (report.unreadable_ranges == 0 && report.checksum_error.empty()) {
    if (bad_keys.empty()) return report;
    internal::WriteBatch wb;
    for (const std::string& k : bad_keys) wb.Delete(Family::kBlocks, k);
    RETURN_IF_ERROR(db->Write(wb));
    RETURN_IF_ERROR(db->FlushAll());
    report.deleted_blocks = bad_keys.size();
    return report;
  }

  // Damage RocksDB itself reports (a file whose checksums fail): rebuild the store from every
  // record that can be read into a new database beside it, then swap the two. The damaged one is
  // kept (renamed) for inspection; a repair interrupted at any point leaves a usable store.
  const fs::path rebuilt = fs::path(options.data_dir) / kRepairDir;
  fs::remove_all(rebuilt, ec);
  ASSIGN_OR_RETURN(std::unique_ptr<internal::RocksDb> out,
                   internal::RocksDb::Open(rebuilt.string(), clock));
  uint64_t orphans = 0;
  for (const auto& [family, name] : kFamilies) {
    internal::WriteBatch wb;
    core::Status written;
    RETURN_IF_ERROR(db->SalvageScan(
        family,
        [&](std::string_view k, std::string_view v) {
          if (!written.ok()) return;
          if (family == Family::kBlocks && k.size() == 13) {
            core::Status why;
            if (!DecodesAsBlock(v, slots, &why)) {
              ++report.deleted_blocks;
              return;
            }
            if (index_lost && !names.contains(internal::GetBigEndian64(k.data()))) {
              ++orphans;  // its series' name is lost with the damaged index
              return;
            }
          }
          wb.Put(family, k, v);
          ++report.salvaged_records;
          if (wb.ByteSize() >= kRepairBatchBytes) {
            written = out->Write(wb);
            wb = internal::WriteBatch();
          }
        },
        [](std::string_view, std::string_view, const std::string&) {}));
    RETURN_IF_ERROR(written);
    if (wb.Count() > 0) RETURN_IF_ERROR(out->Write(wb));
  }
  if (orphans > 0) {
    problem(
        fmt::format("blocks: {} blocks dropped: their series' names were in the damaged "
                    "index",
                    orphans));
  }
  RETURN_IF_ERROR(out->FlushAll());
  out.reset();
  db.reset();
  {
    std::ofstream done(rebuilt / kRepairDone);
    done << "rebuilt\n";
    if (!done.good()) return core::IoError("cannot write " + (rebuilt / kRepairDone).string());
  }
  const fs::path damaged =
      fs::path(options.data_dir) / fmt::format("db.damaged-{}", std::time(nullptr));
  fs::rename(dir, damaged, ec);
  if (ec) return core::IoError(fmt::format("cannot move {} aside: {}", dir.string(), ec.message()));
  RETURN_IF_ERROR(CompleteInterruptedRepair(options.data_dir));
  report.rebuilt = true;
  report.damaged_copy = damaged.string();
  return report;
}

}  // namespace meridian::storage
