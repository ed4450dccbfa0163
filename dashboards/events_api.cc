#include "dashboards/events_api.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>

#include "dashboards/region_events.h"
#include "query/read_options.h"
#include "query/time_parser.h"

namespace meridian::dashboards {
namespace {

using http::Request;
using http::Response;
using Ordered = nlohmann::ordered_json;

struct Api {
  EventStore& store;
  TransitionLister alerts;
  const core::Clock& clock;
  EventsApiOptions options;
  core::Counter& bad_request;
  core::Counter& too_large;
};

std::string Dump(const Ordered& j) {
  return j.dump(-1, ' ', false, Ordered::error_handler_t::replace);
}

Response JsonError(int status, const std::string& message) {
  return Response::Json(status, Dump(Ordered{{"error", message}}) + "\n");
}

Response ErrorFor(const core::Status& st) {
  return JsonError(http::HttpStatusFor(st), st.message());
}

// graphite-web's Event.as_dict order: when, what, data, tags, id.
Ordered EventJson(const Event& e) {
  return Ordered{
      {"when", e.when}, {"what", e.what}, {"data", e.data}, {"tags", e.tags}, {"id", e.id}};
}

std::string IsoTime(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  if (gmtime_r(&tt, &tm) == nullptr) return std::to_string(t);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

core::Result<EventQuery> ParseQuery(const Api& api, const Request& req) {
  EventQuery q;
  const int64_t now = api.clock.NowSeconds();
  q.until = now;
  for (auto [name, out] : {std::pair{"from", &q.from}, std::pair{"until", &q.until}}) {
    if (!req.Has(name)) continue;
    auto t = query::ParseTime(req.Param(name), now);
    if (!t.ok()) return core::InvalidArgument(fmt::format("{}: {}", name, t.status().message()));
    *out = *t;
  }
  const std::string set = req.Has("set") ? req.Param("set") : req.Param("set_operation");
  if (set == "union") {
    q.set = SetOperation::kUnion;
  } else if (!set.empty() && set != "intersection") {
    return core::InvalidArgument(fmt::format("set: '{}' is not one of intersection, union", set));
  }
  q.tags = SplitTags(req.Param("tags"));
  q.max_bytes = api.options.max_response_bytes;
  return q;
}

bool ByTime(const Event& a, const Event& b) {
  return a.when != b.when ? a.when < b.when : a.id < b.id;
}

// Posted events and alert transitions, merged by (when, id); with peers (and not local=1),
// every region's, tagged with the region, missing peers recorded in `report`.
core::Result<std::vector<Event>> Fetch(const Api& api, const EventQuery& q, const Request& req,
                                       query::ReadReport& report) {
  const bool federated = api.options.peers != nullptr && req.Param("local") != "1" &&
                         !api.options.peers->directory().Peers().empty();
  EventQuery mine = federated ? RegionQuery(q) : q;
  ASSIGN_OR_RETURN(std::vector<Event> posted, api.store.Query(mine, req.deadline));
  size_t used = 0;
  for (const Event& e : posted) used += EventBytes(e);
  mine.max_bytes = mine.max_bytes > used ? mine.max_bytes - used : 0;
  ASSIGN_OR_RETURN(std::vector<Event> alerts,
                   AlertEvents(api.alerts, mine, api.options.history_limit));
  std::vector<Event> out;
  out.reserve(posted.size() + alerts.size());
  std::merge(std::make_move_iterator(posted.begin()), std::make_move_iterator(posted.end()),
             std::make_move_iterator(alerts.begin()), std::make_move_iterator(alerts.end()),
             std::back_inserter(out), ByTime);
  if (!federated) return out;
  std::vector<Event> all;
  for (Event& e : out) {
    TagRegion(e, api.options.region);
    if (MatchesTags(e, q)) all.push_back(std::move(e));
  }
  std::vector<Event> theirs = PeerEvents(*api.options.peers, q, report, req.deadline);
  for (const Event& e : theirs) used += EventBytes(e);
  if (used > q.max_bytes) {
    return core::ResourceExhausted(fmt::format(
        "the matching events of every region are over {} bytes (http.max_response_bytes): "
        "narrow from, until or tags",
        q.max_bytes));
  }
  all.insert(all.end(), std::make_move_iterator(theirs.begin()),
             std::make_move_iterator(theirs.end()));
  std::stable_sort(all.begin(), all.end(), ByTime);
  return all;
}

// A partial answer names the missing regions (or is refused, per partial=/federation.partial).
core::Status CheckPartial(const Api& api, const Request& req, const query::ReadReport& report,
                          Response* r) {
  if (!report.partial()) return core::Status::Ok();
  const std::string p = req.Param("partial");
  const bool allow = p == "allow" || (p != "deny" && api.options.partial_allowed);
  if (!allow) {
    return core::Unavailable(
        fmt::format("peers did not answer and partial answers are refused: {}", report.Describe()));
  }
  r->headers.emplace_back("X-Meridian-Partial", report.Describe());
  r->headers.emplace_back("Cache-Control", "no-store");
  return core::Status::Ok();
}

bool ValidCallback(std::string_view s) {
  return !s.empty() && s.size() <= 256 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '$';
  });
}

Response GetData(const Api& api, const Request& req) {
  auto q = ParseQuery(api, req);
  if (!q.ok()) return ErrorFor(q.status());
  query::ReadReport report;
  auto events = Fetch(api, *q, req, report);
  if (!events.ok()) return ErrorFor(events.status());
  Response r;
  Ordered out = Ordered::array();
  for (const Event& e : *events) out.push_back(EventJson(e));
  if (req.Has("jsonp")) {
    const std::string cb = req.Param("jsonp");
    if (!ValidCallback(cb)) {
      return JsonError(400, "jsonp: a callback name of letters, digits, '_', '.', '$'");
    }
    r = Response::Text(200, fmt::format("{}({})", cb, Dump(out)));
    r.content_type = "text/javascript";
  } else {
    r = Response::Json(200, Dump(out));
  }
  if (auto st = CheckPartial(api, req, report, &r); !st.ok()) return ErrorFor(st);
  return r;
}

std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

Response List(const Api& api, const Request& req) {
  const bool json = req.Param("format") == "json" ||
                    req.Header("accept").find("application/json") != std::string_view::npos;
  if (json) return GetData(api, req);
  auto q = ParseQuery(api, req);
  if (!q.ok()) return ErrorFor(q.status());
  query::ReadReport report;
  auto events = Fetch(api, *q, req, report);
  if (!events.ok()) return ErrorFor(events.status());
  std::string html =
      "<!doctype html><meta charset=utf-8><title>Events</title>\n<table>\n"
      "<tr><th>when</th><th>what</th><th>tags</th><th>data</th></tr>\n";
  for (auto it = events->rbegin(); it != events->rend(); ++it) {
    std::string tags;
    for (const std::string& t : it->tags) tags += (tags.empty() ? "" : " ") + t;
    html += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                        IsoTime(it->when), Escape(it->what), Escape(tags), Escape(it->data));
  }
  html += "</table>\n";
  Response r = Response::Text(200, std::move(html));
  r.content_type = "text/html; charset=utf-8";
  if (auto st = CheckPartial(api, req, report, &r); !st.ok()) return ErrorFor(st);
  return r;
}

