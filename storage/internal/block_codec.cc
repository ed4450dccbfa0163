// Value payloads, after the header, count and slot runs described in block_codec.h:
//
//   kConstant   8 bytes: the value's bits, little-endian.
//   kDecimal*   int8 exponent e, varint zigzag(m_0), [delta-of-delta: varint zigzag(m_1 - m_0)],
//               then, if values remain, a layout byte (bit 7 zero shortcut, bits 0-6 width; see
//               IntLayout in bit_stream.h) and the int stream of the remaining zig-zag deltas (or
//               deltas of deltas), its layout fitted to the block. Value i is (double)m_i * 10^e
//               for e >= 0 and (double)m_i / 10^-e for e < 0; both are single correctly rounded
//               operations on exact operands (|e| <= 22), the way strtod's fast path turns "12.37"
//               into a double, which is why a decimal gauge round-trips. The encoder verifies every
//               value bit for bit, so -0.0, NaN, infinities and digit-heavy doubles fall to another
//               codec. Integer arithmetic on mantissas wraps (mod 2^64) in both directions, so any
//               int64 sequence round-trips.
//   kXor        Gorilla: 64 raw bits, then per value '0' (same bits) | '10' + bits in the previous
//               window | '11' + 5-bit leading zeros (clamped to 31) + 6-bit length (0 = 64) + bits.
//               A window is reused only when that is not dearer than opening a new one (Beringei).
//
// The payloads are written and read in decimal_codec.cc and xor_codec.cc (kConstant, kXor), the
// slots in slot_coding.cc; this file frames the block and chooses the value codec.

#include "storage/internal/block_codec.h"

#include <limits>
#include <optional>

#include "storage/internal/bit_stream.h"
#include "storage/internal/coding.h"
#include "storage/internal/decimal_codec.h"
#include "storage/internal/slot_coding.h"
#include "storage/internal/xor_codec.h"

