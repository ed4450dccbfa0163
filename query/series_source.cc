#include "query/series_source.h"

#include <algorithm>

#include "query/partials.h"

namespace meridian::query {

core::Result<PartialAnswer> SeriesSource::FetchPartials(const PartialRequest& request, int64_t from,
                                                        int64_t until, const ReadOptions& options) {
  (void)request, (void)from, (void)until, (void)options;
  PartialAnswer none;
  none.fallback = "unsupported";
  return none;
}

core::Result<std::vector<storage::SeriesData>> SeriesSource::FetchMatching(
    const FetchSpec& spec, int64_t from, int64_t until, const ReadOptions& options) {
  auto names = spec.kind == FetchSpec::Kind::kPattern ? Expand(spec.pattern, options)
                                                      : FindTagged(spec.tag_expressions, options);
  if (!names.ok()) return names.status();
  std::sort(names->begin(), names->end());
  names->erase(std::unique(names->begin(), names->end()), names->end());
  if (options.max_series != 0 && names->size() > options.max_series) {
    return SeriesBudgetExceeded(options.max_series);
  }
  std::vector<storage::SeriesData> out;
  out.reserve(names->size());
  size_t points = 0;
  for (const std::string& name : *names) {
    RETURN_IF_ERROR(options.deadline.Check("fetch"));
    auto data = Fetch(name, from, until, options);
    if (!data.ok()) {
      if (data.status().code() == core::StatusCode::kNotFound) continue;  // deleted meanwhile
      return data.status();
    }
    if (data->step == 0) continue;  // whisper returned nothing for this window
    points += data->values.size();
    if (options.max_points != 0 && points > options.max_points) {
      return PointsBudgetExceeded(options.max_points);
    }
    out.push_back(std::move(data).value());
  }
  return out;
}

core::Result<storage::SeriesData> LocalSource::Fetch(std::string_view name, int64_t from,
                                                     int64_t until, const ReadOptions& options) {
  ASSIGN_OR_RETURN(storage::SeriesData data, store_.Fetch(name, from, until, options.deadline));
  if (data.damaged.empty()) return data;
  const std::string what = "damaged data in " + data.name + ": " + data.damaged.front();
  if (options.scope.report) options.scope.report->AddMissing("storage", what);
  if (options.scope.partial == PartialPolicy::kRefuse) {
    return core::Unavailable("partial answer refused: " + what);
  }
  return data;
}

}  // namespace meridian::query
