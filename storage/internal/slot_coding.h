// The slot section of an encoded block (format in block_codec.h): which slots of the block's
// window hold a point, written as runs of consecutive slots or as a bitmap, whichever is smaller.
// Stateless functions; thread-safe as long as callers do not share the output.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/status.h"
#include "storage/internal/block_codec.h"
#include "storage/internal/coding.h"

namespace meridian::storage::internal {

// Header bit: the slots are a bitmap, not runs.
inline constexpr uint8_t kSlotBitmapFlag = 0x04;

// Appends the slots of `points` as runs or as a bitmap, whichever is smaller. Returns true when
// it wrote a bitmap: the caller then sets kSlotBitmapFlag in the block header.
// REQUIRES: !points.empty(); slots strictly increasing and < kMaxBlockSlots.
bool WriteSlots(std::span<const SlotValue> points, std::string* out);

// Reads the slots of an n-point block (a bitmap if `bitmap`, else runs) off *in and writes them to
// pts[0, n) unless pts is null (validation only, before anything is allocated). Returns Corruption
// when they are truncated, out of range or do not number exactly n.
core::Status ParseSlots(bool bitmap, Reader* in, uint64_t n, SlotValue* pts);

}  // namespace meridian::storage::internal
