// A bounds-checked reader of whisper files (graphite's round-robin database format), with the
// exact semantics of whisper.py's fetch: what it yields is what graphite-web can ever read.
//
// Format (all big-endian):
//   metadata      u32 aggregationType (1 average, 2 sum, 3 last, 4 max, 5 min, 6 avg_zero,
//                 7 absmax, 8 absmin), u32 maxRetention, f32 xFilesFactor, u32 archiveCount
//   archive info  archiveCount x (u32 offset, u32 secondsPerPoint, u32 points)
//   archives      at their offsets, `points` x (u32 timestamp, f64 value): a ring. The slot of
//                 interval t is at ((t - base) / step) mod points, base being the timestamp stored
//                 in the ring's first slot.
//
// Reading an archive as whisper's fetch does: a ring whose first slot has timestamp 0 is empty
// (whisper answers all nulls); otherwise a stored point is data only where a fetch of its
// timestamp would look (the timestamp is a multiple of the step and sits in its own slot); every
// other slot is a gap. NaN values are gaps too (Meridian's null).
//
// Checked (CORRUPTION, one readable sentence): empty file; shorter than its header; unknown
// aggregation type; xFilesFactor outside [0, 1]; zero archives; an archive with 0 seconds per
// point or 0 points; an archive past the end of the file, overlapping the header or another
// archive; archives whisper would not create (not finest first, a step that does not divide the
// next, retentions not increasing, too few points to consolidate — ValidateArchives); a
// maxRetention other than the coarsest archive's retention.
//
// Pure functions of the bytes: thread-safe, no I/O.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "storage/schema.h"

namespace meridian::migrate {

inline constexpr size_t kWhisperMetadataSize = 16;
inline constexpr size_t kWhisperArchiveInfoSize = 12;
inline constexpr size_t kWhisperPointSize = 12;

struct WhisperArchiveInfo {
  uint32_t offset = 0;
  uint32_t seconds_per_point = 0;
  uint32_t points = 0;
};

struct WhisperHeader {
  storage::AggregationMethod method = storage::AggregationMethod::kAverage;
  uint32_t max_retention = 0;
  float x_files_factor = 0.5f;
  std::vector<WhisperArchiveInfo> archives;
};

// The header of a whole file's bytes, checked against the file's size (see above).
core::Result<WhisperHeader> ParseWhisperHeader(std::string_view file);

struct WhisperData {
  WhisperHeader header;
  // The file's own schema: archives (step, points), aggregation method, xFilesFactor (the f32
  // widened to double).
  storage::SeriesSchema schema;
  // points[a]: archive a's data points (aligned timestamp, value) in ring order.
  std::vector<std::vector<std::pair<int64_t, double>>> points;
  uint64_t gaps = 0;  // slots holding no readable data (unwritten, stale, NaN)
};

// Parses a whole whisper file.
core::Result<WhisperData> ReadWhisper(std::string_view file);

}  // namespace meridian::migrate
