#include "query/internal/render_request.h"

#include <fmt/format.h>

#include <charconv>

#include "query/time_parser.h"

namespace meridian::query::internal {
namespace {

const std::string* First(const Params& p, const std::string& key) {
  auto it = p.find(key);
  return it == p.end() ? nullptr : &it->second;
}

bool Truthy(const std::string* v) {
  return v != nullptr && (*v == "1" || *v == "true" || *v == "True" || *v == "yes");
}

}  // namespace

core::Result<RenderPlan> PlanRender(const Params& params, int64_t now) {
  RenderPlan plan;
  for (auto [it, end] = params.equal_range("target"); it != end; ++it) {
    if (!it->second.empty()) plan.targets.push_back(it->second);
  }
  for (const auto& [k, v] : params) {
    if (k.size() > 10 && k.starts_with("template[") && k.back() == ']') {
      plan.template_vars[k.substr(9, k.size() - 10)] = v;
    }
  }
  TimeContext tc;
  tc.now = now;
  if (const std::string* tz = First(params, "tz")) tc.tz = *tz;
  if (const std::string* n = First(params, "now")) {
    ASSIGN_OR_RETURN(tc.now, ParseTime(*n, tc));
  }
  const std::string* from = First(params, "from");
  const std::string* until = First(params, "until");
  ASSIGN_OR_RETURN(plan.window.from, ParseTime(from ? *from : "-1d", tc));
  ASSIGN_OR_RETURN(plan.window.until, ParseTime(until ? *until : "now", tc));
  RETURN_IF_ERROR(ValidateRange(plan.window.from, plan.window.until));
  plan.window.now = tc.now;

  const std::string* format = First(params, "format");
  // graphite-web renders a PNG without `format`; Meridian has no image renderer and answers JSON.
  plan.format.format = format ? *format : "json";
  if (Truthy(First(params, "rawData"))) plan.format.format = "raw";
  if (const std::string* j = First(params, "jsonp")) plan.format.jsonp = *j;
  plan.format.no_null_points = Truthy(First(params, "noNullPoints"));
  plan.format.pretty = Truthy(First(params, "pretty"));
  plan.format.tz = tc.tz;
  if (const std::string* m = First(params, "maxDataPoints")) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(m->data(), m->data() + m->size(), v);
    if (ec != std::errc() || p != m->data() + m->size() || v <= 0) {
      return core::InvalidArgument(
          fmt::format("maxDataPoints must be a positive integer, got '{}'", *m));
    }
    plan.format.max_data_points = v;
  }
  if (const std::string* x = First(params, "xFilesFactor")) {
    double v = 0;
    auto [p, ec] = std::from_chars(x->data(), x->data() + x->size(), v);
    if (ec != std::errc() || p != x->data() + x->size() || v < 0 || v > 1) {
      return core::InvalidArgument(fmt::format("xFilesFactor must be in [0, 1], got '{}'", *x));
    }
    plan.x_files_factor = v;
  }
  return plan;
}

core::Result<RenderAnswer> ExecuteRender(const RenderPlan& plan, SeriesSource& source,
                                         const FunctionRegistry& functions,
                                         const EvalLimits& limits) {
  Evaluator evaluator(source, functions, limits, plan.template_vars);
  evaluator.set_x_files_factor(plan.x_files_factor);
  SeriesList all;
  for (const std::string& target : plan.targets) {
    ASSIGN_OR_RETURN(SeriesList list, evaluator.EvaluateTarget(target, plan.window));
    for (Series& s : list) all.push_back(std::move(s));
  }
  ASSIGN_OR_RETURN(RenderStream stream, StreamRender(std::move(all), plan.format));
  return RenderAnswer{std::move(stream), evaluator.TakeMemory()};
}

}  // namespace meridian::query::internal
