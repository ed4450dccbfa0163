// Generators (constantLine, identity, time, sin, randomWalk...), graph-only functions (which
// only rename where graphite-web does), linearRegression and aggregateLine, after graphite-web
// 1.1.10. The moving-window functions are in window.cc.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <random>

#include "query/evaluator.h"
#include "query/function_registry.h"
#include "query/functions/common.h"
#include "query/time_parser.h"

namespace meridian::query {
namespace {

using functions::AggFuncOptions;
using functions::FormatG;
using functions::IsNull;
using functions::kNull;
using functions::NumberArgText;

// Generated series never hold more values than this (graphite-web has no bound).
constexpr int64_t kMaxGeneratedPoints = 5'000'000;

// A parameter as graphite-web's Param(name, type, required, default, multiple, options).
using functions::MakeParam;

ParamSpec SeriesListParam() { return MakeParam("seriesList", ParamType::kSeriesList, true); }

Series NewSeries(std::string name, int64_t start, int64_t end, int64_t step,
                 std::vector<double> values) {
  Series s;
  s.tags = TagsForName(name);
  s.path_expression = name;
  s.name = std::move(name);
  s.start = start;
  s.end = end;
  s.step = step;
  s.values = std::move(values);
  return s;
}

// constantLine(v): three points (start, middle, end) named str(v).
Series ConstantLine(const EvalWindow& w, double value, const std::string& text) {
  int64_t step = (w.until - w.from) / 2;
  Series s = NewSeries(text, w.from, w.until, step, {value, value, value});
  s.path_expression = fmt::format("constantLine({})", text);
  return s;
}

core::Result<SeriesList> ConstantLineFn(Call& call) {
  ASSIGN_OR_RETURN(double value, call.Number("value"));
  return SeriesList{
      ConstantLine(call.window(), value, NumberArgText(call, "value", ParamType::kFloat, ""))};
}

core::Result<SeriesList> Threshold(Call& call) {
  ASSIGN_OR_RETURN(double value, call.Number("value"));
  ASSIGN_OR_RETURN(std::string label, call.String("label", ""));
  ASSIGN_OR_RETURN(std::string color, call.String("color", ""));
  Series s =
      ConstantLine(call.window(), value, NumberArgText(call, "value", ParamType::kFloat, ""));
  if (!label.empty()) s.name = label;
  return SeriesList{std::move(s)};
}

// time(), sin(), randomWalk(), identity(): one value per step from `from` while < `until`.
core::Result<SeriesList> Generate(Call& call, std::string_view kind) {
  ASSIGN_OR_RETURN(std::string name, call.String("name"));
  int64_t step = 60;
  double amplitude = 1;
  if (kind != "identity") {
    ASSIGN_OR_RETURN(step, call.Integer("step", 60));
  }
  if (kind == "sin") {
    ASSIGN_OR_RETURN(amplitude, call.Number("amplitude", 1));
  }
  if (step <= 0) return call.Error("step must be positive");
  const EvalWindow& w = call.window();
  if ((w.until - w.from) / step > kMaxGeneratedPoints) return call.Error("too many points");
  std::vector<double> values;
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  double current = 0;
  for (int64_t t = w.from; t < w.until; t += step) {
    auto x = static_cast<double>(t);
    if (kind == "sin") x = std::sin(x) * amplitude;
    if (kind == "randomWalk") {
      x = current;
      current += uniform(rng) - 0.5;
    }
    values.push_back(x);
  }
  Series s = NewSeries(name, w.from, w.until, step, std::move(values));
  if (kind == "identity") s.path_expression = fmt::format("identity(\"{}\")", name);
  return SeriesList{std::move(s)};
}

core::Result<SeriesList> VerticalLine(Call& call) {
  ASSIGN_OR_RETURN(std::string ts_text, call.String("ts"));
  ASSIGN_OR_RETURN(std::string label, call.String("label", ""));
  ASSIGN_OR_RETURN(std::string color, call.String("color", ""));
  auto ts = ParseTime(ts_text, call.window().now);
  if (!ts.ok()) return call.Error(ts.status().message());
  if (*ts < call.window().from) {
    return call.Error(fmt::format("timestamp {} exists before start of range", *ts));
  }
  if (*ts > call.window().until) {
    return call.Error(fmt::format("timestamp {} exists after end of range", *ts));
  }
  return SeriesList{NewSeries(label, *ts, *ts, 1, {1.0, 1.0})};
}

core::Result<SeriesList> AggregateLine(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(std::string func, call.String("func", "average"));
  ASSIGN_OR_RETURN(bool keep_step, call.Bool("keepStep", false));
  auto agg = functions::GetAggFunc(func);
  if (!agg || func.ends_with("Series")) {
    return call.Error(fmt::format("Unsupported aggregation function: {}", func));
  }
  SeriesList out;
  for (Series& s : list) {
    std::optional<double> value = (*agg)(s.values);
    std::string name = value ? fmt::format("aggregateLine({}, {})", s.name, FormatG(*value))
                             : fmt::format("aggregateLine({}, None)", s.name);
    double v = value.value_or(kNull);
    if (keep_step) {
      std::fill(s.values.begin(), s.values.end(), v);
      s.name = name;
      s.path_expression = name;
      out.push_back(std::move(s));
      continue;
    }
    Series line =
        ConstantLine(call.window(), v, value ? functions::FormatNumberArg(v, false) : "None");
    line.name = name;
    line.path_expression = name;
    out.push_back(std::move(line));
  }
  return out;
}

// Graph-only functions: graphite-web renames (and tags) a few, never changes values.
core::Result<SeriesList> GraphOnly(Call& call, std::string_view fn) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  if (fn == "color") RETURN_IF_ERROR(call.String("theColor").status());
  if (fn == "alpha") RETURN_IF_ERROR(call.Number("alpha").status());
  if (fn == "lineWidth") RETURN_IF_ERROR(call.Number("width").status());
  double dash = 5;
  if (fn == "dashed") {
    ASSIGN_OR_RETURN(dash, call.Number("dashLength", 5));
  }
  for (Series& s : list) {
    if (fn == "dashed") {
      s.tags["dashed"] = NumberArgText(call, "dashLength", ParamType::kInteger, "5");
      s.name = fmt::format("dashed({}, {})", s.name, FormatG(dash));
    } else if (fn == "secondYAxis" || fn == "drawAsInfinite") {
      s.tags[std::string(fn)] = "1";
      s.name = fmt::format("{}({})", fn, s.name);
    }
  }
  return list;
}

core::Result<SeriesList> AreaBetween(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  if (list.size() != 2) {
    return call.Error("areaBetween series argument must reference *exactly* 2 series");
  }
  list[1].tags["areaBetween"] = "1";
  list[0].tags = list[1].tags;
  std::string name = fmt::format("areaBetween({})", list[1].path_expression);
  list[0].name = list[1].name = name;
  return list;
}

// Running totals per index across the series of this call (graphite-web keeps them per request,
// across targets, in requestContext; Meridian's are per call).
core::Result<SeriesList> Stacked(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(std::string stack, call.String("stack", "__DEFAULT__"));
  std::vector<double> total;
  for (Series& s : list) {
    if (total.size() < s.values.size()) total.resize(s.values.size(), 0.0);
    for (size_t i = 0; i < s.values.size(); ++i) {
      if (!IsNull(s.values[i])) s.values[i] = total[i] += s.values[i];
    }
    if (stack == "__DEFAULT__") {
      s.tags["stacked"] = stack;
      s.name = fmt::format("stacked({})", s.name);
    }
    s.path_expression = s.name;
  }
  return list;
}

// Least squares over the non-null points: {factor per second, offset at epoch 0}.
std::optional<std::pair<double, double>> Regression(const Series& s) {
  double n = 0, sum_i = 0, sum_v = 0, sum_ii = 0, sum_iv = 0;
  for (size_t i = 0; i < s.values.size(); ++i) {
    double v = s.values[i];
    if (IsNull(v)) continue;
    auto x = static_cast<double>(i);
    n += 1, sum_i += x, sum_v += v, sum_ii += x * x, sum_iv += x * v;
  }
  double denominator = n * sum_ii - sum_i * sum_i;
  if (denominator == 0) return std::nullopt;
  double factor = (n * sum_iv - sum_i * sum_v) / denominator / static_cast<double>(s.step);
  double offset =
      (sum_ii * sum_v - sum_iv * sum_i) / denominator - factor * static_cast<double>(s.start);
  return std::pair{factor, offset};
}

core::Result<SeriesList> LinearRegression(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  EvalWindow source = call.window();
  for (auto [param, field] :
       {std::pair{"startSourceAt", &source.from}, std::pair{"endSourceAt", &source.until}}) {
    if (!call.Has(param)) continue;
    ASSIGN_OR_RETURN(std::string text, call.String(param));
    auto t = ParseTime(text, call.window().now);
    if (!t.ok()) return call.Error(t.status().message());
    *field = *t;
  }
  ASSIGN_OR_RETURN(SeriesList sources,
                   call.evaluator().Evaluate(*call.Raw("seriesList")[0], source));
  SeriesList out;
  for (size_t i = 0; i < std::min(list.size(), sources.size()); ++i) {
    Series& s = list[i];
    s.tags["linearRegressions"] = fmt::format("{}, {}", source.from, source.until);
    auto forecast = Regression(sources[i]);
    if (!forecast) continue;
    auto [factor, offset] = *forecast;
    for (size_t k = 0; k < s.values.size(); ++k) {
      s.values[k] = offset + static_cast<double>(s.TimeAt(k)) * factor;
    }
    s.name = fmt::format("linearRegression({}, {}, {})", s.name, source.from, source.until);
    s.path_expression = s.name;
    s.consolidation_func = "average";
    out.push_back(std::move(s));
  }
  return out;
}

void Register(FunctionRegistry& r, std::string name, std::string group, std::string description,
              std::vector<ParamSpec> params, FunctionImpl impl) {
  r.Add(FunctionSpec{std::move(name), std::move(group), std::move(description), std::move(params),
                     std::move(impl)});
}

}  // namespace

