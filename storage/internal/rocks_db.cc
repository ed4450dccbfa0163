#include "storage/internal/rocks_db.h"

#include <fmt/format.h>
#include <rocksdb/compaction_filter.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/file_system.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <filesystem>
#include <mutex>
#include <shared_mutex>

#include "storage/internal/coding.h"

namespace meridian::storage::internal {
namespace {

const char* const kFamilyNames[] = {"index", "blocks", "log", "meta"};

core::Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return core::Status::Ok();
  if (s.IsNotFound()) return core::NotFound(fmt::format("{}: {}", what, s.ToString()));
  if (s.IsCorruption()) return core::Corruption(fmt::format("{}: {}", what, s.ToString()));
  if (s.IsNoSpace()) return core::ResourceExhausted(fmt::format("{}: {}", what, s.ToString()));
  return core::IoError(fmt::format("{}: {}", what, s.ToString()));
}

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

// Drops blocks whose retention has passed: their expiry time is the first 4 bytes of the value.
class RetentionFilter final : public rocksdb::CompactionFilter {
 public:
  explicit RetentionFilter(const core::Clock& clock) : clock_(clock) {}
  bool Filter(int, const rocksdb::Slice&, const rocksdb::Slice& value, std::string*,
              bool*) const override {
    if (value.size() < 4) return false;
    return static_cast<int64_t>(GetBigEndian32(value.data())) < clock_.NowSeconds();
  }
  const char* Name() const override { return "meridian.RetentionFilter"; }

 private:
  const core::Clock& clock_;
};

}  // namespace

std::string BlockKey(uint64_t id, uint8_t archive, int64_t block_start) {
  std::string k;
  k.reserve(13);
  PutBigEndian64(&k, id);
  k.push_back(static_cast<char>(archive));
  PutBigEndian32(&k, static_cast<uint32_t>(block_start));
  return k;
}

std::string LogKey(uint64_t seq) {
  std::string k;
  PutBigEndian64(&k, seq);
  return k;
}

std::string IdKey(uint64_t id) { return LogKey(id); }

struct WriteBatch::Impl {
  rocksdb::WriteBatch batch;
  std::vector<rocksdb::ColumnFamilyHandle*>* handles = nullptr;
  std::vector<std::tuple<int, std::string, std::string, int>> ops;  // kind 0 put 1 del 2 range
};

WriteBatch::WriteBatch() : impl_(std::make_unique<Impl>()) {}
WriteBatch::~WriteBatch() = default;
WriteBatch::WriteBatch(WriteBatch&&) noexcept = default;
WriteBatch& WriteBatch::operator=(WriteBatch&&) noexcept = default;
void WriteBatch::Put(Family f, std::string_view key, std::string_view value) {
  impl_->ops.emplace_back(static_cast<int>(f), std::string(key), std::string(value), 0);
}
void WriteBatch::Delete(Family f, std::string_view key) {
  impl_->ops.emplace_back(static_cast<int>(f), std::string(key), std::string(), 1);
}
void WriteBatch::DeleteRange(Family f, std::string_view begin, std::string_view end) {
  impl_->ops.emplace_back(static_cast<int>(f), std::string(begin), std::string(end), 2);
}
size_t WriteBatch::Count() const { return impl_->ops.size(); }
size_t WriteBatch::ByteSize() const {
  size_t n = 0;
  for (const auto& op : impl_->ops) n += std::get<1>(op).size() + std::get<2>(op).size() + 8;
  return n;
}

struct RocksDb::Impl {
  std::string dir;
  bool read_only = false;
  rocksdb::Env* env = nullptr;
  std::unique_ptr<RetentionFilter> filter;
  // Readers and writers share, Reopen() excludes: the database may be replaced under it.
  mutable std::shared_mutex mu;
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::ColumnFamilyHandle* cf(Family f) const { return handles[static_cast<int>(f)]; }

