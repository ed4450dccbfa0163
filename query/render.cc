#include "query/render.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/tagged_name.h"
#include "query/internal/json_text.h"
#include "query/internal/py_format.h"

namespace meridian::query {
namespace {

using internal::AppendJsonString;

// graphite-web's series tags: {"name": name} for plain paths; parsed tags for `name;k=v`.
void AppendTags(std::string_view name, std::string* out) {
  out->append(", \"tags\": {\"name\": ");
  auto parsed = name.find(';') == std::string_view::npos ? core::Result<core::ParsedTags>(
                                                              core::InvalidArgument("untagged"))
                                                        : core::ParseTaggedName(name);
  if (!parsed.ok()) {
    AppendJsonString(name, out);
    out->push_back('}');
    return;
  }
  AppendJsonString(parsed->name, out);
  for (const auto& [k, v] : parsed->tags) {
    if (k == "name") continue;
    out->append(", ");
    AppendJsonString(k, out);
    out->append(": ");
    AppendJsonString(v, out);
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
      out.push_back(Series{std::move(data->name), target, data->start, data->end, data->step,
                           std::move(data->values)});
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
    AppendTags(s.name, &out);
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