void RegisterSpecialFunctions(FunctionRegistry& r) {
  const ParamSpec sl = SeriesListParam();
  Register(r, "constantLine", "Special", "A horizontal line at `value`.",
           {MakeParam("value", ParamType::kFloat, true)}, ConstantLineFn);
  Register(r, "threshold", "Graph", "A horizontal line at `value`, named `label`.",
           {MakeParam("value", ParamType::kFloat, true), MakeParam("label", ParamType::kString),
            MakeParam("color", ParamType::kString)},
           Threshold);
  Register(r, "identity", "Calculate", "A series whose value is its timestamp (step 60).",
           {MakeParam("name", ParamType::kString, true)},
           [](Call& c) { return Generate(c, "identity"); });
  const ParamSpec name = MakeParam("name", ParamType::kString, true);
  const ParamSpec step = MakeParam("step", ParamType::kInteger, false, false, "60");
  for (const char* fn : {"time", "timeFunction"}) {
    Register(r, fn, "Transform", "A series whose value is its timestamp.", {name, step},
             [](Call& c) { return Generate(c, "time"); });
  }
  for (const char* fn : {"sin", "sinFunction"}) {
    Register(r, fn, "Transform", "The sine of the timestamp, times `amplitude`.",
             {name, MakeParam("amplitude", ParamType::kInteger, false, false, "1"), step},
             [](Call& c) { return Generate(c, "sin"); });
  }
  for (const char* fn : {"randomWalk", "randomWalkFunction"}) {
    Register(r, fn, "Special", "A random walk starting at 0 (values differ on every call).",
             {name, step}, [](Call& c) { return Generate(c, "randomWalk"); });
  }
  Register(r, "verticalLine", "Graph", "A vertical line at timestamp `ts`.",
           {MakeParam("ts", ParamType::kDate, true), MakeParam("label", ParamType::kString),
            MakeParam("color", ParamType::kString)},
           VerticalLine);
  Register(
      r, "aggregateLine", "Calculate", "A horizontal line at an aggregate of each series.",
      {sl, MakeParam("func", ParamType::kAggFunc, false, false, "\"average\"", AggFuncOptions()),
       MakeParam("keepStep", ParamType::kBoolean, false, false, "false")},
      AggregateLine);
  const std::vector<std::pair<const char*, ParamSpec>> graph = {
      {"color", MakeParam("theColor", ParamType::kString, true)},
      {"alpha", MakeParam("alpha", ParamType::kFloat, true)},
      {"lineWidth", MakeParam("width", ParamType::kFloat, true)},
      {"dashed", MakeParam("dashLength", ParamType::kInteger, false, false, "5")}};
  for (const auto& [fn, param] : graph) {
    Register(r, fn, "Graph", "Graph styling; the data is unchanged.", {sl, param},
             [f = std::string(fn)](Call& c) { return GraphOnly(c, f); });
  }
  for (const char* fn : {"secondYAxis", "drawAsInfinite"}) {
    Register(r, fn, "Graph", "Graph styling; the data is unchanged.", {sl},
             [f = std::string(fn)](Call& c) { return GraphOnly(c, f); });
  }
  Register(r, "areaBetween", "Graph", "The area between exactly two series.", {sl}, AreaBetween);
  Register(r, "stacked", "Graph", "Stacks the series (running totals per point).",
           {sl, MakeParam("stack", ParamType::kString)}, Stacked);
  Register(r, "linearRegression", "Calculate", "Least-squares linear regression of each series.",
           {sl, MakeParam("startSourceAt", ParamType::kDate),
            MakeParam("endSourceAt", ParamType::kDate)},
           LinearRegression);
}

}  // namespace meridian::query
