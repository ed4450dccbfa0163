// Series: one rendered time series, as graphite-web's TimeSeries carries it through evaluation
// and into every output format.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace meridian::query {

struct Series {
  std::string name;                            // graphite-web's series.name ("target" in JSON)
  std::map<std::string, std::string> tags;     // always holds "name"
  std::string path_expression;                 // the expression that fetched it (pathExpression)
  int64_t start = 0;                           // first timestamp
  int64_t end = 0;                             // end of the range (exclusive, start + n*step)
  int64_t step = 0;                            // seconds per value
  std::vector<double> values;                  // NaN = null (None)
  std::string consolidation_func = "average";  // maxDataPoints consolidation (consolidateBy)
  double x_files_factor = 0;                   // xFilesFactor for consolidation/normalization
  int64_t values_per_point = 1;                // set by maxDataPoints consolidation

  // Timestamp of values[i].
  int64_t TimeAt(size_t i) const { return start + static_cast<int64_t>(i) * step; }
};

using SeriesList = std::vector<Series>;

// graphite-web's tags for a series name: {"name": name} for plain paths, the parsed tags (and
// "name") for `name;tag=value` (carbon's TaggedSeries).
std::map<std::string, std::string> TagsForName(const std::string& name);

}  // namespace meridian::query
