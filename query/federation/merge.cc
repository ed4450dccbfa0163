#include "query/federation/merge.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace meridian::query::federation {
namespace {

bool Empty(const storage::SeriesData& s) { return s.step <= 0 || s.values.empty(); }

// The value candidate `c` holds for the base slot starting at `t` (width `step`), or NaN: on the
// same step, the slot starting exactly at t; on a coarser step, the slot covering t. The base has
// the finest step, so no candidate is finer.
double ValueAt(const storage::SeriesData& c, int64_t t, int64_t step) {
  const double none = std::nan("");
  if (c.step < step || t < c.start) return none;
  const int64_t offset = t - c.start;
  if (c.step == step && offset % step != 0) return none;  // shifted grid: no slot at t
  const auto i = static_cast<size_t>(offset / c.step);
  return i < c.values.size() ? c.values[i] : none;
}

}  // namespace

storage::SeriesData MergeSameName(std::vector<storage::SeriesData> candidates) {
  std::vector<size_t> order;
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (!Empty(candidates[i])) order.push_back(i);
  }
  if (order.empty()) return candidates.empty() ? storage::SeriesData{} : candidates.front();
  size_t base = order.front();
  for (size_t i : order) {
    const auto& c = candidates[i];
    const auto& b = candidates[base];
    if (c.step < b.step || (c.step == b.step && c.start < b.start) ||
        (c.step == b.step && c.start == b.start && c.values.size() > b.values.size())) {
      base = i;
    }
  }
  storage::SeriesData out = std::move(candidates[base]);
  for (size_t i : order) {
    if (i == base) continue;
    const storage::SeriesData& c = candidates[i];
    const bool same_grid = c.step == out.step && c.start == out.start;
    for (size_t slot = 0; slot < out.values.size(); ++slot) {
      if (!std::isnan(out.values[slot])) continue;
      if (same_grid) {
        if (slot < c.values.size()) out.values[slot] = c.values[slot];
      } else {
        out.values[slot] = ValueAt(c, out.start + static_cast<int64_t>(slot) * out.step, out.step);
      }
    }
  }
  return out;
}

std::vector<storage::SeriesData> MergeSeries(
    std::vector<std::vector<storage::SeriesData>> batches) {
  // name → candidates in source order
  std::map<std::string, std::vector<storage::SeriesData>> by_name;
  for (auto& batch : batches) {
    for (auto& s : batch) {
      std::string name = s.name;
      by_name[std::move(name)].push_back(std::move(s));
    }
  }
  std::vector<storage::SeriesData> out;
  out.reserve(by_name.size());
  for (auto& [name, candidates] : by_name) {
    storage::SeriesData merged = candidates.size() == 1 ? std::move(candidates.front())
                                                        : MergeSameName(std::move(candidates));
    if (!Empty(merged)) out.push_back(std::move(merged));
  }
  return out;
}

std::vector<storage::FindMatch> MergeFind(std::vector<std::vector<storage::FindMatch>> answers) {
  std::map<std::string, storage::FindMatch> by_path;
  for (auto& answer : answers) {
    for (auto& m : answer) {
      auto [it, inserted] = by_path.try_emplace(m.path, m);
      if (!inserted) {
        it->second.is_leaf = it->second.is_leaf || m.is_leaf;
        it->second.has_children = it->second.has_children || m.has_children;
      }
    }
  }
  std::vector<storage::FindMatch> out;
  out.reserve(by_path.size());
  for (auto& [path, m] : by_path) out.push_back(std::move(m));
  return out;
}

std::vector<std::string> MergeNames(std::vector<std::vector<std::string>> lists, size_t limit) {
  std::vector<std::string> out;
  for (auto& l : lists) {
    out.insert(out.end(), std::make_move_iterator(l.begin()), std::make_move_iterator(l.end()));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (limit != 0 && out.size() > limit) out.resize(limit);
  return out;
}

std::vector<storage::TagValueCount> MergeTagValues(
    std::vector<std::vector<storage::TagValueCount>> answers, const std::vector<bool>& replicated,
    size_t limit) {
  std::map<std::string, size_t> disjoint;
  std::map<std::string, size_t> replica_max;
  for (size_t i = 0; i < answers.size(); ++i) {
    const bool rep = i < replicated.size() && replicated[i];
    for (const auto& v : answers[i]) {
      if (rep) {
        size_t& m = replica_max[v.value];
        m = std::max(m, v.count);
      } else {
        disjoint[v.value] += v.count;
      }
    }
  }
  for (const auto& [value, count] : replica_max) {
    size_t& d = disjoint[value];
    d = std::max(d, count);
  }
  std::vector<storage::TagValueCount> out;
  for (auto& [value, count] : disjoint) {
    if (limit != 0 && out.size() == limit) break;
    out.push_back({value, count});
  }
  return out;
}

}  // namespace meridian::query::federation
