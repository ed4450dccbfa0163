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

#include "storage/internal/block_codec.h"

#include <array>
#include <bit>
#include <cassert>
#include <cmath>
#include <limits>
#include <optional>

#include "storage/internal/bit_stream.h"
#include "storage/internal/coding.h"

namespace meridian::storage::internal {
namespace {

constexpr uint8_t kFormatVersion = 1;
constexpr int kMaxExponent = 22;  // 10^22 is the largest power of ten a double holds exactly.
constexpr std::array<double, kMaxExponent + 1> kPow10 = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

core::Status Corrupt(const char* what) { return core::Corruption(std::string("block: ") + what); }

uint64_t Bits(double v) { return std::bit_cast<uint64_t>(v); }
double FromBits(uint64_t b) { return std::bit_cast<double>(b); }
int64_t WrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t WrapSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}

int VarintLength(uint64_t v) { return (std::bit_width(v | 1) + 6) / 7; }

// The bytes of `data` that `in`, a reader over it, has not consumed yet.
std::string_view Rest(std::string_view data, const Reader& in) {
  return data.substr(data.size() - in.remaining());
}

bool AllIdentical(std::span<const SlotValue> points) {
  for (const SlotValue& p : points) {
    if (Bits(p.value) != Bits(points[0].value)) return false;
  }
  return true;
}

// ---- Slots ----------------------------------------------------------------------------------

constexpr uint8_t kSlotBitmapFlag = 0x04;  // Header bit: slots as a bitmap, not as runs.

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

// Writes the header placeholder, the point count and the slots, as runs or as a bitmap,
// whichever is smaller. Returns the offset of the header byte, for the value codec to fill.
size_t BeginBlock(std::span<const SlotValue> points, std::string* out) {
  const size_t header = out->size();
  out->push_back(0);
  PutVarint(out, points.size());
  if (points.empty()) return header;
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
    (*out)[header] = static_cast<char>(kSlotBitmapFlag);
    WriteBitmap(points, out);
  } else {
    WriteRuns(points, runs, out);
  }
  return header;
}

// The parsers below read the slots of an n-point block off *in and write them to pts unless it
// is null (validation only, before anything is allocated).

core::Status ParseRuns(Reader* in, uint64_t n, SlotValue* pts) {
  uint64_t runs = 0;
  if (!in->GetVarint(&runs) || runs == 0 || runs > n) return Corrupt("bad slot run count");
  uint64_t next = 0;
  uint64_t total = 0;
  for (uint64_t r = 0; r < runs; ++r) {
    uint64_t gap = 0;
    uint64_t len = 0;
    if (!in->GetVarint(&gap) || !in->GetVarint(&len)) return Corrupt("truncated slot runs");
    if (len == 0 || len > n - total || gap > kMaxBlockSlots || next + gap + len > kMaxBlockSlots) {
      return Corrupt("bad slot run");
    }
    next += gap;
    for (uint64_t k = 0; pts != nullptr && k < len; ++k) {
      pts[total + k].slot = static_cast<uint32_t>(next + k);
    }
    total += len;
    next += len;
  }
  if (total != n) return Corrupt("slot runs do not match the point count");
  return core::Status::Ok();
}

