#include "alerting/alert_api.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "query/time_parser.h"

namespace meridian::alerting {
namespace {

using nlohmann::json;
using HttpReply = http::Response;
using HttpRequestView = http::Request;

constexpr size_t kMaxHistoryLimit = 100'000;

std::string Param(const HttpRequestView& req, const char* name) { return req.Param(name); }

json Time(int64_t t) { return t == 0 ? json(nullptr) : json(t); }
json Value(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

HttpReply Json(const json& body, int status = 200) {
  return HttpReply::Json(status, body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n");
}

HttpReply BadRequest(const std::string& message) { return Json(json{{"error", message}}, 400); }

HttpReply Alerts(AlertEngine& engine, const HttpRequestView& req) {
  const std::string state = Param(req, "state"), group = Param(req, "group"),
                    rule = Param(req, "rule"), host = Param(req, "host"),
                    service = Param(req, "service");
  auto want = [](const std::string& filter, std::string_view have) {
    return filter.empty() || filter == have;
  };
  json out = json::array();
  for (const CheckStatus& c : engine.Checks()) {
    if (!want(state, CheckStateName(c.state.state)) || !want(group, c.group) ||
        !want(rule, c.rule) || !want(host, c.host) || !want(service, c.service)) {
      continue;
    }
    out.push_back({{"group", c.group},
                   {"rule", c.rule},
                   {"host", c.host},
                   {"service", c.service},
                   {"series", c.series},
                   {"state", CheckStateName(c.state.state)},
                   {"state_since", Time(c.state.state_since)},
                   {"value", Value(c.state.last_value)},
                   {"last_evaluation", Time(c.state.last_evaluation)},
                   {"last_data", Time(c.state.last_data)},
                   {"output", c.output}});
  }
  return Json(out);
}

HttpReply History(AlertEngine& engine, const core::Clock& clock, const HttpRequestView& req) {
  HistoryQuery q;
  const int64_t now = clock.NowSeconds();
  for (auto [name, out] : {std::pair{"from", &q.from}, std::pair{"until", &q.until}}) {
    const std::string text = Param(req, name);
    if (text.empty()) continue;
    auto t = query::ParseTime(text, now);
    if (!t.ok()) return BadRequest(fmt::format("{}: {}", name, t.status().message()));
    *out = *t;
  }
  if (const std::string limit = Param(req, "limit"); !limit.empty()) {
    auto [ptr, ec] = std::from_chars(limit.data(), limit.data() + limit.size(), q.limit);
    if (ec != std::errc() || ptr != limit.data() + limit.size() || q.limit == 0 ||
        q.limit > kMaxHistoryLimit) {
      return BadRequest(fmt::format("limit: expected an integer in 1..{}", kMaxHistoryLimit));
    }
  }
  q.group = Param(req, "group");
  q.rule = Param(req, "rule");
  q.host = Param(req, "host");
  q.service = Param(req, "service");
  json out = json::array();
  for (const Transition& t : engine.History(q)) {
    out.push_back({{"time", t.time},
                   {"group", t.group},
                   {"rule", t.rule},
                   {"host", t.host},
                   {"service", t.service},
                   {"series", t.series},
                   {"from", t.from ? json(CheckStateName(*t.from)) : json(nullptr)},
                   {"to", CheckStateName(t.to)},
                   {"value", Value(t.value)},
                   {"output", t.output}});
  }
  return Json(out);
}

json RuleJson(const RuleGroup& g, const Rule& r,
              const std::map<std::string, RuleRunStatus>& statuses) {
  json j = {{"name", r.name},
            {"target", r.target},
            {"window", r.window_text},
            {"reduce", r.reduce_text},
            {"warning", r.warning_text.empty() ? json(nullptr) : json(r.warning_text)},
            {"critical", r.critical_text.empty() ? json(nullptr) : json(r.critical_text)},
            {"for", r.for_duration.count()},
            {"keep_firing_for", r.keep_firing_for.count()},
            {"no_data", ToString(r.no_data)},
            {"host", r.host.text()},
            {"service", r.service.text()},
            {"output", r.output.text()},
            {"line", r.line}};
  auto it = statuses.find(g.name + "/" + r.name);
  if (it != statuses.end()) {
    j["last_evaluation"] = Time(it->second.last_evaluation);
    j["last_duration_seconds"] = it->second.last_duration_seconds;
    j["last_error"] = it->second.last_error.empty() ? json(nullptr) : json(it->second.last_error);
    j["checks"] = it->second.series;
  } else {
    j["last_evaluation"] = nullptr;
  }
  return j;
}

json ReloadJson(const ReloadOutcome& o) {
  return {{"time", Time(o.time)}, {"status", o.ok ? "ok" : "rejected"},
          {"errors", o.errors},   {"files", o.files},
          {"groups", o.groups},   {"rules", o.rules}};
}

HttpReply Rules(AlertEngine& engine, RuleReloader& reloader) {
  const auto set = engine.rules();
  const auto statuses = engine.RuleStatuses();
  json groups = json::array();
  for (const RuleGroup& g : set->groups) {
    json rules = json::array();
    for (const Rule& r : g.rules) rules.push_back(RuleJson(g, r, statuses));
    groups.push_back({{"name", g.name},
                      {"file", g.file},
                      {"interval", g.interval.count()},
                      {"rules", std::move(rules)}});
  }
  return Json({{"groups", std::move(groups)}, {"last_reload", ReloadJson(reloader.last())}});
}

}  // namespace

core::Status RegisterAlertRoutes(http::Router& router, AlertEngine& engine, RuleReloader& reloader,
                                 const core::Clock& clock) {
  using http::Method;
  auto add = [&router](Method m, const char* path, http::Scope scope, http::Handler h,
                       http::AsyncHandler async = nullptr) {
    http::Route r;
    r.methods = {m};
    r.pattern = path;
    r.scope = scope;
    r.handler = std::move(h);
    r.async_handler = std::move(async);
    return router.Add(std::move(r));
  };
  RETURN_IF_ERROR(add(Method::kGet, "/api/alerts", http::Scope::kRead,
                      [&engine](const HttpRequestView& r) { return Alerts(engine, r); }));
  RETURN_IF_ERROR(
      add(Method::kGet, "/api/alerts/history", http::Scope::kRead,
          [&engine, &clock](const HttpRequestView& r) { return History(engine, clock, r); }));
  RETURN_IF_ERROR(
      add(Method::kGet, "/api/rules", http::Scope::kRead,
          [&engine, &reloader](const HttpRequestView&) { return Rules(engine, reloader); }));
  // Reloads run on the reloader's thread, one at a time, coalesced: no HTTP worker waits.
  return add(Method::kPost, "/api/rules/reload", http::Scope::kAdmin, nullptr,
             [&reloader](const HttpRequestView&, http::Reply reply) {
               reloader.RequestReload([reply = std::move(reply)](const ReloadOutcome& o) {
                 reply(Json(ReloadJson(o), o.ok ? 200 : 422));
               });
             });
}

}  // namespace meridian::alerting
