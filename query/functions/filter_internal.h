// Helpers shared by the filter and sort function files (filter.cc, sort.cc): the aggregation
// function argument and the parameter builders of their registrations. Pure functions; no state.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "query/function_registry.h"
#include "query/functions/common.h"

namespace meridian::query::filter_internal {

// The aggregation function named by string parameter `param` (or `fallback` when absent); an
// unknown name is the call's error.
core::Result<functions::AggFunc> AggFuncArg(Call& call, std::string_view param,
                                            std::optional<std::string> fallback = std::nullopt);

// Parameter builders mirroring graphite-web's Param(name, type, required, default).
ParamSpec Param(std::string name, ParamType type, bool required = true,
                std::optional<std::string> default_json = std::nullopt);
ParamSpec List();  // the required "seriesList" parameter
std::vector<ParamSpec> ListAnd(std::string name, ParamType type);  // seriesList and one more
// Registers `name` in graphite-web's function group `group`.
void Add(FunctionRegistry& r, std::string name, std::string group, std::string description,
         std::vector<ParamSpec> params, FunctionImpl impl);

// highest*/lowest*, limit, mostDeviant (sort.cc).
void AddRanking(FunctionRegistry& r);
// sortBy* (sort.cc).
void AddSorting(FunctionRegistry& r);

}  // namespace meridian::query::filter_internal
