// Per-point transforms (graphite-web render/functions.py, 1.1.10): each one renames the series the
// way graphite-web does, adds the tag graphite-web adds, and sets pathExpression to the new name
// where graphite-web does (in-place edits that assign it, and every series.copy(), whose
// pathExpression defaults to the new name). The time-shifting functions (timeShift, timeStack,
// timeSlice) are here too; the bucketing and moving-window ones are in window.cc.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <span>

#include "query/evaluator.h"
#include "query/function_registry.h"
#include "query/functions/common.h"
#include "query/time_parser.h"

namespace meridian::query {
namespace {

using functions::FloorDiv;
using functions::FormatG;
using functions::IsNull;
using functions::kNull;
using functions::NumberArgText;
using functions::PyRound;

// A parameter as graphite-web's Param(name, type, required, default, multiple, options).
using functions::MakeParam;

ParamSpec SeriesListParam() { return MakeParam("seriesList", ParamType::kSeriesList, true); }

// Python's "%d" % x for a float x (truncation); inf/nan raise in Python.
core::Result<std::string> PercentD(double x) {
  if (!std::isfinite(x))
    return core::InvalidArgument("cannot convert float infinity/NaN to integer");
  char buf[400];
  std::snprintf(buf, sizeof buf, "%.0f", std::trunc(x));
  return std::string(buf);
}

// Values of in-place transforms: each value mapped, name and pathExpression replaced.
template <typename F>
SeriesList MapEach(SeriesList list, const std::string& tag, const std::string& tag_value,
                   const std::function<std::string(const Series&)>& rename, F&& f) {
  for (Series& s : list) {
    if (!tag.empty()) s.tags[tag] = tag_value;
    s.name = rename(s);
    s.path_expression = s.name;
    for (double& v : s.values) v = f(v);
  }
  return list;
}

// A unary transform of the whole seriesList: `name(<series>)` with tag name=1.
FunctionSpec Unary(std::string name, std::string description, double (*f)(double),
                   std::string tag_value = "1") {
  FunctionSpec spec{name, "Transform", std::move(description), {SeriesListParam()}, nullptr};
  spec.impl = [name, f, tag_value](Call& call) -> core::Result<SeriesList> {
    ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
    return MapEach(
        std::move(list), name, tag_value,
        [&](const Series& s) { return fmt::format("{}({})", name, s.name); }, f);
  };
  return spec;
}

// math.pow as graphite-web's safePow sees it: ValueError/OverflowError become None.
double SafePow(double a, double b) {
  if (IsNull(a) || IsNull(b)) return kNull;
  double r = std::pow(a, b);
  if (std::isnan(r) || (std::isinf(r) && std::isfinite(a) && std::isfinite(b))) return kNull;
  return r;
}

core::Result<SeriesList> ScaleOrOffset(Call& call, bool scale) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(double factor, call.Number("factor"));
  std::string fn = scale ? "scale" : "offset";
  return MapEach(
      std::move(list), fn, NumberArgText(call, "factor", ParamType::kFloat, ""),
      [&](const Series& s) { return fmt::format("{}({},{})", fn, s.name, FormatG(factor)); },
      [&](double v) { return IsNull(v) ? v : (scale ? v * factor : v + factor); });
}

core::Result<SeriesList> Add(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(double constant, call.Number("constant"));
  ASSIGN_OR_RETURN(std::string d, PercentD(constant));
  return MapEach(
      std::move(list), "add", NumberArgText(call, "constant", ParamType::kFloat, ""),
      [&](const Series& s) { return fmt::format("add({},{})", s.name, d); },
      [&](double v) { return v + constant; });
}

core::Result<SeriesList> Pow(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(double factor, call.Number("factor"));
  return MapEach(
      std::move(list), "pow", NumberArgText(call, "factor", ParamType::kFloat, ""),
      [&](const Series& s) { return fmt::format("pow({},{})", s.name, FormatG(factor)); },
      [&](double v) { return SafePow(v, factor); });
}

core::Result<SeriesList> Log(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(double base, call.Number("base", 10));
  if (base <= 0 || base == 1) return call.Error("base must be positive and not 1");
  std::string base_text = NumberArgText(call, "base", ParamType::kInteger, "10");
  double log_base = std::log(base);
  for (Series& s : list) {
    s.tags["log"] = base_text;
    s.name = fmt::format("log({}, {})", s.name, base_text);
    s.path_expression = s.name;
    for (double& v : s.values) v = IsNull(v) || v <= 0 ? kNull : std::log(v) / log_base;
  }
  return list;
}

core::Result<SeriesList> Round(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(int64_t precision, call.Integer("precision", 0));
  bool given = call.Has("precision");
  for (Series& s : list) {
    s.tags["round"] = std::to_string(precision);
    s.name =
        given ? fmt::format("round({},{})", s.name, precision) : fmt::format("round({})", s.name);
    s.path_expression = s.name;
    for (double& v : s.values) {
      if (!IsNull(v)) v = PyRound(v, precision);
    }
  }
  return list;
}

core::Result<SeriesList> ScaleToSeconds(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(double seconds, call.Number("seconds"));
  ASSIGN_OR_RETURN(std::string d, PercentD(seconds));
  for (Series& s : list) {
    s.tags["scaleToSeconds"] = NumberArgText(call, "seconds", ParamType::kFloat, "");
    s.name = fmt::format("scaleToSeconds({},{})", s.name, d);
    s.path_expression = s.name;
    double factor = seconds / static_cast<double>(s.step);
    for (double& v : s.values) {
      if (!IsNull(v)) v = PyRound(v * factor, 6);
    }
  }
  return list;
}

// graphite-web's _nonNegativeDelta (with master's fix: a null value resets the previous one
// instead of raising TypeError when maxValue is set). Returns {delta, new prev}.
std::pair<double, double> NonNegativeDelta(double val, double prev, std::optional<double> max,
                                           std::optional<double> min) {
  if (IsNull(val)) return {kNull, kNull};
  if ((max && val > *max) || (min && val < *min)) return {kNull, kNull};
  if (IsNull(prev)) return {kNull, val};
  if (val >= prev) return {val - prev, val};
  if (max) return {*max + 1 + val - prev - min.value_or(0), val};
  if (min) return {val - *min, val};
  return {kNull, val};
}

core::Result<SeriesList> Derivatives(Call& call, std::string_view fn) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  std::optional<double> max, min;
  if (fn != "derivative") {
    if (call.Has("maxValue")) {
      ASSIGN_OR_RETURN(max, call.Number("maxValue"));
    }
    if (call.Has("minValue")) {
      ASSIGN_OR_RETURN(min, call.Number("minValue"));
    }
  }
  for (Series& s : list) {
    double prev = kNull;
    for (double& v : s.values) {
      double val = v;
      if (fn == "derivative") {
        v = IsNull(prev) || IsNull(val) ? kNull : val - prev;
        prev = val;
        continue;
      }
      auto [delta, next] = NonNegativeDelta(val, prev, max, min);
      prev = next;
      v = fn == "perSecond" && !IsNull(delta) ? PyRound(delta / s.step, 6) : delta;
    }
    s.tags[std::string(fn)] = "1";
    s.name = fmt::format("{}({})", fn, s.name);
    s.path_expression = s.name;
  }
  return list;
}

