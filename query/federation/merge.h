// How answers from several sources (this store, then the peers in config order) become one.
// Pure functions: no I/O, no clock; the order of the inputs is the sources' config order, never
// the order in which they answered, so the same inputs always give the same bytes.
#pragma once

#include <string>
#include <vector>

#include "storage/store.h"

namespace meridian::query::federation {

// Same-name series from several sources (source order), merged into one:
//  - empty candidates (step 0 or no values) are ignored;
//  - the base is the candidate with the finest step; ties go to the one covering the earliest
//    start, then the longest, then the first in source order;
//  - every null slot of the base is filled, in source order, from the first other candidate
//    holding a value at that slot's time: one on the same grid by position (graphite-web's own
//    rule for same-length series), a coarser one from the slot that covers the time.
// Equal to graphite-web's _merge_results wherever its answer does not depend on which peer
// answered last (same start, step and length); where it does (different steps or retentions),
// this rule, not arrival order, decides. REQUIRES: every candidate has the same name.
storage::SeriesData MergeSameName(std::vector<storage::SeriesData> candidates);

// Batches from several sources → one list sorted by name, same names merged (MergeSameName).
std::vector<storage::SeriesData> MergeSeries(std::vector<std::vector<storage::SeriesData>> batches);

// Find answers → the union by path, sorted: a leaf if any source has a leaf there, a branch if
// any has children.
std::vector<storage::FindMatch> MergeFind(std::vector<std::vector<storage::FindMatch>> answers);

// Sorted, de-duplicated union of name lists; `limit` 0 = all, else the first `limit` names.
std::vector<std::string> MergeNames(std::vector<std::vector<std::string>> lists, size_t limit = 0);

// Tag values by value, sorted; counts of a value added across sources (series of disjoint
// sources), or the largest taken for sources that replicate each other (`replicated`[i] true).
std::vector<storage::TagValueCount> MergeTagValues(
    std::vector<std::vector<storage::TagValueCount>> answers, const std::vector<bool>& replicated,
    size_t limit = 0);

}  // namespace meridian::query::federation
