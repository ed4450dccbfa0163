#include "storage/internal/decimal_codec.h"

#include <array>
#include <bit>
#include <cmath>

#include "storage/internal/coding.h"

namespace meridian::storage::internal {
namespace {

constexpr int kMaxExponent = 22;  // 10^22 is the largest power of ten a double holds exactly.
constexpr std::array<double, kMaxExponent + 1> kPow10 = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

int64_t WrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t WrapSub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}

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

size_t StreamedFrom(bool dod, size_t n) { return dod && n >= 2 ? 2 : 1; }

}  // namespace

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
  if (!in.GetBytes(1, &exponent)) return BlockCorruption("missing decimal exponent");
  const int e = static_cast<int8_t>(exponent.front());
  if (e < -kMaxExponent || e > kMaxExponent)
    return BlockCorruption("decimal exponent out of range");
  if (!in.GetVarint(&z)) return BlockCorruption("truncated first mantissa");
  int64_t m = UnZigZag(z);
  int64_t d = 0;
  pts[0].value = FromMantissa(m, e);
  const size_t first = StreamedFrom(dod, pts.size());
  if (first == 2) {
    if (!in.GetVarint(&z)) return BlockCorruption("truncated first delta");
    d = UnZigZag(z);
    m = WrapAdd(m, d);
    pts[1].value = FromMantissa(m, e);
  }
  if (first >= pts.size())
    return in.empty() ? core::Status::Ok() : BlockCorruption("trailing bytes");
  std::string_view layout_byte;
  if (!in.GetBytes(1, &layout_byte)) return BlockCorruption("missing int stream layout");
  const IntLayout layout{(layout_byte.front() & 0x80) != 0, layout_byte.front() & 0x7f};
  if (layout.width > 64) return BlockCorruption("bad int stream width");
  const std::string_view stream = Rest(payload, in);
  BitReader r(stream);
  for (size_t i = first; i < pts.size(); ++i) {
    if (!ReadInt(layout, &r, &z)) return BlockCorruption("truncated int stream");
    d = dod ? WrapAdd(d, UnZigZag(z)) : UnZigZag(z);
    m = WrapAdd(m, d);
    pts[i].value = FromMantissa(m, e);
  }
  return r.bytes_consumed() == stream.size() ? core::Status::Ok()
                                             : BlockCorruption("trailing bytes");
}

}  // namespace meridian::storage::internal
