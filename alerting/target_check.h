// The check `meridian rules check` applies to a render target, shared with dashboard files
// (dashboards/dashboard.h): a target that passes parses, expands its template() calls and names
// only functions Meridian has, each called with arguments its signature binds (the evaluator's
// query::BindArguments) and valid literal regex arguments. Pure; thread-safe.
#pragma once

#include "core/status.h"
#include "query/expression.h"

namespace meridian::alerting {

// `parsed` is query::ParseTarget's result. INVALID_ARGUMENT names the first unknown function
// ("unknown function 'x'"), a bad template() call, arguments that do not bind ("scale: missing
// required argument 'factor'"), or a regex argument core::Regex refuses ("grep: ...").
core::Status CheckTargetFunctions(const query::Expr& parsed);

}  // namespace meridian::alerting
