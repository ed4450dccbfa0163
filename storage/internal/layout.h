// SchemaLayout: a series schema turned into the shapes the store works with — per archive its
// step, retention and block window — plus the pure maths of sealing: merging points into a
// block (last write wins per slot) and rolling a sealed window up into the next archive.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "storage/internal/block_codec.h"
#include "storage/schema.h"

namespace meridian::storage::internal {

struct ArchiveLayout {
  int64_t step = 0;       // seconds per slot
  int64_t points = 0;     // slots kept
  int64_t retention = 0;  // step * points
  int64_t window = 0;     // seconds per block; a multiple of step and of the next archive's step
};

struct SchemaLayout {
  std::vector<ArchiveLayout> archives;
  AggregationMethod method = AggregationMethod::kAverage;
  double x_files_factor = 0.5;

  // "10:360,60:10080|average|0.5": persisted with each series so that later config changes do
  // not alter existing series (carbon applies schemas only at creation).
  std::string Encode() const;
  static core::Result<SchemaLayout> Decode(std::string_view text, uint32_t points_per_block);
  static SchemaLayout FromSchema(const SeriesSchema& schema, uint32_t points_per_block);
  std::vector<Archive> ArchiveList() const;
  int64_t MaxRetention() const { return archives.empty() ? 0 : archives.back().retention; }
};

// A point as written: raw (unaligned) timestamp, so that of two points in one slot the one with
// the later timestamp wins, as whisper's update_many does; equal timestamps: later arrival wins.
struct HeadPoint {
  int64_t timestamp;
  double value;
};

inline int64_t AlignDown(int64_t t, int64_t step) {
  int64_t r = t % step;
  return r < 0 ? t - r - step : t - r;
}

// Index of the archive a point of age `age` (now - ts) is written to, as whisper's update_many
// picks it (first archive whose retention >= age); nullopt when older than every archive.
std::optional<size_t> ArchiveForAge(const SchemaLayout& layout, int64_t age);

// Merges `points` (arrival order) of one block window into `slots` (sorted, from a sealed
// block or empty). Newer points replace older values slot by slot.
void MergeIntoBlock(std::span<const HeadPoint> points, int64_t block_start, int64_t step,
                    std::vector<SlotValue>* slots);

// Fills a dense grid [from, from + step*grid.size()) with values from `slots` of the block at
// block_start; NaN marks null.
void FillGrid(std::span<const SlotValue> slots, int64_t block_start, int64_t step, int64_t from,
              std::vector<double>* grid);

// Applies head points (arrival order) onto a grid, with MergeIntoBlock's precedence.
void OverlayHead(std::span<const HeadPoint> points, int64_t step, int64_t from,
                 std::vector<double>* grid);

// Rolls a fine grid (starting at `fine_start`, fine step) up into coarse points with whisper's
// aggregation and xFilesFactor. Coarse slots whose fine interval is not wholly inside the grid
// are skipped. Slots failing xFilesFactor produce nothing (whisper leaves them untouched).
std::vector<HeadPoint> Rollup(const SchemaLayout& layout, std::span<const double> fine,
                              int64_t fine_start, int64_t fine_step, int64_t coarse_step);

}  // namespace meridian::storage::internal
