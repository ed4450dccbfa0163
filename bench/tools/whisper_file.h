// Whisper's on-disk layout (graphite's whisper.py; big-endian), as the bench tools write files
// directly instead of through carbon: a header (aggregation, max retention, xFilesFactor, archive
// count), one (offset, seconds per point, points) entry per archive, then each archive's slots of
// (uint32 timestamp, double value). Slot k of an archive whose slot 0 holds interval `base`
// holds base + k * step (whisper reads the ring's base from slot 0).
#pragma once

#include <bit>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace meridian::bench {

struct WhisperArchive {
  uint32_t step;
  uint32_t points;
};

inline void PutBig32(std::string* out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((v >> (i * 8)) & 0xff));
}

inline void PutBig64(std::string* out, uint64_t v) {
  PutBig32(out, static_cast<uint32_t>(v >> 32));
  PutBig32(out, static_cast<uint32_t>(v));
}

// The header and archive table; aggregation "average" (1). The slots follow, archive by archive.
inline void PutWhisperHeader(std::string* out, const std::vector<WhisperArchive>& archives,
                             float x_files_factor) {
  PutBig32(out, 1);
  PutBig32(out, archives.back().step * archives.back().points);
  PutBig32(out, std::bit_cast<uint32_t>(x_files_factor));
  PutBig32(out, static_cast<uint32_t>(archives.size()));
  uint32_t offset = 16 + 12 * static_cast<uint32_t>(archives.size());
  for (const WhisperArchive& a : archives) {
    PutBig32(out, offset);
    PutBig32(out, a.step);
    PutBig32(out, a.points);
    offset += a.points * 12;
  }
}

inline void PutWhisperSlot(std::string* out, int64_t ts, double value) {
  PutBig32(out, static_cast<uint32_t>(ts));
  PutBig64(out, std::bit_cast<uint64_t>(value));
}

// Writes `bytes` to `path` (parents created). False on any error.
inline bool WriteWhisperFile(const std::filesystem::path& path, const std::string& bytes) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  std::FILE* out = std::fopen(path.c_str(), "wb");
  if (out == nullptr) return false;
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), out) == bytes.size();
  return std::fclose(out) == 0 && written;
}

}  // namespace meridian::bench
