#include "query/internal/metadata_api.h"

#include "http/message.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

#include "core/tagged_name.h"
#include "query/internal/find_format.h"
#include "query/internal/output_budget.h"

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

ApiResponse Error(int status, const std::string& message) {
  return {status, json{{"error", message}}.dump(-1, ' ', false, json::error_handler_t::replace),
          "application/json"};
}

ApiResponse FromStatus(const core::Status& st) {
  ApiResponse r = Error(http::HttpStatusFor(st), st.message());
  r.error = st;
  return r;
}

// graphite-web's jsonResponse: pretty=1 indents and sorts keys; jsonp wraps. Callers that list
// many names charge them to the budget first (ChargeNames), so this dump is bounded too.
ApiResponse Json(const json& value, const Params& p, const OutputLimits& limits) {
  ApiResponse r;
  // Names are bytes: invalid UTF-8 is written as U+FFFD (what graphite-web's Django decoding
  // makes of it), never an exception.
  r.body = value.dump(Flag(p, "pretty") ? 2 : -1, ' ', false, json::error_handler_t::replace);
  std::string cb = Get(p, "jsonp");
  if (!cb.empty()) {
    r.body = cb + "(" + r.body + ")";
    r.content_type = "text/javascript";
  }
  if (limits.max_bytes != 0 && r.body.size() > limits.max_bytes) {
    return FromStatus(ResponseTooLarge(limits.max_bytes));
  }
  return r;
}

// Adds the bytes a JSON list of `name` takes at least (quotes and separator) to *bytes, and
// checks the budget: a list that cannot fit fails before its JSON text is built.
core::Status ChargeName(std::string_view name, size_t* bytes, OutputBudget& budget) {
  *bytes += name.size() + 4;
  return budget.Check(*bytes);
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
// The source-facing options of a handler: the request's deadline and scope.
ReadOptions Reading(const OutputLimits& limits, const ReadScope& scope) {
  ReadOptions o = ReadOptions::WithDeadline(limits.deadline);
  o.scope = scope;
  return o;
}

core::Result<std::vector<core::ParsedTags>> MatchingTags(SeriesSource& source,
                                                         const std::vector<std::string>& exprs,
                                                         const ReadOptions& read) {
  ASSIGN_OR_RETURN(std::vector<std::string> names, source.FindTagged(exprs, read));
  core::DeadlineCheck check(read.deadline, "tag autocomplete");
  std::vector<core::ParsedTags> out;
  for (const std::string& n : names) {
    RETURN_IF_ERROR(check.Step());
    auto parsed = core::ParseTaggedName(n);
    if (parsed.ok()) out.push_back(std::move(parsed).value());
  }
  return out;
}

}  // namespace

namespace {

// Find answers errors as plain text, as the find route always has.
ApiResponse PlainError(const core::Status& st) {
  ApiResponse r(http::HttpStatusFor(st), st.message() + "\n", "text/plain");
  r.error = st;
  return r;
}

}  // namespace

ApiResponse MetricsFind(SeriesSource& source, const Params& params, const FindContext& context) {
  const std::string q = Get(params, "query");
  if (q.empty()) return PlainError(core::InvalidArgument("missing parameter 'query'"));
  const std::string format = Get(params, "format", "treejson");
  auto matches = source.Find(q, Reading(context.limits, context.scope));
  if (!matches.ok()) return PlainError(matches.status());
  ApiResponse r;
  r.headers.emplace_back("Cache-Control", "no-cache");
  if (format == "treejson" || format == "completer") {
    const bool wildcards = Get(params, "wildcards") == "1";
    auto body = FormatFind(q, *matches, format, wildcards, context.limits);
    if (!body.ok()) return PlainError(body.status());
    r.body = std::move(body).value();
    return r;
  }
  // json, nodelist, pickle, msgpack: what graphite-web cluster peers ask for (local=1).
  FindFormatOptions fo;
  fo.format = format;
  fo.jsonp = Get(params, "jsonp");
  fo.ensure_ascii = context.accept_json;
  if (auto it = params.find("position"); it != params.end()) {
    fo.node_position = std::strtoll(it->second.c_str(), nullptr, 10);
  }
  // Leaves are reported as holding data up to now (the whisper finder reports its file's whole
  // retention): peers only use intervals to skip leaves with no data in a window.
  const double now = static_cast<double>(context.now);
  fo.leaf_intervals = [now](std::string_view) { return std::vector<FindInterval>{{0.0, now}}; };
  fo.limits = context.limits;
  auto extra = FormatFindExtra(q, *matches, fo);
  if (!extra.ok()) return PlainError(extra.status());
  r.body = std::move(extra->body);
  r.content_type = std::move(extra->content_type);
  return r;
}

