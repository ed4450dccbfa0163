// Bit-level primitives of the block encodings: MSB-first bit streams, a bit-packed code for
// streams of small unsigned integers, and the few helpers every block codec file shares. Readers
// never read past their input: they report truncation to the caller. (Byte-level varints and
// zig-zag live in storage/internal/coding.h.)
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "core/status.h"
#include "storage/internal/coding.h"

namespace meridian::storage::internal {

// Appends bits MSB-first to a string, a 64-bit word at a time. Finish() writes the bits still
// buffered, padding the last byte with zero bits; call it once, after the last Write.
// Not thread-safe.
class BitWriter {
 public:
  explicit BitWriter(std::string* out) : out_(out) {}

  // REQUIRES: 0 <= n <= 64. Writes the low n bits of `bits`.
  void Write(uint64_t bits, int n) {
    if (n < 64) bits &= (uint64_t{1} << n) - 1;
    const int room = 64 - pending_;
    if (n < room) {
      acc_ = (acc_ << n) | bits;
      pending_ += n;
      return;
    }
    const int rest = n - room;  // Bits that spill into the next word.
    const uint64_t word = room == 64 ? bits : (acc_ << room) | (bits >> rest);
    char bytes[8];
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(word >> (56 - 8 * i));
    out_->append(bytes, 8);
    acc_ = rest == 0 ? 0 : bits & ((uint64_t{1} << rest) - 1);
    pending_ = rest;
  }
  void WriteBit(bool bit) { Write(bit ? 1 : 0, 1); }

  void Finish() {
    while (pending_ >= 8) {
      pending_ -= 8;
      out_->push_back(static_cast<char>(acc_ >> pending_));
    }
    if (pending_ > 0) out_->push_back(static_cast<char>(acc_ << (8 - pending_)));
    acc_ = 0;
    pending_ = 0;
  }

 private:
  std::string* out_;
  uint64_t acc_ = 0;  // The low pending_ bits are buffered, the rest is zero.
  int pending_ = 0;   // 0..63
};

// Reads bits MSB-first from a byte string the caller keeps alive. Not thread-safe.
class BitReader {
 public:
  explicit BitReader(std::string_view data) : data_(data) {}

  // REQUIRES: 0 <= n <= 64. Returns false when fewer than n bits remain.
  bool Read(int n, uint64_t* bits) {
    if (n <= 32) return ReadSmall(n, bits);
    uint64_t hi = 0;
    uint64_t lo = 0;
    if (!ReadSmall(n - 32, &hi) || !ReadSmall(32, &lo)) return false;
    *bits = (hi << 32) | lo;
    return true;
  }
  bool ReadBit(bool* bit) {
    uint64_t b = 0;
    if (!ReadSmall(1, &b)) return false;
    *bit = b != 0;
    return true;
  }

  // Bytes of the input touched so far (a partly read last byte counts).
  size_t bytes_consumed() const { return pos_; }

 private:
  // Invariant between calls: avail_ < 8.
  bool ReadSmall(int n, uint64_t* bits) {
    while (avail_ < n) {
      if (pos_ == data_.size()) return false;
      acc_ = (acc_ << 8) | static_cast<uint8_t>(data_[pos_++]);
      avail_ += 8;
    }
    avail_ -= n;
    *bits = (acc_ >> avail_) & ((uint64_t{1} << n) - 1);
    acc_ &= (uint64_t{1} << avail_) - 1;
    return true;
  }

  std::string_view data_;
  size_t pos_ = 0;
  uint64_t acc_ = 0;
  int avail_ = 0;
};

// A prefix code for unsigned integers, tuned per stream by ChooseIntLayout. Each value z is
//   zero_shortcut: '0' (z == 0) | '10' + `width` bits | '11' + 6 bits (bit_width(z) - 1) + z
//   otherwise:     '0' + `width` bits | '1' + 6 bits (bit_width(z) - 1) + z
// so a mostly-zero stream costs ~1 bit per value and a stream of values below 2^8 ~9-10 bits.
struct IntLayout {
  bool zero_shortcut = false;
  int width = 64;                                        // 0..64
  uint64_t bits = std::numeric_limits<uint64_t>::max();  // Stream size; set by ChooseIntLayout.
};

// Count of values per bit_width (0..64) in a stream.
using WidthHistogram = std::array<uint64_t, 65>;

// The layout that codes a stream with this histogram in the fewest bits.
inline IntLayout ChooseIntLayout(const WidthHistogram& h) {
  uint64_t small = 0;  // Values of bit width 1..w.
  for (int b = 1; b <= 64; ++b) small += h[b];
  uint64_t wide = 0;       // Values wider than w ...
  uint64_t wide_bits = 0;  // ... and their 6-bit width plus payload.
  IntLayout best;
  for (int w = 64; w >= 0; --w) {
    const uint64_t with_zero = h[0] + small * (2 + w) + wide * 2 + wide_bits;
    const uint64_t plain = (h[0] + small) * (1 + w) + wide + wide_bits;
    if (with_zero < best.bits) best = {true, w, with_zero};
    if (plain < best.bits) best = {false, w, plain};
    if (w == 0) break;
    small -= h[w];
    wide += h[w];
    wide_bits += h[w] * (6 + w);
  }
  return best;
}

inline void WriteInt(const IntLayout& layout, uint64_t z, BitWriter* w) {
  const int width = std::bit_width(z);
  const int prefix_bits = layout.zero_shortcut ? 2 : 1;
  if (layout.zero_shortcut && z == 0) {
    w->WriteBit(false);
  } else if (width <= layout.width) {
    w->Write(layout.zero_shortcut ? 0b10 : 0b0, prefix_bits);
    w->Write(z, layout.width);
  } else {
    w->Write(layout.zero_shortcut ? 0b11 : 0b1, prefix_bits);
    w->Write(width - 1, 6);
    w->Write(z, width);
  }
}

// Returns false when the stream ends inside the value.
inline bool ReadInt(const IntLayout& layout, BitReader* r, uint64_t* z) {
  bool bit = false;
  if (!r->ReadBit(&bit)) return false;
  if (layout.zero_shortcut) {
    if (!bit) {
      *z = 0;
      return true;
    }
    if (!r->ReadBit(&bit)) return false;
  }
  if (!bit) return r->Read(layout.width, z);
  uint64_t width_minus_one = 0;
  return r->Read(6, &width_minus_one) && r->Read(static_cast<int>(width_minus_one) + 1, z);
}

// ---- Shared by block_codec.cc, slot_coding.cc, decimal_codec.cc and xor_codec.cc -----------

// The codecs compare and store values bit for bit: -0.0 and NaN payloads survive.
inline uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }
inline double FromBits(uint64_t b) { return std::bit_cast<double>(b); }

// The number of bytes PutVarint(out, v) appends.
inline int VarintLength(uint64_t v) { return (std::bit_width(v | 1) + 6) / 7; }

// The bytes of `data` that `in`, a reader over it, has not consumed yet.
inline std::string_view Rest(std::string_view data, const Reader& in) {
  return data.substr(data.size() - in.remaining());
}

// The Corruption every block decoder returns: "block: <what>".
inline core::Status BlockCorruption(const char* what) {
  return core::Corruption(std::string("block: ") + what);
}

}  // namespace meridian::storage::internal