namespace meridian::storage::internal {
namespace {

constexpr uint8_t kFormatVersion = 1;

bool AllIdentical(std::span<const SlotValue> points) {
  for (const SlotValue& p : points) {
    if (Bits(p.value) != Bits(points[0].value)) return false;
  }
  return true;
}

// Writes the header placeholder, the point count and the slots, as runs or as a bitmap,
// whichever is smaller. Returns the offset of the header byte, for the value codec to fill.
size_t BeginBlock(std::span<const SlotValue> points, std::string* out) {
  const size_t header = out->size();
  out->push_back(0);
  PutVarint(out, points.size());
  if (points.empty()) return header;
  if (WriteSlots(points, out)) (*out)[header] = static_cast<char>(kSlotBitmapFlag);
  return header;
}

// ---- Codec choice ---------------------------------------------------------------------------

// REQUIRES: plan is set for the decimal codecs; !points.empty().
void WriteValues(std::span<const SlotValue> points, ValueCodec codec, const DecimalPlan* plan,
                 std::string* out) {
  switch (codec) {
    case ValueCodec::kConstant:
      return WriteConstant(points[0].value, out);
    case ValueCodec::kDecimalDelta:
      return WriteDecimal(*plan, false, out);
    case ValueCodec::kDecimalDeltaOfDelta:
      return WriteDecimal(*plan, true, out);
    case ValueCodec::kXor:
      return WriteXor(points, out);
  }
}

// REQUIRES: !points.empty().
ValueCodec EncodeValues(std::span<const SlotValue> points, std::string* out) {
  const size_t n = points.size();
  const bool constant = AllIdentical(points);
  // Past 2 values a decimal payload needs >= 3 bytes plus a bit per further value: from ~34
  // values on, a constant block cannot do better than kConstant's 8 bytes.
  const size_t decimal_floor = 2 + (n > 1 ? 1 + (n + 6) / 8 : 0);
  if (constant && decimal_floor >= 8) {
    WriteConstant(points[0].value, out);
    return ValueCodec::kConstant;
  }
  ValueCodec best = ValueCodec::kConstant;
  size_t best_size = constant ? 8 : std::numeric_limits<size_t>::max();
  const std::optional<DecimalPlan> plan = PlanDecimal(points);
  for (ValueCodec codec : {ValueCodec::kDecimalDelta, ValueCodec::kDecimalDeltaOfDelta}) {
    if (!plan) break;
    const size_t size = DecimalSize(*plan, codec == ValueCodec::kDecimalDeltaOfDelta);
    if (size < best_size) {
      best = codec;
      best_size = size;
    }
  }
  if (best_size > XorSizeFloor(points)) {
    const size_t start = out->size();
    WriteXor(points, out);
    if (out->size() - start < best_size) return ValueCodec::kXor;
    out->resize(start);
  }
  WriteValues(points, best, plan ? &*plan : nullptr, out);
  return best;
}

// Fills in the header byte BeginBlock left at `header`.
void SetHeader(ValueCodec codec, size_t header, std::string* out) {
  (*out)[header] =
      static_cast<char>((*out)[header] | (kFormatVersion << 4) | static_cast<int>(codec));
}

core::Status DecodeValues(ValueCodec codec, std::string_view in, std::span<SlotValue> pts) {
  switch (codec) {
    case ValueCodec::kConstant:
      return DecodeConstant(in, pts);
    case ValueCodec::kDecimalDelta:
      return DecodeDecimal(in, false, pts);
    case ValueCodec::kDecimalDeltaOfDelta:
      return DecodeDecimal(in, true, pts);
    case ValueCodec::kXor:
      return DecodeXor(in, pts);
  }
  return BlockCorruption("unknown value codec");
}

core::Status DecodeInto(std::string_view data, std::vector<SlotValue>* out) {
  ASSIGN_OR_RETURN(const ValueCodec codec, PeekValueCodec(data));
  const bool bitmap = (static_cast<uint8_t>(data.front()) & kSlotBitmapFlag) != 0;
  Reader in(data.substr(1));
  uint64_t n = 0;
  if (!in.GetVarint(&n) || n > kMaxBlockPoints) return BlockCorruption("bad point count");
  if (n == 0) {
    return in.empty() && !bitmap ? core::Status::Ok() : BlockCorruption("bad empty block");
  }
  Reader slots = in;
  RETURN_IF_ERROR(ParseSlots(bitmap, &in, n, nullptr));
  const std::string_view payload = Rest(data, in);
  // Every codec but kConstant spends at least a bit per value after the first: a short input
  // cannot make us allocate a large block.
  if (codec != ValueCodec::kConstant && payload.size() * 8 < n - 1) {
    return BlockCorruption("value payload too short for the point count");
  }
  const size_t base = out->size();
  out->resize(base + n);
  const std::span<SlotValue> pts(out->data() + base, n);
  RETURN_IF_ERROR(ParseSlots(bitmap, &slots, n, pts.data()));
  return DecodeValues(codec, payload, pts);
}

}  // namespace

void EncodeBlock(std::span<const SlotValue> points, std::string* out) {
  const size_t header = BeginBlock(points, out);
  ValueCodec codec = ValueCodec::kConstant;
  if (!points.empty()) codec = EncodeValues(points, out);
  SetHeader(codec, header, out);
}

core::Status EncodeBlockWithCodec(std::span<const SlotValue> points, ValueCodec codec,
                                  std::string* out) {
  std::optional<DecimalPlan> plan;
  if (codec == ValueCodec::kConstant && !AllIdentical(points)) {
    return core::InvalidArgument("block: values are not constant");
  }
  const bool decimal =
      codec == ValueCodec::kDecimalDelta || codec == ValueCodec::kDecimalDeltaOfDelta;
  if (decimal && !points.empty()) {
    plan = PlanDecimal(points);
    if (!plan) return core::InvalidArgument("block: values are not decimals");
  }
  const size_t header = BeginBlock(points, out);
  if (!points.empty()) WriteValues(points, codec, plan ? &*plan : nullptr, out);
  SetHeader(codec, header, out);
  return core::Status::Ok();
}

core::Status DecodeBlock(std::string_view data, std::vector<SlotValue>* out) {
  const size_t base = out->size();
  core::Status status = DecodeInto(data, out);
  if (!status.ok()) out->resize(base);
  return status;
}

core::Result<ValueCodec> PeekValueCodec(std::string_view data) {
  if (data.empty()) return BlockCorruption("empty input");
  const uint8_t header = static_cast<uint8_t>(data.front());
  if ((header >> 4) != kFormatVersion) return BlockCorruption("unknown format version");
  if ((header & 0x08) != 0) return BlockCorruption("reserved header bit set");
  return static_cast<ValueCodec>(header & 0x03);
}

}  // namespace meridian::storage::internal
