#include "storage/tag_match.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "core/tagged_name.h"
#include "storage/internal/tag_index.h"

namespace meridian::storage {

core::Result<std::vector<std::string>> MatchTagged(std::vector<std::string> names,
                                                   const std::vector<std::string>& expressions) {
  internal::TagIndex index;
  const size_t n = std::min<size_t>(names.size(), std::numeric_limits<uint32_t>::max());
  for (size_t i = 0; i < n; ++i) {
    if (!core::IsTagged(names[i])) continue;
    auto parsed = core::ParseTaggedName(names[i]);
    auto canonical = core::NormalizeSeriesName(names[i]);
    if (!parsed.ok() || !canonical.ok() || *canonical != names[i]) continue;
    index.Insert(static_cast<uint32_t>(i), parsed->name, parsed->tags);
  }
  ASSIGN_OR_RETURN(std::vector<uint32_t> hits, index.FindSeries(expressions));
  std::vector<std::string> kept;
  kept.reserve(hits.size());
  for (uint32_t i : hits) kept.push_back(std::move(names[i]));
  return kept;
}

}  // namespace meridian::storage
