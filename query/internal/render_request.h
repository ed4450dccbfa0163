// /render request handling without sockets: graphite-web's renderView parameters → evaluation →
// formatted body. GET and POST parameters arrive merged in `Params`.
#pragma once

#include "core/clock.h"
#include "query/evaluator.h"
#include "query/formats.h"
#include "query/internal/metadata_api.h"
#include "query/internal/render_stream.h"

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

// A render's answer: its body as pieces, and the memory its values hold until it is written.
struct RenderAnswer {
  RenderStream stream;
  core::MemoryReservation memory;
};

// Evaluates every target (one Evaluator: shared budgets) and starts formatting the result.
core::Result<RenderAnswer> ExecuteRender(const RenderPlan& plan, SeriesSource& source,
                                         const FunctionRegistry& functions,
                                         const EvalLimits& limits);

}  // namespace meridian::query::internal
