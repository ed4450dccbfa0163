#include "query/formats.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include <memory>
#include <set>

#include "query/internal/pickle_writer.h"
#include "query/internal/py_format.h"
#include "query/internal/timezone.h"

namespace meridian::query {
namespace {

void AppendInt(int64_t v, std::string* out) {
  char buf[24];
  out->append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

// One UTF-8 sequence at s[i]: its code point and length, or -1 for an invalid byte.
int32_t DecodeUtf8(std::string_view s, size_t i, size_t* len) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  int n = b0 >= 0xf0 ? 4 : b0 >= 0xe0 ? 3 : 2;
  int32_t cp = b0 & (0x7f >> n);
  if (b0 < 0xc2 || b0 > 0xf4 || i + n > s.size()) return -1;
  for (int k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xc0) != 0x80) return -1;
    cp = (cp << 6) | (b & 0x3f);
  }
  const int32_t min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) return -1;
  *len = static_cast<size_t>(n);
  return cp;
}

void AppendU(int32_t unit, std::string* out) {
  fmt::format_to(std::back_inserter(*out), "\\u{:04x}", unit);
}

// A JSON string as Python's json.dumps writes it. ensure_ascii escapes everything outside
// ' '..'~' (astral code points as surrogate pairs); an invalid UTF-8 byte b becomes \udcXX, the
// str Python's surrogateescape gives a file name holding it.
void AppendPyString(std::string_view s, bool ensure_ascii, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out->append("\\\"");
          break;
        case '\\':
          out->append("\\\\");
          break;
        case '\n':
          out->append("\\n");
          break;
        case '\r':
          out->append("\\r");
          break;
        case '\t':
          out->append("\\t");
          break;
        case '\b':
          out->append("\\b");
          break;
        case '\f':
          out->append("\\f");
          break;
        default:
          if (c < 0x20 || (c == 0x7f && ensure_ascii)) {
            AppendU(c, out);
          } else {
            out->push_back(static_cast<char>(c));
          }
      }
      ++i;
      continue;
    }
    size_t len = 1;
    const int32_t cp = DecodeUtf8(s, i, &len);
    if (cp < 0) {
      AppendU(0xdc00 | c, out);
    } else if (!ensure_ascii) {
      out->append(s.substr(i, len));
    } else if (cp >= 0x10000) {
      AppendU(0xd800 | ((cp - 0x10000) >> 10), out);
      AppendU(0xdc00 | ((cp - 0x10000) & 0x3ff), out);
    } else {
      AppendU(cp, out);
    }
    i += len;
  }
  out->push_back('"');
}

// Streams JSON shaped like Python's json.dumps: ", " and ": " separators, or with pretty
// (indent=2) "," + newline + indentation, empty containers staying "[]" / "{}".
class PyJson {
 public:
  PyJson(std::string* out, bool pretty, bool ensure_ascii = true)
      : out_(out), pretty_(pretty), ensure_ascii_(ensure_ascii) {}

  void Begin(char open) {
    Prefix();
    out_->push_back(open);
    counts_.push_back(0);
  }
  void End(char close) {
    const size_t n = counts_.back();
    counts_.pop_back();
    if (n > 0 && pretty_) Newline();
    out_->push_back(close);
  }
  void Key(std::string_view k) {
    Prefix();
    AppendPyString(k, ensure_ascii_, out_);
    out_->append(": ");
    after_key_ = true;
  }
  void Str(std::string_view s) {
    Prefix();
    AppendPyString(s, ensure_ascii_, out_);
  }
  void Int(int64_t v) {
    Prefix();
    AppendInt(v, out_);
  }
  // NaN (None) and ±inf are null: see formats.h.
  void Float(double v) {
    Prefix();
    if (std::isfinite(v)) {
      internal::AppendPythonFloat(v, out_);
    } else {
      out_->append("null");
    }
  }
  void Bool(bool v) {
    Prefix();
    out_->append(v ? "true" : "false");
  }

 private:
  void Newline() {
    out_->push_back('\n');
    out_->append(2 * counts_.size(), ' ');
  }
  void Prefix() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (counts_.empty()) return;
    if (counts_.back()++ > 0) out_->append(pretty_ ? "," : ", ");
    if (pretty_) Newline();
  }

  std::string* out_;
  bool pretty_;
  bool ensure_ascii_;
  bool after_key_ = false;
  std::vector<size_t> counts_;
};

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

FormattedBody Wrap(std::string body, const std::string& jsonp, std::string content_type) {
  if (jsonp.empty()) return {std::move(body), std::move(content_type)};
  return {fmt::format("{}({})", jsonp, body), "text/javascript"};
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

std::string RenderJson(const SeriesList& series, const FormatOptions& options) {
  std::string out;
  size_t points = 0;
  for (const Series& s : series) points += s.values.size();
  out.reserve(points * 24 + series.size() * 96);  // "[0.123456789, 1700000000], " ≈ 24 bytes
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
    }
    json.End(']');
    json.End('}');
  }
  json.End(']');
  return out;
}

std::string RenderRickshaw(const SeriesList& series, bool pretty) {
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
    }
    json.End(']');
    json.End('}');
  }
  json.End(']');
  return out;
}

// Rows follow the first series' range; graphite-web raises when another series is longer or
// shorter, here missing values are null and extra ones dropped.
std::string RenderDygraph(const SeriesList& series) {
  if (series.empty()) return "{}";
  std::string out = "{\"labels\" : ";
  PyJson labels(&out, false);
  labels.Begin('[');
  labels.Str("Time");
  for (const Series& s : series) labels.Str(s.name);
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
  }
  out.append("]}");
  return out;
}

