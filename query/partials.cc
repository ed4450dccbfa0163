#include "query/partials.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "query/federation/mount.h"
#include "query/functions/combine_internal.h"

namespace meridian::query {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The tags both maps carry with the same value (graphite-web's CommonTags, pairwise).
void IntersectTags(std::map<std::string, std::string>& into,
                   const std::map<std::string, std::string>& other) {
  std::erase_if(into, [&](const auto& kv) {
    auto it = other.find(kv.first);
    return it == other.end() || it->second != kv.second;
  });
}

combine_internal::NodeRefs NodeRefsOf(const std::vector<PartialNode>& nodes) {
  combine_internal::NodeRefs refs;
  for (const PartialNode& n : nodes) refs.push_back({n.is_tag, n.index, n.tag});
  return refs;
}

bool SameShape(const PartialGroup& g, int64_t start, int64_t end, int64_t step, size_t length) {
  return g.start == start && g.end == end && g.step == step && g.count.size() == length;
}

PartialGroup NewGroup(std::string key, std::string name, const storage::SeriesData& d,
                      const PartialRequest& req, std::map<std::string, std::string> tags) {
  PartialGroup g;
  g.key = std::move(key);
  g.first_name = std::move(name);
  g.tags = std::move(tags);
  g.start = d.start;
  g.end = d.end;
  g.step = d.step;
  const size_t n = d.values.size();
  g.count.assign(n, 0);
  if (req.sum) g.sum.assign(n, 0.0);
  if (req.min) g.min.assign(n, kNaN);
  if (req.max) g.max.assign(n, kNaN);
  if (req.product) g.product.assign(n, 1.0);
  return g;
}

// One row's product certificate (PartialGroup::mul_*), summed over its values.
struct ProductRow {
  int32_t bits = 0;
  int32_t up = 0;
  int32_t down = 0;
};

void AddProductTerms(double v, ProductRow& row, bool& infinite) {
  if (v == 0) return;
  if (std::isinf(v)) {
    infinite = true;
    return;
  }
  int exp = 0;
  const double fraction = std::frexp(std::fabs(v), &exp);  // |v| = fraction · 2^exp, [0.5, 1)
  const auto mantissa = static_cast<uint64_t>(std::ldexp(fraction, 53));
  const uint64_t odd = mantissa >> std::countr_zero(mantissa);
  row.bits += 64 - std::countl_zero(odd);
  row.up += std::max(0, exp);
  row.down += std::min(0, exp - 1);
}

// Adds one member's row values to its group, left to right as graphite-web's sum does.
void Accumulate(PartialGroup& g, std::vector<double>& abs_rows,
                std::vector<ProductRow>& product_rows, const storage::SeriesData& d,
                const PartialRequest& req) {
  ++g.members;
  for (size_t i = 0; i < d.values.size(); ++i) {
    const double v = d.values[i];
    if (std::isnan(v)) continue;
    ++g.count[i];
    if (v == 0 && std::signbit(v)) g.negative_zero = true;
    if (req.sum) {
      g.sum[i] += v;
      abs_rows[i] += std::fabs(v);
      g.exp_min = std::min(g.exp_min, LowestBitExponent(v));
    }
    if (req.min && (std::isnan(g.min[i]) || v < g.min[i])) g.min[i] = v;
    if (req.max && (std::isnan(g.max[i]) || v > g.max[i])) g.max[i] = v;
    if (req.product) {
      g.product[i] *= v;
      AddProductTerms(v, product_rows[i], g.mul_infinite);
    }
  }
}

PartialAnswer Fallback(std::string reason) {
  PartialAnswer a;
  a.fallback = std::move(reason);
  return a;
}

}  // namespace

int32_t LowestBitExponent(double v) {
  if (v == 0) return kExpNone;
  if (std::isinf(v)) return kExpInfinite;
  int exp = 0;
  const double fraction = std::frexp(std::fabs(v), &exp);  // v = fraction · 2^exp, [0.5, 1)
  // The 53 significant bits as an integer (exact for normal and subnormal values alike).
  const auto mantissa = static_cast<uint64_t>(std::ldexp(fraction, 53));
  return exp - 53 + std::countr_zero(mantissa);
}

bool SumIsExact(int32_t exp_min, double abs_sum) {
  if (exp_min == kExpNone) return abs_sum == 0;
  if (exp_min == kExpInfinite || !(abs_sum >= 0)) return false;
  // Multiples of 2^q below 2^(53+q) are doubles. Strictly below: a computed Σ|v| that rounded
  // down can land on 2^(53+q) itself, never under it (additions of non-negatives are monotone).
  const int top = 53 + exp_min;
  if (top > std::numeric_limits<double>::max_exponent) return std::isfinite(abs_sum);
  return abs_sum < std::ldexp(1.0, top);
}

bool ProductIsExact(int32_t bits, int32_t exp_up, int32_t exp_down, bool infinite) {
  // Odd parts multiply to at most 2^bits - 1 (each below 2^its bits); magnitudes of any subset's
  // product lie in [2^exp_down, 2^exp_up).
  return !infinite && bits <= 53 && exp_up <= std::numeric_limits<double>::max_exponent - 1 &&
         exp_down >= std::numeric_limits<double>::min_exponent - 1;
}

PartialAnswer ComputePartials(const std::vector<storage::SeriesData>& series,
                              const PartialRequest& request) {
  PartialAnswer out;
  const combine_internal::NodeRefs nodes = NodeRefsOf(request.group_by);
  std::unordered_map<std::string, size_t> index;      // key → position in out.groups
  std::vector<std::vector<double>> abs_rows;          // per group: Σ|v| of each row
  std::vector<std::vector<ProductRow>> product_rows;  // per group: each row's product terms
  // The series in the order of the names the front sees (a tag mount can reorder them).
  std::vector<std::pair<std::string, const storage::SeriesData*>> named;
  named.reserve(series.size());
  for (const storage::SeriesData& d : series) {
    named.emplace_back(
        request.mount.empty() ? d.name : federation::MountedName(request.mount, d.name), &d);
  }
  if (!request.mount.empty()) {
    std::stable_sort(named.begin(), named.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  for (auto& [name, member] : named) {
    const storage::SeriesData& d = *member;
    Series s;
    s.name = std::move(name);
    s.tags = TagsForName(s.name);
    std::string key = !nodes.empty() ? combine_internal::AggKey(s, nodes)
                      : !request.group_by_tags.empty()
                          ? combine_internal::TagsKey(s.tags, request.group_by_tags, "")
                          : std::string();
    auto [it, added] = index.try_emplace(key, out.groups.size());
    if (added) {
      out.groups.push_back(NewGroup(std::move(key), s.name, d, request, std::move(s.tags)));
      abs_rows.emplace_back(request.sum ? d.values.size() : 0, 0.0);
      product_rows.emplace_back(request.product ? d.values.size() : 0);
    } else {
      PartialGroup& g = out.groups[it->second];
      // graphite-web would normalize (LCM step, consolidation): not combined here.
      if (!SameShape(g, d.start, d.end, d.step, d.values.size())) return Fallback("heterogeneous");
      IntersectTags(g.tags, s.tags);
      g.first_name = std::min(g.first_name, s.name);
    }
    Accumulate(out.groups[it->second], abs_rows[it->second], product_rows[it->second], d, request);
  }
  for (size_t k = 0; k < out.groups.size(); ++k) {
    PartialGroup& g = out.groups[k];
    for (double a : abs_rows[k]) g.abs_max = std::max(g.abs_max, a);
    for (const ProductRow& r : product_rows[k]) {
      g.mul_bits = std::max(g.mul_bits, r.bits);
      g.mul_exp_up = std::max(g.mul_exp_up, r.up);
      g.mul_exp_down = std::min(g.mul_exp_down, r.down);
    }
  }
  return out;
}

PartialAnswer CombinePartials(std::vector<PartialAnswer> answers, const PartialRequest& request) {
  for (const PartialAnswer& a : answers) {
    if (!a.ok()) return Fallback(a.fallback);
  }
  PartialAnswer out;
  std::unordered_map<std::string, size_t> index;
  for (PartialAnswer& a : answers) {
    for (PartialGroup& g : a.groups) {
      auto [it, added] = index.try_emplace(g.key, out.groups.size());
      if (added) {
        out.groups.push_back(std::move(g));
        continue;
      }
      PartialGroup& c = out.groups[it->second];
      // Disjoint sources never share a series; the same first member twice means they overlap
      // (a misconfigured role): the fetched path merges same-name series, partials cannot.
      if (c.first_name == g.first_name) return Fallback("overlap");
      if (!SameShape(c, g.start, g.end, g.step, g.count.size()) || c.sum.size() != g.sum.size() ||
          c.min.size() != g.min.size() || c.max.size() != g.max.size() ||
          c.product.size() != g.product.size()) {
        return Fallback("heterogeneous");
      }
      // Certificates add up (each a bound over the rows of its source: their sum bounds the
      // combined rows' sums).
      c.mul_bits += g.mul_bits;
      c.mul_exp_up += g.mul_exp_up;
      c.mul_exp_down += g.mul_exp_down;
      c.mul_infinite = c.mul_infinite || g.mul_infinite;
      c.members += g.members;
      c.first_name = std::min(c.first_name, g.first_name);
      IntersectTags(c.tags, g.tags);
      c.exp_min = std::min(c.exp_min, g.exp_min);
      c.abs_max += g.abs_max;
      c.negative_zero = c.negative_zero || g.negative_zero;
      for (size_t i = 0; i < c.count.size(); ++i) {
        c.count[i] += g.count[i];
        if (!c.sum.empty()) c.sum[i] += g.sum[i];  // exact when certified below
        if (!c.min.empty() && (std::isnan(c.min[i]) || g.min[i] < c.min[i])) c.min[i] = g.min[i];
        if (!c.max.empty() && (std::isnan(c.max[i]) || g.max[i] > c.max[i])) c.max[i] = g.max[i];
        if (!c.product.empty()) c.product[i] *= g.product[i];  // exact when certified below
      }
    }
  }
  for (const PartialGroup& g : out.groups) {
    // A source that did not send the product row (an older Meridian ignores the request's
    // "product") cannot be combined.
    if (g.members < request.min_members) return Fallback("one series");
    if (request.product && g.product.size() != g.count.size()) return Fallback("unsupported");
    if (request.sum && !SumIsExact(g.exp_min, g.abs_max)) return Fallback("inexact");
    if (request.product &&
        !ProductIsExact(g.mul_bits, g.mul_exp_up, g.mul_exp_down, g.mul_infinite)) {
      return Fallback("inexact");
    }
    if ((request.min || request.max) && g.negative_zero) return Fallback("signed zero");
  }
  // One source holding every series would meet the groups in name order of their first member.
  std::sort(out.groups.begin(), out.groups.end(), [](const PartialGroup& a, const PartialGroup& b) {
    return a.first_name < b.first_name;
  });
  return out;
}

std::vector<double> PartialValues(const PartialGroup& group, PartialOp op, double xff) {
  std::vector<double> out(group.count.size(), kNaN);
  for (size_t i = 0; i < out.size(); ++i) {
    const uint64_t non_null = group.count[i];
    // AggregateAcross: no value, or a share of non-null values below xFilesFactor → null.
    if (non_null == 0) continue;
    if (static_cast<double>(non_null) / static_cast<double>(group.members) < xff) continue;
    switch (op) {
      case PartialOp::kSum:
        out[i] = group.sum[i];
        break;
      case PartialOp::kAverage:
        out[i] = group.sum[i] / static_cast<double>(non_null);
        break;
      case PartialOp::kMin:
        out[i] = group.min[i];
        break;
      case PartialOp::kMax:
        out[i] = group.max[i];
        break;
      case PartialOp::kCount:
        out[i] = static_cast<double>(non_null);
        break;
      case PartialOp::kMultiply:  // safeMul: one null member makes the row null
        if (non_null == group.members) out[i] = group.product[i];
        break;
    }
  }
  return out;
}

}  // namespace meridian::query