core::Result<SeriesList> Integral(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  for (Series& s : list) {
    double current = 0;
    for (double& v : s.values) {
      if (!IsNull(v)) v = current += v;
    }
    s.tags["integral"] = "1";
    s.name = fmt::format("integral({})", s.name);
    s.path_expression = s.name;
  }
  return list;
}

core::Result<SeriesList> IntegralByInterval(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(std::string unit, call.String("intervalUnit"));
  ASSIGN_OR_RETURN(int64_t duration, functions::IntervalArg(call, unit));
  duration = std::llabs(duration);
  if (duration == 0) return call.Error("intervalUnit must not be zero");
  int64_t from = call.window().from;
  for (Series& s : list) {
    double current = 0;
    for (size_t i = 0; i < s.values.size(); ++i) {
      int64_t t = s.TimeAt(i);
      if (FloorDiv(t - from, duration) != FloorDiv(t - from - s.step, duration)) current = 0;
      if (!IsNull(s.values[i])) current += s.values[i];
      s.values[i] = current;  // a null keeps the running total, as graphite-web
    }
    s.tags["integralByInterval"] = unit;
    s.name = fmt::format("integralByInterval({},'{}')", s.name, unit);
    s.path_expression = s.name;
  }
  return list;
}

core::Result<SeriesList> Delay(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(int64_t steps, call.Integer("steps"));
  for (Series& s : list) {
    const int64_t n = static_cast<int64_t>(s.values.size());
    std::vector<double> out;
    if (steps < 0) {
      int64_t k = std::min(-steps, n);
      out.assign(s.values.begin() + k, s.values.end());
      out.insert(out.end(), k, kNull);
    } else if (steps > 0) {
      int64_t k = std::min(steps, n);
      out.assign(k, kNull);
      out.insert(out.end(), s.values.begin(), s.values.end() - k);
    }  // delay(x, 0) is empty: Python's series[:-0] is []
    s.values = std::move(out);
    s.tags["delay"] = std::to_string(steps);
    s.name = fmt::format("delay({},{})", s.name, steps);
    s.path_expression = s.name;
  }
  return list;
}

