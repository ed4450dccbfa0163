// Holt-Winters forecasting (graphite-web render/functions.py holtWinters*): triple exponential
// smoothing with graphite-web's constants (alpha = gamma = 0.1, beta = 0.0035) and a season of
// `seasonality` (1d). Each function re-evaluates its argument over the window extended
// `bootstrapInterval` (7d) back, so the model is trained before the requested window starts.
//
// Tags: graphite-web's analysis adds holtWintersForecast and holtWintersDeviation to the input
// series' tags object, which the results share; the bands add both ConfidenceUpper and
// ConfidenceLower to that one object. The results carry all of these, as graphite-web's do.
#include <fmt/format.h>

#include <cmath>

#include "query/evaluator.h"
#include "query/function_registry.h"
#include "query/functions/common.h"

namespace meridian::query {
namespace {

using core::Result;
using functions::IsNull;
using functions::kNull;

struct Analysis {
  std::vector<double> predictions;
  std::vector<double> deviations;
};

// graphite-web's holtWintersAnalysis over values with `season_length` points per season.
// REQUIRES: season_length >= 2 (graphite-web indexes past its lists otherwise).
Analysis HoltWintersAnalysis(const std::vector<double>& values, size_t season_length) {
  constexpr double kAlpha = 0.1, kGamma = 0.1, kBeta = 0.0035;
  std::vector<double> intercepts, slopes, seasonals;
  Analysis a;
  auto last_of = [&](const std::vector<double>& list, size_t i) {
    return i >= season_length ? list[i - season_length] : 0.0;
  };
  double next_pred = kNull;
  for (size_t i = 0; i < values.size(); ++i) {
    double actual = values[i];
    if (IsNull(actual)) {  // missing input values break all the math: move on
      intercepts.push_back(kNull);
      slopes.push_back(0);
      seasonals.push_back(0);
      a.predictions.push_back(next_pred);
      a.deviations.push_back(0);
      next_pred = kNull;
      continue;
    }
    double last_intercept = actual, last_slope = 0, prediction = actual;
    if (i > 0) {
      last_intercept = IsNull(intercepts.back()) ? actual : intercepts.back();
      last_slope = slopes.back();
      prediction = next_pred;
    }
    double last_seasonal = last_of(seasonals, i);
    double next_last_seasonal = last_of(seasonals, i + 1);
    double last_seasonal_dev = last_of(a.deviations, i);
    double intercept =
        kAlpha * (actual - last_seasonal) + (1 - kAlpha) * (last_intercept + last_slope);
    double slope = kBeta * (intercept - last_intercept) + (1 - kBeta) * last_slope;
    double seasonal = kGamma * (actual - intercept) + (1 - kGamma) * last_seasonal;
    next_pred = intercept + slope + next_last_seasonal;
    double deviation = kGamma * std::fabs(actual - (IsNull(prediction) ? 0 : prediction)) +
                       (1 - kGamma) * last_seasonal_dev;
    intercepts.push_back(intercept);
    slopes.push_back(slope);
    seasonals.push_back(seasonal);
    a.predictions.push_back(prediction);
    a.deviations.push_back(deviation);
  }
  return a;
}

struct Bootstrap {
  int64_t preview = 0;  // seconds fetched before the window
  int64_t season = 0;   // seconds per season
  SeriesList series;    // the argument over the extended window
};

Result<Bootstrap> FetchBootstrap(Call& call) {
  ASSIGN_OR_RETURN(std::string bootstrap, call.String("bootstrapInterval", "7d"));
  ASSIGN_OR_RETURN(std::string seasonality, call.String("seasonality", "1d"));
  Bootstrap b;
  ASSIGN_OR_RETURN(b.preview, functions::IntervalArg(call, bootstrap));
  ASSIGN_OR_RETURN(b.season, functions::IntervalArg(call, seasonality));
  if (b.preview < 0) return call.Error("bootstrapInterval must not be negative");
  EvalWindow w = call.window();
  w.from -= b.preview;
  ASSIGN_OR_RETURN(b.series, call.evaluator().Evaluate(*call.Raw("seriesList")[0], w));
  for (const Series& s : b.series) {
    if (s.step > 0 && b.season / s.step < 2) {
      return call.Error(
          fmt::format("seasonality {} is shorter than two steps of {}", seasonality, s.name));
    }
  }
  return b;
}

std::vector<double> Tail(const std::vector<double>& values, size_t from) {
  if (from >= values.size()) return {};
  return std::vector<double>(values.begin() + static_cast<ptrdiff_t>(from), values.end());
}

// A result series over the requested part of `source`: graphite-web's TimeSeries(name, start +
// preview, end, step, values, tags=..., xFilesFactor=...).
Series MakeResult(const Series& source, std::string name, int64_t preview,
                  std::vector<double> values, std::map<std::string, std::string> tags) {
  Series s;
  s.name = name;
  s.path_expression = std::move(name);
  s.tags = std::move(tags);
  s.start = source.start + preview;
  s.end = source.end;
  s.step = source.step;
  s.values = std::move(values);
  s.x_files_factor = source.x_files_factor;
  return s;
}

core::Result<SeriesList> Forecast(Call& call) {
  ASSIGN_OR_RETURN(Bootstrap b, FetchBootstrap(call));
  SeriesList out;
  for (const Series& s : b.series) {
    if (s.step <= 0) continue;
    RETURN_IF_ERROR(call.evaluator().CheckDeadline(call.name()));
    Analysis a = HoltWintersAnalysis(s.values, static_cast<size_t>(b.season / s.step));
    auto tags = s.tags;
    tags["holtWintersForecast"] = tags["holtWintersDeviation"] = "1";
    out.push_back(MakeResult(s, fmt::format("holtWintersForecast({})", s.name), b.preview,
                             Tail(a.predictions, static_cast<size_t>(b.preview / s.step)), tags));
  }
  return out;
}

// Lower and upper band per series (in that order): forecast ∓ delta × deviation.
core::Result<SeriesList> Bands(Call& call) {
  ASSIGN_OR_RETURN(int64_t delta, call.Integer("delta", 3));
  ASSIGN_OR_RETURN(Bootstrap b, FetchBootstrap(call));
  SeriesList out;
  for (const Series& s : b.series) {
    if (s.step <= 0) continue;
    RETURN_IF_ERROR(call.evaluator().CheckDeadline(call.name()));
    Analysis a = HoltWintersAnalysis(s.values, static_cast<size_t>(b.season / s.step));
    size_t skip = static_cast<size_t>(b.preview / s.step);
    std::vector<double> forecast = Tail(a.predictions, skip);
    std::vector<double> deviation = Tail(a.deviations, skip);
    std::vector<double> upper(forecast.size(), kNull), lower(forecast.size(), kNull);
    for (size_t i = 0; i < forecast.size(); ++i) {
      if (IsNull(forecast[i]) || IsNull(deviation[i])) continue;
      double scaled = static_cast<double>(delta) * deviation[i];
      upper[i] = forecast[i] + scaled;
      lower[i] = forecast[i] - scaled;
    }
    auto tags = s.tags;
    for (const char* tag : {"holtWintersForecast", "holtWintersDeviation",
                            "holtWintersConfidenceUpper", "holtWintersConfidenceLower"}) {
      tags[tag] = "1";
    }
    for (auto [kind, values] : {std::pair{"Lower", &lower}, std::pair{"Upper", &upper}}) {
      Series band = MakeResult(s, fmt::format("holtWintersConfidence{}({})", kind, s.name),
                               b.preview, std::move(*values), tags);
      band.path_expression = s.path_expression;
      out.push_back(std::move(band));
    }
  }
  return out;
}

const Series* FindByName(const SeriesList& list, const std::string& name) {
  for (const Series& s : list) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

// How far each point lies outside the bands (0 inside, and for nulls). A band shorter than the
// series (bootstrap fetched at a coarser step) counts as null where graphite-web raises.
core::Result<SeriesList> Aberration(Call& call) {
  ASSIGN_OR_RETURN(SeriesList bands, Bands(call));
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  for (Series& s : list) {
    const Series* lower = FindByName(bands, fmt::format("holtWintersConfidenceLower({})", s.name));
    const Series* upper = FindByName(bands, fmt::format("holtWintersConfidenceUpper({})", s.name));
    if (lower == nullptr || upper == nullptr) {
      return call.Error(fmt::format("no confidence bands for {}", s.name));
    }
    auto at = [](const Series* band, size_t i) {
      return i < band->values.size() ? band->values[i] : kNull;
    };
    for (size_t i = 0; i < s.values.size(); ++i) {
      double v = s.values[i], hi = at(upper, i), lo = at(lower, i);
      if (IsNull(v)) {
        s.values[i] = 0;
      } else if (!IsNull(hi) && v > hi) {
        s.values[i] = v - hi;
      } else if (!IsNull(lo) && v < lo) {
        s.values[i] = v - lo;
      } else {
        s.values[i] = 0;
      }
    }
    s.tags["holtWintersAberration"] = "1";
    s.name = fmt::format("holtWintersAberration({})", s.name);
    s.path_expression = s.name;
    s.consolidation_func = "average";
  }
  return list;
}

// areaBetween(bands) renamed: exactly one input series (two bands) is required.
core::Result<SeriesList> ConfidenceArea(Call& call) {
  ASSIGN_OR_RETURN(SeriesList bands, Bands(call));
  if (bands.size() != 2) {
    return call.Error("areaBetween series argument must reference *exactly* 2 series");
  }
  std::string name = fmt::format("areaBetween({})", bands[1].path_expression);
  std::string renamed;
  for (size_t pos = 0; pos < name.size();) {
    if (name.compare(pos, 11, "areaBetween") == 0) {
      renamed += "holtWintersConfidenceArea";
      pos += 11;
    } else {
      renamed += name[pos++];
    }
  }
  for (Series& s : bands) {
    s.tags = bands[1].tags;
    s.tags["holtWintersConfidenceArea"] = "1";
    s.name = s.path_expression = renamed;
  }
  return bands;
}

}  // namespace

void RegisterHoltWintersFunctions(FunctionRegistry& r) {
  using functions::MakeParam;
  const ParamSpec sl = MakeParam("seriesList", ParamType::kSeriesList, true);
  const ParamSpec delta = MakeParam("delta", ParamType::kInteger, false, false, "3");
  const ParamSpec bootstrap =
      MakeParam("bootstrapInterval", ParamType::kInterval, false, false, "\"7d\"");
  const ParamSpec seasonality =
      MakeParam("seasonality", ParamType::kInterval, false, false, "\"1d\"");
  functions::AddFunction(r, "holtWintersForecast", "Calculate",
                         "Holt-Winters forecast, trained on bootstrapInterval of earlier data.",
                         {sl, bootstrap, seasonality}, Forecast);
  functions::AddFunction(r, "holtWintersConfidenceBands", "Calculate",
                         "Holt-Winters forecast ± delta predicted deviations (lower, upper).",
                         {sl, delta, bootstrap, seasonality}, Bands);
  functions::AddFunction(r, "holtWintersAberration", "Calculate",
                         "How far the series lies outside its Holt-Winters confidence bands.",
                         {sl, delta, bootstrap, seasonality}, Aberration);
  functions::AddFunction(r, "holtWintersConfidenceArea", "Calculate",
                         "The area between the Holt-Winters confidence bands.",
                         {sl, delta, bootstrap, seasonality}, ConfidenceArea);
}

}  // namespace meridian::query