namespace {

// The "results" of /metrics/expand, charged to the budget as they are collected.
core::Result<json> ExpandResults(SeriesSource& source, const std::vector<std::string>& queries,
                                 bool leaves_only, bool group, const OutputLimits& limits, const ReadScope& scope) {
  OutputBudget budget(limits, "expand");
  size_t bytes = 0;
  json grouped = json::object();
  std::set<std::string> flat;
  for (const std::string& q : queries) {
    ASSIGN_OR_RETURN(std::vector<storage::FindMatch> matches, source.Find(q, Reading(limits, scope)));
    std::set<std::string> paths;
    for (auto& m : matches) {
      if (leaves_only && !m.is_leaf) continue;
      const bool added = group ? paths.insert(m.path).second : flat.insert(m.path).second;
      if (added) RETURN_IF_ERROR(ChargeName(m.path, &bytes, budget));
    }
    if (group) {
      RETURN_IF_ERROR(ChargeName(q, &bytes, budget));
      grouped[q] = std::vector<std::string>(paths.begin(), paths.end());
    }
  }
  if (group) return grouped;
  return json(std::vector<std::string>(flat.begin(), flat.end()));
}

}  // namespace

ApiResponse MetricsExpand(SeriesSource& source, const Params& params, const OutputLimits& limits, const ReadScope& scope) {
  std::vector<std::string> queries = All(params, "query");
  if (queries.empty()) return Error(400, "missing parameter 'query'");
  auto results = ExpandResults(source, queries, Flag(params, "leavesOnly"),
                               Flag(params, "groupByExpr"), limits, scope);
  if (!results.ok()) return FromStatus(results.status());
  return Json(json{{"results", *results}}, params, limits);
}

ApiResponse MetricsIndex(SeriesSource& source, const Params& params, const OutputLimits& limits, const ReadScope& scope) {
  auto leaves = source.AllLeaves(Reading(limits, scope));
  if (!leaves.ok()) return FromStatus(leaves.status());
  OutputBudget budget(limits, "index.json");
  size_t bytes = 0;
  for (const std::string& leaf : *leaves) {
    if (core::Status st = ChargeName(leaf, &bytes, budget); !st.ok()) return FromStatus(st);
  }
  return Json(json(*leaves), params, limits);
}

ApiResponse TagList(SeriesSource& source, const Params& params, const OutputLimits& limits, const ReadScope& scope) {
  auto tags = source.TagNames(Get(params, "filter"), Limit(params, 0), Reading(limits, scope));
  if (!tags.ok()) return FromStatus(tags.status());
  OutputBudget budget(limits, "tags");
  size_t bytes = 0;
  json out = json::array();
  for (const auto& t : *tags) {
    if (core::Status st = ChargeName(t, &bytes, budget); !st.ok()) return FromStatus(st);
    out.push_back(json{{"tag", t}});
  }
  return Json(out, params, limits);
}

