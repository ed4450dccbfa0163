// Sealing and checkpoints: the writer thread moves head points into blocks.
//
// A window is *final-sealed* once it is older than the seal grace: its points are merged into
// its block and the next archive's slots are computed from the whole window. A *checkpoint*
// additionally writes every other head window as a partial block (no rollup yet: the window
// stays pending) and cuts the log, so the log and the heads stay bounded.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "storage/internal/coding.h"
#include "storage/internal/rocks_store.h"

namespace meridian::storage::internal {
namespace {

// Ids handled per write batch and per exclusive hold of the heads lock.
constexpr size_t kSealChunk = 2048;

struct Sealed {
  uint64_t id;
  size_t archive;
  int64_t window;
  bool final;
  std::vector<HeadPoint> rollup;
};

void RemoveWindowPoints(ArchiveHead& ah, int64_t window, int64_t width, size_t* removed) {
  auto in_window = [&](const HeadPoint& p) {
    return p.timestamp >= window && p.timestamp < window + width;
  };
  size_t before = ah.points.size();
  std::erase_if(ah.points, in_window);
  *removed += before - ah.points.size();
  if (ah.points.capacity() > 64 && ah.points.size() < ah.points.capacity() / 4) {
    ah.points.shrink_to_fit();
  }
}

std::string EncodePending(const SeriesHead& head) {
  std::string out;
  for (const ArchiveHead& ah : head.archives) {
    PutVarint(&out, ah.pending.size());
    for (int64_t w : ah.pending) PutVarint(&out, static_cast<uint64_t>(w));
  }
  return out;
}

}  // namespace

core::Status RocksStore::SealWindow(uint64_t id, size_t archive, int64_t window, bool final,
                                    WriteBatch& wb, std::vector<HeadPoint>* rollup) {
  const SchemaLayout& layout = layouts_[series_layout_[id]];
  const ArchiveLayout& al = layout.archives[archive];
  const ArchiveHead& ah = heads_[id]->archives[archive];
  std::vector<HeadPoint> points;
  for (const HeadPoint& p : ah.points) {
    if (p.timestamp >= window && p.timestamp < window + al.window) points.push_back(p);
  }
  const std::string key = BlockKey(id, static_cast<uint8_t>(archive), window);
  std::vector<SlotValue> slots;
  if (!points.empty() || final) {
    auto existing = db_->Get(Family::kBlocks, key);
    if (existing.ok() && existing->size() >= 4) {
      RETURN_IF_ERROR(DecodeBlock(std::string_view(*existing).substr(4), &slots));
    } else if (!existing.ok() && existing.status().code() != core::StatusCode::kNotFound) {
      return existing.status();
    }
  }
  if (!points.empty()) {
    MergeIntoBlock(points, window, al.step, &slots);
    std::string value;
    PutBigEndian32(&value, static_cast<uint32_t>(
                               std::min<int64_t>(window + al.window + al.retention, UINT32_MAX)));
    EncodeBlock(slots, &value);
    wb.Put(Family::kBlocks, key, value);
    counters_.blocks_written->Add();
  }
  if (final && archive + 1 < layout.archives.size()) {
    std::vector<double> grid(al.window / al.step, std::numeric_limits<double>::quiet_NaN());
    FillGrid(slots, window, al.step, window, &grid);
    *rollup = Rollup(layout, grid, window, al.step, layout.archives[archive + 1].step);
  }
  return core::Status::Ok();
}

void RocksStore::Sweep(int64_t now, bool everything) {
  // Rollups created by a sweep may themselves be due (old data): repeat until nothing is.
  for (int round = 0; round < 16; ++round) {
    bool sealed_any = false;
    for (size_t begin = 0; begin < active_.size(); begin += kSealChunk) {
      WriteBatch wb;
      std::vector<Sealed> sealed;
      const size_t end = std::min(active_.size(), begin + kSealChunk);
      for (size_t i = begin; i < end; ++i) {
        const uint64_t id = active_[i];
        const SeriesHead* head = heads_[id].get();
        if (!head) continue;
        const SchemaLayout& layout = layouts_[series_layout_[id]];
        for (size_t a = 0; a < head->archives.size(); ++a) {
          const int64_t width = layout.archives[a].window;
          for (int64_t w : head->archives[a].pending) {
            if (!everything && w + width + options_.seal_grace_seconds > now) continue;
            Sealed s{id, a, w, true, {}};
            core::Status st = SealWindow(id, a, w, true, wb, &s.rollup);
            if (!st.ok()) {
              // A corrupt old block: keep the head's points rather than lose them.
              fmt::print(stderr, "meridian: sealing series {} failed: {}\n", id, st.ToString());
              continue;
            }
            sealed.push_back(std::move(s));
          }
        }
      }
      if (sealed.empty()) continue;
      if (!WriteOrPause(wb, "seal").ok()) return;  // heads unchanged: retried next sweep
      sealed_any = true;
      // Coarser archives first: a window's points are removed before the rollups that finer
      // windows sealed in this same round add to it (those were not in its block: the window is
      // marked pending again and sealed next round).
      std::stable_sort(sealed.begin(), sealed.end(),
                       [](const Sealed& a, const Sealed& b) { return a.archive > b.archive; });
      std::unique_lock lock(heads_mu_);
      for (Sealed& s : sealed) {
        SeriesHead& head = *heads_[s.id];
        const SchemaLayout& layout = layouts_[series_layout_[s.id]];
        ArchiveHead& ah = head.archives[s.archive];
        RemoveWindowPoints(ah, s.window, layout.archives[s.archive].window, &head_points_);
        std::erase(ah.pending, s.window);
        dirty_pending_.push_back(s.id);
        counters_.blocks_sealed->Add();
        if (s.rollup.empty()) continue;
        ArchiveHead& next = head.archives[s.archive + 1];
        const int64_t next_width = layout.archives[s.archive + 1].window;
        for (const HeadPoint& p : s.rollup) {
          next.points.push_back(p);
          ++head_points_;
          int64_t w = AlignDown(p.timestamp, next_width);
          if (std::find(next.pending.begin(), next.pending.end(), w) == next.pending.end()) {
            next.pending.push_back(w);
          }
        }
      }
      counters_.head_points->Set(static_cast<int64_t>(head_points_));
    }
    if (!sealed_any) break;
  }
}

core::Status RocksStore::Checkpoint(int64_t now) {
  for (size_t begin = 0; begin < active_.size(); begin += kSealChunk) {
    WriteBatch wb;
    std::vector<Sealed> written;
    const size_t end = std::min(active_.size(), begin + kSealChunk);
    for (size_t i = begin; i < end; ++i) {
      const uint64_t id = active_[i];
      const SeriesHead* head = heads_[id].get();
      if (!head) continue;
      for (size_t a = 0; a < head->archives.size(); ++a) {
        if (head->archives[a].points.empty()) continue;
        for (int64_t w : head->archives[a].pending) {
          RETURN_IF_ERROR(SealWindow(id, a, w, /*final=*/false, wb, nullptr));
          written.push_back({id, a, w, false, {}});
        }
      }
    }
    if (written.empty()) continue;
    RETURN_IF_ERROR(WriteOrPause(wb, "checkpoint"));
    std::unique_lock lock(heads_mu_);
    for (const Sealed& s : written) {
      const SchemaLayout& layout = layouts_[series_layout_[s.id]];
      RemoveWindowPoints(heads_[s.id]->archives[s.archive], s.window,
                         layout.archives[s.archive].window, &head_points_);
    }
  }
  // Pending windows and the log cut go in one atomic write: after it, a restart finds every
  // point either in a block or in the log records that follow.
  WriteBatch wb;
  std::sort(dirty_pending_.begin(), dirty_pending_.end());
  dirty_pending_.erase(std::unique(dirty_pending_.begin(), dirty_pending_.end()),
                       dirty_pending_.end());
  for (uint64_t id : dirty_pending_) {
    std::string key = "p" + IdKey(id);
    const SeriesHead* head = heads_[id].get();
    if (head == nullptr || head->Empty()) {
      wb.Delete(Family::kMeta, key);
    } else {
      wb.Put(Family::kMeta, key, EncodePending(*head));
    }
  }
  wb.DeleteRange(Family::kLog, LogKey(0), LogKey(log_seq_));
  RETURN_IF_ERROR(WriteOrPause(wb, "checkpoint"));
  dirty_pending_.clear();
  log_bytes_since_checkpoint_ = 0;
  counters_.checkpoints->Add();
  std::unique_lock lock(heads_mu_);
  std::erase_if(active_, [&](uint64_t id) {
    if (heads_[id] && !heads_[id]->Empty()) return false;
    heads_[id].reset();
    return true;
  });
  counters_.head_points->Set(static_cast<int64_t>(head_points_));
  (void)now;
  return core::Status::Ok();
}

core::Status RocksStore::LoadPending() {
  core::Status bad;
  RETURN_IF_ERROR(db_->Scan(Family::kMeta, "p", "q", [&](std::string_view k, std::string_view v) {
    if (k.size() != 9) return true;
    uint64_t id = GetBigEndian64(k.data() + 1);
    if (id >= series_layout_.size()) return true;
    const SchemaLayout& layout = layouts_[series_layout_[id]];
    auto head = std::make_unique<SeriesHead>();
    head->archives.resize(layout.archives.size());
    Reader r(v);
    for (ArchiveHead& ah : head->archives) {
      uint64_t n = 0;
      if (!r.GetVarint(&n) || n > 1024) break;
      for (uint64_t i = 0; i < n; ++i) {
        uint64_t w = 0;
        if (!r.GetVarint(&w)) break;
        ah.pending.push_back(static_cast<int64_t>(w));
      }
    }
    heads_[id] = std::move(head);
    active_.push_back(id);
    return true;
  }));
  return bad;
}

}  // namespace meridian::storage::internal
