#include "query/internal/metadata_api.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <set>

#include "core/tagged_name.h"

namespace meridian::query::internal {
namespace {

using nlohmann::json;

std::vector<std::string> All(const Params& p, const std::string& key) {
  std::vector<std::string> out;
  auto [b, e] = p.equal_range(key);
  for (auto it = b; it != e; ++it) out.push_back(it->second);
  return out;
}

std::string Get(const Params& p, const std::string& key, const std::string& fallback = "") {
  auto it = p.find(key);
  return it == p.end() ? fallback : it->second;
}

bool Flag(const Params& p, const std::string& key) {
  std::string v = Get(p, key, "0");
  return v == "1" || v == "true" || v == "True";
}

// graphite-web's jsonResponse: pretty=1 indents and sorts keys; jsonp wraps.
ApiResponse Json(const json& value, const Params& p) {
  ApiResponse r;
  // Names are bytes: invalid UTF-8 is written as U+FFFD (what graphite-web's Django decoding
  // makes of it), never an exception.
  r.body = value.dump(Flag(p, "pretty") ? 2 : -1, ' ', false, json::error_handler_t::replace);
  std::string cb = Get(p, "jsonp");
  if (!cb.empty()) {
    r.body = cb + "(" + r.body + ")";
    r.content_type = "text/javascript";
  }
  return r;
}

ApiResponse Error(int status, const std::string& message) {
  return {status, json{{"error", message}}.dump(-1, ' ', false, json::error_handler_t::replace),
          "application/json"};
}

ApiResponse FromStatus(const core::Status& st) {
  return Error(st.code() == core::StatusCode::kInvalidArgument     ? 400
               : st.code() == core::StatusCode::kResourceExhausted ? 422
                                                                   : 500,
               st.message());
}

size_t Limit(const Params& p, size_t fallback) {
  std::string v = Get(p, "limit");
  size_t n = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  return ec == std::errc() && ptr == v.data() + v.size() && !v.empty() ? n : fallback;
}

// Python re.escape for a prefix used as an anchored regex filter.
std::string EscapeRegex(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::vector<std::string> Exprs(const Params& p) { return All(p, "expr"); }

// The tags of matching series, for the autocomplete endpoints.
core::Result<std::vector<core::ParsedTags>> MatchingTags(SeriesSource& source,
                                                         const std::vector<std::string>& exprs) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, source.FindTagged(exprs));
  std::vector<core::ParsedTags> out;
  for (const std::string& n : names) {
    auto parsed = core::ParseTaggedName(n);
    if (parsed.ok()) out.push_back(std::move(parsed).value());
  }
  return out;
}

}  // namespace

ApiResponse MetricsExpand(SeriesSource& source, const Params& params) {
  std::vector<std::string> queries = All(params, "query");
  if (queries.empty()) return Error(400, "missing parameter 'query'");
  const bool leaves_only = Flag(params, "leavesOnly");
  const bool group = Flag(params, "groupByExpr");
  json grouped = json::object();
  std::set<std::string> flat;
  for (const std::string& q : queries) {
    auto matches = source.Find(q);
    if (!matches.ok()) return FromStatus(matches.status());
    std::set<std::string> paths;
    for (const auto& m : *matches) {
      if (!leaves_only || m.is_leaf) paths.insert(m.path);
    }
    if (group) {
      grouped[q] = std::vector<std::string>(paths.begin(), paths.end());
    } else {
      flat.insert(paths.begin(), paths.end());
    }
  }
  json results = group ? grouped : json(std::vector<std::string>(flat.begin(), flat.end()));
  return Json(json{{"results", results}}, params);
}

ApiResponse MetricsIndex(SeriesSource& source, const Params& params) {
  auto leaves = source.AllLeaves();
  if (!leaves.ok()) return FromStatus(leaves.status());
  return Json(json(*leaves), params);
}

ApiResponse TagList(SeriesSource& source, const Params& params) {
  auto tags = source.TagNames(Get(params, "filter"), Limit(params, 0));
  if (!tags.ok()) return FromStatus(tags.status());
  json out = json::array();
  for (const auto& t : *tags) out.push_back(json{{"tag", t}});
  return Json(out, params);
}

