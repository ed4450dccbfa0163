// The decimal value codecs, kDecimalDelta and kDecimalDeltaOfDelta (payload format at the top of
// block_codec.cc): values that are all m * 10^e for one exponent e, stored as the zig-zag deltas
// (or deltas of deltas) of the integer mantissas m in a bit-packed int stream. Lossless: a value
// whose bits the mantissa does not reproduce makes the block not a decimal one.
// Stateless functions; thread-safe as long as callers do not share the output.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "storage/internal/bit_stream.h"
#include "storage/internal/block_codec.h"

namespace meridian::storage::internal {

// How a block's values encode as decimals: value i is mantissas[i] * 10^exponent, and the layouts
// fit the block's streams of deltas and of deltas of deltas.
struct DecimalPlan {
  int exponent = 0;
  std::vector<int64_t> mantissas;
  IntLayout delta;
  IntLayout delta_of_delta;
};

// The shared exponent and mantissas of the values, or nullopt when they are not all decimals.
// REQUIRES: !points.empty().
std::optional<DecimalPlan> PlanDecimal(std::span<const SlotValue> points);

// The size in bytes of what WriteDecimal(plan, dod, ...) appends.
size_t DecimalSize(const DecimalPlan& plan, bool dod);

// Appends the payload of the planned values: deltas of deltas when `dod`, else deltas.
void WriteDecimal(const DecimalPlan& plan, bool dod, std::string* out);

// Decodes a whole payload into pts[i].value. Returns Corruption when it is truncated, has an
// exponent or stream layout out of range, or has trailing bytes.
// REQUIRES: !pts.empty().
core::Status DecodeDecimal(std::string_view payload, bool dod, std::span<SlotValue> pts);

}  // namespace meridian::storage::internal