// Fills null runs of at most `limit` points with the last value (trailing runs too).
core::Result<SeriesList> KeepLastValue(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(double limit, call.Number("limit", std::numeric_limits<double>::infinity()));
  for (Series& s : list) {
    s.name = fmt::format("keepLastValue({})", s.name);
    s.path_expression = s.name;
    auto& v = s.values;
    size_t nones = 0;
    double last = kNull;
    for (size_t i = 0; i <= v.size(); ++i) {
      bool end = i == v.size();
      if (!end && IsNull(v[i])) {
        ++nones;
        continue;
      }
      if (nones > 0 && static_cast<double>(nones) <= limit && !IsNull(last)) {
        std::fill(v.begin() + static_cast<ptrdiff_t>(i - nones),
                  v.begin() + static_cast<ptrdiff_t>(i), last);
      }
      nones = 0;
      if (!end) last = v[i];
    }
  }
  return list;
}

// Linear interpolation over null runs of at most `limit` points between two values.
core::Result<SeriesList> Interpolate(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(double limit, call.Number("limit", std::numeric_limits<double>::infinity()));
  for (Series& s : list) {
    s.name = fmt::format("interpolate({})", s.name);
    s.path_expression = s.name;
    auto& v = s.values;
    size_t nones = 0;
    for (size_t i = 1; i < v.size(); ++i) {
      if (IsNull(v[i])) {
        ++nones;
        continue;
      }
      if (nones == 0) continue;
      double before = v[i - nones - 1];
      if (!IsNull(before) && static_cast<double>(nones) <= limit) {
        for (size_t k = i - nones; k < i; ++k) {
          v[k] = before + static_cast<double>(k - (i - nones - 1)) * (v[i] - before) /
                              static_cast<double>(nones + 1);
        }
      }
      nones = 0;
    }
  }
  return list;
}

core::Result<SeriesList> TransformNull(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(double def, call.Number("default", 0));
  SeriesList refs;
  if (call.Has("referenceSeries")) {
    ASSIGN_OR_RETURN(refs, call.Series("referenceSeries"));
  }
  // Per index (zip_longest over the references): the default where any reference has a value.
  std::vector<double> defaults;
  for (const Series& r : refs) {
    if (defaults.size() < r.values.size()) defaults.resize(r.values.size(), kNull);
    for (size_t i = 0; i < r.values.size(); ++i) {
      if (!IsNull(r.values[i])) defaults[i] = def;
    }
  }
  std::string def_text = NumberArgText(call, "default", ParamType::kFloat, "0");
  for (Series& s : list) {
    s.tags["transformNull"] = def_text;
    if (!refs.empty()) s.tags["referenceSeries"] = "1";
    s.name = fmt::format("transformNull({},{}{})", s.name, FormatG(def),
                         refs.empty() ? "" : ",referenceSeries");
    s.path_expression = s.name;
    if (refs.empty()) {
      for (double& v : s.values) v = IsNull(v) ? def : v;
      continue;
    }
    if (s.values.size() < defaults.size()) s.values.resize(defaults.size(), kNull);
    for (size_t i = 0; i < s.values.size(); ++i) {
      if (IsNull(s.values[i])) s.values[i] = i < defaults.size() ? defaults[i] : kNull;
    }
  }
  return list;
}

