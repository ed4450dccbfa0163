#include "dashboards/dashboard_api.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "dashboards/alert_match.h"
#include "dashboards/variables.h"
#include "query/http_api.h"
#include "query/time_parser.h"

namespace meridian::dashboards {
namespace {

using nlohmann::json;

http::Response Json(const json& body, int status = 200) {
  return http::Response::Json(status,
                              body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n");
}

http::Response ErrorJson(int status, const std::string& message) {
  return Json(json{{"error", message}}, status);
}

json ErrorsJson(const std::vector<DashboardError>& errors) {
  json out = json::array();
  for (const DashboardError& e : errors) {
    out.push_back({{"file", e.file}, {"line", e.line}, {"message", e.message}});
  }
  return out;
}

json Optional(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json ListJson(const DashboardSet& set) {
  json dashboards = json::array();
  for (const LoadedDashboard& l : set.dashboards) {
    const Dashboard& d = l.dashboard;
    dashboards.push_back({{"uid", d.uid},
                          {"title", d.title},
                          {"tags", d.tags},
                          {"file", d.file},
                          {"panels", d.panels.size()},
                          {"errors", ErrorsJson(l.errors)}});
  }
  return {{"dir", set.dir},
          {"loaded_at", set.loaded_at},
          {"dashboards", std::move(dashboards)},
          {"errors", ErrorsJson(set.errors)}};
}

class Api {
 public:
  Api(DashboardLibrary& library, query::SeriesSource& source, RulesProvider rules,
      const core::Clock& clock, core::MetricsRegistry& metrics, const DashboardApiOptions& options)
      : library_(library),
        source_(source),
        rules_(std::move(rules)),
        clock_(clock),
        options_(options),
        options_truncated_(metrics.GetCounter(
            "dashboards_variable_options_truncated_total",
            "Variables whose options were cut at dashboards.max_variable_options.")),
        match_truncated_(metrics.GetCounter(
            "dashboards_alert_match_truncated_total",
            "Targets whose series were cut at dashboards.max_alert_match_series when matching "
            "alert rules to panels.")),
        partial_(metrics.GetCounter(
            "dashboards_partial_answers_total",
            "Dashboard answers whose variable finds lacked a federation peer.")) {}

  http::Response List() { return Json(ListJson(*library_.Current())); }

  http::Response Reload() {
    auto set = library_.Reload();
    size_t invalid = 0;
    for (const LoadedDashboard& d : set->dashboards) invalid += d.errors.empty() ? 0 : 1;
    return Json({{"loaded_at", set->loaded_at},
                 {"dashboards", set->dashboards.size()},
                 {"invalid", invalid},
                 {"errors", ErrorsJson(set->errors)}});
  }

  http::Response One(const http::Request& req) {
    auto set = library_.Current();
    const std::string uid = req.path_args.empty() ? "" : req.path_args.front();
    const LoadedDashboard* loaded = set->Find(uid);
    if (loaded == nullptr) return ErrorJson(404, fmt::format("no dashboard with uid '{}'", uid));
    const Dashboard& d = loaded->dashboard;
    json time = {{"from", req.Param("from", d.time_from)},
                 {"until", req.Param("until", d.time_until)}};
    for (const char* key : {"from", "until"}) {
      auto t = query::ParseTime(time[key].get<std::string>(), clock_.NowSeconds());
      if (!t.ok()) return ErrorJson(400, fmt::format("{}: {}", key, t.status().message()));
    }
    json out = {{"uid", d.uid},
                {"title", d.title},
                {"description", d.description},
                {"tags", d.tags},
                {"file", d.file},
                {"refresh", RefreshText(d.refresh_seconds)},
                {"time", std::move(time)},
                {"errors", ErrorsJson(loaded->errors)},
                {"annotations", json::array()},
                {"variables", json::array()},
                {"panels", json::array()}};
    if (!loaded->errors.empty()) return Json(out);
    for (const Annotation& a : d.annotations) {
      out["annotations"].push_back({{"name", a.name}, {"tags", a.tags}, {"color", a.color}});
    }
    query::ReadReport report;
    query::ReadOptions read = query::ReadOptions::WithDeadline(req.deadline);
    read.scope.report = &report;
    Selections selections;
    for (const auto& [key, value] : req.params) {
      if (key.starts_with("var-")) selections[key.substr(4)].push_back(value);
    }
    const std::vector<ResolvedVariable> vars = ResolveVariables(
        d, source_, selections, read, {options_.max_variable_options, &options_truncated_});
    for (const ResolvedVariable& v : vars) {
      out["variables"].push_back({{"name", v.name},
                                  {"multi", v.multi},
                                  {"include_all", v.include_all},
                                  {"options", v.options},
                                  {"selected", v.selected},
                                  {"all", v.all},
                                  {"error", v.error ? json(*v.error) : json(nullptr)}});
    }
    Panels(d, ValuesOf(vars), read, out["panels"]);
    http::Response response = Json(out);
    if (report.partial()) {
      partial_.Add();
      response.headers.emplace_back(query::kPartialHeader, report.Describe());
      response.headers.emplace_back("Cache-Control", "no-store");
    }
    return response;
  }

 private:
  void Panels(const Dashboard& d, const VariableValues& values, const query::ReadOptions& read,
              json& out) {
    std::shared_ptr<const alerting::RuleSet> rules = rules_ ? rules_() : nullptr;
    const alerting::RuleSet empty;
    AlertMatcher matcher(rules ? *rules : empty, source_, read, options_.max_alert_match_series,
                         &match_truncated_);
    for (const Panel& p : d.panels) {
      std::vector<std::string> targets;
      for (const std::string& t : p.targets) targets.push_back(ExpandVariables(t, values));
      json thresholds = json::array();
      for (const Threshold& t : p.thresholds) {
        thresholds.push_back({{"value", t.value}, {"color", t.color}});
      }
      json watching = json::array();
      for (const WatchingRule& w : matcher.RulesWatching(targets)) {
        watching.push_back({{"group", w.group}, {"rule", w.rule}, {"target", w.target}});
      }
      out.push_back({{"title", p.title},
                     {"raw_targets", p.targets},
                     {"targets", std::move(targets)},
                     {"unit", p.unit},
                     {"min", Optional(p.min)},
                     {"max", Optional(p.max)},
                     {"decimals", p.decimals ? json(*p.decimals) : json(nullptr)},
                     {"thresholds", std::move(thresholds)},
                     {"legend", p.legend},
                     {"stack", p.stack},
                     {"width", p.width},
                     {"height", p.height},
                     {"alert_rules", std::move(watching)}});
    }
  }

  DashboardLibrary& library_;
  query::SeriesSource& source_;
  RulesProvider rules_;
  const core::Clock& clock_;
  const DashboardApiOptions options_;
  core::Counter& options_truncated_;
  core::Counter& match_truncated_;
  core::Counter& partial_;
};

}  // namespace

core::Status RegisterDashboardRoutes(http::Router& router, DashboardLibrary& library,
                                     query::SeriesSource& source, RulesProvider rules,
                                     const core::Clock& clock, core::MetricsRegistry& metrics,
                                     const DashboardApiOptions& options) {
  auto api = std::make_shared<Api>(library, source, std::move(rules), clock, metrics, options);
  auto add = [&router](http::Method m, const char* path, http::Scope scope, http::Handler h) {
    http::Route r;
    r.methods = {m};
    r.pattern = path;
    r.scope = scope;
    r.handler = std::move(h);
    return router.Add(std::move(r));
  };
  RETURN_IF_ERROR(add(http::Method::kGet, "/api/dashboards", http::Scope::kRead,
                      [api](const http::Request&) { return api->List(); }));
  RETURN_IF_ERROR(add(http::Method::kPost, "/api/dashboards/reload", http::Scope::kAdmin,
                      [api](const http::Request&) { return api->Reload(); }));
  return add(http::Method::kGet, "/api/dashboards/{}", http::Scope::kRead,
             [api](const http::Request& r) { return api->One(r); });
}

}  // namespace meridian::dashboards
