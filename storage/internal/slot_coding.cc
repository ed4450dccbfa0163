#include "storage/internal/slot_coding.h"

#include <bit>
#include <cassert>

#include "storage/internal/bit_stream.h"

namespace meridian::storage::internal {
namespace {

// Calls fn(start, length) for each run of consecutive slots.
template <typename Fn>
void ForEachRun(std::span<const SlotValue> points, Fn fn) {
  size_t start = 0;
  for (size_t i = 1; i <= points.size(); ++i) {
    if (i < points.size() && points[i].slot == points[i - 1].slot + 1) continue;
    fn(points[start].slot, static_cast<uint32_t>(i - start));
    start = i;
  }
}

void WriteRuns(std::span<const SlotValue> points, size_t runs, std::string* out) {
  PutVarint(out, runs);
  uint32_t next = 0;  // First slot after the previous run.
  ForEachRun(points, [&](uint32_t start, uint32_t length) {
    PutVarint(out, start - next);
    PutVarint(out, length);
    next = start + length;
  });
}

// Bit i (MSB-first) of the bitmap is slot first + i; padding bits are zero.
void WriteBitmap(std::span<const SlotValue> points, std::string* out) {
  const uint32_t first = points.front().slot;
  const uint32_t span = points.back().slot - first + 1;
  PutVarint(out, first);
  PutVarint(out, span);
  const size_t start = out->size();
  out->resize(start + (span + 7) / 8);
  for (const SlotValue& p : points) {
    const uint32_t bit = p.slot - first;
    (*out)[start + bit / 8] = static_cast<char>((*out)[start + bit / 8] | (0x80 >> (bit % 8)));
  }
}

core::Status ParseRuns(Reader* in, uint64_t n, SlotValue* pts) {
  uint64_t runs = 0;
  if (!in->GetVarint(&runs) || runs == 0 || runs > n) return BlockCorruption("bad slot run count");
  uint64_t next = 0;
  uint64_t total = 0;
  for (uint64_t r = 0; r < runs; ++r) {
    uint64_t gap = 0;
    uint64_t len = 0;
    if (!in->GetVarint(&gap) || !in->GetVarint(&len)) return BlockCorruption("truncated slot runs");
    if (len == 0 || len > n - total || gap > kMaxBlockSlots || next + gap + len > kMaxBlockSlots) {
      return BlockCorruption("bad slot run");
    }
    next += gap;
    for (uint64_t k = 0; pts != nullptr && k < len; ++k) {
      pts[total + k].slot = static_cast<uint32_t>(next + k);
    }
    total += len;
    next += len;
  }
  if (total != n) return BlockCorruption("slot runs do not match the point count");
  return core::Status::Ok();
}

core::Status ParseBitmap(Reader* in, uint64_t n, SlotValue* pts) {
  uint64_t first = 0;
  uint64_t span = 0;
  std::string_view bytes;
  if (!in->GetVarint(&first) || !in->GetVarint(&span))
    return BlockCorruption("truncated slot bitmap");
  if (span == 0 || first >= kMaxBlockSlots || span > kMaxBlockSlots - first) {
    return BlockCorruption("bad slot bitmap range");
  }
  if (!in->GetBytes((span + 7) / 8, &bytes)) return BlockCorruption("truncated slot bitmap");
  if (span % 8 != 0 && (static_cast<uint8_t>(bytes.back()) & (0xff >> (span % 8))) != 0) {
    return BlockCorruption("slot bitmap padding is not zero");
  }
  uint64_t count = 0;
  for (size_t b = 0; b < bytes.size(); ++b) {
    for (uint8_t byte = static_cast<uint8_t>(bytes[b]); byte != 0;) {
      const int bit = std::countl_zero(byte);
      byte = static_cast<uint8_t>(byte & ~(0x80 >> bit));
      if (count == n) return BlockCorruption("slot bitmap holds more slots than points");
      if (pts != nullptr) pts[count].slot = static_cast<uint32_t>(first + b * 8 + bit);
      ++count;
    }
  }
  if (count != n) return BlockCorruption("slot bitmap does not match the point count");
  return core::Status::Ok();
}

}  // namespace

bool WriteSlots(std::span<const SlotValue> points, std::string* out) {
  for (size_t i = 1; i < points.size(); ++i) assert(points[i].slot > points[i - 1].slot);
  assert(points.back().slot < kMaxBlockSlots);
  size_t runs = 0;
  size_t runs_size = 0;
  uint32_t next = 0;
  ForEachRun(points, [&](uint32_t start, uint32_t length) {
    ++runs;
    runs_size += VarintLength(start - next) + VarintLength(length);
    next = start + length;
  });
  runs_size += VarintLength(runs);
  const uint32_t span = points.back().slot - points.front().slot + 1;
  const size_t bitmap_size =
      VarintLength(points.front().slot) + VarintLength(span) + (span + 7) / 8;
  if (bitmap_size < runs_size) {
    WriteBitmap(points, out);
    return true;
  }
  WriteRuns(points, runs, out);
  return false;
}

core::Status ParseSlots(bool bitmap, Reader* in, uint64_t n, SlotValue* pts) {
  return bitmap ? ParseBitmap(in, n, pts) : ParseRuns(in, n, pts);
}

}  // namespace meridian::storage::internal
