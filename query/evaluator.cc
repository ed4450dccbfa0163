#include "query/evaluator.h"

#include <fmt/format.h>

#include <algorithm>

namespace meridian::query {
namespace {

// Nesting of function calls evaluated at once (timeShift of movingAverage of ...).
constexpr size_t kMaxEvalDepth = 64;

}  // namespace

Evaluator::Evaluator(SeriesSource& source, const FunctionRegistry& functions, EvalLimits limits,
                     std::map<std::string, std::string> template_vars)
    : source_(source),
      functions_(functions),
      limits_(limits),
      template_vars_(std::move(template_vars)),
      memory_(limits.memory) {}

core::Result<SeriesList> Evaluator::EvaluateTarget(std::string_view target,
                                                   const EvalWindow& window) {
  ASSIGN_OR_RETURN(Expr parsed, ParseTarget(target, limits_.parse));
  // template() is textual substitution in graphite-web: expand it once, before evaluation.
  ASSIGN_OR_RETURN(Expr expr, ExpandTemplates(parsed, template_vars_, limits_.parse.max_length));
  return Evaluate(expr, window);
}

core::Status Evaluator::Charge(size_t series, size_t points) {
  series_used_ += series;
  points_used_ += points;
  if (series_used_ > limits_.max_series) {
    return core::ResourceExhausted(fmt::format("the request fetches more than {} series ({})",
                                               limits_.max_series, limits_.knobs.max_series));
  }
  if (points_used_ > limits_.max_points) {
    return core::ResourceExhausted(fmt::format("the request fetches more than {} points ({})",
                                               limits_.max_points, limits_.knobs.max_points));
  }
  return memory_.Grow(series * kBytesPerSeries + points * kBytesPerPoint);
}

core::Status Evaluator::CheckDeadline(std::string_view what) const {
  return limits_.deadline.Check(what, limits_.knobs.timeout);
}

core::Result<SeriesList> Evaluator::Evaluate(const Expr& expr, const EvalWindow& window) {
  RETURN_IF_ERROR(CheckDeadline("the query"));
  switch (expr.kind) {
    case ExprKind::kPath:
      return FetchPath(expr.text, window);
    case ExprKind::kCall: {
      if (depth_ >= kMaxEvalDepth) {
        return core::InvalidArgument("target nests function calls too deeply");
      }
      ++depth_;
      auto result = EvaluateCall(expr, window);
      --depth_;
      return result;
    }
    default:
      return core::InvalidArgument(fmt::format("'{}' at position {} is not a series expression",
                                               expr.source, expr.position));
  }
}

core::Result<SeriesList> Evaluator::EvaluateCall(const Expr& expr, const EvalWindow& window) {
  if (expr.text == "template") {
    // Reached only for an Expr built without ExpandTemplates (functions re-evaluating args).
    ASSIGN_OR_RETURN(Expr expanded,
                     ExpandTemplates(expr, template_vars_, limits_.parse.max_length));
    if (expanded.kind == ExprKind::kCall && expanded.text == "template") {
      return core::InvalidArgument("invalid template() syntax");
    }
    return Evaluate(expanded, window);
  }
  if (expr.text == "seriesByTag") return SeriesByTag(expr, window);
  const FunctionSpec* spec = functions_.Find(expr.text);
  if (spec == nullptr) {
    return core::InvalidArgument(
        fmt::format("unknown function '{}' at position {}", expr.text, expr.position));
  }
  Call call(*this, expr, *spec, window);
  RETURN_IF_ERROR(call.Bind());
  return spec->impl(call);
}

core::Result<SeriesList> Evaluator::SeriesByTag(const Expr& expr, const EvalWindow& window) {
  std::vector<std::string> tag_exprs;
  for (const Arg& arg : expr.args) {
    if (!arg.keyword.empty() || arg.value.kind != ExprKind::kString) {
      return core::InvalidArgument("seriesByTag() takes tag expressions as quoted strings");
    }
    tag_exprs.push_back(arg.value.text);
  }
  if (tag_exprs.empty()) return core::InvalidArgument("seriesByTag() needs a tag expression");
  auto out = FetchBatch(FetchSpec::Tagged(std::move(tag_exprs)), expr.source, window);
  if (!out.ok() && out.status().code() == core::StatusCode::kInvalidArgument) {
    // A bad expression or regex names the function, as Call::Error does for the others.
    return core::InvalidArgument("seriesByTag: " + out.status().message());
  }
  return out;
}

core::Result<SeriesList> Evaluator::FetchPath(std::string_view pattern, const EvalWindow& window) {
  return FetchBatch(FetchSpec::Pattern(std::string(pattern)), std::string(pattern), window);
}

ReadOptions Evaluator::ReadOpts() const {
  ReadOptions o;
  o.deadline = limits_.deadline;
  o.scope = limits_.scope;
  // What is left of the request's budgets (+1 so that passing it is seen by Charge's message).
  o.max_series = limits_.max_series >= series_used_ ? limits_.max_series - series_used_ + 1 : 1;
  o.max_points = limits_.max_points >= points_used_ ? limits_.max_points - points_used_ + 1 : 1;
  return o;
}

core::Status Evaluator::BudgetError(const core::Status& status) {
  // The source stopped at the budget we gave it: answer with the knob's message.
  switch (WhichBudget(status)) {
    case ReadBudget::kSeries:
      return Charge(limits_.max_series + 1, 0);
    case ReadBudget::kPoints:
      return Charge(0, limits_.max_points + 1);
    case ReadBudget::kNone:
      break;
  }
  return status;
}

core::Result<std::optional<PushedDown>> Evaluator::PushDown(const Expr& arg, PartialRequest request,
                                                            const EvalWindow& window) {
  PushedDown out;
  if (arg.kind == ExprKind::kPath) {
    request.spec = FetchSpec::Pattern(arg.text);
    out.path_expression = arg.text;  // as FetchPath names what it fetches
  } else if (arg.kind == ExprKind::kCall && arg.text == "seriesByTag" && !arg.args.empty()) {
    std::vector<std::string> exprs;
    for (const Arg& a : arg.args) {
      if (!a.keyword.empty() || a.value.kind != ExprKind::kString)
        return std::optional<PushedDown>();
      exprs.push_back(a.value.text);
    }
    request.spec = FetchSpec::Tagged(std::move(exprs));
    out.path_expression = arg.source;  // as SeriesByTag names what it fetches
  } else {
    return std::optional<PushedDown>();
  }
  RETURN_IF_ERROR(CheckDeadline("the query"));
  auto got = source_.FetchPartials(request, window.from, window.until, ReadOpts());
  if (!got.ok()) {
    // A bad pattern or tag expression: the usual path reports it in its own words.
    if (got.status().code() == core::StatusCode::kInvalidArgument)
      return std::optional<PushedDown>();
    return BudgetError(got.status());
  }
  if (!got->ok()) return std::optional<PushedDown>();
  size_t points = 0;
  for (const PartialGroup& g : got->groups) points += g.count.size();
  RETURN_IF_ERROR(Charge(got->groups.size(), points));
  out.groups = std::move(got->groups);
  out.x_files_factor = x_files_factor_;
  return std::optional<PushedDown>(std::move(out));
}

core::Result<SeriesList> Evaluator::FetchBatch(const FetchSpec& spec,
                                               const std::string& path_expression,
                                               const EvalWindow& window) {
  RETURN_IF_ERROR(CheckDeadline("the query"));
  auto fetched = source_.FetchMatching(spec, window.from, window.until, ReadOpts());
  if (!fetched.ok()) return BudgetError(fetched.status());
  size_t points = 0;
  for (const storage::SeriesData& d : *fetched) points += d.values.size();
  RETURN_IF_ERROR(Charge(fetched->size(), points));
  SeriesList out;
  out.reserve(fetched->size());
  for (storage::SeriesData& data : *fetched) {
    Series s;
    s.tags = TagsForName(data.name);
    s.name = std::move(data.name);
    s.path_expression = path_expression;
    s.start = data.start;
    s.end = data.end;
    s.step = data.step;
    s.values = std::move(data.values);
    s.x_files_factor = x_files_factor_;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace meridian::query
