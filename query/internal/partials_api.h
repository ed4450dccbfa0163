// POST /api/federation/partials: this store's partial aggregates for a peer pushing an aggregate
// down (query/partials.h, wire in query/federation/internal/partials_wire.h). Meridian only,
// scope read; always answered from the local store (local_only), so peers never loop.
#pragma once

#include "core/memory_budget.h"
#include "query/internal/metadata_api.h"

namespace meridian::query::internal {

// What one partials call may read and hold: a render's bounds (http.max_series_per_request,
// http.max_points_per_request, http.memory_budget_bytes; null budget = none).
struct PartialsLimits {
  OutputLimits output;
  size_t max_series = 100'000;
  size_t max_points = 5'000'000;
  core::MemoryBudget* memory = nullptr;
};

// Parameters: `request` (the JSON request), `from`, `until`, `now` (epoch seconds, parsed as
// /render parses them). 400 for a bad request, the read's error otherwise (504 past the
// deadline, 422 past max_series/max_points or http.max_response_bytes, 503/422 from the memory
// budget); the answer is msgpack.
ApiResponse FederationPartials(SeriesSource& source, const Params& params,
                               const PartialsLimits& limits, const ReadScope& scope);

}  // namespace meridian::query::internal
