#include "migrate/whisper_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>

namespace meridian::migrate {
namespace {

uint32_t Be32(const char* p) {
  return (uint32_t{static_cast<uint8_t>(p[0])} << 24) |
         (uint32_t{static_cast<uint8_t>(p[1])} << 16) |
         (uint32_t{static_cast<uint8_t>(p[2])} << 8) | uint32_t{static_cast<uint8_t>(p[3])};
}

uint64_t Be64(const char* p) { return (uint64_t{Be32(p)} << 32) | Be32(p + 4); }

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t FloorMod(int64_t a, int64_t b) {
  int64_t r = a % b;
  return r < 0 ? r + b : r;
}

core::Status Corrupt(std::string what) { return core::Corruption(std::move(what)); }

// whisper codes 1..8, in storage::AggregationMethod's order.
constexpr storage::AggregationMethod kMethods[] = {
    storage::AggregationMethod::kAverage, storage::AggregationMethod::kSum,
    storage::AggregationMethod::kLast,    storage::AggregationMethod::kMax,
    storage::AggregationMethod::kMin,     storage::AggregationMethod::kAvgZero,
    storage::AggregationMethod::kAbsMax,  storage::AggregationMethod::kAbsMin,
};

core::Status CheckArchiveExtents(const WhisperHeader& h, size_t header_end, size_t file_size) {
  std::vector<std::pair<uint64_t, uint64_t>> extents;  // [begin, end)
  for (size_t i = 0; i < h.archives.size(); ++i) {
    const WhisperArchiveInfo& a = h.archives[i];
    if (a.seconds_per_point == 0) return Corrupt(fmt::format("archive {}: 0 seconds per point", i));
    if (a.points == 0) return Corrupt(fmt::format("archive {}: 0 points", i));
    const uint64_t end = uint64_t{a.offset} + uint64_t{a.points} * kWhisperPointSize;
    if (a.offset < header_end) {
      return Corrupt(fmt::format("archive {}: offset {} inside the header ({} bytes)", i, a.offset,
                                 header_end));
    }
    if (end > file_size) {
      return Corrupt(
          fmt::format("archive {}: {} points at offset {} end at byte {}, past the end "
                      "of the file ({} bytes)",
                      i, a.points, a.offset, end, file_size));
    }
    extents.emplace_back(a.offset, end);
  }
  std::sort(extents.begin(), extents.end());
  for (size_t i = 1; i < extents.size(); ++i) {
    if (extents[i].first < extents[i - 1].second) {
      return Corrupt(fmt::format("archives overlap at byte {}", extents[i].first));
    }
  }
  return core::Status::Ok();
}

}  // namespace

core::Result<WhisperHeader> ParseWhisperHeader(std::string_view file) {
  if (file.empty()) return Corrupt("empty file");
  if (file.size() < kWhisperMetadataSize) {
    return Corrupt(fmt::format("{} bytes: shorter than whisper's {}-byte header", file.size(),
                               kWhisperMetadataSize));
  }
  WhisperHeader h;
  const uint32_t type = Be32(file.data());
  if (type < 1 || type > 8) return Corrupt(fmt::format("unknown aggregation type {}", type));
  h.method = kMethods[type - 1];
  h.max_retention = Be32(file.data() + 4);
  h.x_files_factor = std::bit_cast<float>(Be32(file.data() + 8));
  if (!(h.x_files_factor >= 0.0f && h.x_files_factor <= 1.0f)) {
    return Corrupt(fmt::format("xFilesFactor {} outside [0, 1]", h.x_files_factor));
  }
  const uint32_t count = Be32(file.data() + 12);
  if (count == 0) return Corrupt("zero archives");
  const uint64_t header_end = kWhisperMetadataSize + uint64_t{count} * kWhisperArchiveInfoSize;
  if (header_end > file.size()) {
    return Corrupt(fmt::format("{} archives need a {}-byte header; the file has {} bytes", count,
                               header_end, file.size()));
  }
  for (uint32_t i = 0; i < count; ++i) {
    const char* p = file.data() + kWhisperMetadataSize + i * kWhisperArchiveInfoSize;
    h.archives.push_back({Be32(p), Be32(p + 4), Be32(p + 8)});
  }
  RETURN_IF_ERROR(CheckArchiveExtents(h, header_end, file.size()));
  std::vector<storage::Archive> archives;
  for (const WhisperArchiveInfo& a : h.archives) {
    archives.push_back({a.seconds_per_point, a.points});
  }
  auto valid = storage::ValidateArchives(archives);
  if (!valid.ok()) return Corrupt("impossible archives: " + valid.status().message());
  if (*valid != archives) return Corrupt("archives are not stored finest first");
  const int64_t coarsest = archives.back().retention();
  if (h.max_retention != coarsest) {
    return Corrupt(fmt::format("maxRetention {} is not the coarsest archive's retention {}",
                               h.max_retention, coarsest));
  }
  return h;
}

core::Result<WhisperData> ReadWhisper(std::string_view file) {
  WhisperData out;
  ASSIGN_OR_RETURN(out.header, ParseWhisperHeader(file));
  out.schema.method = out.header.method;
  out.schema.x_files_factor = static_cast<double>(out.header.x_files_factor);
  for (const WhisperArchiveInfo& a : out.header.archives) {
    out.schema.archives.push_back({a.seconds_per_point, a.points});
    const int64_t step = a.seconds_per_point;
    const int64_t n = a.points;
    const char* ring = file.data() + a.offset;
    auto& points = out.points.emplace_back();
    const int64_t base = Be32(ring);
    if (base == 0) {  // whisper's fetch answers all nulls for such an archive
      out.gaps += static_cast<uint64_t>(n);
      continue;
    }
    points.reserve(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      const char* p = ring + i * kWhisperPointSize;
      const int64_t ts = Be32(p);
      const double value = std::bit_cast<double>(Be64(p + 4));
      if (ts == 0 || ts % step != 0 || FloorMod(FloorDiv(ts - base, step), n) != i ||
          std::isnan(value)) {
        ++out.gaps;
        continue;
      }
      points.emplace_back(ts, value);
    }
  }
  return out;
}

}  // namespace meridian::migrate
