#include "query/formats.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <memory>

#include "query/internal/output_budget.h"
#include "query/internal/pickle_writer.h"
#include "query/internal/py_format.h"
#include "query/internal/py_json.h"
#include "query/internal/timezone.h"

namespace meridian::query {
namespace {

using internal::AppendInt;
using internal::OutputBudget;
using internal::PyJson;

// Python's repr(float) / str(float) for csv, raw and dygraph.
void AppendPyRepr(double v, std::string* out) {
  if (std::isinf(v)) {
    out->append(v > 0 ? "inf" : "-inf");
  } else {
    internal::AppendPythonFloat(v, out);
  }
}

// len(range(start, stop, step)) for step > 0.
size_t RangeLen(int64_t start, int64_t stop, int64_t step) {
  if (step <= 0 || stop <= start) return 0;
  return static_cast<size_t>((stop - start + step - 1) / step);
}

// graphite-web's tag order for a fetched series: TaggedSeries.parse inserts the tags in the
// canonical name's order (sorted by "tag=" bytes) and `name` last.
std::vector<const std::pair<const std::string, std::string>*> TagOrder(const Series& s) {
  std::vector<const std::pair<const std::string, std::string>*> order;
  for (const auto& kv : s.tags) {
    if (kv.first != "name") order.push_back(&kv);
  }
  std::sort(order.begin(), order.end(),
            [](const auto* a, const auto* b) { return a->first + "=" < b->first + "="; });
  if (auto it = s.tags.find("name"); it != s.tags.end()) order.push_back(&*it);
  return order;
}

core::Result<std::string> RenderJson(const SeriesList& series, const FormatOptions& options) {
  OutputBudget budget(options.limits, "json");
  std::string out;
  size_t points = 0;
  for (const Series& s : series) points += s.values.size();
  // "[0.123456789, 1700000000], " ≈ 24 bytes
  out.reserve(budget.Reservation(points * 24 + series.size() * 96));
  PyJson json(&out, options.pretty);
  json.Begin('[');
  const bool any_values =
      std::any_of(series.begin(), series.end(), [](const Series& s) { return !s.values.empty(); });
  for (const Series& s : series) {
    if (!any_values) break;  // graphite-web: `if any(data)`
    // datapoints() zips values with range(start, end + 1, step).
    const size_t n = std::min(s.values.size(), RangeLen(s.start, s.end + 1, s.step));
    size_t non_null = 0;
    for (size_t i = 0; i < n; ++i) non_null += std::isnan(s.values[i]) ? 0 : 1;
    if (options.no_null_points && non_null == 0) continue;
    json.Begin('{');
    json.Key("target");
    json.Str(s.name);
    RETURN_IF_ERROR(budget.Check(out.size()));
    json.Key("tags");
    json.Begin('{');
    for (const auto* kv : TagOrder(s)) {
      json.Key(kv->first);
      json.Str(kv->second);
    }
    json.End('}');
    json.Key("datapoints");
    json.Begin('[');
    for (size_t i = 0; i < n; ++i) {
      if (options.no_null_points && std::isnan(s.values[i])) continue;
      json.Begin('[');
      json.Float(s.values[i]);
      json.Int(s.TimeAt(i));
      json.End(']');
      RETURN_IF_ERROR(budget.Check(out.size()));
    }
    json.End(']');
    json.End('}');
  }
  json.End(']');
  return out;
}

core::Result<std::string> RenderRickshaw(const SeriesList& series, bool pretty,
                                         const OutputLimits& limits) {
  OutputBudget budget(limits, "rickshaw");
  std::string out;
  PyJson json(&out, pretty);
  json.Begin('[');
  for (const Series& s : series) {
    json.Begin('{');
    json.Key("target");
    json.Str(s.name);
    json.Key("datapoints");
    json.Begin('[');
    const size_t n = std::min(s.values.size(), RangeLen(s.start, s.end, s.step));
    for (size_t i = 0; i < n; ++i) {
      json.Begin('{');
      json.Key("x");
      json.Int(s.TimeAt(i));
      json.Key("y");
      json.Float(s.values[i]);
      json.End('}');
      RETURN_IF_ERROR(budget.Check(out.size()));
    }
    json.End(']');
    json.End('}');
  }
  json.End(']');
  return out;
}

// Rows follow the first series' range; graphite-web raises when another series is longer or
// shorter, here missing values are null and extra ones dropped.
core::Result<std::string> RenderDygraph(const SeriesList& series, const OutputLimits& limits) {
  if (series.empty()) return std::string("{}");
  OutputBudget budget(limits, "dygraph");
  std::string out = "{\"labels\" : ";
  PyJson labels(&out, false);
  labels.Begin('[');
  labels.Str("Time");
  for (const Series& s : series) {
    labels.Str(s.name);
    RETURN_IF_ERROR(budget.Check(out.size()));
  }
  labels.End(']');
  out.append(", \"data\" : [");
  const Series& first = series.front();
  const size_t rows = RangeLen(first.start, first.end, first.step);
  for (size_t i = 0; i < rows; ++i) {
    if (i) out.append(", ");
    out.push_back('[');
    AppendInt(first.TimeAt(i), &out);
    out.append("000");
    for (const Series& s : series) {
      out.append(", ");
      const double v = i < s.values.size() ? s.values[i] : NAN;
      if (std::isnan(v)) {
        out.append("null");
      } else if (std::isinf(v)) {
        out.append(v > 0 ? "Infinity" : "-Infinity");
      } else {
        internal::AppendPythonFloat(v, &out);
      }
    }
    out.push_back(']');
    RETURN_IF_ERROR(budget.Check(out.size(), series.size()));
  }
  out.append("]}");
  return out;
}

core::Result<std::string> RenderRaw(const SeriesList& series, const OutputLimits& limits) {
  OutputBudget budget(limits, "raw");
  std::string out;
  for (const Series& s : series) {
    fmt::format_to(std::back_inserter(out), "{},{},{},{}|", s.name, s.start, s.end, s.step);
    RETURN_IF_ERROR(budget.Check(out.size()));
    for (size_t i = 0; i < s.values.size(); ++i) {
      if (i) out.push_back(',');
      if (std::isnan(s.values[i])) {
        out.append("None");
      } else {
        AppendPyRepr(s.values[i], &out);
      }
      RETURN_IF_ERROR(budget.Check(out.size()));
    }
    out.push_back('\n');
  }
  return out;
}

void AppendTwoDigits(int v, std::string* out) {
  out->push_back(static_cast<char>('0' + v / 10));
  out->push_back(static_cast<char>('0' + v % 10));
}

// "YYYY-MM-DD HH:MM:SS" of `utc` in `zone`, as datetime.fromtimestamp(t, tz).strftime(...).
// Written by hand: fmt's back_inserter path dominated csv time.
void AppendDateTime(int64_t utc, const internal::TimeZone& zone, std::string* out) {
  const internal::CivilTime t = internal::CivilFromSeconds(utc + zone.TypeAt(utc).utc_offset);
  if (t.year >= 1000 && t.year <= 9999) {
    AppendTwoDigits(static_cast<int>(t.year / 100), out);
    AppendTwoDigits(static_cast<int>(t.year % 100), out);
  } else {
    fmt::format_to(std::back_inserter(*out), "{:04}", t.year);
  }
  out->push_back('-');
  AppendTwoDigits(t.month, out);
  out->push_back('-');
  AppendTwoDigits(t.day, out);
  out->push_back(' ');
  AppendTwoDigits(t.second_of_day / 3600, out);
  out->push_back(':');
  AppendTwoDigits(t.second_of_day / 60 % 60, out);
  out->push_back(':');
  AppendTwoDigits(t.second_of_day % 60, out);
}

// Python's csv excel dialect quotes a field holding the delimiter, a quote or a line break.
void AppendCsvField(std::string_view s, std::string* out) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out->append(s);
    return;
  }
  out->push_back('"');
  for (char c : s) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

// graphite-web renders in TIME_ZONE when `tz` is absent or unknown to pytz.
// Every row repeats the series name: a long name over a long window is the biggest body of all,
// hence the budget check per row.
core::Result<std::string> RenderCsv(const SeriesList& series, const std::string& tz,
                                    const OutputLimits& limits) {
  OutputBudget budget(limits, "csv");
  auto loaded =
      tz.empty()
          ? core::Result<std::shared_ptr<const internal::TimeZone>>(internal::DefaultTimeZone())
          : internal::LoadTimeZone(tz);
  const auto zone = loaded.ok() ? *loaded : internal::DefaultTimeZone();
  std::string out;
  for (const Series& s : series) {
    for (size_t i = 0; i < s.values.size(); ++i) {
      AppendCsvField(s.name, &out);
      out.push_back(',');
      AppendDateTime(s.TimeAt(i), *zone, &out);
      out.push_back(',');
      if (!std::isnan(s.values[i])) AppendPyRepr(s.values[i], &out);
      out.append("\r\n");
      RETURN_IF_ERROR(budget.Check(out.size()));
    }
  }
  return out;
}

}  // namespace