  core::Status OpenDb();
  // Writes, syncs and removes a small file in `dir` through RocksDB's file system.
  core::Status ProbeWritable() const {
    rocksdb::Env* e = env != nullptr ? env : rocksdb::Env::Default();
    const std::shared_ptr<rocksdb::FileSystem>& fs = e->GetFileSystem();
    const std::string probe = dir + "/WRITE_PROBE";
    std::unique_ptr<rocksdb::FSWritableFile> file;
    rocksdb::IOStatus s = fs->NewWritableFile(probe, rocksdb::FileOptions(), &file, nullptr);
    const std::string page(4096, '\0');
    if (s.ok()) s = file->Append(page, rocksdb::IOOptions(), nullptr);
    if (s.ok()) s = file->Sync(rocksdb::IOOptions(), nullptr);
    if (file) file->Close(rocksdb::IOOptions(), nullptr).PermitUncheckedError();
    fs->DeleteFile(probe, rocksdb::IOOptions(), nullptr).PermitUncheckedError();
    return FromRocks(s, "write probe");
  }
  void CloseDb() {
    for (auto* h : handles) {
      if (db) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    }
    handles.clear();
    if (db) db->Close().PermitUncheckedError();
    db.reset();
  }
  ~Impl() { CloseDb(); }
};

namespace {

// While a reopen after a write error has not succeeded yet.
core::Status NotOpen() {
  return core::Unavailable("storage: database closed after a write error; reopening");
}

}  // namespace

core::Status RocksDb::Impl::OpenDb() {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 3;
  db_options.max_total_wal_size = 256 << 20;
  if (env != nullptr) db_options.env = env;

  rocksdb::ColumnFamilyOptions base;
  base.write_buffer_size = 64 << 20;
  base.max_write_buffer_number = 3;
  base.level_compaction_dynamic_level_bytes = true;

  rocksdb::ColumnFamilyOptions blocks = base;
  // Blocks are already encoded; ZSTD at every level still halves what keys and block headers
  // cost (measured: 2.5 -> see README), and flushes are not on the ingest path.
  blocks.compression = rocksdb::kZSTD;
  blocks.compaction_filter = filter.get();
  blocks.prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(9));
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.whole_key_filtering = true;
  table.block_size = 16 << 10;
  blocks.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

  rocksdb::ColumnFamilyOptions log = base;
  log.compression = rocksdb::kNoCompression;
  rocksdb::ColumnFamilyOptions index = base;
  index.compression = rocksdb::kZSTD;
  index.write_buffer_size = 16 << 20;

  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, base},
      {kFamilyNames[0], index},
      {kFamilyNames[1], blocks},
      {kFamilyNames[2], log},
      {kFamilyNames[3], base}};
  std::vector<rocksdb::ColumnFamilyHandle*> opened;
  rocksdb::DB* raw = nullptr;
  RETURN_IF_ERROR(
      FromRocks(read_only ? rocksdb::DB::OpenForReadOnly(db_options, dir, families, &opened, &raw)
                          : rocksdb::DB::Open(db_options, dir, families, &opened, &raw),
                "open " + dir));
  db.reset(raw);
  // Drop the default family's handle from our table: index 0 of `opened` is "default".
  raw->DestroyColumnFamilyHandle(opened[0]).PermitUncheckedError();
  handles.assign(opened.begin() + 1, opened.end());
  return core::Status::Ok();
}

