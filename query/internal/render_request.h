// /render request handling without sockets: graphite-web's renderView parameters → evaluation →
// formatted body. GET and POST parameters arrive merged in `Params`.
#pragma once

#include "core/clock.h"
#include "query/evaluator.h"
#include "query/formats.h"
#include "query/internal/metadata_api.h"

namespace meridian::query::internal {

struct RenderPlan {
  std::vector<std::string> targets;
  EvalWindow window;
  std::map<std::string, std::string> template_vars;  // template[name]=value
  FormatOptions format;
  double x_files_factor = 0;  // xFilesFactor=, graphite-web's DEFAULT_XFILES_FACTOR is 0
};

// Parses from/until/now/tz/format/maxDataPoints/noNullPoints/jsonp/pretty/xFilesFactor and
// targets. INVALID_ARGUMENT names the bad parameter.
core::Result<RenderPlan> PlanRender(const Params& params, int64_t now);

// Evaluates every target (one Evaluator: shared budgets) and formats the result.
core::Result<FormattedBody> ExecuteRender(const RenderPlan& plan, SeriesSource& source,
                                          const FunctionRegistry& functions,
                                          const EvalLimits& limits);

}  // namespace meridian::query::internal
