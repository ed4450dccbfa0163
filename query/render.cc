#include "query/render.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "query/internal/json_text.h"
#include "query/internal/py_format.h"

namespace meridian::query {
namespace {

using internal::AppendJsonString;

void AppendTags(const std::map<std::string, std::string>& tags, std::string* out) {
  // graphite-web writes "name" first (it is set first), then the other tags.
  out->append(", \"tags\": {");
  bool first = true;
  auto add = [&](const std::string& k, const std::string& v) {
    if (!first) out->append(", ");
    first = false;
    AppendJsonString(k, out);
    out->append(": ");
    AppendJsonString(v, out);
  };
  if (auto it = tags.find("name"); it != tags.end()) add(it->first, it->second);
  for (const auto& [k, v] : tags) {
    if (k != "name") add(k, v);
  }
  out->push_back('}');
}

}  // namespace

core::Result<std::vector<Series>> Render(SeriesSource& source, const RenderRequest& request,
                                         const RenderLimits& limits) {
  std::vector<Series> out;
  size_t points = 0;
  for (const std::string& target : request.targets) {
    if (target.empty()) continue;
    ASSIGN_OR_RETURN(std::vector<std::string> names, source.Expand(target));
    if (out.size() + names.size() > limits.max_series) {
      return core::ResourceExhausted(fmt::format(
          "target '{}' matches {} series; the limit per request is {}", target,
          out.size() + names.size(), limits.max_series));
    }
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      auto data = source.Fetch(name, request.from, request.until);
      if (!data.ok()) {
        if (data.status().code() == core::StatusCode::kNotFound) continue;
        return data.status();
      }
      if (data->step == 0) continue;  // whisper returned nothing for this window
      points += data->values.size();
      if (points > limits.max_points) {
        return core::ResourceExhausted(fmt::format(
            "request would return more than {} points", limits.max_points));
      }
      Series series;
      series.tags = TagsForName(data->name);
      series.name = std::move(data->name);
      series.path_expression = target;
      series.start = data->start;
      series.end = data->end;
      series.step = data->step;
      series.values = std::move(data->values);
      out.push_back(std::move(series));
    }
  }
  return out;
}

std::string FormatJson(const std::vector<Series>& series) {
  std::string out;
  out.reserve(64 * series.size() + 24 * (series.empty() ? 0 : series[0].values.size()) * series.size());
  out.push_back('[');
  for (size_t i = 0; i < series.size(); ++i) {
    const Series& s = series[i];
    if (i) out.append(", ");
    out.append("{\"target\": ");
    AppendJsonString(s.name, &out);
    AppendTags(s.tags, &out);
    out.append(", \"datapoints\": [");
    for (size_t j = 0; j < s.values.size(); ++j) {
      if (j) out.append(", ");
      out.push_back('[');
      double v = s.values[j];
      if (std::isnan(v) || std::isinf(v)) {
        out.append("null");
      } else {
        internal::AppendPythonFloat(v, &out);
      }
      out.append(fmt::format(", {}]", s.start + static_cast<int64_t>(j) * s.step));
    }
    out.append("]}");
  }
  out.push_back(']');
  return out;
}

}  // namespace meridian::query
