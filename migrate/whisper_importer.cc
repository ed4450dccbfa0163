#include "migrate/whisper_importer.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "migrate/whisper_file.h"
#include "migrate/whisper_tree.h"
#include "storage/bulk_load.h"

namespace meridian::migrate {
namespace {

constexpr std::string_view kMarkerPrefix = "import/whisper/";
constexpr int64_t kProgressIntervalMicros = 200'000;

struct FileStat {
  uint64_t size = 0;
  int64_t mtime_ns = 0;
};

// "<size> <mtime ns> <series name>"
std::string MarkerValue(const FileStat& st, std::string_view name) {
  return fmt::format("{} {} {}", st.size, st.mtime_ns, name);
}

// The marker's "<size> <mtime ns>" prefix, and its series name.
bool MarkerMatches(std::string_view marker, const FileStat& st) {
  return marker.starts_with(fmt::format("{} {} ", st.size, st.mtime_ns));
}
std::string_view MarkerName(std::string_view marker) {
  size_t a = marker.find(' ');
  size_t b = a == std::string_view::npos ? a : marker.find(' ', a + 1);
  return b == std::string_view::npos ? std::string_view() : marker.substr(b + 1);
}

FileStat FromStat(const struct stat& st) {
  return {static_cast<uint64_t>(st.st_size),
          static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

struct FileResult {
  enum class Kind { kSkipped, kFailed, kTooLarge, kReady } kind = Kind::kFailed;
  size_t index = 0;  // in the file list
  std::string error;
  storage::EncodedSeries series;
  bool replace = false;  // the marker exists (the file changed): replace its series
  std::string marker_key;
  std::string marker_value;
};

// Reads the whole file with the fd's own stat, so size and content agree.
core::Status ReadFile(const std::string& path, uint64_t max_bytes, FileStat* stat_out,
                      std::string* out, bool* too_large) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return core::IoError(fmt::format("cannot open: {}", std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return core::IoError(fmt::format("cannot stat: {}", std::strerror(e)));
  }
  *stat_out = FromStat(st);
  if (stat_out->size > max_bytes) {
    ::close(fd);
    *too_large = true;
    return core::ResourceExhausted(
        fmt::format("{} bytes, more than --max-file-bytes {}", stat_out->size, max_bytes));
  }
  out->resize(stat_out->size);
  size_t got = 0;
  while (got < out->size()) {
    ssize_t n = ::pread(fd, out->data() + got, out->size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = errno;
      ::close(fd);
      return core::IoError(n == 0 ? "file shrank while being read"
                                  : fmt::format("cannot read: {}", std::strerror(e)));
    }
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  return core::Status::Ok();
}

FileResult ProcessFile(const WhisperFileEntry& file, const ImportOptions& options,
                       const TaggedNames& tagged, const storage::BulkLoader& loader, int64_t now,
                       std::string* buffer) {
  FileResult r;
  const std::string path = file.path.string();
  r.marker_key = std::string(kMarkerPrefix) + path;
  auto name = SeriesNameForPath(file.relative, &tagged);
  if (!name.ok()) {
    r.error = name.status().message();
    return r;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    r.error = fmt::format("cannot stat: {}", std::strerror(errno));
    return r;
  }
  auto marker = loader.GetRecord(r.marker_key);
  if (!marker.ok()) {
    r.error = marker.status().ToString();
    return r;
  }
  if (*marker && MarkerMatches(**marker, FromStat(st))) {
    r.kind = FileResult::Kind::kSkipped;
    return r;
  }
  r.replace = *marker && MarkerName(**marker) == *name;
  FileStat read_stat;
  bool too_large = false;
  if (core::Status s = ReadFile(path, options.max_file_bytes, &read_stat, buffer, &too_large);
      !s.ok()) {
    r.kind = too_large ? FileResult::Kind::kTooLarge : FileResult::Kind::kFailed;
    r.error = s.message();
    return r;
  }
  auto data = ReadWhisper(*buffer);
  if (!data.ok()) {
    r.error = data.status().message();
    return r;
  }
  storage::BulkSeries series{*name, std::move(data->schema), std::move(data->points)};
  auto encoded = storage::EncodeSeries(series, options.points_per_block, now);
  if (!encoded.ok()) {
    r.error = encoded.status().message();
    return r;
  }
  r.kind = FileResult::Kind::kReady;
  r.series = std::move(encoded).value();
  r.marker_value = MarkerValue(read_stat, *name);
  return r;
}

// Workers push results; the committing thread pops them. Bounded, so encoded series waiting
// for the committer never pile up.
class ResultQueue {
 public:
  explicit ResultQueue(size_t capacity) : capacity_(capacity) {}
  // False when the consumer gave up (stop).
  bool Push(FileResult r) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return items_.size() < capacity_ || stopped_; });
    if (stopped_) return false;
    items_.push_back(std::move(r));
    not_empty_.notify_one();
    return true;
  }
  // Waits up to `wait_us` for a result.
  std::optional<FileResult> Pop(int64_t wait_us) {
    std::unique_lock lock(mu_);
    not_empty_.wait_for(lock, std::chrono::microseconds(wait_us), [&] { return !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    FileResult r = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return r;
  }
  void Stop() {
    std::lock_guard lock(mu_);
    stopped_ = true;
    not_full_.notify_all();
  }

 private:
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<FileResult> items_;
  bool stopped_ = false;
};

// The committing side: stages results, commits in batches, counts, reports progress.
class Committer {
 public:
  Committer(const ImportOptions& options, storage::BulkLoader& loader, const core::Clock& clock,
            const ImportCallbacks& callbacks, ImportSummary& summary)
      : options_(options),
        loader_(loader),
        clock_(clock),
        callbacks_(callbacks),
        summary_(summary),
        start_us_(clock.NowMicros()) {}

  core::Status Take(FileResult r, const WhisperFileEntry& file) {
    ++done_;
    switch (r.kind) {
      case FileResult::Kind::kSkipped:
        ++summary_.skipped;
        return core::Status::Ok();
      case FileResult::Kind::kTooLarge:
        ++summary_.too_large;
        [[fallthrough]];
      case FileResult::Kind::kFailed:
        Fail(file, r.error);
        return core::Status::Ok();
      case FileResult::Kind::kReady:
        break;
    }
    core::Status st = loader_.Stage(
        r.series, r.replace ? storage::SeriesConflict::kReplace : storage::SeriesConflict::kRefuse,
        {{r.marker_key, r.marker_value}});
    if (st.code() == core::StatusCode::kAlreadyExists) {
      Fail(file, fmt::format("series '{}' already exists in the store and was not imported from "
                             "this file: not merged",
                             r.series.name));
      return core::Status::Ok();
    }
    RETURN_IF_ERROR(st);
    ++summary_.imported;
    if (r.replace) ++summary_.replaced;
    summary_.points += r.series.points;
    summary_.dropped += r.series.dropped;
    if (++staged_files_ >= options_.commit_files ||
        loader_.staged_bytes() >= options_.commit_bytes) {
      RETURN_IF_ERROR(Commit());
    }
    return core::Status::Ok();
  }

  core::Status Commit() {
    staged_files_ = 0;
    return loader_.Commit();
  }

  void MaybeProgress(bool force) {
    const int64_t now = clock_.NowMicros();
    if (!force && now - last_progress_us_ < kProgressIntervalMicros) return;
    last_progress_us_ = now;
    callbacks_.progress({summary_.files, done_, summary_.points, Seconds()});
  }

  double Seconds() const { return static_cast<double>(clock_.NowMicros() - start_us_) / 1e6; }

 private:
  void Fail(const WhisperFileEntry& file, const std::string& why) {
    ++summary_.failed;
    callbacks_.problem(fmt::format("{}: {}", file.path.string(), why));
  }

  const ImportOptions& options_;
  storage::BulkLoader& loader_;
  const core::Clock& clock_;
  const ImportCallbacks& callbacks_;
  ImportSummary& summary_;
  const int64_t start_us_;
  int64_t last_progress_us_ = 0;
  uint64_t done_ = 0;
  size_t staged_files_ = 0;
};

}  // namespace

core::Status ImportOptions::Validate() const {
  if (source_dir.empty()) return core::InvalidArgument("no whisper directory given");
  if (data_dir.empty()) return core::InvalidArgument("no data dir given (--data-dir)");
  if (points_per_block < 8 || points_per_block > (1u << 16)) {
    return core::InvalidArgument("points_per_block must be in [8, 65536]");
  }
  if (jobs > 256) return core::InvalidArgument("--jobs must be in [1, 256]");
  if (commit_bytes == 0 || commit_files == 0) {
    return core::InvalidArgument("commit sizes must be > 0");
  }
  if (max_file_bytes == 0) return core::InvalidArgument("--max-file-bytes must be > 0");
  return core::Status::Ok();
}

core::Result<ImportSummary> ImportWhisper(const ImportOptions& options, const core::Clock& clock,
                                          const ImportCallbacks& callbacks) {
  RETURN_IF_ERROR(options.Validate());
  ImportSummary summary;
  TaggedNames tagged;
  if (!options.tagged_names_file.empty()) {
    ASSIGN_OR_RETURN(tagged, LoadTaggedNames(options.tagged_names_file));
  }
  // A directory that cannot be listed counts as a failure: its files are not imported.
  ASSIGN_OR_RETURN(std::vector<WhisperFileEntry> files,
                   ListWhisperFiles(options.source_dir, [&](const std::string& line) {
                     ++summary.unlisted_dirs;
                     ++summary.failed;
                     callbacks.problem(line);
                   }));
  summary.files = files.size();
  ASSIGN_OR_RETURN(std::unique_ptr<storage::BulkLoader> loader,
                   storage::BulkLoader::Open({options.data_dir, options.points_per_block}, clock));
  const int64_t now = clock.NowSeconds();
  const unsigned jobs =
      options.jobs != 0 ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  ResultQueue queue(4 * size_t{jobs});
  std::atomic<size_t> next{0};
  // Each worker takes the next file and pushes its result (which carries the file's index).
  std::vector<std::thread> workers;
  for (unsigned j = 0; j < jobs; ++j) {
    workers.emplace_back([&] {
      std::string buffer;
      for (size_t i; (i = next.fetch_add(1)) < files.size();) {
        FileResult r = ProcessFile(files[i], options, tagged, *loader, now, &buffer);
        r.index = i;
        if (!queue.Push(std::move(r))) return;
      }
    });
  }
  Committer committer(options, *loader, clock, callbacks, summary);
  core::Status fatal;
  for (size_t taken = 0; taken < files.size() && fatal.ok();) {
    std::optional<FileResult> r = queue.Pop(kProgressIntervalMicros);
    if (r) {
      const size_t i = r->index;
      fatal = committer.Take(std::move(*r), files[i]);
      ++taken;
    }
    committer.MaybeProgress(false);
  }
  queue.Stop();
  for (auto& w : workers) w.join();
  if (fatal.ok()) fatal = committer.Commit();
  if (fatal.ok()) fatal = loader->Flush();
  // The import's time includes writing everything out, not the optional compaction.
  summary.seconds = committer.Seconds();
  committer.MaybeProgress(true);
  if (fatal.ok() && options.compact) fatal = loader->Compact();
  core::Status closed = loader->Close();
  if (fatal.ok()) fatal = closed;
  RETURN_IF_ERROR(fatal);
  return summary;
}

std::string FormatProgress(const ImportProgress& p) {
  const double rate = p.seconds > 0 ? static_cast<double>(p.points) / p.seconds : 0;
  std::string eta = "-";
  if (p.files_done > 0 && p.files_done < p.files_total && p.seconds > 0) {
    const double left = p.seconds * static_cast<double>(p.files_total - p.files_done) /
                        static_cast<double>(p.files_done);
    const auto s = static_cast<int64_t>(left);
    eta = fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  } else if (p.files_done == p.files_total) {
    eta = "0:00:00";
  }
  return fmt::format("files {}/{} ({}%), {:.1f}M points, {:.2f}M points/s, ETA {}", p.files_done,
                     p.files_total, p.files_total ? p.files_done * 100 / p.files_total : 100,
                     static_cast<double>(p.points) / 1e6, rate / 1e6, eta);
}

}  // namespace meridian::migrate