core::Status ParseBitmap(Reader* in, uint64_t n, SlotValue* pts) {
  uint64_t first = 0;
  uint64_t span = 0;
  std::string_view bytes;
  if (!in->GetVarint(&first) || !in->GetVarint(&span)) return Corrupt("truncated slot bitmap");
  if (span == 0 || first >= kMaxBlockSlots || span > kMaxBlockSlots - first) {
    return Corrupt("bad slot bitmap range");
  }
  if (!in->GetBytes((span + 7) / 8, &bytes)) return Corrupt("truncated slot bitmap");
  if (span % 8 != 0 && (static_cast<uint8_t>(bytes.back()) & (0xff >> (span % 8))) != 0) {
    return Corrupt("slot bitmap padding is not zero");
  }
  uint64_t count = 0;
  for (size_t b = 0; b < bytes.size(); ++b) {
    for (uint8_t byte = static_cast<uint8_t>(bytes[b]); byte != 0;) {
      const int bit = std::countl_zero(byte);
      byte = static_cast<uint8_t>(byte & ~(0x80 >> bit));
      if (count == n) return Corrupt("slot bitmap holds more slots than points");
      if (pts != nullptr) pts[count].slot = static_cast<uint32_t>(first + b * 8 + bit);
      ++count;
    }
  }
  if (count != n) return Corrupt("slot bitmap does not match the point count");
  return core::Status::Ok();
}

core::Status ParseSlots(bool bitmap, Reader* in, uint64_t n, SlotValue* pts) {
  return bitmap ? ParseBitmap(in, n, pts) : ParseRuns(in, n, pts);
}

// ---- Decimal codecs -------------------------------------------------------------------------

double FromMantissa(int64_t m, int e) {
  return e >= 0 ? static_cast<double>(m) * kPow10[e] : static_cast<double>(m) / kPow10[-e];
}

// The mantissa of v at exponent e, if FromMantissa reproduces v's bits exactly.
bool MantissaAt(double v, int e, int64_t* m) {
  const double scaled = e >= 0 ? v / kPow10[e] : v * kPow10[-e];
  if (!(std::fabs(scaled) < 0x1p63)) return false;  // Also rejects NaN and infinities.
  *m = static_cast<int64_t>(std::nearbyint(scaled));
  return Bits(FromMantissa(*m, e)) == Bits(v);
}

struct DecimalPlan {
  int exponent = 0;
  std::vector<int64_t> mantissas;
  IntLayout delta;
  IntLayout delta_of_delta;
};

// Integers that are all multiples of 10^p get exponent p: smaller mantissas, smaller deltas.
int RaiseExponent(std::span<const SlotValue> points, std::vector<int64_t>* mantissas) {
  int p = kMaxExponent;
  bool any_nonzero = false;
  for (int64_t m : *mantissas) {
    if (m == 0) continue;
    any_nonzero = true;
    int zeros = 0;
    for (; zeros < p && m % 10 == 0; ++zeros) m /= 10;
    p = zeros;
    if (p == 0) return 0;
  }
  if (!any_nonzero) return 0;
  std::vector<int64_t> raised(points.size());
  for (size_t i = 0; i < points.size(); ++i) {
    if (!MantissaAt(points[i].value, p, &raised[i])) return 0;
  }
  mantissas->swap(raised);
  return p;
}

// REQUIRES: !points.empty().
void ComputeLayouts(DecimalPlan* plan) {
  WidthHistogram delta{};
  WidthHistogram delta_of_delta{};
  const std::vector<int64_t>& m = plan->mantissas;
  int64_t prev_delta = 0;
  for (size_t i = 1; i < m.size(); ++i) {
    const int64_t d = WrapSub(m[i], m[i - 1]);
    ++delta[std::bit_width(ZigZag(d))];
    if (i >= 2) ++delta_of_delta[std::bit_width(ZigZag(WrapSub(d, prev_delta)))];
    prev_delta = d;
  }
  plan->delta = ChooseIntLayout(delta);
  plan->delta_of_delta = ChooseIntLayout(delta_of_delta);
}