RocksDb::RocksDb(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RocksDb::~RocksDb() = default;

core::Result<std::unique_ptr<RocksDb>> RocksDb::Open(const std::string& dir,
                                                     const core::Clock& clock, bool read_only,
                                                     rocksdb::Env* env) {
  auto impl = std::make_unique<Impl>();
  impl->dir = dir;
  impl->read_only = read_only;
  impl->env = env;
  impl->filter = std::make_unique<RetentionFilter>(clock);
  RETURN_IF_ERROR(impl->OpenDb());
  return std::unique_ptr<RocksDb>(new RocksDb(std::move(impl)));
}

core::Status RocksDb::Recover() {
  {
    std::shared_lock lock(impl_->mu);
    if (impl_->db && impl_->db->Resume().ok()) return core::Status::Ok();
  }
  // Errors RocksDB cannot resume from (a failed WAL write): close and open the database again,
  // which replays what reached its WAL and starts fresh files — but only once a probe file can
  // be written and synced, so reads keep their open database while the disk still fails.
  RETURN_IF_ERROR(impl_->ProbeWritable());
  std::unique_lock lock(impl_->mu);
  impl_->CloseDb();
  return impl_->OpenDb();
}

core::Status RocksDb::Write(WriteBatch& batch) {
  std::shared_lock lock(impl_->mu);
  if (!impl_->db) return NotOpen();
  rocksdb::WriteBatch wb;
  for (const auto& [f, k, v, kind] : batch.impl_->ops) {
    auto* cf = impl_->handles[f];
    rocksdb::Status s;
    if (kind == 0) s = wb.Put(cf, ToSlice(k), ToSlice(v));
    if (kind == 1) s = wb.Delete(cf, ToSlice(k));
    if (kind == 2) s = wb.DeleteRange(cf, ToSlice(k), ToSlice(v));
    RETURN_IF_ERROR(FromRocks(s, "batch"));
  }
  return FromRocks(impl_->db->Write(rocksdb::WriteOptions(), &wb), "write");
}

core::Result<std::string> RocksDb::Get(Family f, std::string_view key) const {
  std::shared_lock lock(impl_->mu);
  if (!impl_->db) return NotOpen();
  std::string value;
  rocksdb::Status s = impl_->db->Get(rocksdb::ReadOptions(), impl_->cf(f), ToSlice(key), &value);
  if (s.IsNotFound()) return core::NotFound("no such key");
  RETURN_IF_ERROR(FromRocks(s, "get"));
  return value;
}

core::Status RocksDb::Scan(
    Family f, std::string_view begin, std::string_view end,
    const std::function<bool(std::string_view, std::string_view)>& fn) const {
  std::shared_lock lock(impl_->mu);
  if (!impl_->db) return NotOpen();
  rocksdb::ReadOptions ro;
  rocksdb::Slice upper = ToSlice(end);
  if (!end.empty()) ro.iterate_upper_bound = &upper;
  ro.total_order_seek = true;
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->cf(f)));
  for (it->Seek(ToSlice(begin)); it->Valid(); it->Next()) {
    if (!fn(std::string_view(it->key().data(), it->key().size()),
            std::string_view(it->value().data(), it->value().size()))) {
      break;
    }
  }
  return FromRocks(it->status(), "scan");
}

namespace {

// Keys as 128-bit numbers (their first 16 bytes, zero-padded) for stepping seek targets.
using Key128 = unsigned __int128;

Key128 KeyNumber(std::string_view key) {
  Key128 n = 0;
  for (size_t i = 0; i < 16; ++i) {
    n = (n << 8) | (i < key.size() ? static_cast<unsigned char>(key[i]) : 0u);
  }
  return n;
}

std::string KeyString(Key128 n) {
  std::string key(16, '\0');
  for (int i = 15; i >= 0; --i) {
    key[static_cast<size_t>(i)] = static_cast<char>(static_cast<unsigned char>(n & 0xff));
    n >>= 8;
  }
  while (!key.empty() && key.back() == '\0') key.pop_back();
  return key;
}

}  // namespace

core::Status RocksDb::SalvageScan(
    Family f, const std::function<void(std::string_view, std::string_view)>& fn,
    const std::function<void(std::string_view, std::string_view, const std::string&)>& lost) const {
  std::shared_lock lock(impl_->mu);
  if (!impl_->db) return NotOpen();
  rocksdb::ReadOptions ro;
  ro.total_order_seek = true;
  ro.fill_cache = false;
  // Whether a seek to `target` reads without error; the first key there (empty at the end).
  auto seek_works = [&](const std::string& target, std::string* first) {
    std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->cf(f)));
    it->Seek(target);
    if (!it->status().ok()) return false;
    first->assign(it->Valid() ? it->key().ToString() : "");
    return true;
  };
  std::string last;  // the last key read ("" before the first)
  bool read_any = false;
  std::string target;
  for (;;) {
    std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->cf(f)));
    for (it->Seek(target); it->Valid(); it->Next()) {
      const rocksdb::Slice k = it->key(), v = it->value();
      fn(std::string_view(k.data(), k.size()), std::string_view(v.data(), v.size()));
      last.assign(k.data(), k.size());
      read_any = true;
    }
    if (it->status().ok()) return core::Status::Ok();
    if (!it->status().IsCorruption()) return FromRocks(it->status(), "scan");
    const std::string why = it->status().ToString();
    // Step the seek target up from the last good key by doubling distances until a seek works,
    // then binary-search back down to the first target that works: just past the damage.
    const Key128 base = read_any ? KeyNumber(last) : 0;
    Key128 bad = base, good = 0;
    std::string first;
    bool found = false;
    for (int bit = 0; bit < 128; ++bit) {
      const Key128 step = Key128{1} << bit;
      if (base > ~Key128{0} - step) break;
      if (seek_works(KeyString(base + step), &first)) {
        good = base + step;
        found = true;
        break;
      }
      bad = base + step;
    }
    if (!found) {
      lost(read_any ? std::string_view(last) : std::string_view(), "", why);
      return core::Status::Ok();
    }
    while (good - bad > 1) {
      const Key128 mid = bad + (good - bad) / 2;
      std::string at;
      if (seek_works(KeyString(mid), &at)) {
        good = mid;
        first = at;
      } else {
        bad = mid;
      }
    }
    lost(read_any ? std::string_view(last) : std::string_view(), first, why);
    if (first.empty()) return core::Status::Ok();
    target = KeyString(good);
  }
}