ApiResponse TagDetails(SeriesSource& source, const std::string& tag, const Params& params) {
  auto values = source.TagValues(tag, Get(params, "filter"), Limit(params, 0));
  if (!values.ok()) return FromStatus(values.status());
  if (values->empty()) return Json(json(nullptr), params);
  json out = json::array();
  for (const auto& v : *values) out.push_back(json{{"value", v.value}, {"count", v.count}});
  return Json(json{{"tag", tag}, {"values", out}}, params);
}

ApiResponse TagFindSeries(SeriesSource& source, const Params& params) {
  std::vector<std::string> exprs = Exprs(params);
  if (exprs.empty()) return Error(400, "no tag expressions specified");
  auto names = source.FindTagged(exprs);
  if (!names.ok()) return FromStatus(names.status());
  return Json(json(*names), params);
}

ApiResponse TagAutoCompleteTags(SeriesSource& source, const Params& params) {
  const std::vector<std::string> exprs = Exprs(params);
  const std::string prefix = Get(params, "tagPrefix");
  const size_t limit = Limit(params, kAutocompleteLimit);
  if (exprs.empty()) {
    auto tags = source.TagNames(prefix.empty() ? "" : "^" + EscapeRegex(prefix), limit);
    if (!tags.ok()) return FromStatus(tags.status());
    return Json(json(*tags), params);
  }
  auto matching = MatchingTags(source, exprs);
  if (!matching.ok()) return FromStatus(matching.status());
  std::set<std::string> used;  // tags named in the expressions are not suggested again
  for (const std::string& e : exprs) used.insert(e.substr(0, e.find_first_of("!=")));
  std::set<std::string> tags;
  for (const auto& parsed : *matching) {
    for (const auto& [k, v] : parsed.tags) tags.insert(k);
    tags.insert("name");
  }
  std::vector<std::string> out;
  for (const auto& t : tags) {
    if (used.count(t) || t.rfind(prefix, 0) != 0) continue;
    out.push_back(t);
    if (limit && out.size() >= limit) break;
  }
  return Json(json(out), params);
}

ApiResponse TagAutoCompleteValues(SeriesSource& source, const Params& params) {
  const std::string tag = Get(params, "tag");
  if (tag.empty()) return Error(400, "no tag specified");
  const std::vector<std::string> exprs = Exprs(params);
  const std::string prefix = Get(params, "valuePrefix");
  const size_t limit = Limit(params, kAutocompleteLimit);
  std::vector<std::string> out;
  if (exprs.empty()) {
    auto values = source.TagValues(tag, prefix.empty() ? "" : "^" + EscapeRegex(prefix), limit);
    if (!values.ok()) return FromStatus(values.status());
    for (const auto& v : *values) out.push_back(v.value);
    return Json(json(out), params);
  }
  auto matching = MatchingTags(source, exprs);
  if (!matching.ok()) return FromStatus(matching.status());
  std::set<std::string> values;
  for (const auto& parsed : *matching) {
    if (tag == "name") values.insert(parsed.name);
    for (const auto& [k, v] : parsed.tags) {
      if (k == tag) values.insert(v);
    }
  }
  for (const auto& v : values) {
    if (v.rfind(prefix, 0) != 0) continue;
    out.push_back(v);
    if (limit && out.size() >= limit) break;
  }
  return Json(json(out), params);
}

ApiResponse TagDelSeries(SeriesSource& source, const Params& params) {
  std::vector<std::string> paths = All(params, "path");
  if (paths.empty()) return Error(400, "no path specified");
  core::Status st = source.DeleteTaggedSeries(paths);
  if (!st.ok()) return FromStatus(st);
  return Json(json(true), params);
}

ApiResponse TagSeries(const Params& params, bool multi) {
  std::vector<std::string> paths = All(params, "path");
  if (paths.empty()) return Error(400, "no path specified");
  json out = json::array();
  for (const std::string& p : paths) {
    auto canonical = core::NormalizeSeriesName(p);
    if (!canonical.ok()) return Error(400, canonical.status().message());
    if (!multi) return Json(json(*canonical), params);
    out.push_back(*canonical);
  }
  return Json(out, params);
}

}  // namespace meridian::query::internal
