// Window functions: bucketing (summarize, smartSummarize, hitcount) and moving windows
// (moving*, exponentialMovingAverage, stdev), after graphite-web render/functions.py. The moving
// family follows graphite-web 1.1.10, whose window includes the current point (1.1.8 used the
// points before it: README, deliberate differences). Functions needing history before the
// requested window re-evaluate their argument over a window extended backwards.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <span>

#include "query/evaluator.h"
#include "query/function_registry.h"
#include "query/functions/common.h"
#include "query/internal/timezone.h"
#include "query/time_parser.h"

namespace meridian::query {
namespace {

using functions::AggFuncOptions;
using functions::FloorDiv;
using functions::FloorMod;
using functions::IntervalArg;
using functions::IsNull;
using functions::kNull;
using functions::PyRound;

ParamSpec Param(std::string name, ParamType type, bool required = false, bool multiple = false,
                std::optional<std::string> default_json = std::nullopt,
                std::vector<std::string> options = {}) {
  return functions::MakeParam(std::move(name), type, required, multiple, std::move(default_json),
                              std::move(options));
}

// graphite-web's _summarizeValues: buckets [t, t + interval) from new_start while t < new_end;
// a bucket aggregates from the last point at or before t (sic) and needs xff of
// interval/step points non-null. Returns the values and the end of the last bucket.
// Checks `check` once per bucket: up to 10M buckets of a small interval over a long window.
core::Result<std::pair<std::vector<double>, int64_t>> SummarizeValues(
    const Series& s, functions::AggFunc agg, int64_t interval, int64_t new_start, int64_t new_end,
    core::DeadlineCheck& check) {
  const double interval_points = static_cast<double>(interval) / static_cast<double>(s.step);
  size_t num_points =
      std::min(s.values.size(),
               static_cast<size_t>(std::max<int64_t>(0, (s.end - s.start + s.step - 1) / s.step)));
  std::vector<double> out;
  size_t i = 0;
  int64_t t = new_start;
  for (; t < new_end; t += interval) {
    RETURN_IF_ERROR(check.Step());
    size_t first = i;
    size_t non_null = 0;
    while (i < num_points && s.TimeAt(i) < t + interval) {
      if (s.TimeAt(i) <= t) first = i;
      if (s.TimeAt(i) >= t && !IsNull(s.values[i])) ++non_null;
      ++i;
    }
    bool enough =
        non_null > 0 && static_cast<double>(non_null) / interval_points >= s.x_files_factor;
    std::optional<double> v;
    if (enough) v = agg(std::span<const double>(s.values.data() + first, i - first));
    out.push_back(v ? *v : kNull);
  }
  return std::pair<std::vector<double>, int64_t>{std::move(out), t};
}

core::Result<SeriesList> Summarize(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(std::string interval_text, call.String("intervalString"));
  ASSIGN_OR_RETURN(std::string func, call.String("func", "sum"));
  ASSIGN_OR_RETURN(bool align_to_from, call.Bool("alignToFrom", false));
  ASSIGN_OR_RETURN(int64_t interval, IntervalArg(call, interval_text));
  if (interval <= 0) return call.Error("intervalString must be a positive interval");
  auto agg = functions::GetAggFunc(func);
  if (!agg) return call.Error(fmt::format("Unsupported aggregation function: {}", func));
  core::DeadlineCheck check(call.deadline(), call.name());
  for (Series& s : list) {
    if (s.step <= 0) continue;
    int64_t start = align_to_from ? s.start : s.start - FloorMod(s.start, interval);
    int64_t end = align_to_from ? s.end : s.end - FloorMod(s.end, interval) + interval;
    if ((end - start) / interval > 10'000'000) return call.Error("too many buckets");
    ASSIGN_OR_RETURN(auto summarized, SummarizeValues(s, *agg, interval, start, end, check));
    auto& [values, aligned_end] = summarized;
    s.tags["summarize"] = interval_text;
    s.tags["summarizeFunction"] = func;
    s.name = fmt::format("summarize({}, \"{}\", \"{}\"{})", s.name, interval_text, func,
                         align_to_from ? ", true" : "");
    s.path_expression = s.name;
    s.start = start;
    s.end = align_to_from ? aligned_end : end;
    s.step = interval;
    s.values = std::move(values);
  }
  return list;
}

// The request's from aligned down to the day/hour/minute (interval >= that unit) in the server's
// time zone, as hitcount(alignToInterval=true) does in the request's.
int64_t AlignStart(int64_t from, int64_t interval) {
  auto tz = internal::DefaultTimeZone();
  int64_t local = from + tz->TypeAt(from).utc_offset;
  int64_t unit = interval >= 86400 ? 86400 : interval >= 3600 ? 3600 : interval >= 60 ? 60 : 0;
  if (unit == 0) return from;
  return tz->LocalToUtc(local - FloorMod(local, unit));
}

// Spreads each value (hits per second) over the buckets its [t, t + step) overlaps.
core::Result<std::vector<double>> HitcountValues(const Series& s, int64_t interval,
                                                 int64_t bucket_count, int64_t new_start,
                                                 core::DeadlineCheck& check) {
  std::vector<double> sums(static_cast<size_t>(bucket_count), 0.0);
  std::vector<bool> used(static_cast<size_t>(bucket_count), false);
  auto add = [&](int64_t bucket, double v) {
    sums[static_cast<size_t>(bucket)] += v;
    used[static_cast<size_t>(bucket)] = true;
  };
  for (size_t i = 0; i < s.values.size(); ++i) {
    RETURN_IF_ERROR(check.Step());
    double value = s.values[i];
    if (IsNull(value)) continue;
    int64_t start_time = s.TimeAt(i);
    int64_t start_bucket = FloorDiv(start_time - new_start, interval);
    int64_t start_mod = FloorMod(start_time - new_start, interval);
    int64_t end_bucket = FloorDiv(start_time + s.step - new_start, interval);
    int64_t end_mod = FloorMod(start_time + s.step - new_start, interval);
    if (end_bucket >= bucket_count) {
      end_bucket = bucket_count - 1;
      end_mod = interval;
    }
    if (start_bucket == end_bucket) {
      if (start_bucket >= 0) add(start_bucket, value * static_cast<double>(end_mod - start_mod));
      continue;
    }
    if (start_bucket >= 0) add(start_bucket, value * static_cast<double>(interval - start_mod));
    for (int64_t j = std::max<int64_t>(start_bucket + 1, 0); j < end_bucket; ++j) {
      RETURN_IF_ERROR(check.Step());
      add(j, value * static_cast<double>(interval));
    }
    if (end_mod > 0 && end_bucket >= 0) add(end_bucket, value * static_cast<double>(end_mod));
  }
  for (size_t b = 0; b < sums.size(); ++b) {
    if (!used[b]) sums[b] = kNull;
  }
  return sums;
}

core::Result<SeriesList> Hitcount(Call& call) {
  ASSIGN_OR_RETURN(std::string interval_text, call.String("intervalString"));
  ASSIGN_OR_RETURN(bool align, call.Bool("alignToInterval", false));
  ASSIGN_OR_RETURN(int64_t interval, IntervalArg(call, interval_text));
  if (interval <= 0) return call.Error("intervalString must be a positive interval");
  SeriesList list;
  if (align) {
    // graphite-web evaluates the argument anyway, then re-evaluates it from the aligned start.
    ASSIGN_OR_RETURN(list, call.Series("seriesList"));
    EvalWindow w = call.window();
    w.from = AlignStart(w.from, interval);
    ASSIGN_OR_RETURN(list, call.evaluator().Evaluate(*call.Raw("seriesList")[0], w));
    for (Series& s : list) s.end = s.start + (s.end - s.start) / interval * interval + interval;
  } else {
    ASSIGN_OR_RETURN(list, call.Series("seriesList"));
  }
  core::DeadlineCheck check(call.deadline(), call.name());
  for (Series& s : list) {
    int64_t bucket_count = (s.end - s.start + interval - 1) / interval;
    if (bucket_count > 10'000'000) return call.Error("too many buckets");
    int64_t new_start = s.end - bucket_count * interval;
    ASSIGN_OR_RETURN(s.values, HitcountValues(s, interval, std::max<int64_t>(bucket_count, 0),
                                              new_start, check));
    s.tags["hitcount"] = interval_text;
    s.name = fmt::format("hitcount({}, \"{}\"{})", s.name, interval_text, align ? ", true" : "");
    s.path_expression = s.name;
    s.start = new_start;
    s.step = interval;
  }
  return list;
}

constexpr std::string_view kAlignUnits[] = {"years", "months",  "weeks",  "days",
                                            "hours", "minutes", "seconds"};

// smartSummarize's alignTo: the request's start truncated to the unit in the server's zone,
// keeping the start's UTC offset (graphite-web builds datetime(..., tzinfo=start.tzinfo)).
int64_t AlignTo(int64_t from, std::string_view unit) {
  int64_t offset = internal::DefaultTimeZone()->TypeAt(from).utc_offset;
  int64_t local = from + offset;
  internal::CivilTime c = internal::CivilFromSeconds(local);
  int64_t aligned = local;
  if (unit == "years") {
    aligned = internal::DaysFromCivil(c.year, 1, 1) * 86400;
  } else if (unit == "months") {
    aligned = internal::DaysFromCivil(c.year, c.month, 1) * 86400;
  } else if (unit == "weeks") {
    int iso_weekday = c.weekday == 0 ? 7 : c.weekday;  // aligned to Monday
    aligned = (c.days - (iso_weekday - 1)) * 86400;
  } else if (unit == "days") {
    aligned = c.days * 86400;
  } else if (unit == "hours") {
    aligned = local - FloorMod(local, 3600);
  } else if (unit == "minutes") {
    aligned = local - FloorMod(local, 60);
  }
  return aligned - offset;
}

// smartSummarize: summarize's buckets from each series' own start (optionally from the request's
// start aligned to a calendar unit, re-fetched), ending after the last bucket.
core::Result<SeriesList> SmartSummarize(Call& call) {
  ASSIGN_OR_RETURN(std::string interval_text, call.String("intervalString"));
  ASSIGN_OR_RETURN(std::string func, call.String("func", "sum"));
  ASSIGN_OR_RETURN(int64_t interval, IntervalArg(call, interval_text));
  if (interval <= 0) return call.Error("intervalString must be a positive interval");
  auto agg = functions::GetAggFunc(func);
  if (!agg) return call.Error(fmt::format("Unsupported aggregation function: {}", func));
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  const auto& align = call.Raw("alignTo");
  // A boolean alignTo is the deprecated alignToFrom, which graphite-web ignores.
  if (!align.empty() && align[0]->kind != ExprKind::kBool && align[0]->kind != ExprKind::kNone) {
    ASSIGN_OR_RETURN(std::string unit, call.String("alignTo"));
    if (std::find(std::begin(kAlignUnits), std::end(kAlignUnits), unit) == std::end(kAlignUnits)) {
      return call.Error(fmt::format("invalid alignTo '{}'", unit));
    }
    EvalWindow w = call.window();
    w.from = AlignTo(w.from, unit);
    ASSIGN_OR_RETURN(list, call.evaluator().Evaluate(*call.Raw("seriesList")[0], w));
  }
  core::DeadlineCheck check(call.deadline(), call.name());
  for (Series& s : list) {
    if (s.step <= 0) continue;
    if ((s.end - s.start) / interval > 10'000'000) return call.Error("too many buckets");
    ASSIGN_OR_RETURN(auto summarized, SummarizeValues(s, *agg, interval, s.start, s.end, check));
    auto& [values, aligned_end] = summarized;
    s.tags["smartSummarize"] = interval_text;
    s.tags["smartSummarizeFunction"] = func;
    s.name = fmt::format("smartSummarize({}, \"{}\", \"{}\")", s.name, interval_text, func);
    s.path_expression = s.name;
    s.end = aligned_end;
    s.step = interval;
    s.values = std::move(values);
  }
  return list;
}

// The window of a moving function: an interval string or a number of points.
struct MovingWindow {
  bool is_interval = false;
  std::string text;     // as named: "5min" or "10"
  int64_t points = 0;   // is_interval == false
  int64_t preview = 0;  // seconds of extra history fetched
};

core::Result<MovingWindow> ParseWindow(Call& call) {
  const auto& raw = call.Raw("windowSize");
  if (raw.empty()) return call.Error("missing windowSize");
  const Expr& e = *raw[0];
  MovingWindow w;
  if (e.kind == ExprKind::kString) {
    auto seconds = ParseOffset(e.text);
    if (!seconds.ok()) return call.Error(seconds.status().message());
    w.is_interval = true;
    w.text = e.text;
    w.preview = std::llabs(*seconds);
    return w;
  }
  if (e.kind != ExprKind::kNumber || !std::isfinite(e.number) || e.number < 0 || e.number > 1e7) {
    return call.Error("windowSize must be a non-negative number of points or an interval");
  }
  w.points = static_cast<int64_t>(e.number);
  w.text = functions::FormatNumberArg(e.number, e.is_integer);
  // The preview is sized with the steps of the series over the requested window.
  ASSIGN_OR_RETURN(SeriesList current, call.Series("seriesList"));
  if (current.empty()) return w;
  int64_t max_step = 0;
  for (const Series& s : current) max_step = std::max(max_step, s.step);
  w.preview = max_step * w.points;
  return w;
}

// The series list over the window extended `preview` seconds back.
core::Result<SeriesList> EvaluatePreview(Call& call, int64_t preview) {
  EvalWindow w = call.window();
  w.from -= preview;
  return call.evaluator().Evaluate(*call.Raw("seriesList")[0], w);
}

std::string Capitalize(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

// movingWindow (1.1.10): output point k aggregates the window of `points` values ending with
// the point at the same time (preview values [k+1, k+points]).
core::Result<SeriesList> Moving(Call& call, std::optional<std::string> fixed_func) {
  std::string func;
  if (fixed_func) {
    func = *fixed_func;
  } else {
    ASSIGN_OR_RETURN(func, call.String("func", "average"));
  }
  auto agg = functions::GetAggFunc(func);
  if (!agg || func.ends_with("Series")) {
    return call.Error(fmt::format("Unsupported aggregation function: {}", func));
  }
  std::optional<double> xff;
  if (call.Has("xFilesFactor")) {
    ASSIGN_OR_RETURN(xff, call.Number("xFilesFactor"));
  }
  ASSIGN_OR_RETURN(MovingWindow window, ParseWindow(call));
  if (!window.is_interval && window.preview == 0 && window.points > 0) return SeriesList{};
  ASSIGN_OR_RETURN(SeriesList list, EvaluatePreview(call, window.preview));
  const std::string tag = "moving" + Capitalize(func);
  // Cost is points x window (graphite-web aggregates each window afresh; running sums would
  // change the floats): the deadline is checked per window, weighted by its size.
  core::DeadlineCheck check(call.deadline(), call.name());
  std::vector<double> non_null;
  for (Series& s : list) {
    if (s.step <= 0) continue;
    size_t points = window.is_interval ? static_cast<size_t>(window.preview / s.step)
                                       : static_cast<size_t>(window.points);
    double eff_xff = xff.value_or(s.x_files_factor);
    std::vector<double> out;
    for (size_t i = points + 1; i <= s.values.size(); ++i) {
      RETURN_IF_ERROR(check.Step(points + 1));
      non_null.clear();
      for (size_t k = i - points; k < i; ++k) {
        if (!IsNull(s.values[k])) non_null.push_back(s.values[k]);
      }
      std::optional<double> v;
      if (!non_null.empty() &&
          static_cast<double>(non_null.size()) / static_cast<double>(points) >= eff_xff) {
        v = (*agg)(non_null);
      }
      out.push_back(v.value_or(kNull));
    }
    s.tags[tag] = window.text;
    s.name = window.is_interval ? fmt::format("{}({},\"{}\")", tag, s.name, window.text)
                                : fmt::format("{}({},{})", tag, s.name, window.text);
    s.path_expression = s.name;
    s.start += window.preview;
    s.values = std::move(out);
  }
  return list;
}

core::Result<SeriesList> ExponentialMovingAverage(Call& call) {
  ASSIGN_OR_RETURN(MovingWindow window, ParseWindow(call));
  if (!window.is_interval && window.preview == 0 && window.points > 0) return SeriesList{};
  ASSIGN_OR_RETURN(SeriesList list, EvaluatePreview(call, window.preview));
  // graphite-web's constant for an interval uses its length in seconds (sic).
  double constant =
      2.0 / (static_cast<double>(window.is_interval ? window.preview : window.points) + 1);
  core::DeadlineCheck check(call.deadline(), call.name());
  for (Series& s : list) {
    if (s.step <= 0) continue;
    RETURN_IF_ERROR(check.Step(s.values.size()));
    size_t points = window.is_interval ? static_cast<size_t>(window.preview / s.step)
                                       : static_cast<size_t>(window.points);
    double sum = 0;
    size_t n = 0;
    for (size_t i = 0; i < std::min(points, s.values.size()); ++i) {
      if (!IsNull(s.values[i])) sum += s.values[i], ++n;
    }
    double ema = n > 0 ? sum / static_cast<double>(n) : 0;
    std::vector<double> out{PyRound(ema, 6)};
    for (size_t i = points; i < s.values.size(); ++i) {
      if (IsNull(s.values[i])) {
        out.push_back(kNull);
        continue;
      }
      ema = constant * s.values[i] + (1 - constant) * ema;
      out.push_back(PyRound(ema, 6));
    }
    s.tags["exponentialMovingAverage"] = window.text;
    s.name = window.is_interval
                 ? fmt::format("exponentialMovingAverage({},\"{}\")", s.name, window.text)
                 : fmt::format("exponentialMovingAverage({},{})", s.name, window.text);
    s.path_expression = s.name;
    s.start += window.preview;
    s.values = std::move(out);
  }
  return list;
}

// stdev(points): the population standard deviation of the last `points` values (the current
// one included), computed from running sums as graphite-web does; null when fewer than
// windowTolerance of the window's points are non-null.
std::vector<double> RunningStdev(const std::vector<double>& values, size_t points,
                                 double tolerance) {
  std::vector<double> out;
  out.reserve(values.size());
  int64_t valid = 0;
  double sum = 0;
  double sum_of_squares = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    double dropped = i >= points ? values[i - points] : kNull;
    if (!IsNull(dropped)) {
      --valid;
      sum -= dropped;
      sum_of_squares -= dropped * dropped;
    }
    if (!IsNull(values[i])) {
      ++valid;
      sum += values[i];
      sum_of_squares += values[i] * values[i];
    }
    if (valid > 0 && static_cast<double>(valid) / static_cast<double>(points) >= tolerance) {
      double n = static_cast<double>(valid);
      double radicand = n * sum_of_squares - sum * sum;
      out.push_back(radicand < 0 ? kNull : std::sqrt(radicand) / n);  // ValueError → None
    } else {
      out.push_back(kNull);
    }
  }
  return out;
}

core::Result<SeriesList> Stdev(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(int64_t points, call.Integer("points"));
  ASSIGN_OR_RETURN(double tolerance, call.Number("windowTolerance", 0.1));
  // graphite-web divides by zero (points = 0) or indexes past the end (points < 0).
  if (points <= 0) return call.Error("points must be a positive number of points");
  for (Series& s : list) {
    s.tags["stdev"] = std::to_string(points);
    s.name = fmt::format("stdev({},{})", s.name, points);
    s.path_expression = s.name;
    s.values = RunningStdev(s.values, static_cast<size_t>(points), tolerance);
  }
  return list;
}

}  // namespace

void RegisterWindowFunctions(FunctionRegistry& r) {
  const ParamSpec sl = Param("seriesList", ParamType::kSeriesList, true);
  functions::AddFunction(
      r, "summarize", "Transform", "Summarizes the data into interval buckets.",
      {sl, Param("intervalString", ParamType::kInterval, true),
       Param("func", ParamType::kAggFunc, false, false, "\"sum\"", AggFuncOptions()),
       Param("alignToFrom", ParamType::kBoolean, false, false, "false")},
      Summarize);
  functions::AddFunction(r, "hitcount", "Transform",
                         "Estimates hit counts per interval from hits-per-second series.",
                         {sl, Param("intervalString", ParamType::kInterval, true),
                          Param("alignToInterval", ParamType::kBoolean, false, false, "false")},
                         Hitcount);
  std::vector<std::string> units(std::begin(kAlignUnits), std::end(kAlignUnits));
  functions::AddFunction(
      r, "smartSummarize", "Transform",
      "Summarizes into interval buckets from the series start (or `alignTo` a calendar unit).",
      {sl, Param("intervalString", ParamType::kInterval, true),
       Param("func", ParamType::kAggFunc, false, false, "\"sum\"", AggFuncOptions()),
       Param("alignTo", ParamType::kString, false, false, std::nullopt, units)},
      SmartSummarize);
  functions::AddFunction(r, "stdev", "Calculate", "Standard deviation of the last `points` points.",
                         {sl, Param("points", ParamType::kInteger, true),
                          Param("windowTolerance", ParamType::kFloat, false, false, "0.1")},
                         Stdev);
  const ParamSpec window = Param("windowSize", ParamType::kIntOrInterval, true);
  const ParamSpec xff = Param("xFilesFactor", ParamType::kFloat);
  for (const char* func : {"average", "sum", "min", "max", "median"}) {
    std::string name = "moving" + Capitalize(func);
    functions::AddFunction(r, name, "Calculate",
                           fmt::format("Moving {} over a number of points or an interval.", func),
                           {sl, window, xff},
                           [f = std::string(func)](Call& c) { return Moving(c, f); });
  }
  functions::AddFunction(
      r, "movingWindow", "Calculate",
      "Moving aggregate (`func`) over a number of points or an interval.",
      {sl, window,
       Param("func", ParamType::kAggFunc, false, false, "\"average\"", AggFuncOptions()), xff},
      [](Call& c) { return Moving(c, std::nullopt); });
  functions::AddFunction(r, "exponentialMovingAverage", "Calculate",
                         "Exponential moving average with constant 2 / (windowSize + 1).",
                         {sl, window}, ExponentialMovingAverage);
}

}  // namespace meridian::query
