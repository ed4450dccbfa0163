// The value codecs that store raw double bits (payload formats at the top of block_codec.cc):
// kConstant, one value for the whole block, and kXor, Gorilla's XOR bit stream, which takes any
// doubles. Both are lossless to the bit. Stateless functions; thread-safe as long as callers do
// not share the output.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"
#include "storage/internal/block_codec.h"

namespace meridian::storage::internal {

// Appends the kConstant payload of a block whose values are all bit-identical to v.
void WriteConstant(double v, std::string* out);

// Sets every pts[i].value from a kConstant payload; Corruption unless it is 8 bytes.
core::Status DecodeConstant(std::string_view in, std::span<SlotValue> pts);

// Appends the kXor payload of the values.
// REQUIRES: !points.empty().
void WriteXor(std::span<const SlotValue> points, std::string* out);

// Decodes a whole kXor payload into pts[i].value. Returns Corruption when it is truncated, holds
// an impossible window, or has trailing bytes.
// REQUIRES: !pts.empty().
core::Status DecodeXor(std::string_view in, std::span<SlotValue> pts);

// A lower bound of WriteXor's size in bytes, far cheaper than encoding: each changed value costs
// at least its control bits and meaningful bits, whichever window it is written in.
// REQUIRES: !points.empty().
size_t XorSizeFloor(std::span<const SlotValue> points);

}  // namespace meridian::storage::internal
