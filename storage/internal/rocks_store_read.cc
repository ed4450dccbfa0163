// Read path: whisper's fetch over blocks + heads, with rollups of not-yet-sealed windows
// computed on the fly so that coarse archives are never behind the fine one.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "storage/glob.h"
#include "storage/internal/coding.h"
#include "storage/internal/rocks_store.h"

namespace meridian::storage::internal {

void RocksStore::ReportDamage(std::string_view name, std::string what,
                              std::vector<std::string>* damaged) const {
  counters_.corrupt_reads->Add();
  const int64_t minute = clock_.NowSeconds() / 60;
  if (damage_log_minute_.exchange(minute) != minute) damage_logged_ = 0;
  if (damage_logged_.fetch_add(1) < 20) {
    fmt::print(stderr, "meridian: storage: {} of series '{}' skipped (answered without it)\n", what,
               name.substr(0, 300));
  }
  if (damaged->size() < 16) damaged->push_back(std::move(what));
}

core::Status RocksStore::ReadArchive(uint64_t id, std::string_view name, const SchemaLayout& layout,
                                     const SeriesHead* head, size_t archive, int64_t from,
                                     int64_t until, const core::Deadline& deadline,
                                     std::vector<double>* grid,
                                     std::vector<std::string>* damaged) const {
  const ArchiveLayout& al = layout.archives[archive];
  const std::string begin =
      BlockKey(id, static_cast<uint8_t>(archive), std::max<int64_t>(0, AlignDown(from, al.window)));
  const std::string end = BlockKey(id, static_cast<uint8_t>(archive), until);
  std::vector<SlotValue> slots;
  core::Status decode_status;
  // A block holds hundreds of points: a clock read every 16 blocks costs nothing.
  core::DeadlineCheck check(deadline, "fetch", 16);
  int64_t last_block = -1;
  core::Status scanned =
      db_->Scan(Family::kBlocks, begin, end, [&](std::string_view k, std::string_view v) {
        if (k.size() != 13 || v.size() < 4) return true;
        decode_status = check.Step();
        if (!decode_status.ok()) return false;
        const int64_t block_start = GetBigEndian32(k.data() + 9);
        last_block = block_start;
        slots.clear();
        core::Status st = DecodeBlock(v.substr(4), &slots);
        if (!st.ok()) {
          ReportDamage(name,
                       fmt::format("corrupt block (archive {}, {}s from {}: {})", archive,
                                   al.window, block_start, st.message()),
                       damaged);
          return true;  // the other blocks still answer
        }
        FillGrid(slots, block_start, al.step, from, grid);
        return true;
      });
  RETURN_IF_ERROR(decode_status);
  if (scanned.code() == core::StatusCode::kCorruption) {
    // RocksDB's own checksums failed: what was read before stays, the rest of the range is lost.
    ReportDamage(name,
                 fmt::format("unreadable data (archive {}, after {}: {})", archive,
                             last_block < 0 ? from : last_block, scanned.message()),
                 damaged);
  } else {
    RETURN_IF_ERROR(scanned);
  }
  if (head == nullptr) return core::Status::Ok();
  OverlayHead(head->archives[archive].points, al.step, from, grid);
  if (archive == 0) return core::Status::Ok();

  // Windows of the finer archive that are not final-sealed have not been rolled up yet — nor
  // have the finer archive's windows that contain pending data of archives finer still (e.g. a
  // fresh 10 s window whose 1 m window has received nothing yet): both are rolled up here.
  const ArchiveLayout& fine = layout.archives[archive - 1];
  std::set<int64_t> windows(head->archives[archive - 1].pending.begin(),
                            head->archives[archive - 1].pending.end());
  for (size_t k = 0; k + 1 < archive; ++k) {
    for (int64_t w : head->archives[k].pending) {
      windows.insert(AlignDown(w, fine.window));
      windows.insert(AlignDown(w + layout.archives[k].window - 1, fine.window));
    }
  }
  std::vector<double> fine_grid;
  for (int64_t w : windows) {
    if (w + fine.window <= from || w >= until) continue;
    fine_grid.assign(fine.window / fine.step, std::numeric_limits<double>::quiet_NaN());
    RETURN_IF_ERROR(ReadArchive(id, name, layout, head, archive - 1, w, w + fine.window, deadline,
                                &fine_grid, damaged));
    for (const HeadPoint& p : Rollup(layout, fine_grid, w, fine.step, al.step)) {
      if (p.timestamp < from || p.timestamp >= until) continue;
      (*grid)[(p.timestamp - from) / al.step] = p.value;
    }
  }
  return core::Status::Ok();
}

core::Result<SeriesData> RocksStore::Fetch(std::string_view name, int64_t from, int64_t until,
                                           const core::Deadline& deadline) const {
  RETURN_IF_ERROR(deadline.Check("fetch"));
  std::shared_lock catalog(catalog_mu_);
  std::optional<uint32_t> found = series_map_.Find(name, SeriesMap::Hash(name));
  if (!found) return core::NotFound(fmt::format("no series '{}'", name));
  const uint64_t id = *found;
  const SchemaLayout& layout = layouts_[series_layout_[id]];
  const int64_t now = clock_.NowSeconds();
  const std::vector<Archive> archives = layout.ArchiveList();
  SeriesData out;
  out.name = std::string(name);
  FetchWindow window = WhisperFetchWindow(archives, from, until, now);
  if (window.empty) return out;
  const size_t archive = window.archive;
  out.start = window.from;
  out.end = window.until;
  out.step = window.step;
  out.values.assign((window.until - window.from) / window.step,
                    std::numeric_limits<double>::quiet_NaN());
  std::shared_lock heads(heads_mu_);
  const SeriesHead* head = id < heads_.size() ? heads_[id].get() : nullptr;
  RETURN_IF_ERROR(ReadArchive(id, name, layout, head, archive, window.from, window.until, deadline,
                              &out.values, &out.damaged));
  return out;
}

core::Result<std::vector<FindMatch>> RocksStore::Find(std::string_view pattern,
                                                      const core::Deadline& deadline) const {
  ASSIGN_OR_RETURN(GlobPattern glob, GlobPattern::Compile(pattern));
  std::vector<NameTree::FindMatch> matches;
  {
    std::shared_lock lock(catalog_mu_);
    RETURN_IF_ERROR(name_tree_.Find(
        glob, {options_.max_find_results, options_.max_find_bytes, deadline}, &matches));
  }
  std::vector<FindMatch> out;
  out.reserve(matches.size());
  for (auto& m : matches) out.push_back({std::move(m.path), m.is_leaf, m.has_children});
  return out;
}

core::Result<std::vector<std::string>> RocksStore::ExpandLeaves(
    std::string_view pattern, const core::Deadline& deadline) const {
  std::vector<std::string> out;
  if (pattern.find(';') != std::string_view::npos) {
    std::shared_lock lock(catalog_mu_);
    if (series_map_.Find(pattern, SeriesMap::Hash(pattern))) out.emplace_back(pattern);
    return out;
  }
  ASSIGN_OR_RETURN(std::vector<FindMatch> matches, Find(pattern, deadline));
  for (auto& m : matches) {
    if (m.is_leaf) out.push_back(std::move(m.path));
  }
  return out;
}

// The tag index scans under its own bounds (regex limits); the deadline is checked around it.
core::Result<std::vector<std::string>> RocksStore::FindTagged(
    const std::vector<std::string>& expressions, const core::Deadline& deadline) const {
  RETURN_IF_ERROR(deadline.Check("seriesByTag"));
  std::shared_lock lock(catalog_mu_);
  ASSIGN_OR_RETURN(std::vector<uint32_t> ids, tag_index_.FindSeries(expressions));
  RETURN_IF_ERROR(deadline.Check("seriesByTag"));
  std::vector<std::string> out;
  out.reserve(ids.size());
  core::DeadlineCheck check(deadline, "seriesByTag");
  for (uint32_t id : ids) {
    RETURN_IF_ERROR(check.Step());
    out.emplace_back(series_map_.Name(id));
  }
  std::sort(out.begin(), out.end());
  return out;
}

core::Result<std::vector<std::string>> RocksStore::TagNames(std::string_view filter, size_t limit,
                                                            const core::Deadline& deadline) const {
  RETURN_IF_ERROR(deadline.Check("tag names"));
  std::shared_lock lock(catalog_mu_);
  return tag_index_.Tags(filter, limit);
}

core::Result<std::vector<TagValueCount>> RocksStore::TagValues(
    std::string_view tag, std::string_view filter, size_t limit,
    const core::Deadline& deadline) const {
  RETURN_IF_ERROR(deadline.Check("tag values"));
  std::shared_lock lock(catalog_mu_);
  ASSIGN_OR_RETURN(auto values, tag_index_.Values(tag, filter, limit));
  std::vector<TagValueCount> out;
  out.reserve(values.size());
  for (auto& v : values) out.push_back({std::move(v.value), v.count});
  return out;
}

core::Result<std::vector<std::string>> RocksStore::AllLeaves(const core::Deadline& deadline) const {
  std::vector<std::string> out;
  {
    std::shared_lock lock(catalog_mu_);
    core::DeadlineCheck check(deadline, "index.json");
    for (uint32_t id = 0; id < series_layout_.size(); ++id) {
      RETURN_IF_ERROR(check.Step());
      std::string_view name = series_map_.Name(id);
      if (name.find(';') == std::string_view::npos) out.emplace_back(name);
    }
  }
  RETURN_IF_ERROR(deadline.Check("index.json"));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace meridian::storage::internal