// The shared exponent and mantissas of the values, or nullopt when they are not all decimals.
// REQUIRES: !points.empty().
std::optional<DecimalPlan> PlanDecimal(std::span<const SlotValue> points) {
  DecimalPlan plan;
  std::vector<int64_t>& m = plan.mantissas;
  m.resize(points.size());
  int e = 0;
  for (size_t i = 0; i < points.size(); ++i) {
    if (MantissaAt(points[i].value, e, &m[i])) continue;
    // A finer exponent, then the values before this one again: at most kMaxExponent times.
    do {
      if (e == -kMaxExponent) return std::nullopt;
      --e;
    } while (!MantissaAt(points[i].value, e, &m[i]));
    // A value that fit at its own exponent may not at a finer one (mantissa beyond 2^53).
    for (size_t j = 0; j < i; ++j) {
      if (!MantissaAt(points[j].value, e, &m[j])) return std::nullopt;
    }
  }
  plan.exponent = e == 0 ? RaiseExponent(points, &m) : e;
  ComputeLayouts(&plan);
  return plan;
}

size_t StreamedFrom(bool dod, size_t n) { return dod && n >= 2 ? 2 : 1; }

size_t DecimalSize(const DecimalPlan& plan, bool dod) {
  const std::vector<int64_t>& m = plan.mantissas;
  size_t size = 1 + VarintLength(ZigZag(m[0]));
  if (StreamedFrom(dod, m.size()) == 2) size += VarintLength(ZigZag(WrapSub(m[1], m[0])));
  if (StreamedFrom(dod, m.size()) < m.size()) {
    size += 1 + ((dod ? plan.delta_of_delta : plan.delta).bits + 7) / 8;
  }
  return size;
}

void WriteDecimal(const DecimalPlan& plan, bool dod, std::string* out) {
  const std::vector<int64_t>& m = plan.mantissas;
  out->push_back(static_cast<char>(static_cast<int8_t>(plan.exponent)));
  PutVarint(out, ZigZag(m[0]));
  const size_t first = StreamedFrom(dod, m.size());
  if (first == 2) PutVarint(out, ZigZag(WrapSub(m[1], m[0])));
  if (first >= m.size()) return;
  const IntLayout& layout = dod ? plan.delta_of_delta : plan.delta;
  out->push_back(static_cast<char>((layout.zero_shortcut ? 0x80 : 0) | layout.width));
  BitWriter w(out);
  for (size_t i = first; i < m.size(); ++i) {
    const int64_t d = WrapSub(m[i], m[i - 1]);
    WriteInt(layout, ZigZag(dod ? WrapSub(d, WrapSub(m[i - 1], m[i - 2])) : d), &w);
  }
  w.Finish();
}

core::Status DecodeDecimal(std::string_view payload, bool dod, std::span<SlotValue> pts) {
  Reader in(payload);
  std::string_view exponent;
  uint64_t z = 0;
  if (!in.GetBytes(1, &exponent)) return Corrupt("missing decimal exponent");
  const int e = static_cast<int8_t>(exponent.front());
  if (e < -kMaxExponent || e > kMaxExponent) return Corrupt("decimal exponent out of range");
  if (!in.GetVarint(&z)) return Corrupt("truncated first mantissa");
  int64_t m = UnZigZag(z);
  int64_t d = 0;
  pts[0].value = FromMantissa(m, e);
  const size_t first = StreamedFrom(dod, pts.size());
  if (first == 2) {
    if (!in.GetVarint(&z)) return Corrupt("truncated first delta");
    d = UnZigZag(z);
    m = WrapAdd(m, d);
    pts[1].value = FromMantissa(m, e);
  }
  if (first >= pts.size()) return in.empty() ? core::Status::Ok() : Corrupt("trailing bytes");
  std::string_view layout_byte;
  if (!in.GetBytes(1, &layout_byte)) return Corrupt("missing int stream layout");
  const IntLayout layout{(layout_byte.front() & 0x80) != 0, layout_byte.front() & 0x7f};
  if (layout.width > 64) return Corrupt("bad int stream width");
  const std::string_view stream = Rest(payload, in);
  BitReader r(stream);
  for (size_t i = first; i < pts.size(); ++i) {
    if (!ReadInt(layout, &r, &z)) return Corrupt("truncated int stream");
    d = dod ? WrapAdd(d, UnZigZag(z)) : UnZigZag(z);
    m = WrapAdd(m, d);
    pts[i].value = FromMantissa(m, e);
  }
  return r.bytes_consumed() == stream.size() ? core::Status::Ok() : Corrupt("trailing bytes");
}

