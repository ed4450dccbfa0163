// Compressed encoding of one immutable block: the points of one series' archive inside a fixed
// window of slots (slot = (timestamp - block_start) / step).
//
// Encoding (varints are LEB128; bit streams MSB-first):
//   header byte   (version 1) << 4 | slot bitmap flag (0x04) | ValueCodec (0-3); bit 3 is zero
//   varint        point count n (<= kMaxBlockPoints)
//   if n > 0, the slots, as whichever of these is smaller:
//     runs        varint run count, then per run: varint gap, varint length (>= 1). The first
//                 run starts at slot `gap`, a later one `gap` slots after the end of the previous
//                 one: a dense block spends ~4 bytes on all its timestamps.
//     bitmap      (flag set) varint first slot, varint span, ceil(span / 8) bytes: bit i set
//                 iff slot first + i holds a point. Bounds a gappy block at 1 bit per slot.
//   then the values as the codec says (see block_codec.cc). Every codec is lossless: decoded
//   values are bit-identical to the encoded ones, NaN payloads, -0.0 and infinities included.
// The encoder picks the smallest of the applicable value codecs.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace meridian::storage::internal {

struct SlotValue {
  uint32_t slot;
  double value;
};

// Slots are < 2^20 and unique, so a block never holds more points than this.
inline constexpr uint32_t kMaxBlockSlots = uint32_t{1} << 20;
inline constexpr uint32_t kMaxBlockPoints = kMaxBlockSlots;

enum class ValueCodec : uint8_t {
  kConstant = 0,             // all values bit-identical: the 8 bytes of one value
  kDecimalDelta = 1,         // v = m * 10^e, zig-zag deltas of m in a bit-packed stream
  kDecimalDeltaOfDelta = 2,  // same, deltas of deltas of m (counters)
  kXor = 3,                  // Gorilla XOR bit stream (any doubles)
};

// Appends the encoding of `points` to *out, choosing the smallest value codec. An empty block is
// valid and encodes to 2 bytes.
// REQUIRES: slots strictly increasing and < kMaxBlockSlots.
void EncodeBlock(std::span<const SlotValue> points, std::string* out);

// Like EncodeBlock but with a forced value codec, for tests and benchmarks. Returns
// InvalidArgument, leaving *out unchanged, when `codec` cannot represent the values losslessly
// (kConstant on values that differ, the decimal codecs on values that are not decimals).
// REQUIRES: as EncodeBlock.
core::Status EncodeBlockWithCodec(std::span<const SlotValue> points, ValueCodec codec,
                                  std::string* out);

// Appends the decoded points of one encoded block to *out. Malformed, truncated or trailing input
// returns Corruption and leaves *out as it was. Never allocates more than kMaxBlockPoints points,
// and a block whose values are not constant must carry at least one bit per point.
core::Status DecodeBlock(std::string_view data, std::vector<SlotValue>* out);

// The value codec named by an encoded block's header (for tests, benchmarks and stats). Checks
// the header byte only; Corruption when it is missing or malformed.
core::Result<ValueCodec> PeekValueCodec(std::string_view data);

}  // namespace meridian::storage::internal