core::Status ResponseTooLarge(size_t max_bytes) {
  return core::ResourceExhausted(
      fmt::format("the answer is larger than {} bytes ({})", max_bytes, kMaxResponseBytesKnob));
}

bool IsResponseTooLarge(const core::Status& status) {
  return status.code() == core::StatusCode::kResourceExhausted &&
         status.message().find(kMaxResponseBytesKnob) != std::string::npos;
}

namespace {

core::Result<FormattedBody> FormatRenderUnchecked(SeriesList series, const FormatOptions& options) {
  const std::string& f = options.format;
  const OutputLimits& limits = options.limits;
  if (f == "json") {
    if (options.max_data_points) {
      RETURN_IF_ERROR(ConsolidateToMaxDataPoints(series, *options.max_data_points));
    }
    ASSIGN_OR_RETURN(std::string body, RenderJson(series, options));
    return internal::WrapJsonp(std::move(body), options.jsonp, "application/json");
  }
  if (f == "rickshaw") {
    ASSIGN_OR_RETURN(std::string body, RenderRickshaw(series, options.pretty, limits));
    return internal::WrapJsonp(std::move(body), options.jsonp, "application/json");
  }
  if (f == "dygraph") {
    ASSIGN_OR_RETURN(std::string body, RenderDygraph(series, limits));
    return internal::WrapJsonp(std::move(body), options.jsonp, "application/json");
  }
  if (f == "csv") {
    ASSIGN_OR_RETURN(std::string body, RenderCsv(series, options.tz, limits));
    return FormattedBody{std::move(body), "text/csv"};
  }
  if (f == "raw") {
    ASSIGN_OR_RETURN(std::string body, RenderRaw(series, limits));
    return FormattedBody{std::move(body), "text/plain"};
  }
  if (f == "pickle" || f == "msgpack") {
    const bool pickle = f == "pickle";
    ASSIGN_OR_RETURN(
        std::string body,
        internal::EncodeSeriesInfo(
            series, pickle ? internal::PeerEncoding::kPickle : internal::PeerEncoding::kMsgpack,
            limits));
    return FormattedBody{std::move(body), pickle ? "application/pickle" : "application/x-msgpack"};
  }
  return core::InvalidArgument(fmt::format("render format '{}' is not supported", f));
}

}  // namespace

core::Result<FormattedBody> FormatRender(SeriesList series, const FormatOptions& options) {
  ASSIGN_OR_RETURN(FormattedBody out, FormatRenderUnchecked(std::move(series), options));
  // The jsonp wrapper adds its callback's bytes after the checked body.
  if (options.limits.max_bytes != 0 && out.body.size() > options.limits.max_bytes) {
    return ResponseTooLarge(options.limits.max_bytes);
  }
  return out;
}

}  // namespace meridian::query