// The POST body as an Event, or INVALID_ARGUMENT naming what is wrong.
core::Result<Event> ParseEvent(std::string_view body, int64_t now) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) {
    return core::InvalidArgument(
        "body is not valid JSON (expected {\"what\": ..., \"tags\": ..., \"data\": ..., "
        "\"when\": ...})");
  }
  if (!j.is_object()) return core::InvalidArgument("body must be a JSON object");
  Event e;
  auto what = j.find("what");
  if (what == j.end() || !what->is_string() || what->get<std::string>().empty()) {
    return core::InvalidArgument("\"what\" is required: a non-empty string");
  }
  e.what = what->get<std::string>();
  if (auto tags = j.find("tags"); tags != j.end() && !tags->is_null()) {
    if (tags->is_string()) {
      e.tags = SplitTags(tags->get<std::string>());
    } else if (tags->is_array()) {
      std::string joined;  // graphite-web joins a list with ' ' and splits it again
      for (const auto& t : *tags) {
        if (!t.is_string()) {
          return core::InvalidArgument("\"tags\" must be an array or space-separated string");
        }
        joined += t.get<std::string>() + " ";
      }
      e.tags = SplitTags(joined);
    } else {
      return core::InvalidArgument("\"tags\" must be an array or space-separated string");
    }
  }
  if (auto data = j.find("data"); data != j.end() && !data->is_null()) {
    if (!data->is_string()) return core::InvalidArgument("\"data\" must be a string");
    e.data = data->get<std::string>();
  }
  e.when = now;
  if (auto when = j.find("when"); when != j.end()) {
    if (!when->is_number()) {
      return core::InvalidArgument("\"when\" must be a number (epoch seconds)");
    }
    const double w = when->get<double>();
    if (!std::isfinite(w) || w < 0 || w > 999'999'999'999.0) {
      return core::InvalidArgument("\"when\" must be epoch seconds in 0..999999999999");
    }
    e.when = static_cast<int64_t>(std::floor(w));
  }
  return e;
}

