#include "storage/internal/rocks_store.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <future>

#include "core/tagged_name.h"
#include "storage/internal/coding.h"

namespace meridian::storage::internal {
namespace {

// Batches applied together share one log record; bounded so a record stays a few MB.
constexpr size_t kMaxPointsPerRecord = 1 << 16;

bool IsTaggedName(std::string_view name) { return name.find(';') != std::string_view::npos; }

}  // namespace

bool SeriesHead::Empty() const {
  for (const auto& a : archives) {
    if (!a.points.empty() || !a.pending.empty()) return false;
  }
  return true;
}

RocksStore::RocksStore(const StoreOptions& options, const core::Clock& clock,
                       core::MetricsRegistry& metrics, std::unique_ptr<RocksDb> db)
    : options_(options), clock_(clock), db_(std::move(db)) {
  counters_.points_written =
      &metrics.GetCounter("storage_points_written_total", "Points applied to series heads.");
  counters_.points_too_old = &metrics.GetCounter(
      "storage_points_dropped_total", "Points dropped by storage.", {{"reason", "too_old"}});
  counters_.series_created = &metrics.GetCounter("storage_series_created_total", "Series created.");
  counters_.blocks_sealed = &metrics.GetCounter("storage_blocks_sealed_total",
                                                "Block windows sealed for good (and rolled up).");
  counters_.blocks_written =
      &metrics.GetCounter("storage_blocks_written_total", "Blocks written (sealed or partial).");
  counters_.checkpoints =
      &metrics.GetCounter("storage_checkpoints_total", "Checkpoints (heads written, log cut).");
  counters_.write_errors = &metrics.GetCounter(
      "storage_write_errors_total", "Failed RocksDB writes (data kept in memory and retried).");
  counters_.batches_refused = &metrics.GetCounter(
      "storage_batches_refused_total", "Batches refused because the write queue was full.");
  counters_.batches_refused_disk = &metrics.GetCounter(
      "storage_batches_refused_disk_full_total",
      "Batches refused while writes were paused (disk space or failing writes; ingest waits).");
  counters_.corrupt_reads = &metrics.GetCounter(
      "storage_corrupt_reads_total",
      "Blocks (or ranges) a read could not decode: skipped, answered without them, marked.");
  counters_.write_pauses = &metrics.GetCounter(
      "storage_write_pauses_total",
      "Times writes paused: free disk space below storage.min_free_bytes, or a failed write.");
  counters_.files_verified = &metrics.GetCounter(
      "storage_checksum_files_verified_total",
      "Data files whose checksums the start-up scan checked (storage.verify_on_start).");
  counters_.bad_files = &metrics.GetGauge(
      "storage_checksum_bad_files", "Data files the start-up scan found damaged (run repair).");
  counters_.disk_free =
      &metrics.GetGauge("storage_disk_free_bytes", "Free space of the data dir's filesystem.");
  counters_.writes_paused = &metrics.GetGauge(
      "storage_writes_paused", "1 while writes are paused (disk space or failing writes).");
  counters_.queue_points =
      &metrics.GetGauge("storage_queue_points", "Points queued, not yet applied.");
  counters_.head_points = &metrics.GetGauge("storage_head_points", "Points held in memory heads.");
  metrics.AddCallbackGauge("storage_disk_bytes", "Bytes on disk (SST + WAL).",
                           [this] { return static_cast<double>(db_->DiskBytes()); });
  metrics.AddCallbackGauge("storage_series", "Series known.",
                           [this] { return static_cast<double>(Stats().series); });
}

RocksStore::~RocksStore() { Close().IgnoreError(); /* destructor: nothing to report to */ }

core::Status RocksStore::Start() {
  RETURN_IF_ERROR(LoadCatalog());
  RETURN_IF_ERROR(LoadTagDeletions());
  RETURN_IF_ERROR(LoadPending());
  RETURN_IF_ERROR(ReplayLog());
  last_sweep_ = last_checkpoint_ = clock_.NowSeconds();
  last_sync_us_ = clock_.NowMicros();
  if (options_.verify_on_start) verifier_ = std::thread([this] { VerifyFiles(); });
  if (read_only_) return core::Status::Ok();
  writer_ = std::thread([this] { WriterLoop(); });
  return core::Status::Ok();
}

void RocksStore::SetReadOnly(std::string why) {
  read_only_ = true;
  {
    std::lock_guard lock(pause_mu_);
    pause_reason_ = std::move(why);
  }
  writes_paused_ = true;
  counters_.writes_paused->Set(1);
}

uint32_t RocksStore::LayoutIndex(const SchemaLayout& layout) {
  std::string key = layout.Encode();
  for (size_t i = 0; i < layouts_.size(); ++i) {
    if (layouts_[i].Encode() == key) return static_cast<uint32_t>(i);
  }
  layouts_.push_back(layout);
  return static_cast<uint32_t>(layouts_.size() - 1);
}

void RocksStore::IndexName(uint64_t id, std::string_view name) {
  if (!IsTaggedName(name)) {
    core::Status st = name_tree_.Insert(name, static_cast<uint32_t>(id));
    if (!st.ok()) fmt::print(stderr, "meridian: '{}' not browsable: {}\n", name, st.ToString());
    return;
  }
  auto parsed = core::ParseTaggedName(name);
  if (parsed.ok()) tag_index_.Insert(static_cast<uint32_t>(id), parsed->name, parsed->tags);
}

core::Status RocksStore::LoadCatalog() {
  std::unique_lock lock(catalog_mu_);
  core::Status bad;
  RETURN_IF_ERROR(db_->Scan(Family::kIndex, "", "", [&](std::string_view k, std::string_view v) {
    if (k.size() != 8) return true;
    uint64_t id = GetBigEndian64(k.data());
    Reader r(v);
    uint64_t len = 0;
    std::string_view spec;
    if (!r.GetVarint(&len) || !r.GetBytes(len, &spec)) {
      bad = core::Corruption(fmt::format("index entry {} is malformed", id));
      return false;
    }
    std::string_view name;
    r.GetBytes(r.remaining(), &name);
    auto layout = SchemaLayout::Decode(spec, options_.points_per_block);
    if (!layout.ok()) {
      bad = layout.status();
      return false;
    }
    if (id != series_layout_.size()) {
      bad = core::Corruption(fmt::format("index ids are not dense at {}", id));
      return false;
    }
    series_map_.Insert(name, SeriesMap::Hash(name));
    series_layout_.push_back(LayoutIndex(*layout));
    IndexName(id, name);
    return true;
  }));
  heads_.resize(series_layout_.size());
  return bad;
}

uint64_t RocksStore::ResolveOrCreate(std::string_view name, uint64_t hash, WriteBatch& wb,
                                     std::vector<uint64_t>* created) {
  if (auto found = series_map_.Find(name, hash)) return *found;
  SchemaLayout layout =
      SchemaLayout::FromSchema(options_.schemas.Resolve(name), options_.points_per_block);
  std::string value;
  std::string spec = layout.Encode();
  PutVarint(&value, spec.size());
  value += spec;
  value += name;
  std::unique_lock lock(catalog_mu_);
  uint64_t id = series_map_.Insert(name, hash);
  wb.Put(Family::kIndex, IdKey(id), value);
  series_layout_.push_back(LayoutIndex(layout));
  IndexName(id, name);
  created->push_back(id);
  return id;
}

bool RocksStore::TryWrite(PointBatch& batch) {
  if (batch.empty()) return true;
  if (writes_paused_.load(std::memory_order_relaxed)) {
    counters_.batches_refused_disk->Add();
    return false;  // the caller keeps the batch and retries: nothing is lost
  }
  {
    std::lock_guard lock(queue_mu_);
    if (stop_) return false;
    if (queued_points_ + batch.size() > options_.max_pending_points && queued_points_ > 0) {
      counters_.batches_refused->Add();
      return false;
    }
    queued_points_ += batch.size();
    counters_.queue_points->Set(static_cast<int64_t>(queued_points_));
    queue_.push_back(std::move(batch));
    ++enqueued_batches_;
  }
  batch.Clear();
  queue_cv_.notify_one();
  return true;
}

core::Status RocksStore::Flush() {
  if (read_only_) return core::FailedPrecondition("store is read-only (disk full at start-up)");
  std::unique_lock lock(queue_mu_);
  if (closed_) return core::FailedPrecondition("store is closed");
  uint64_t target = ++flush_requests_;
  queue_cv_.notify_one();
  applied_cv_.wait(lock, [&] { return flushes_done_ >= target || closed_; });
  return core::Status::Ok();
}

void RocksStore::ApplyBatches(std::span<const PointBatch> batches, int64_t now) {
  WriteBatch wb;
  std::vector<uint64_t> created;
  LogRecord record;
  record.arrival_time = now;
  size_t total = 0;
  for (const PointBatch& b : batches) total += b.size();
  record.points.reserve(total);
  // Name lookup is the hot spot: hash a batch first and prefetch a few slots ahead, so the
  // cache misses of consecutive lookups overlap instead of queueing (measured ~3x at 100k series).
  constexpr size_t kPrefetchDistance = 8;
  std::vector<uint64_t> hashes;
  for (const PointBatch& batch : batches) {
    const auto& entries = batch.entries();
    hashes.resize(entries.size());
    for (size_t i = 0; i < entries.size(); ++i) hashes[i] = SeriesMap::Hash(batch.name(entries[i]));
    for (size_t i = 0; i < entries.size(); ++i) {
      if (i + kPrefetchDistance < entries.size()) {
        series_map_.Prefetch(hashes[i + kPrefetchDistance]);
      }
      uint64_t id = ResolveOrCreate(batch.name(entries[i]), hashes[i], wb, &created);
      if (!tag_deleted_.empty()) RetagIfDeleted(id, wb);
      record.points.push_back({id, entries[i].timestamp, entries[i].value});
    }
  }
  std::string value;
  EncodeLogRecord(record, &value);
  wb.Put(Family::kLog, LogKey(log_seq_++), value);
  log_bytes_since_checkpoint_ += value.size();
  // The log write comes first: a point is acknowledged to readers only once it is durable
  // against a process crash. A failed write (disk full) keeps the points in memory; they reach
  // disk with the next checkpoint, and the error is counted and logged.
  // A failed write (an I/O error, ENOSPC inside RocksDB) pauses writes; the record is kept and
  // written, in order, once RocksDB resumes (RetryFailedWrites), so nothing accepted is lost.
  if (!unwritten_.empty() || !WriteOrPause(wb, "log").ok()) unwritten_.push_back(std::move(wb));
  counters_.series_created->Add(created.size());
  std::unique_lock lock(heads_mu_);
  if (heads_.size() < series_layout_.size()) heads_.resize(series_layout_.size());
  for (const LogPoint& p : record.points) AddToHead(p, now);
  counters_.head_points->Set(static_cast<int64_t>(head_points_));
}

void RocksStore::AddToHead(const LogPoint& p, int64_t now) {
  const SchemaLayout& layout = layouts_[series_layout_[p.id]];
  std::optional<size_t> archive = ArchiveForAge(layout, now - p.timestamp);
  if (!archive || p.timestamp < 0 || p.timestamp > UINT32_MAX) {
    counters_.points_too_old->Add();
    return;
  }
  auto& head = heads_[p.id];
  if (!head) {
    head = std::make_unique<SeriesHead>();
    head->archives.resize(layout.archives.size());
    active_.push_back(p.id);
  }
  ArchiveHead& ah = head->archives[*archive];
  ah.points.push_back({p.timestamp, p.value});
  int64_t window = AlignDown(p.timestamp, layout.archives[*archive].window);
  if (std::find(ah.pending.begin(), ah.pending.end(), window) == ah.pending.end()) {
    ah.pending.push_back(window);
    dirty_pending_.push_back(p.id);
  }
  ++head_points_;
  counters_.points_written->Add();
}

core::Status RocksStore::ReplayLog() {
  core::Status bad;
  LogRecord record;
  RETURN_IF_ERROR(db_->Scan(Family::kLog, "", "", [&](std::string_view k, std::string_view v) {
    if (k.size() == 8) log_seq_ = GetBigEndian64(k.data()) + 1;
    core::Status st = DecodeLogRecord(v, &record);
    if (!st.ok()) {
      // A torn record can only be the last one written; keep everything before it.
      fmt::print(stderr, "meridian: skipping unreadable log record: {}\n", st.ToString());
      return true;
    }
    for (const LogPoint& p : record.points) {
      if (p.id < series_layout_.size()) AddToHead(p, record.arrival_time);
    }
    return true;
  }));
  return bad;
}

core::Status RocksStore::LoadTagDeletions() {
  std::vector<uint64_t> ids;
  RETURN_IF_ERROR(db_->Scan(Family::kMeta, "d", "e", [&](std::string_view k, std::string_view) {
    if (k.size() == 9) ids.push_back(GetBigEndian64(k.data() + 1));
    return true;
  }));
  std::unique_lock lock(catalog_mu_);
  for (uint64_t id : ids) {
    if (id >= series_layout_.size()) continue;
    auto parsed = core::ParseTaggedName(series_map_.Name(static_cast<uint32_t>(id)));
    if (!parsed.ok()) continue;
    tag_index_.Remove(static_cast<uint32_t>(id), parsed->name, parsed->tags);
    if (tag_deleted_.size() <= id) tag_deleted_.resize(series_layout_.size());
    tag_deleted_[id] = true;
  }
  return core::Status::Ok();
}

core::Status RocksStore::DeleteTaggedSeries(const std::vector<std::string>& names) {
  auto done = std::make_shared<std::promise<core::Status>>();
  std::future<core::Status> result = done->get_future();
  {
    std::lock_guard lock(queue_mu_);
    if (stop_) return core::FailedPrecondition("store is closing");
    tasks_.push_back([this, names, done] { done->set_value(ApplyTagDeletions(names)); });
  }
  queue_cv_.notify_one();
  return result.get();
}

// Runs on the writer thread, the only mutator of the catalog.
core::Status RocksStore::ApplyTagDeletions(const std::vector<std::string>& names) {
  WriteBatch wb;
  std::unique_lock lock(catalog_mu_);
  for (const std::string& raw : names) {
    auto name = core::NormalizeSeriesName(raw);
    if (!name.ok() || !IsTaggedName(*name)) continue;
    std::optional<uint32_t> id = series_map_.Find(*name, SeriesMap::Hash(*name));
    if (!id || (*id < tag_deleted_.size() && tag_deleted_[*id])) continue;
    auto parsed = core::ParseTaggedName(*name);
    if (!parsed.ok()) continue;
    tag_index_.Remove(*id, parsed->name, parsed->tags);
    if (tag_deleted_.size() <= *id) tag_deleted_.resize(series_layout_.size());
    tag_deleted_[*id] = true;
    wb.Put(Family::kMeta, "d" + IdKey(*id), "");
  }
  lock.unlock();
  return wb.Count() == 0 ? core::Status::Ok() : db_->Write(wb);
}

// A point for a series removed by DeleteTaggedSeries registers it again (writer thread).
void RocksStore::RetagIfDeleted(uint64_t id, WriteBatch& wb) {
  if (id >= tag_deleted_.size() || !tag_deleted_[id]) return;
  std::unique_lock lock(catalog_mu_);
  tag_deleted_[id] = false;
  IndexName(id, series_map_.Name(static_cast<uint32_t>(id)));
  wb.Delete(Family::kMeta, "d" + IdKey(id));
}

void RocksStore::WriterLoop() {
  for (;;) {
    std::vector<PointBatch> work;
    std::deque<std::function<void()>> tasks;
    uint64_t flush_target = 0;
    bool stopping = false;
    {
      std::unique_lock lock(queue_mu_);
      queue_cv_.wait_for(lock, std::chrono::milliseconds(options_.apply_interval_ms), [&] {
        return stop_ || !queue_.empty() || !tasks_.empty() || flush_requests_ > flushes_done_;
      });
      tasks.swap(tasks_);
      work.assign(std::make_move_iterator(queue_.begin()), std::make_move_iterator(queue_.end()));
      queue_.clear();
      flush_target = flush_requests_;
      stopping = stop_;
    }
    const int64_t now = clock_.NowSeconds();
    CheckDiskSpace(now);
    if (write_failing_) RetryFailedWrites(now);
    const bool paused = writes_paused_.load(std::memory_order_relaxed);
    // Batches applied together share one log record, bounded to keep records a few MB.
    size_t applied = 0;
    size_t group_begin = 0;
    size_t group_points = 0;
    for (size_t i = 0; i < work.size(); ++i) {
      if (group_points > 0 && group_points + work[i].size() > kMaxPointsPerRecord) {
        ApplyBatches(std::span(work).subspan(group_begin, i - group_begin), now);
        group_begin = i;
        group_points = 0;
      }
      group_points += work[i].size();
      applied += work[i].size();
    }
    if (group_points > 0) ApplyBatches(std::span(work).subspan(group_begin), now);
    for (auto& task : tasks) task();
    const bool flushing = flush_target > flushes_done_;
    // While paused, only what was already accepted is logged (storage.min_free_bytes is its
    // headroom): sealing and checkpoints, which write blocks, wait for space.
    if (!paused && (flushing || stopping || now - last_sweep_ >= 1)) {
      Sweep(now, /*everything=*/stopping);
      last_sweep_ = now;
    }
    if (!paused && (stopping || head_points_ > options_.max_head_points ||
                    now - last_checkpoint_ >= options_.checkpoint_interval_seconds)) {
      core::Status st = Checkpoint(now);
      if (!st.ok() && !write_failing_) {
        fmt::print(stderr, "meridian: checkpoint failed: {}\n", st.ToString());
      }
      last_checkpoint_ = now;
    }
    // Not while a write is failing: RocksDB's WAL writer must not be touched again after an
    // error until Resume() replaced it (Debian's librocksdb asserts on it).
    if (!write_failing_ &&
        (stopping || clock_.NowMicros() - last_sync_us_ >= options_.sync_interval_ms * 1000)) {
      if (core::Status st = db_->SyncWal(); !st.ok()) NoteWriteFailure(st, "sync", now);
      last_sync_us_ = clock_.NowMicros();
    }
    {
      std::lock_guard lock(queue_mu_);
      queued_points_ -= std::min(queued_points_, applied);
      counters_.queue_points->Set(static_cast<int64_t>(queued_points_));
      applied_batches_ += work.size();
      flushes_done_ = std::max(flushes_done_, flush_target);
      if (stopping && queue_.empty() && !unwritten_.empty()) {
        size_t points = 0;
        for (const WriteBatch& wb : unwritten_) points += wb.Count();
        fmt::print(stderr,
                   "meridian: storage: stopping while writes fail ({}): {} log records ({} "
                   "entries) were never written and are lost\n",
                   write_reason_, unwritten_.size(), points);
      }
      if (stopping && queue_.empty()) {
        closed_ = true;
        applied_cv_.notify_all();
        return;
      }
    }
    applied_cv_.notify_all();
  }
}

void RocksStore::CheckDiskSpace(int64_t now) {
  if (options_.min_free_bytes == 0 || now == last_space_check_) return;
  last_space_check_ = now;
  struct statvfs fs {};
  if (statvfs(options_.data_dir.c_str(), &fs) != 0) return;  // unknown: leave the state as is
  const uint64_t free_bytes = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
  counters_.disk_free->Set(static_cast<int64_t>(free_bytes));
  const uint64_t min = options_.min_free_bytes;
  const auto mib = [](uint64_t b) { return b / (1024 * 1024); };
  if (!disk_low_ && free_bytes < min) {
    disk_low_ = true;
    disk_reason_ = fmt::format("writes paused: disk free {} MiB < storage.min_free_bytes ({} MiB)",
                               mib(free_bytes), mib(min));
    UpdatePause();
    fmt::print(stderr, "meridian: storage: {} in {}; reads go on, ingest waits\n", disk_reason_,
               options_.data_dir);
    last_pause_log_ = now;
  } else if (disk_low_ && free_bytes >= min + min / 10) {
    disk_low_ = false;
    UpdatePause();
    fmt::print(stderr, "meridian: storage: disk free {} MiB again{}\n", mib(free_bytes),
               writes_paused_.load() ? "" : ", writes resumed");
  } else if (disk_low_ && now - last_pause_log_ >= 60) {
    fmt::print(stderr, "meridian: storage: writes still paused, disk free {} MiB < {} MiB\n",
               mib(free_bytes), mib(min));
    last_pause_log_ = now;
  }
}

core::Status RocksStore::WriteOrPause(WriteBatch& wb, std::string_view what) {
  core::Status st = db_->Write(wb);
  if (!st.ok()) NoteWriteFailure(st, what, clock_.NowSeconds());
  return st;
}

void RocksStore::NoteWriteFailure(const core::Status& st, std::string_view what, int64_t now) {
  counters_.write_errors->Add();
  if (write_failing_) {
    if (now - last_write_error_log_ >= 60) {
      fmt::print(stderr, "meridian: storage: writes still failing ({}): {}\n", what, st.ToString());
      last_write_error_log_ = now;
    }
    return;
  }
  write_failing_ = true;
  write_reason_ = fmt::format("writes paused: storage write failed ({}): {}", what, st.message());
  UpdatePause();
  fmt::print(stderr,
             "meridian: storage: {}; ingest waits, reads go on, retried until RocksDB "
             "recovers\n",
             write_reason_);
  last_write_error_log_ = now;
}

void RocksStore::RetryFailedWrites(int64_t now) {
  core::Status st = db_->Recover();
  while (st.ok() && !unwritten_.empty()) {
    st = db_->Write(unwritten_.front());
    if (st.ok()) unwritten_.pop_front();
  }
  if (!st.ok()) {
    NoteWriteFailure(st, "retry", now);
    return;
  }
  write_failing_ = false;
  UpdatePause();
  fmt::print(stderr, "meridian: storage: writes work again{}\n",
             writes_paused_.load() ? " (still paused: disk space)" : "; writes resumed");
}

void RocksStore::UpdatePause() {
  const bool paused = disk_low_ || write_failing_;
  std::string why = write_failing_ ? write_reason_ : disk_reason_;
  if (write_failing_ && disk_low_) why += "; " + disk_reason_;
  {
    std::lock_guard lock(pause_mu_);
    pause_reason_ = paused ? why : "";
  }
  if (paused && !writes_paused_.load()) counters_.write_pauses->Add();
  writes_paused_ = paused;
  counters_.writes_paused->Set(paused ? 1 : 0);
}

std::string RocksStore::WriteProblem() const {
  if (!writes_paused_.load()) return "";
  std::lock_guard lock(pause_mu_);
  return pause_reason_;
}

void RocksStore::VerifyFiles() {
  const auto started = std::chrono::steady_clock::now();
  uint64_t files = 0, bytes = 0;
  for (const RocksDb::LiveFile& f : db_->LiveFiles()) {
    if (verifier_stop_.load()) return;
    core::Status st = db_->VerifyFile(f.path);
    if (st.code() == core::StatusCode::kNotFound) continue;  // compacted away meanwhile
    ++files;
    bytes += f.bytes;
    counters_.files_verified->Add();
    if (st.ok()) continue;
    const std::string file = std::filesystem::path(f.path).filename().string();
    fmt::print(stderr,
               "meridian: storage: data file {} ({}) is damaged: {}; reads that meet it answer "
               "without the damaged part, marked partial; stop meridian and run `meridian repair "
               "--data-dir {}`\n",
               file, f.family, st.message(), options_.data_dir);
    std::lock_guard lock(bad_files_mu_);
    bad_files_.push_back(fmt::format("{} ({})", file, f.family));
    counters_.bad_files->Set(static_cast<int64_t>(bad_files_.size()));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::lock_guard lock(bad_files_mu_);
  fmt::print(
      stderr, "meridian: storage: start-up checksum scan: {} files, {} MiB in {:.1f} s, {}\n",
      files, bytes >> 20, seconds,
      bad_files_.empty() ? std::string("all good") : fmt::format("{} damaged", bad_files_.size()));
}

std::string RocksStore::HealthProblem() const {
  std::string problem = WriteProblem();
  std::lock_guard lock(bad_files_mu_);
  if (bad_files_.empty()) return problem;
  if (!problem.empty()) problem += "; ";
  problem += fmt::format("damaged data files: {} (stop and run `meridian repair`)",
                         fmt::join(bad_files_, ", "));
  return problem;
}

core::Status RocksStore::Close() {
  verifier_stop_ = true;
  if (verifier_.joinable()) verifier_.join();
  {
    std::lock_guard lock(queue_mu_);
    if (!writer_.joinable()) return core::Status::Ok();
    stop_ = true;
  }
  queue_cv_.notify_one();
  writer_.join();
  RETURN_IF_ERROR(db_->FlushAll());
  return db_->CompactFamily(Family::kLog);
}

StoreStats RocksStore::Stats() const {
  StoreStats s;
  {
    std::shared_lock lock(catalog_mu_);
    s.series = series_layout_.size();
  }
  s.head_points = static_cast<uint64_t>(counters_.head_points->Value());
  s.pending_points = static_cast<uint64_t>(counters_.queue_points->Value());
  return s;
}

}  // namespace meridian::storage::internal