core::Result<SeriesList> IsNonNull(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  return MapEach(
      std::move(list), "isNonNull", "1",
      [](const Series& s) { return fmt::format("isNonNull({})", s.name); },
      [](double v) { return IsNull(v) ? 0.0 : 1.0; });
}

// 1 where the value differs from the previous non-null one, else 0.
core::Result<SeriesList> Changed(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  for (Series& s : list) {
    s.name = fmt::format("changed({})", s.name);
    s.path_expression = s.name;
    double previous = kNull;
    for (double& v : s.values) {
      double value = v;
      if (IsNull(previous)) {
        previous = value;
        v = 0;
      } else if (!IsNull(value) && previous != value) {
        previous = value;
        v = 1;
      } else {
        v = 0;
      }
    }
  }
  return list;
}

std::optional<double> SafeMin(const Series& s) {
  std::optional<double> m;
  for (double v : s.values) {
    if (!IsNull(v) && (!m || v < *m)) m = v;
  }
  return m;
}
std::optional<double> SafeMax(const Series& s) {
  std::optional<double> m;
  for (double v : s.values) {
    if (!IsNull(v) && (!m || v > *m)) m = v;
  }
  return m;
}

core::Result<SeriesList> OffsetToZero(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  for (Series& s : list) {
    std::optional<double> minimum = SafeMin(s);
    std::string text = "None";
    if (minimum) text = functions::FormatNumberArg(*minimum, false);
    s.tags["offsetToZero"] = text;
    s.name = fmt::format("offsetToZero({})", s.name);
    s.path_expression = s.name;
    for (double& v : s.values) {
      if (!IsNull(v)) v -= *minimum;
    }
  }
  return list;
}

core::Result<SeriesList> MinMax(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  for (Series& s : list) {
    s.name = fmt::format("minMax({})", s.name);
    s.path_expression = s.name;
    double lo = SafeMin(s).value_or(0.0);
    double hi = SafeMax(s).value_or(0.0);
    for (double& v : s.values) {
      if (!IsNull(v)) v = hi - lo == 0 ? 0.0 : (v - lo) / (hi - lo);
    }
  }
  return list;
}

constexpr std::string_view kConsolidationFuncs[] = {"sum", "average", "avg",   "avg_zero",
                                                    "min", "max",     "first", "last"};

core::Result<SeriesList> ConsolidateBy(Call& call, std::optional<std::string> fixed) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  std::string func;
  if (fixed) {
    func = *fixed;
  } else {
    ASSIGN_OR_RETURN(func, call.String("consolidationFunc"));
  }
  // graphite-web fails only when it consolidates (maxDataPoints); Meridian rejects it upfront.
  if (std::find(std::begin(kConsolidationFuncs), std::end(kConsolidationFuncs), func) ==
      std::end(kConsolidationFuncs)) {
    return call.Error(fmt::format("invalid consolidation function '{}'", func));
  }
  for (Series& s : list) {
    s.consolidation_func = func;
    s.tags["consolidateBy"] = func;
    s.name = fmt::format("consolidateBy({},\"{}\")", s.name, func);
    s.path_expression = s.name;
  }
  return list;
}

core::Result<SeriesList> SetXFilesFactor(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(double xff, call.Number("xFilesFactor"));
  for (Series& s : list) {
    s.x_files_factor = xff;
    s.tags["xFilesFactor"] = NumberArgText(call, "xFilesFactor", ParamType::kFloat, "");
  }
  return list;
}

