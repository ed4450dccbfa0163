#include "storage/internal/xor_codec.h"

#include <algorithm>
#include <bit>
#include <cstdint>

#include "storage/internal/bit_stream.h"

namespace meridian::storage::internal {

void WriteConstant(double v, std::string* out) {
  const uint64_t bits = Bits(v);
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(bits >> (8 * i)));
}

core::Status DecodeConstant(std::string_view in, std::span<SlotValue> pts) {
  if (in.size() != 8) return BlockCorruption("constant payload is not 8 bytes");
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits |= uint64_t{static_cast<uint8_t>(in[i])} << (8 * i);
  for (SlotValue& p : pts) p.value = FromBits(bits);
  return core::Status::Ok();
}

void WriteXor(std::span<const SlotValue> points, std::string* out) {
  BitWriter w(out);
  uint64_t prev = Bits(points[0].value);
  w.Write(prev, 64);
  int prev_lead = -1;  // No window yet.
  int prev_trail = 0;
  for (size_t i = 1; i < points.size(); ++i) {
    const uint64_t cur = Bits(points[i].value);
    const uint64_t x = cur ^ prev;
    prev = cur;
    if (x == 0) {
      w.WriteBit(false);
      continue;
    }
    const int lead = std::min(std::countl_zero(x), 31);
    const int trail = std::countr_zero(x);
    const int sig = 64 - lead - trail;
    const int window = 64 - prev_lead - prev_trail;
    if (prev_lead >= 0 && lead >= prev_lead && trail >= prev_trail && window <= sig + 11) {
      w.Write(0b10, 2);
      w.Write(x >> prev_trail, window);
      continue;
    }
    w.Write(0b11, 2);
    w.Write(lead, 5);
    w.Write(sig & 63, 6);
    w.Write(x >> trail, sig);
    prev_lead = lead;
    prev_trail = trail;
  }
  w.Finish();
}

core::Status DecodeXor(std::string_view in, std::span<SlotValue> pts) {
  BitReader r(in);
  uint64_t bits = 0;
  if (!r.Read(64, &bits)) return BlockCorruption("truncated first XOR value");
  pts[0].value = FromBits(bits);
  int lead = -1;
  int trail = 0;
  for (size_t i = 1; i < pts.size(); ++i) {
    bool changed = false;
    bool new_window = false;
    if (!r.ReadBit(&changed)) return BlockCorruption("truncated XOR stream");
    if (changed) {
      if (!r.ReadBit(&new_window)) return BlockCorruption("truncated XOR stream");
      uint64_t new_lead = 0;
      uint64_t sig = 0;
      if (new_window) {
        if (!r.Read(5, &new_lead) || !r.Read(6, &sig))
          return BlockCorruption("truncated XOR window");
        if (sig == 0) sig = 64;
        if (new_lead + sig > 64) return BlockCorruption("bad XOR window");
        lead = static_cast<int>(new_lead);
        trail = static_cast<int>(64 - new_lead - sig);
      } else if (lead < 0) {
        return BlockCorruption("XOR window reused before one was set");
      }
      uint64_t x = 0;
      if (!r.Read(64 - lead - trail, &x)) return BlockCorruption("truncated XOR bits");
      bits ^= x << trail;
    }
    pts[i].value = FromBits(bits);
  }
  return r.bytes_consumed() == in.size() ? core::Status::Ok() : BlockCorruption("trailing bytes");
}

size_t XorSizeFloor(std::span<const SlotValue> points) {
  size_t bits = 64;
  for (size_t i = 1; i < points.size(); ++i) {
    const uint64_t x = Bits(points[i].value) ^ Bits(points[i - 1].value);
    bits += x == 0 ? 1 : 66 - std::min(std::countl_zero(x), 31) - std::countr_zero(x);
  }
  return (bits + 7) / 8;
}

}  // namespace meridian::storage::internal