core::Status RocksDb::SyncWal() {
  std::shared_lock lock(impl_->mu);
  if (!impl_->db) return NotOpen();
  return FromRocks(impl_->db->SyncWAL(), "sync wal");
}

core::Status RocksDb::FlushAll() {
  std::shared_lock lock(impl_->mu);
  if (!impl_->db) return NotOpen();
  rocksdb::FlushOptions fo;
  return FromRocks(impl_->db->Flush(fo, impl_->handles), "flush");
}

core::Status RocksDb::CompactFamily(Family f) {
  std::shared_lock lock(impl_->mu);
  if (!impl_->db) return NotOpen();
  rocksdb::CompactRangeOptions o;
  o.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  return FromRocks(impl_->db->CompactRange(o, impl_->cf(f), nullptr, nullptr), "compact");
}

core::Status RocksDb::VerifyChecksums() const {
  std::shared_lock lock(impl_->mu);
  if (!impl_->db) return NotOpen();
  return FromRocks(impl_->db->VerifyChecksum(), "verify checksums");
}

std::vector<RocksDb::LiveFile> RocksDb::LiveFiles() const {
  std::shared_lock lock(impl_->mu);
  if (!impl_->db) return {};
  std::vector<rocksdb::LiveFileMetaData> files;
  impl_->db->GetLiveFilesMetaData(&files);
  std::vector<LiveFile> out;
  out.reserve(files.size());
  for (const auto& f : files) {
    out.push_back({f.db_path + f.name, f.column_family_name, f.size});
  }
  return out;
}

core::Status RocksDb::VerifyFile(const std::string& path) const {
  std::shared_lock lock(impl_->mu);
  if (!impl_->db) return NotOpen();
  rocksdb::Options options;
  options.env = impl_->db->GetEnv();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return core::NotFound(path + ": gone (compacted)");
  rocksdb::Status s =
      rocksdb::VerifySstFileChecksum(options, rocksdb::EnvOptions(), rocksdb::ReadOptions(), path);
  if (!s.ok() && !std::filesystem::exists(path, ec)) {
    return core::NotFound(path + ": gone (compacted)");
  }
  return FromRocks(s, path);
}

uint64_t RocksDb::DiskBytes() const {
  std::shared_lock lock(impl_->mu);
  if (!impl_->db) return 0;
  uint64_t total = 0;
  for (auto* h : impl_->handles) {
    uint64_t v = 0;
    if (impl_->db->GetIntProperty(h, "rocksdb.live-sst-files-size", &v)) total += v;
  }
  uint64_t wal = 0;
  if (impl_->db->GetIntProperty("rocksdb.total-wal-size", &wal)) total += wal;
  // Fallback for versions without total-wal-size: sum of WAL files.
  if (wal == 0) {
    rocksdb::VectorLogPtr files;
    if (impl_->db->GetSortedWalFiles(files).ok()) {
      for (const auto& f : files) total += f->SizeFileBytes();
    }
  }
  return total;
}

}  // namespace meridian::storage::internal