// "1d" means "-1d" (parseTimeOffset defaults to +, timeShift and timeStack to -).
std::string DefaultNegative(std::string shift) {
  if (!shift.empty() && std::isdigit(static_cast<unsigned char>(shift[0]))) shift.insert(0, "-");
  return shift;
}

core::Result<SeriesList> TimeShift(Call& call) {
  ASSIGN_OR_RETURN(std::string shift, call.String("timeShift"));
  ASSIGN_OR_RETURN(bool reset_end, call.Bool("resetEnd", true));
  ASSIGN_OR_RETURN(bool align_dst, call.Bool("alignDst", false));
  (void)align_dst;  // DST alignment needs the request's zone; Meridian's windows are UTC
  shift = DefaultNegative(shift);
  ASSIGN_OR_RETURN(int64_t delta, functions::IntervalArg(call, shift));
  ASSIGN_OR_RETURN(SeriesList original, call.Series("seriesList"));
  if (original.empty()) return SeriesList{};
  const Series& first = original[0];
  EvalWindow w = call.window();
  w.from += delta;
  w.until += delta;
  ASSIGN_OR_RETURN(SeriesList list, call.evaluator().Evaluate(*call.Raw("seriesList")[0], w));
  for (Series& s : list) {
    s.tags["timeShift"] = shift;
    s.name = fmt::format("timeShift({}, \"{}\")", s.name, shift);
    s.end = reset_end ? first.end : s.end - s.start + first.start;
    s.start = first.start;
  }
  return list;
}

core::Result<SeriesList> TimeStack(Call& call) {
  ASSIGN_OR_RETURN(std::string unit, call.String("timeShiftUnit", "1d"));
  ASSIGN_OR_RETURN(int64_t shift_start, call.Integer("timeShiftStart", 0));
  ASSIGN_OR_RETURN(int64_t shift_end, call.Integer("timeShiftEnd", 7));
  unit = DefaultNegative(unit);
  ASSIGN_OR_RETURN(int64_t delta, functions::IntervalArg(call, unit));
  if (std::llabs(shift_start) > 100'000 || std::llabs(shift_end) > 100'000 ||
      shift_end - shift_start > 1000) {
    return call.Error("at most 1000 shifts, within ±100000 units");
  }
  ASSIGN_OR_RETURN(SeriesList original, call.Series("seriesList"));
  if (original.empty()) return SeriesList{};
  const Series first = original[0];
  SeriesList out;
  for (int64_t shft = shift_start; shft < shift_end; ++shft) {
    EvalWindow w = call.window();
    w.from += delta * shft;
    w.until += delta * shft;
    ASSIGN_OR_RETURN(SeriesList list, call.evaluator().Evaluate(*call.Raw("seriesList")[0], w));
    for (Series& s : list) {
      s.tags["timeShiftUnit"] = unit;
      s.tags["timeShift"] = std::to_string(shft);
      s.name = fmt::format("timeShift({}, {}, {})", s.name, unit, shft);
      s.path_expression = s.name;
      s.start = first.start;
      s.end = first.end;
      out.push_back(std::move(s));
    }
  }
  return out;
}

// A date argument: an at-time string, or a number of epoch seconds.
core::Result<int64_t> DateArg(Call& call, std::string_view param, std::string_view fallback) {
  const auto& raw = call.Raw(param);
  if (!raw.empty() && raw[0]->kind == ExprKind::kNumber)
    return static_cast<int64_t>(raw[0]->number);
  ASSIGN_OR_RETURN(std::string text, call.String(param, std::string(fallback)));
  auto t = ParseTime(text, call.window().now);
  if (!t.ok()) return call.Error(t.status().message());
  return *t;
}

core::Result<SeriesList> TimeSlice(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(int64_t start, DateArg(call, "startSliceAt", ""));
  ASSIGN_OR_RETURN(int64_t end, DateArg(call, "endSliceAt", "now"));
  for (Series& s : list) {
    s.tags["timeSliceStart"] = std::to_string(start);
    s.tags["timeSliceEnd"] = std::to_string(end);
    s.name = fmt::format("timeSlice({}, {}, {})", s.name, start, end);
    // graphite-web walks from the request's start, not the series' (they agree for fetched data).
    int64_t t = call.window().from;
    for (double& v : s.values) {
      if (t < start || t > end) v = kNull;
      t += s.step;
    }
  }
  return list;
}

