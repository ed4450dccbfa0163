// /functions and /functions/<name> in graphite-web's shape (functions/views.py), so Grafana's
// function editor can load Meridian's function list.
#pragma once

#include <string>
#include <string_view>

#include "query/function_registry.h"
#include "query/internal/metadata_api.h"

namespace meridian::query::internal {

// `grouped=1` nests by group; `group=X` filters; `type=pie` is accepted (no pie functions).
ApiResponse FunctionsList(const FunctionRegistry& registry, const Params& params);
// 404 {"error": ...} for an unknown name.
ApiResponse FunctionDetails(const FunctionRegistry& registry, std::string_view name,
                            const Params& params);

}  // namespace meridian::query::internal