Response Post(const Api& api, const Request& req) {
  if (req.body.size() > api.options.max_event_bytes) {
    api.too_large.Add();
    return JsonError(413, fmt::format("event body is {} bytes, over events.max_event_bytes ({})",
                                      req.body.size(), api.options.max_event_bytes));
  }
  auto event = ParseEvent(req.body, api.clock.NowSeconds());
  if (!event.ok()) {
    api.bad_request.Add();
    return JsonError(400, event.status().message());
  }
  auto id = api.store.Add(*event);
  if (!id.ok()) {
    if (id.status().code() == core::StatusCode::kInvalidArgument) api.bad_request.Add();
    return ErrorFor(id.status());
  }
  return Response::Json(200, Dump(Ordered{{"id", *id}}) + "\n");
}

core::Result<int64_t> ParseId(const Request& req) {
  const std::string& s = req.path_args.at(0);
  int64_t id = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec != std::errc() || ptr != s.data() + s.size() || id == 0) {
    return core::InvalidArgument(fmt::format("'{}' is not an event id", s));
  }
  return id;
}

Response Detail(const Api& api, const Request& req) {
  auto id = ParseId(req);
  if (!id.ok()) return ErrorFor(id.status());
  auto e =
      *id < 0 ? FindAlertEvent(api.alerts, *id, api.options.history_limit) : api.store.Get(*id);
  if (!e.ok()) return ErrorFor(e.status());
  return Response::Json(200, Dump(Ordered{{"id", e->id},
                                          {"when", IsoTime(e->when)},
                                          {"what", e->what},
                                          {"data", e->data},
                                          {"tags", e->tags}}));
}

Response Delete(const Api& api, const Request& req) {
  auto id = ParseId(req);
  if (!id.ok()) return ErrorFor(id.status());
  if (*id < 0) {
    return JsonError(400, fmt::format("event {} is an alert transition: it cannot be deleted (it "
                                      "follows alerting.history_retention)",
                                      *id));
  }
  if (auto st = api.store.Delete(*id); !st.ok()) return ErrorFor(st);
  return Response::Json(200, Dump(Ordered{{"id", *id}, {"deleted", true}}) + "\n");
}

}  // namespace

core::Status RegisterEventRoutes(http::Router& router, EventStore& store, TransitionLister alerts,
                                 const core::Clock& clock, core::MetricsRegistry& metrics,
                                 const EventsApiOptions& options) {
  const std::string help = "POST /events/ bodies refused, by reason.";
  auto api = std::make_shared<Api>(
      Api{store, std::move(alerts), clock, options,
          metrics.GetCounter("events_rejected_total", help, {{"reason", "bad_request"}}),
          metrics.GetCounter("events_rejected_total", help, {{"reason", "too_large"}})});
  using http::Method;
  using http::Scope;
  auto add = [&router](Method m, const char* pattern, Scope scope,
                       std::function<Response(const Request&)> h) {
    http::Route r;
    r.methods = {m};
    r.pattern = pattern;
    r.scope = scope;
    r.handler = std::move(h);
    return router.Add(std::move(r));
  };
  for (const char* list : {"/events", "/events/"}) {
    RETURN_IF_ERROR(
        add(Method::kPost, list, Scope::kWrite, [api](const Request& r) { return Post(*api, r); }));
    RETURN_IF_ERROR(
        add(Method::kGet, list, Scope::kRead, [api](const Request& r) { return List(*api, r); }));
  }
  RETURN_IF_ERROR(add(Method::kGet, "/events/get_data", Scope::kRead,
                      [api](const Request& r) { return GetData(*api, r); }));
  RETURN_IF_ERROR(add(Method::kGet, "/events/{}", Scope::kRead,
                      [api](const Request& r) { return Detail(*api, r); }));
  return add(Method::kDelete, "/events/{}", Scope::kAdmin,
             [api](const Request& r) { return Delete(*api, r); });
}

}  // namespace meridian::dashboards