void Register(FunctionRegistry& r, std::string name, std::string group, std::string description,
              std::vector<ParamSpec> params, FunctionImpl impl) {
  r.Add(FunctionSpec{std::move(name), std::move(group), std::move(description), std::move(params),
                     std::move(impl)});
}

}  // namespace

namespace {
void RegisterGapAndWindowFunctions(FunctionRegistry& r);
}  // namespace

void RegisterTransformFunctions(FunctionRegistry& r) {
  const ParamSpec sl = SeriesListParam();
  Register(r, "scale", "Transform", "Multiplies each datapoint by a constant.",
           {sl, MakeParam("factor", ParamType::kFloat, true)},
           [](Call& c) { return ScaleOrOffset(c, true); });
  Register(r, "offset", "Transform", "Adds a constant to each datapoint.",
           {sl, MakeParam("factor", ParamType::kFloat, true)},
           [](Call& c) { return ScaleOrOffset(c, false); });
  Register(r, "add", "Transform", "Adds a constant to each datapoint.",
           {sl, MakeParam("constant", ParamType::kFloat, true)}, Add);
  Register(r, "pow", "Transform", "Raises each datapoint to the power of a constant.",
           {sl, MakeParam("factor", ParamType::kFloat, true)}, Pow);
  Register(r, "log", "Transform", "Logarithm of each datapoint (default base 10).",
           {sl, MakeParam("base", ParamType::kInteger, false, false, "10")}, Log);
  Register(r, "round", "Transform", "Rounds each datapoint to a precision.",
           {sl, MakeParam("precision", ParamType::kInteger, false, false, "0")}, Round);
  Register(r, "scaleToSeconds", "Transform", "Value per `seconds` (value * seconds / step).",
           {sl, MakeParam("seconds", ParamType::kFloat, true)}, ScaleToSeconds);
  Register(r, "delay", "Transform", "Shifts all samples later by an integer number of steps.",
           {sl, MakeParam("steps", ParamType::kInteger, true)}, Delay);
  const ParamSpec max = MakeParam("maxValue", ParamType::kFloat);
  const ParamSpec min = MakeParam("minValue", ParamType::kFloat);
  Register(r, "perSecond", "Transform", "nonNegativeDerivative adjusted for the series step.",
           {sl, max, min}, [](Call& c) { return Derivatives(c, "perSecond"); });
  Register(r, "nonNegativeDerivative", "Transform",
           "Derivative that ignores decreases (counter wraps with maxValue/minValue).",
           {sl, max, min}, [](Call& c) { return Derivatives(c, "nonNegativeDerivative"); });
  Register(r, "derivative", "Transform", "Delta between subsequent datapoints.", {sl},
           [](Call& c) { return Derivatives(c, "derivative"); });
  Register(r, "integral", "Transform", "Running sum over time (nulls stay null).", {sl}, Integral);
  Register(r, "integralByInterval", "Transform",
           "Running sum reset to 0 at every interval boundary counted from `from`.",
           {sl, MakeParam("intervalUnit", ParamType::kString, true)}, IntegralByInterval);
  r.Add(Unary("absolute", "Absolute value of each datapoint.",
              [](double v) { return IsNull(v) ? v : std::fabs(v); }));
  r.Add(Unary("invert", "1/x of each datapoint.", [](double v) { return SafePow(v, -1); }));
  r.Add(Unary("squareRoot", "Square root of each datapoint.",
              [](double v) { return SafePow(v, 0.5); }));
  r.Add(Unary(
      "exp", "e raised to each datapoint.",
      [](double v) {
        double e = std::exp(v);
        return std::isinf(e) && !std::isinf(v) ? kNull : e;  // OverflowError in Python
      },
      "e"));
  r.Add(Unary(
      "sigmoid", "1 / (1 + exp(-x)) of each datapoint.",
      [](double v) { return IsNull(v) ? v : 1 / (1 + std::exp(-v)); }, "sigmoid"));
  r.Add(Unary(
      "logit", "log(x / (1 - x)) of each datapoint.",
      [](double v) {
        return IsNull(v) || v == 1 || v / (1 - v) <= 0 ? kNull : std::log(v / (1 - v));
      },
      "logit"));
  RegisterGapAndWindowFunctions(r);
}

