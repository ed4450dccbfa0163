#include "storage/internal/layout.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

namespace meridian::storage::internal {
namespace {

// Sorting key of a head point: slot, then raw timestamp, then arrival (stable sort).
struct Ordered {
  int64_t slot_ts;
  int64_t raw_ts;
  double value;
};

std::vector<Ordered> OrderForMerge(std::span<const HeadPoint> points, int64_t step) {
  std::vector<Ordered> out;
  out.reserve(points.size());
  for (const HeadPoint& p : points)
    out.push_back({AlignDown(p.timestamp, step), p.timestamp, p.value});
  std::stable_sort(out.begin(), out.end(), [](const Ordered& a, const Ordered& b) {
    return a.slot_ts != b.slot_ts ? a.slot_ts < b.slot_ts : a.raw_ts < b.raw_ts;
  });
  return out;
}

}  // namespace

std::string SchemaLayout::Encode() const {
  std::string out;
  for (size_t i = 0; i < archives.size(); ++i) {
    out += fmt::format("{}{}:{}", i ? "," : "", archives[i].step, archives[i].points);
  }
  out += fmt::format("|{}|{}", AggregationMethodName(method), x_files_factor);
  return out;
}

SchemaLayout SchemaLayout::FromSchema(const SeriesSchema& schema, uint32_t points_per_block) {
  SchemaLayout layout;
  layout.method = schema.method;
  layout.x_files_factor = schema.x_files_factor;
  const auto& a = schema.archives;
  for (size_t i = 0; i < a.size(); ++i) {
    ArchiveLayout al{a[i].step, a[i].points, a[i].step * a[i].points, 0};
    int64_t window = a[i].step * static_cast<int64_t>(points_per_block);
    // A block must hold whole slots of the next archive so that sealing it can roll them up.
    if (i + 1 < a.size()) {
      int64_t coarse = a[i + 1].step;
      window = (window + coarse - 1) / coarse * coarse;
    }
    al.window = window;
    layout.archives.push_back(al);
  }
  return layout;
}

core::Result<SchemaLayout> SchemaLayout::Decode(std::string_view text, uint32_t points_per_block) {
  size_t bar1 = text.find('|');
  size_t bar2 = bar1 == std::string_view::npos ? bar1 : text.find('|', bar1 + 1);
  if (bar2 == std::string_view::npos) {
    return core::Corruption(fmt::format("bad stored schema '{}'", text));
  }
  SeriesSchema schema;
  ASSIGN_OR_RETURN(schema.archives, ParseRetentions(text.substr(0, bar1)));
  ASSIGN_OR_RETURN(schema.method, ParseAggregationMethod(text.substr(bar1 + 1, bar2 - bar1 - 1)));
  std::string_view xff = text.substr(bar2 + 1);
  auto [ptr, ec] = std::from_chars(xff.data(), xff.data() + xff.size(), schema.x_files_factor);
  if (ec != std::errc() || ptr != xff.data() + xff.size()) {
    return core::Corruption(fmt::format("bad stored xFilesFactor in '{}'", text));
  }
  return FromSchema(schema, points_per_block);
}

std::vector<Archive> SchemaLayout::ArchiveList() const {
  std::vector<Archive> out;
  for (const auto& a : archives) out.push_back(Archive{a.step, a.points});
  return out;
}

std::optional<size_t> ArchiveForAge(const SchemaLayout& layout, int64_t age) {
  for (size_t i = 0; i < layout.archives.size(); ++i) {
    if (layout.archives[i].retention >= age) return i;
  }
  return std::nullopt;
}

void MergeIntoBlock(std::span<const HeadPoint> points, int64_t block_start, int64_t step,
                    std::vector<SlotValue>* slots) {
  std::vector<Ordered> ordered = OrderForMerge(points, step);
  std::vector<SlotValue> merged;
  merged.reserve(slots->size() + ordered.size());
  size_t i = 0;
  size_t j = 0;
  while (i < slots->size() || j < ordered.size()) {
    uint32_t next_new = j < ordered.size()
                            ? static_cast<uint32_t>((ordered[j].slot_ts - block_start) / step)
                            : std::numeric_limits<uint32_t>::max();
    if (i < slots->size() && (*slots)[i].slot < next_new) {
      merged.push_back((*slots)[i++]);
      continue;
    }
    if (i < slots->size() && (*slots)[i].slot == next_new) ++i;  // replaced by the newer points
    double value = ordered[j].value;
    while (j + 1 < ordered.size() && ordered[j + 1].slot_ts == ordered[j].slot_ts)
      value = ordered[++j].value;
    ++j;
    merged.push_back({next_new, value});
  }
  slots->swap(merged);
}

void FillGrid(std::span<const SlotValue> slots, int64_t block_start, int64_t step, int64_t from,
              std::vector<double>* grid) {
  const int64_t n = static_cast<int64_t>(grid->size());
  for (const SlotValue& s : slots) {
    int64_t idx = (block_start + static_cast<int64_t>(s.slot) * step - from) / step;
    if (block_start + static_cast<int64_t>(s.slot) * step < from || idx >= n) continue;
    (*grid)[idx] = s.value;
  }
}

void OverlayHead(std::span<const HeadPoint> points, int64_t step, int64_t from,
                 std::vector<double>* grid) {
  const int64_t n = static_cast<int64_t>(grid->size());
  for (const Ordered& p : OrderForMerge(points, step)) {
    if (p.slot_ts < from) continue;
    int64_t idx = (p.slot_ts - from) / step;
    if (idx < n) (*grid)[idx] = p.value;
  }
}

std::vector<HeadPoint> Rollup(const SchemaLayout& layout, std::span<const double> fine,
                              int64_t fine_start, int64_t fine_step, int64_t coarse_step) {
  std::vector<HeadPoint> out;
  const int64_t per = coarse_step / fine_step;
  const int64_t fine_end = fine_start + static_cast<int64_t>(fine.size()) * fine_step;
  std::vector<double> known;
  for (int64_t c = AlignDown(fine_start, coarse_step); c + coarse_step <= fine_end;
       c += coarse_step) {
    if (c < fine_start) continue;
    int64_t base = (c - fine_start) / fine_step;
    known.clear();
    for (int64_t k = 0; k < per; ++k) {
      double v = fine[base + k];
      if (!std::isnan(v)) known.push_back(v);
    }
    if (known.empty()) continue;
    std::optional<double> agg =
        storage::Rollup(layout.method, layout.x_files_factor, known, static_cast<size_t>(per));
    if (agg) out.push_back({c, *agg});
  }
  return out;
}

}  // namespace meridian::storage::internal
