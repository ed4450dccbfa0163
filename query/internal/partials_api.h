// POST /api/federation/partials: this store's partial aggregates for a peer pushing an aggregate
// down (query/partials.h, wire in query/federation/internal/partials_wire.h). Meridian only,
// scope read; always answered from the local store (local_only), so peers never loop.
#pragma once

#include "query/internal/metadata_api.h"

namespace meridian::query::internal {

// Parameters: `request` (the JSON request), `from`, `until`, `now` (epoch seconds, parsed as
// /render parses them). 400 for a bad request, the read's error otherwise (504 past the
// deadline, 422 past max_series/max_points or http.max_response_bytes); the answer is msgpack.
ApiResponse FederationPartials(SeriesSource& source, const Params& params,
                               const OutputLimits& limits, const ReadScope& scope);

}  // namespace meridian::query::internal