namespace {

// keepLastValue ... timeSlice: gap filling, series settings and time shifts.
void RegisterGapAndWindowFunctions(FunctionRegistry& r) {
  const ParamSpec sl = SeriesListParam();
  const ParamSpec inf_limit = MakeParam("limit", ParamType::kIntOrInf, false, false, "Infinity");
  Register(r, "keepLastValue", "Transform",
           "Continues the line with the last value across gaps of at most `limit` nulls.",
           {sl, inf_limit}, KeepLastValue);
  Register(r, "interpolate", "Transform",
           "Fills gaps of at most `limit` nulls by linear interpolation.", {sl, inf_limit},
           Interpolate);
  Register(r, "transformNull", "Transform",
           "Replaces nulls with `default` (only where `referenceSeries` has a value, if given).",
           {sl, MakeParam("default", ParamType::kFloat, false, false, "0"),
            MakeParam("referenceSeries", ParamType::kSeriesList)},
           TransformNull);
  Register(r, "isNonNull", "Transform", "1 for non-null values, 0 for nulls.", {sl}, IsNonNull);
  Register(r, "changed", "Special", "1 when the value changed, 0 when null or the same.", {sl},
           Changed);
  Register(r, "offsetToZero", "Transform", "Subtracts the series minimum from each datapoint.",
           {sl}, OffsetToZero);
  Register(r, "minMax", "Transform", "(value - min) / (max - min) normalization.", {sl}, MinMax);
  std::vector<std::string> cfs(std::begin(kConsolidationFuncs), std::end(kConsolidationFuncs));
  std::sort(cfs.begin(), cfs.end());  // Param.options are sorted
  Register(r, "consolidateBy", "Special",
           "Sets the function used when consolidating to maxDataPoints.",
           {sl, MakeParam("consolidationFunc", ParamType::kString, true, false, std::nullopt, cfs)},
           [](Call& c) { return ConsolidateBy(c, std::nullopt); });
  Register(r, "cumulative", "Special", "Alias for consolidateBy(series, 'sum').", {sl},
           [](Call& c) { return ConsolidateBy(c, "sum"); });
  for (const char* name : {"setXFilesFactor", "xFilesFactor"}) {
    Register(r, name, "Special", "Sets the xFilesFactor used when consolidating the series.",
             {sl, MakeParam("xFilesFactor", ParamType::kFloat, true)}, SetXFilesFactor);
  }
  Register(r, "timeShift", "Transform",
           "Draws the series shifted in time (an unsigned shift means back in time).",
           {sl, MakeParam("timeShift", ParamType::kInterval, true),
            MakeParam("resetEnd", ParamType::kBoolean, false, false, "true"),
            MakeParam("alignDst", ParamType::kBoolean, false, false, "false")},
           TimeShift);
  Register(r, "timeStack", "Transform",
           "The series stacked with time shifts from timeShiftStart to timeShiftEnd units.",
           {sl, MakeParam("timeShiftUnit", ParamType::kInterval, false, false, "\"1d\""),
            MakeParam("timeShiftStart", ParamType::kInteger, false, false, "0"),
            MakeParam("timeShiftEnd", ParamType::kInteger, false, false, "7")},
           TimeStack);
  Register(r, "timeSlice", "Transform", "Nulls every point outside [startSliceAt, endSliceAt].",
           {sl, MakeParam("startSliceAt", ParamType::kDate, true),
            MakeParam("endSliceAt", ParamType::kDate, false, false, "\"now\"")},
           TimeSlice);
}

}  // namespace

}  // namespace meridian::query