// ---- Constant and XOR codecs ----------------------------------------------------------------

void WriteConstant(double v, std::string* out) {
  const uint64_t bits = Bits(v);
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>(bits >> (8 * i)));
}

core::Status DecodeConstant(std::string_view in, std::span<SlotValue> pts) {
  if (in.size() != 8) return Corrupt("constant payload is not 8 bytes");
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
  if (!r.Read(64, &bits)) return Corrupt("truncated first XOR value");
  pts[0].value = FromBits(bits);
  int lead = -1;
  int trail = 0;
  for (size_t i = 1; i < pts.size(); ++i) {
    bool changed = false;
    bool new_window = false;
    if (!r.ReadBit(&changed)) return Corrupt("truncated XOR stream");
    if (changed) {
      if (!r.ReadBit(&new_window)) return Corrupt("truncated XOR stream");
      uint64_t new_lead = 0;
      uint64_t sig = 0;
      if (new_window) {
        if (!r.Read(5, &new_lead) || !r.Read(6, &sig)) return Corrupt("truncated XOR window");
        if (sig == 0) sig = 64;
        if (new_lead + sig > 64) return Corrupt("bad XOR window");
        lead = static_cast<int>(new_lead);
        trail = static_cast<int>(64 - new_lead - sig);
      } else if (lead < 0) {
        return Corrupt("XOR window reused before one was set");
      }
      uint64_t x = 0;
      if (!r.Read(64 - lead - trail, &x)) return Corrupt("truncated XOR bits");
      bits ^= x << trail;
    }
    pts[i].value = FromBits(bits);
  }
  return r.bytes_consumed() == in.size() ? core::Status::Ok() : Corrupt("trailing bytes");
}

// A lower bound of WriteXor's size, far cheaper than encoding: each changed value costs at least
// its control bits and meaningful bits, whichever window it is written in.
size_t XorSizeFloor(std::span<const SlotValue> points) {
  size_t bits = 64;
  for (size_t i = 1; i < points.size(); ++i) {
    const uint64_t x = Bits(points[i].value) ^ Bits(points[i - 1].value);
    bits += x == 0 ? 1 : 66 - std::min(std::countl_zero(x), 31) - std::countr_zero(x);
  }
  return (bits + 7) / 8;
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
  return Corrupt("unknown value codec");
}

core::Status DecodeInto(std::string_view data, std::vector<SlotValue>* out) {
  ASSIGN_OR_RETURN(const ValueCodec codec, PeekValueCodec(data));
  const bool bitmap = (static_cast<uint8_t>(data.front()) & kSlotBitmapFlag) != 0;
  Reader in(data.substr(1));
  uint64_t n = 0;
  if (!in.GetVarint(&n) || n > kMaxBlockPoints) return Corrupt("bad point count");
  if (n == 0) return in.empty() && !bitmap ? core::Status::Ok() : Corrupt("bad empty block");
  Reader slots = in;
  RETURN_IF_ERROR(ParseSlots(bitmap, &in, n, nullptr));
  const std::string_view payload = Rest(data, in);
  // Every codec but kConstant spends at least a bit per value after the first: a short input
  // cannot make us allocate a large block.
  if (codec != ValueCodec::kConstant && payload.size() * 8 < n - 1) {
    return Corrupt("value payload too short for the point count");
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
  if (data.empty()) return Corrupt("empty input");
  const uint8_t header = static_cast<uint8_t>(data.front());
  if ((header >> 4) != kFormatVersion) return Corrupt("unknown format version");
  if ((header & 0x08) != 0) return Corrupt("reserved header bit set");
  return static_cast<ValueCodec>(header & 0x03);
}

}  // namespace meridian::storage::internal
