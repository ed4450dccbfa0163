// Aggregate push-down: the partial aggregates one source (this store, a region or shard peer)
// computes over its own series, and how partials of disjoint sources combine into exactly what
// aggregating all the series in one place gives.
//
// graphite-web aggregates a row left to right in name order (Python's sum). Combining per-source
// sums reorders those additions, so a sum is only combined when no addition can have rounded:
// every value of the row is a multiple of 2^Q and the sum of their magnitudes stays below
// 2^(53+Q) — then every partial sum, in any order, is exactly representable and every order gives
// the same bits (integer counters qualify; decimal gauges do not). Products likewise, when every
// partial product's odd mantissa part fits 53 bits and its magnitude the normal range (see
// ProductIsExact). min, max and the count of non-null values are exact in any order. What cannot be
// combined exactly is refused with a reason (the caller then fetches the series).
//
// Pure functions: no I/O, no clock. Thread-compatible values.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "query/federation/peer_mount.h"
#include "query/series_source.h"
#include "storage/store.h"

namespace meridian::query {

// A group key node: graphite-web's getNodeOrTag (a node index, negative from the end, or a tag).
struct PartialNode {
  bool is_tag = false;
  int64_t index = 0;
  std::string tag;
  bool operator==(const PartialNode&) const = default;
};

// What one source is asked to aggregate: the series `spec` names, grouped by `group_by`
// (groupByNode's aggKey) or by `group_by_tags` (groupByTags' key without its leading common
// name; at most one of the two; neither = one group), with the non-null count per timestamp
// always and the sum, min or max when asked.
struct PartialRequest {
  FetchSpec spec;
  std::vector<PartialNode> group_by;
  std::vector<std::string> group_by_tags;
  bool sum = false;
  bool min = false;
  bool max = false;
  bool product = false;
  // The names the asking front gives this source's series (its mount of this peer; empty: the
  // names as they are). Grouping keys, first names and common tags are computed on them, so a
  // front can combine a mounted peer's partials like any other's.
  federation::PeerMount mount;
  // Combined groups with fewer members fall back ("one series": multiplySeries passes a lone
  // series through under its own name). Applied where partials are combined; not sent to peers.
  uint64_t min_members = 0;
};

// Marks PartialGroup::exp_min: no non-zero value (every value 0 or null) — any Q fits.
inline constexpr int32_t kExpNone = 100000;
// Marks PartialGroup::exp_min: an infinite value — a sum cannot be certified.
inline constexpr int32_t kExpInfinite = -100000;

// One group's partial aggregate from one source.
struct PartialGroup {
  std::string key;                          // the aggKey ("" without grouping)
  std::string first_name;                   // the smallest member name (orders the groups)
  uint64_t members = 0;                     // series in the group
  std::map<std::string, std::string> tags;  // tags every member carries (CommonTags)
  int64_t start = 0;                        // every member's window and step (homogeneous)
  int64_t end = 0;
  int64_t step = 0;
  std::vector<uint64_t> count;  // non-null values per timestamp
  std::vector<double> sum;      // when asked: left-to-right sum of the non-null values (0 if none)
  std::vector<double> min;      // when asked: NaN where no value
  std::vector<double> max;
  // The certificate of `sum`: every value is a multiple of 2^exp_min (kExpNone: every value is
  // 0; kExpInfinite: some value is ±inf), and abs_max bounds Σ|v| of every row from above.
  int32_t exp_min = kExpNone;
  double abs_max = 0;
  // Some value is -0.0: min and max then depend on the order of ties with +0.0 (not combined).
  bool negative_zero = false;
  // When asked: left-to-right product of the non-null values (1 if none), and its certificate
  // over every row's non-zero values v = m·2^e (m odd, 2^(E-1) ≤ |v| < 2^E): the largest Σ of
  // m's bit lengths, the largest Σ max(0, E), the smallest Σ min(0, E - 1); some value ±inf.
  std::vector<double> product;
  int32_t mul_bits = 0;
  int32_t mul_exp_up = 0;
  int32_t mul_exp_down = 0;
  bool mul_infinite = false;
  bool operator==(const PartialGroup&) const = default;
};

// A source's answer: its groups in first-seen order of the name-sorted series, or why the call
// cannot be pushed down (the caller then fetches the series; `fallback` names the reason for
// counters: "heterogeneous", "inexact", "unsupported", …).
struct PartialAnswer {
  std::vector<PartialGroup> groups;
  std::string fallback;
  bool ok() const { return fallback.empty(); }
};

// The exponent q of the lowest set bit of a finite non-zero value (v = odd · 2^q); kExpNone for 0,
// kExpInfinite for ±inf. REQUIRES: v is not NaN.
int32_t LowestBitExponent(double v);

// True when sums of values that are multiples of 2^exp_min, whose magnitudes sum to at most
// abs_sum (computed by non-negative additions, which never under-estimate past 2^(53+exp_min)),
// are exact in every order.
bool SumIsExact(int32_t exp_min, double abs_sum);

// Partials of `series` (sorted by name, as FetchMatching returns them), named as the request's
// mount names them: grouped by the request's nodes with graphite-web's aggKey, each group's rows
// aggregated left to right in (mounted) name order.
// Falls back ("heterogeneous") when a group's members differ in start, end, step or length.
PartialAnswer ComputePartials(const std::vector<storage::SeriesData>& series,
                              const PartialRequest& request);

// Partials of disjoint sources (in any order) → one answer, groups ordered as one source holding
// every series would order them. Falls back "heterogeneous" when sources disagree on a group's
// window or step, "inexact" when a sum cannot be certified, "signed zero" for min/max over -0.0,
// "overlap" when two sources name the same first member of a group (they are not disjoint;
// overlaps elsewhere in a group go unseen), or with the first source's own fallback.
PartialAnswer CombinePartials(std::vector<PartialAnswer> answers, const PartialRequest& request);

// True when products of values whose odd mantissa parts have `bits` bits in all and whose
// magnitudes lie in [2^exp_down, 2^exp_up) are exact in every order: every partial product's odd
// part stays below 2^53 and its magnitude in the normal range (zeros only make a product ±0, the
// sign being the XOR of the signs in any order).
bool ProductIsExact(int32_t bits, int32_t exp_up, int32_t exp_down, bool infinite);

// The aggregations a combined group yields, one value per timestamp, with graphite-web's rules
// (a row with no value, or fewer than xff of the members, is null; a product is null as soon as
// one member is, as graphite-web's safeMul).
enum class PartialOp { kSum, kAverage, kMin, kMax, kCount, kMultiply };
std::vector<double> PartialValues(const PartialGroup& group, PartialOp op, double xff);

}  // namespace meridian::query