std::string RenderRaw(const SeriesList& series) {
  std::string out;
  for (const Series& s : series) {
    fmt::format_to(std::back_inserter(out), "{},{},{},{}|", s.name, s.start, s.end, s.step);
    for (size_t i = 0; i < s.values.size(); ++i) {
      if (i) out.push_back(',');
      if (std::isnan(s.values[i])) {
        out.append("None");
      } else {
        AppendPyRepr(s.values[i], &out);
      }
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
std::string RenderCsv(const SeriesList& series, const std::string& tz) {
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
    }
  }
  return out;
}

}  // namespace

core::Result<FormattedBody> FormatRender(SeriesList series, const FormatOptions& options) {
  const std::string& f = options.format;
  if (f == "json") {
    if (options.max_data_points) {
      RETURN_IF_ERROR(ConsolidateToMaxDataPoints(series, *options.max_data_points));
    }
    return Wrap(RenderJson(series, options), options.jsonp, "application/json");
  }
  if (f == "rickshaw") {
    return Wrap(RenderRickshaw(series, options.pretty), options.jsonp, "application/json");
  }
  if (f == "dygraph") return Wrap(RenderDygraph(series), options.jsonp, "application/json");
  if (f == "csv") return FormattedBody{RenderCsv(series, options.tz), "text/csv"};
  if (f == "raw") return FormattedBody{RenderRaw(series), "text/plain"};
  if (f == "pickle") {
    return FormattedBody{internal::EncodeSeriesInfo(series, internal::PeerEncoding::kPickle),
                         "application/pickle"};
  }
  if (f == "msgpack") {
    return FormattedBody{internal::EncodeSeriesInfo(series, internal::PeerEncoding::kMsgpack),
                         "application/x-msgpack"};
  }
  return core::InvalidArgument(fmt::format("render format '{}' is not supported", f));
}

namespace {

// STORE.find yields a path that is both a branch and a leaf twice: the branch, then the leaf.
std::vector<internal::PeerFindNode> FindNodes(const std::vector<storage::FindMatch>& matches,
                                              const FindFormatOptions& options) {
  std::vector<internal::PeerFindNode> nodes;
  nodes.reserve(matches.size());
  for (const storage::FindMatch& m : matches) {
    if (m.has_children || !m.is_leaf) nodes.push_back({m.path, false, {}});
    if (!m.is_leaf) continue;
    nodes.push_back({m.path, true, {}});
    if (options.leaf_intervals) nodes.back().intervals = options.leaf_intervals(m.path);
  }
  std::stable_sort(nodes.begin(), nodes.end(),
                   [](const auto& a, const auto& b) { return a.path < b.path; });
  return nodes;
}

std::string FindJson(const std::vector<internal::PeerFindNode>& nodes,
                     const FindFormatOptions& options) {
  std::string out;
  PyJson json(&out, options.pretty, options.ensure_ascii);
  json.Begin('[');
  for (const auto& node : nodes) {
    json.Begin('{');
    json.Key("path");
    json.Str(node.path);
    json.Key("is_leaf");
    json.Bool(node.is_leaf);
    if (node.is_leaf) {
      json.Key("intervals");
      json.Begin('[');
      for (const FindInterval& interval : node.intervals) {
        json.Begin('{');
        json.Key("start");
        json.Float(interval.start);
        json.Key("end");
        json.Float(interval.end);
        json.End('}');
      }
      json.End(']');
    }
    json.End('}');
  }
  json.End(']');
  return out;
}

// nodes_by_position(): the set of path components at `position` (Python indexing), sorted.
core::Result<std::string> NodeList(const std::vector<storage::FindMatch>& matches,
                                   const FindFormatOptions& options) {
  std::set<std::string_view> found;
  for (const storage::FindMatch& m : matches) {
    std::vector<std::string_view> parts;
    std::string_view path = m.path;
    for (size_t dot; (dot = path.find('.')) != std::string_view::npos;) {
      parts.push_back(path.substr(0, dot));
      path.remove_prefix(dot + 1);
    }
    parts.push_back(path);
    const int64_t size = static_cast<int64_t>(parts.size());
    const int64_t index =
        options.node_position < 0 ? size + options.node_position : options.node_position;
    if (index < 0 || index >= size) {
      return core::InvalidArgument(
          fmt::format("position {} is outside '{}'", options.node_position, m.path));
    }
    found.insert(parts[static_cast<size_t>(index)]);
  }
  std::string out;
  PyJson json(&out, options.pretty, options.ensure_ascii);
  json.Begin('{');
  json.Key("nodes");
  json.Begin('[');
  for (std::string_view node : found) json.Str(node);
  json.End(']');
  json.End('}');
  return out;
}

}  // namespace

core::Result<FormattedBody> FormatFindExtra(std::string_view /*query*/,
                                            const std::vector<storage::FindMatch>& matches,
                                            const FindFormatOptions& options) {
  const std::string& f = options.format;
  // json_response_for(): UTF-8 output says so in its content type.
  const std::string charset = options.ensure_ascii ? "" : ";charset=utf-8";
  if (f == "pickle" || f == "msgpack") {
    const bool pickle = f == "pickle";
    return FormattedBody{internal::EncodeFindNodes(FindNodes(matches, options),
                                                   pickle ? internal::PeerEncoding::kPickle
                                                          : internal::PeerEncoding::kMsgpack),
                         pickle ? "application/pickle" : "application/x-msgpack"};
  }
  std::string body;
  if (f == "json") {
    body = FindJson(FindNodes(matches, options), options);
  } else if (f == "nodelist") {
    ASSIGN_OR_RETURN(body, NodeList(matches, options));
  } else {
    return core::InvalidArgument(fmt::format("find format '{}' is not supported", f));
  }
  FormattedBody out = Wrap(std::move(body), options.jsonp, "application/json");
  out.content_type += charset;
  return out;
}

}  // namespace meridian::query
