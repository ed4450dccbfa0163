#include "query/formats.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <memory>

#include "query/internal/body_chunks.h"
#include "query/internal/pickle_writer.h"
#include "query/internal/py_format.h"
#include "query/internal/py_json.h"
#include "query/internal/render_stream.h"
#include "query/internal/timezone.h"

namespace meridian::query {
namespace {

using internal::AppendInt;
using internal::BodyChunks;
using internal::ChunkedOutput;
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

// graphite-web's jsonp wrapping (json, rickshaw, dygraph): "<jsonp>(" ... ")".
void JsonpOpen(const std::string& jsonp, std::string* out) {
  if (!jsonp.empty()) {
    out->append(jsonp);
    out->push_back('(');
  }
}
void JsonpClose(const std::string& jsonp, std::string* out) {
  if (!jsonp.empty()) out->push_back(')');
}

// Every writer below is a BodyChunks coroutine: parameters by value (its frame owns them),
// CO_CHECK_OUTPUT after every point or row, CO_FINISH_OUTPUT at the end.

BodyChunks RenderJson(SeriesList series, FormatOptions options) {
  ChunkedOutput out(options.limits, "json");
  JsonpOpen(options.jsonp, out.buffer());
  PyJson json(out.buffer(), options.pretty);
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
    CO_CHECK_OUTPUT(out);
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
      CO_CHECK_OUTPUT(out);
    }
    json.End(']');
    json.End('}');
  }
  json.End(']');
  JsonpClose(options.jsonp, out.buffer());
  CO_FINISH_OUTPUT(out);
}

BodyChunks RenderRickshaw(SeriesList series, FormatOptions options) {
  ChunkedOutput out(options.limits, "rickshaw");
  JsonpOpen(options.jsonp, out.buffer());
  PyJson json(out.buffer(), options.pretty);
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
      CO_CHECK_OUTPUT(out);
    }
    json.End(']');
    json.End('}');
  }
  json.End(']');
  JsonpClose(options.jsonp, out.buffer());
  CO_FINISH_OUTPUT(out);
}

// Rows follow the first series' range; graphite-web raises when another series is longer or
// shorter, here missing values are null and extra ones dropped.
BodyChunks RenderDygraph(SeriesList series, FormatOptions options) {
  ChunkedOutput out(options.limits, "dygraph");
  std::string* buf = out.buffer();
  JsonpOpen(options.jsonp, buf);
  if (series.empty()) {
    buf->append("{}");
    JsonpClose(options.jsonp, buf);
    CO_FINISH_OUTPUT(out);
  }
  buf->append("{\"labels\" : ");
  PyJson labels(buf, false);
  labels.Begin('[');
  labels.Str("Time");
  for (const Series& s : series) {
    labels.Str(s.name);
    CO_CHECK_OUTPUT(out);
  }
  labels.End(']');
  buf->append(", \"data\" : [");
  const Series& first = series.front();
  const size_t rows = RangeLen(first.start, first.end, first.step);
  for (size_t i = 0; i < rows; ++i) {
    if (i) buf->append(", ");
    buf->push_back('[');
    AppendInt(first.TimeAt(i), buf);
    buf->append("000");
    for (const Series& s : series) {
      buf->append(", ");
      const double v = i < s.values.size() ? s.values[i] : NAN;
      if (std::isnan(v)) {
        buf->append("null");
      } else if (std::isinf(v)) {
        buf->append(v > 0 ? "Infinity" : "-Infinity");
      } else {
        internal::AppendPythonFloat(v, buf);
      }
    }
    buf->push_back(']');
    CO_CHECK_OUTPUT(out, series.size());
  }
  buf->append("]}");
  JsonpClose(options.jsonp, buf);
  CO_FINISH_OUTPUT(out);
}

BodyChunks RenderRaw(SeriesList series, FormatOptions options) {
  ChunkedOutput out(options.limits, "raw");
  std::string* buf = out.buffer();
  for (const Series& s : series) {
    fmt::format_to(std::back_inserter(*buf), "{},{},{},{}|", s.name, s.start, s.end, s.step);
    CO_CHECK_OUTPUT(out);
    for (size_t i = 0; i < s.values.size(); ++i) {
      if (i) buf->push_back(',');
      if (std::isnan(s.values[i])) {
        buf->append("None");
      } else {
        AppendPyRepr(s.values[i], buf);
      }
      CO_CHECK_OUTPUT(out);
    }
    buf->push_back('\n');
  }
  CO_FINISH_OUTPUT(out);
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
BodyChunks RenderCsv(SeriesList series, FormatOptions options) {
  ChunkedOutput out(options.limits, "csv");
  std::string* buf = out.buffer();
  const std::string& tz = options.tz;
  auto loaded =
      tz.empty()
          ? core::Result<std::shared_ptr<const internal::TimeZone>>(internal::DefaultTimeZone())
          : internal::LoadTimeZone(tz);
  const auto zone = loaded.ok() ? *loaded : internal::DefaultTimeZone();
  for (const Series& s : series) {
    for (size_t i = 0; i < s.values.size(); ++i) {
      AppendCsvField(s.name, buf);
      buf->push_back(',');
      AppendDateTime(s.TimeAt(i), *zone, buf);
      buf->push_back(',');
      if (!std::isnan(s.values[i])) AppendPyRepr(s.values[i], buf);
      buf->append("\r\n");
      CO_CHECK_OUTPUT(out);
    }
  }
  CO_FINISH_OUTPUT(out);
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

namespace internal {

core::Result<RenderStream> StreamRender(SeriesList series, FormatOptions options) {
  const std::string f = options.format;
  const bool jsonp = !options.jsonp.empty();
  const std::string json_type = jsonp ? "text/javascript" : "application/json";
  if (f == "json") {
    if (options.max_data_points) {
      RETURN_IF_ERROR(ConsolidateToMaxDataPoints(series, *options.max_data_points));
    }
    return RenderStream{json_type, RenderJson(std::move(series), std::move(options))};
  }
  if (f == "rickshaw") {
    return RenderStream{json_type, RenderRickshaw(std::move(series), std::move(options))};
  }
  if (f == "dygraph") {
    return RenderStream{json_type, RenderDygraph(std::move(series), std::move(options))};
  }
  if (f == "csv") return RenderStream{"text/csv", RenderCsv(std::move(series), std::move(options))};
  if (f == "raw") {
    return RenderStream{"text/plain", RenderRaw(std::move(series), std::move(options))};
  }
  if (f == "pickle" || f == "msgpack") {
    const bool pickle = f == "pickle";
    return RenderStream{pickle ? "application/pickle" : "application/x-msgpack",
                        internal::EncodeSeriesInfo(std::move(series),
                                                   pickle ? internal::PeerEncoding::kPickle
                                                          : internal::PeerEncoding::kMsgpack,
                                                   options.limits)};
  }
  return core::InvalidArgument(fmt::format("render format '{}' is not supported", f));
}

}  // namespace internal

core::Result<FormattedBody> FormatRender(SeriesList series, const FormatOptions& options) {
  ASSIGN_OR_RETURN(internal::RenderStream stream,
                   internal::StreamRender(std::move(series), options));
  ASSIGN_OR_RETURN(std::string body, stream.chunks.Drain());
  return FormattedBody{std::move(body), std::move(stream.content_type)};
}

}  // namespace meridian::query
