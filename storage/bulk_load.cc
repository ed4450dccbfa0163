#include "storage/bulk_load.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <unordered_map>

#include "storage/internal/block_codec.h"
#include "storage/internal/coding.h"
#include "storage/internal/layout.h"
#include "storage/internal/rocks_db.h"

namespace meridian::storage {
namespace {

using internal::Family;

// Application records live under "x" in the meta family (rocks_store_records.cc).
std::string RecordKey(std::string_view key) { return "x" + std::string(key); }

// One archive's points, sorted and deduplicated (the later entry of a timestamp wins), cut into
// the store's block windows.
core::Status EncodeArchive(const internal::ArchiveLayout& al, uint8_t archive,
                           std::vector<std::pair<int64_t, double>> points, int64_t now,
                           EncodedSeries* out) {
  std::stable_sort(points.begin(), points.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  const int64_t oldest = now - al.retention;
  std::vector<internal::SlotValue> slots;
  int64_t window = -1;
  auto flush = [&] {
    if (slots.empty()) return;
    EncodedSeries::Block block{archive, window, {}};
    internal::PutBigEndian32(&block.value, static_cast<uint32_t>(std::min<int64_t>(
                                               window + al.window + al.retention,
                                               std::numeric_limits<uint32_t>::max())));
    internal::EncodeBlock(slots, &block.value);
    out->points += slots.size();
    out->blocks.push_back(std::move(block));
    slots.clear();
  };
  for (size_t i = 0; i < points.size(); ++i) {
    const auto [ts, value] = points[i];
    if (ts < 0 || ts > std::numeric_limits<uint32_t>::max() || ts % al.step != 0) {
      return core::InvalidArgument(
          fmt::format("archive {}: timestamp {} is not a slot of step {}", archive, ts, al.step));
    }
    if (i + 1 < points.size() && points[i + 1].first == ts) continue;  // the later one wins
    if (std::isnan(value)) continue;
    if (ts <= oldest) {
      ++out->dropped;
      continue;
    }
    const int64_t w = internal::AlignDown(ts, al.window);
    if (w != window) {
      flush();
      window = w;
    }
    slots.push_back({static_cast<uint32_t>((ts - w) / al.step), value});
  }
  flush();
  return core::Status::Ok();
}

class RocksBulkLoader final : public BulkLoader {
 public:
  RocksBulkLoader(const BulkLoaderOptions& options, std::unique_ptr<internal::RocksDb> db)
      : options_(options), db_(std::move(db)) {}
  ~RocksBulkLoader() override { Close().IgnoreError(); /* destructor: nothing to report to */ }

  core::Status Load() {
    core::Status bad;
    RETURN_IF_ERROR(db_->Scan(Family::kIndex, "", "", [&](std::string_view k, std::string_view v) {
      if (k.size() != 8) return true;
      const uint64_t id = internal::GetBigEndian64(k.data());
      internal::Reader r(v);
      uint64_t len = 0;
      std::string_view spec, name;
      if (!r.GetVarint(&len) || !r.GetBytes(len, &spec) || id != names_.size()) {
        bad = core::Corruption(fmt::format("index entry {} is malformed or out of order", id));
        return false;
      }
      r.GetBytes(r.remaining(), &name);
      names_.emplace(std::string(name), id);
      return true;
    }));
    next_id_ = names_.size();
    return bad;
  }

  uint32_t points_per_block() const override { return options_.points_per_block; }
  uint64_t series() const override { return next_id_; }
  bool HasSeries(std::string_view name) const override {
    return names_.find(std::string(name)) != names_.end();
  }

  core::Result<std::optional<std::string>> GetRecord(std::string_view key) const override {
    auto value = db_->Get(Family::kMeta, RecordKey(key));
    if (value.ok()) return std::optional<std::string>(std::move(value).value());
    if (value.status().code() == core::StatusCode::kNotFound) return std::optional<std::string>();
    return value.status();
  }

  core::Status Stage(const EncodedSeries& series, SeriesConflict conflict,
                     const std::vector<std::pair<std::string, std::string>>& records) override {
    if (failed_) return core::FailedPrecondition("bulk loader: an earlier commit failed");
    auto it = names_.find(series.name);
    uint64_t id = next_id_;
    if (it != names_.end()) {
      if (conflict == SeriesConflict::kRefuse) {
        return core::Status(core::StatusCode::kAlreadyExists,
                            fmt::format("series '{}' already exists", series.name));
      }
      id = it->second;
      // The replaced series' blocks (every archive) and pending windows go first.
      batch_->DeleteRange(Family::kBlocks, internal::BlockKey(id, 0, 0),
                          internal::BlockKey(id + 1, 0, 0));
      batch_->Delete(Family::kMeta, "p" + internal::IdKey(id));
    }
    std::string index;
    internal::PutVarint(&index, series.layout.size());
    index += series.layout;
    index += series.name;
    batch_->Put(Family::kIndex, internal::IdKey(id), index);
    staged_ += index.size();
    for (const EncodedSeries::Block& b : series.blocks) {
      batch_->Put(Family::kBlocks, internal::BlockKey(id, b.archive, b.start), b.value);
      staged_ += b.value.size() + 13;
    }
    for (const auto& [key, value] : records) {
      batch_->Put(Family::kMeta, RecordKey(key), value);
      staged_ += key.size() + value.size();
    }
    if (it == names_.end()) {
      names_.emplace(series.name, id);
      ++next_id_;
    }
    return core::Status::Ok();
  }

  size_t staged_bytes() const override { return staged_; }

  core::Status Commit() override {
    if (failed_) return core::FailedPrecondition("bulk loader: an earlier commit failed");
    if (batch_->Count() == 0) return core::Status::Ok();
    core::Status st = db_->Write(*batch_);
    batch_ = std::make_unique<internal::WriteBatch>();
    staged_ = 0;
    if (!st.ok()) failed_ = true;
    return st;
  }

  core::Status Compact() override {
    RETURN_IF_ERROR(Commit());
    RETURN_IF_ERROR(db_->CompactFamily(Family::kBlocks));
    return db_->CompactFamily(Family::kIndex);
  }

  core::Status Flush() override {
    RETURN_IF_ERROR(Commit());
    RETURN_IF_ERROR(db_->FlushAll());
    return db_->SyncWal();
  }

  core::Status Close() override {
    if (closed_) return core::Status::Ok();
    closed_ = true;
    if (failed_) return db_->FlushAll();  // what was committed before the failure
    return Flush();
  }

 private:
  const BulkLoaderOptions options_;
  std::unique_ptr<internal::RocksDb> db_;
  std::unordered_map<std::string, uint64_t> names_;  // committed and staged
  uint64_t next_id_ = 0;
  std::unique_ptr<internal::WriteBatch> batch_ = std::make_unique<internal::WriteBatch>();
  size_t staged_ = 0;
  bool failed_ = false;
  bool closed_ = false;
};

}  // namespace

core::Result<EncodedSeries> EncodeSeries(const BulkSeries& series, uint32_t points_per_block,
                                         int64_t now) {
  ASSIGN_OR_RETURN(std::vector<Archive> archives, ValidateArchives(series.schema.archives));
  if (archives != series.schema.archives) {
    return core::InvalidArgument("archives are not sorted finest first");
  }
  if (series.points.size() != archives.size()) {
    return core::InvalidArgument(
        fmt::format("{} point lists for {} archives", series.points.size(), archives.size()));
  }
  if (archives.size() > 255) return core::InvalidArgument("more than 255 archives");
  const internal::SchemaLayout layout =
      internal::SchemaLayout::FromSchema(series.schema, points_per_block);
  EncodedSeries out;
  out.name = series.name;
  out.layout = layout.Encode();
  for (size_t a = 0; a < archives.size(); ++a) {
    RETURN_IF_ERROR(
        EncodeArchive(layout.archives[a], static_cast<uint8_t>(a), series.points[a], now, &out));
  }
  return out;
}

core::Result<std::unique_ptr<BulkLoader>> BulkLoader::Open(const BulkLoaderOptions& options,
                                                           const core::Clock& clock) {
  if (options.data_dir.empty()) return core::InvalidArgument("bulk loader: data_dir is empty");
  if (options.points_per_block < 8 || options.points_per_block > (1u << 16)) {
    return core::InvalidArgument("bulk loader: points_per_block must be in [8, 65536]");
  }
  const std::string dir = options.data_dir + "/db";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return core::IoError(fmt::format("cannot create {}: {}", dir, ec.message()));
  auto db = internal::RocksDb::Open(dir, clock);
  if (!db.ok()) {
    return core::Unavailable(
        fmt::format("cannot open {} (is meridian running on it?): {}", dir, db.status().message()));
  }
  auto loader = std::make_unique<RocksBulkLoader>(options, std::move(db).value());
  RETURN_IF_ERROR(loader->Load());
  return std::unique_ptr<BulkLoader>(std::move(loader));
}

}  // namespace meridian::storage