ApiResponse TagDetails(SeriesSource& source, const std::string& tag, const Params& params,
                       const OutputLimits& limits, const ReadScope& scope) {
  auto values = source.TagValues(tag, Get(params, "filter"), Limit(params, 0), Reading(limits, scope));
  if (!values.ok()) return FromStatus(values.status());
  if (values->empty()) return Json(json(nullptr), params, limits);
  OutputBudget budget(limits, "tags");
  size_t bytes = 0;
  json out = json::array();
  for (const auto& v : *values) {
    if (core::Status st = ChargeName(v.value, &bytes, budget); !st.ok()) return FromStatus(st);
    out.push_back(json{{"value", v.value}, {"count", v.count}});
  }
  return Json(json{{"tag", tag}, {"values", out}}, params, limits);
}

ApiResponse TagFindSeries(SeriesSource& source, const Params& params, const OutputLimits& limits, const ReadScope& scope) {
  std::vector<std::string> exprs = Exprs(params);
  if (exprs.empty()) return Error(400, "no tag expressions specified");
  auto names = source.FindTagged(exprs, Reading(limits, scope));
  if (!names.ok()) return FromStatus(names.status());
  OutputBudget budget(limits, "tags");
  size_t bytes = 0;
  for (const std::string& name : *names) {
    if (core::Status st = ChargeName(name, &bytes, budget); !st.ok()) return FromStatus(st);
  }
  return Json(json(*names), params, limits);
}

ApiResponse TagAutoCompleteTags(SeriesSource& source, const Params& params,
                                const OutputLimits& limits, const ReadScope& scope) {
  const std::vector<std::string> exprs = Exprs(params);
  const std::string prefix = Get(params, "tagPrefix");
  const size_t limit = Limit(params, kAutocompleteLimit);
  if (exprs.empty()) {
    auto tags =
        source.TagNames(prefix.empty() ? "" : "^" + EscapeRegex(prefix), limit, Reading(limits, scope));
    if (!tags.ok()) return FromStatus(tags.status());
    return Json(json(*tags), params, limits);
  }
  auto matching = MatchingTags(source, exprs, Reading(limits, scope));
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
  return Json(json(out), params, limits);
}

ApiResponse TagAutoCompleteValues(SeriesSource& source, const Params& params,
                                  const OutputLimits& limits, const ReadScope& scope) {
  const std::string tag = Get(params, "tag");
  if (tag.empty()) return Error(400, "no tag specified");
  const std::vector<std::string> exprs = Exprs(params);
  const std::string prefix = Get(params, "valuePrefix");
  const size_t limit = Limit(params, kAutocompleteLimit);
  std::vector<std::string> out;
  if (exprs.empty()) {
    auto values = source.TagValues(tag, prefix.empty() ? "" : "^" + EscapeRegex(prefix), limit,
                                   Reading(limits, scope));
    if (!values.ok()) return FromStatus(values.status());
    for (const auto& v : *values) out.push_back(v.value);
    return Json(json(out), params, limits);
  }
  auto matching = MatchingTags(source, exprs, Reading(limits, scope));
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
  return Json(json(out), params, limits);
}

ApiResponse TagDelSeries(SeriesSource& source, const Params& params) {
  std::vector<std::string> paths = All(params, "path");
  if (paths.empty()) return Error(400, "no path specified");
  core::Status st = source.DeleteTaggedSeries(paths);
  if (!st.ok()) return FromStatus(st);
  return Json(json(true), params, {});
}

ApiResponse TagSeries(const Params& params, bool multi) {
  std::vector<std::string> paths = All(params, "path");
  if (paths.empty()) return Error(400, "no path specified");
  json out = json::array();
  for (const std::string& p : paths) {
    auto canonical = core::NormalizeSeriesName(p);
    if (!canonical.ok()) return Error(400, canonical.status().message());
    if (!multi) return Json(json(*canonical), params, {});
    out.push_back(*canonical);
  }
  return Json(out, params, {});
}

}  // namespace meridian::query::internal
