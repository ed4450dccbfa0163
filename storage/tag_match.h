// MatchTagged: which of a list of tagged series names match graphite-web tag expressions, with
// exactly the semantics of the store's own /tags/findSeries (internal/tag_index.h). For names
// that did not come from this store: a federation peer's answer is re-checked against what it was
// asked, so a broken or hostile peer cannot add series of its choosing.
//
//   auto kept = storage::MatchTagged(peer_answer, {"dc=eu", "name=~cpu"});
//
// Thread-safe (pure).
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace meridian::storage {

// The names of `names` that match every expression, in their original order; a name that is not
// a canonical tagged series name never matches. INVALID_ARGUMENT for bad expressions (as
// FindTagged).
core::Result<std::vector<std::string>> MatchTagged(std::vector<std::string> names,
                                                   const std::vector<std::string>& expressions);

}  // namespace meridian::storage
