// Tagged series names with carbon's exact semantics (carbon lib/carbon/util.py TaggedSeries).
//
// Carbon runs every received name through TaggedSeries.parse() before it caches it, so the same
// rules apply to untagged names too:
//   - `name;tag=value;...`: split on `;`; the metric part must be non-empty; each segment splits at
//     its first `=`; tag non-empty and free of `; ! ^ =`; value non-empty, free of `;`, not
//     starting with `~`. A duplicate tag: the last one wins.
//   - `name{tag="value",...}` (OpenMetrics; recognised when the name ends in `"}` and holds a `{`):
//     values may escape `\"` and `\\`; segments separated by `,`.
//   - The implicit tag `name` is the metric part with leading `~` stripped (an all-`~` metric is
//     invalid); an explicit `name=` tag is validated, then overwritten.
//   - Canonical form = name + the sorted list of whole ";tag=value" strings (so `a-b=` sorts before
//     `a=` because '-' < '='). Order is byte order, which is code point order for UTF-8.
// Consequently `~foo` normalizes to `foo` and a plain `foo.bar` is returned unchanged.
//
// All functions are pure and thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace meridian::core {

struct ParsedTags {
  // The metric part with leading `~` stripped: the value of carbon's `name` tag.
  std::string name;
  // Every tag except `name`, unique, in canonical order (by "tag=" bytes).
  std::vector<std::pair<std::string, std::string>> tags;
};

// True when carbon would parse `name` as tagged: it holds a `;`, or has the OpenMetrics shape.
bool IsTagged(std::string_view name);

// Cheap (one memchr): false guarantees NormalizeSeriesName(name) == name. True for tagged names,
// names starting with `~`, and the empty name (which is invalid).
bool NeedsNormalization(std::string_view name);

// Parses `raw` as carbon would. Errors (InvalidArgument) say which rule failed.
Result<ParsedTags> ParseTaggedName(std::string_view raw);

// The canonical series name of `raw`, as carbon's TaggedSeries.parse(raw).path.
Result<std::string> NormalizeSeriesName(std::string_view raw);

// As NormalizeSeriesName, but writes into `*out` (cleared first; its capacity is reused, so a hot
// loop allocates only when a longer name arrives). On error `*out` is unspecified.
// REQUIRES: out != nullptr.
Status NormalizeSeriesNameTo(std::string_view raw, std::string* out);

}  // namespace meridian::core
