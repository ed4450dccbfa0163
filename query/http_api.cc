#include "query/http_api.h"

#include <fmt/format.h>

#include <atomic>
#include <memory>

#include "http/message.h"
#include "query/formats.h"
#include "query/internal/find_format.h"
#include "query/internal/functions_json.h"
#include "query/internal/metadata_api.h"
#include "query/internal/render_request.h"

namespace meridian::query {
namespace {

using http::Method;
using http::Request;
using http::Response;

// graphite-web folds `key[]` into `key` (jQuery-style arrays from Grafana and the web UI).
internal::Params ParamsOf(const Request& req) {
  internal::Params out;
  for (const auto& [k, v] : req.params) {
    std::string key = k.size() > 2 && k.ends_with("[]") ? k.substr(0, k.size() - 2) : k;
    out.emplace(std::move(key), v);
  }
  return out;
}

Response From(internal::ApiResponse api) {
  Response r;
  r.status = api.status;
  r.body = std::move(api.body);
  r.content_type = std::move(api.content_type);
  r.headers = std::move(api.headers);
  return r;
}

class Api {
 public:
  Api(const HttpOptions& options, SeriesSource& source, const core::Clock& clock,
      core::MetricsRegistry& metrics)
      : options_(options),
        source_(source),
        clock_(clock),
        requests_render_(
            metrics.GetCounter("http_requests_total", "HTTP requests.", {{"handler", "render"}})),
        requests_find_(
            metrics.GetCounter("http_requests_total", "HTTP requests.", {{"handler", "find"}})),
        rejected_size_(Limit(metrics, "size")),
        rejected_response_bytes_(Limit(metrics, "response_bytes")),
        rejected_timeout_(Limit(metrics, "timeout")),
        rejected_concurrency_(Limit(metrics, "concurrency")),
        metrics_(metrics) {}

  void CountRejection(const core::Status& st) {
    if (IsResponseTooLarge(st)) {
      rejected_response_bytes_.Add();
    } else if (st.code() == core::StatusCode::kResourceExhausted) {
      rejected_size_.Add();
    }
    if (st.code() == core::StatusCode::kDeadlineExceeded) rejected_timeout_.Add();
  }

  Response Fail(const core::Status& st) {
    CountRejection(st);
    return Response::Error(st);
  }

  // A socket-free handler's answer, with its refusal counted.
  Response Counted(internal::ApiResponse api) {
    CountRejection(api.error);
    return From(std::move(api));
  }

  // The bounds of one request: its bytes, and the Deadline the server gave it.
  OutputLimits LimitsOf(const Request& req) const {
    return {options_.max_response_bytes, req.deadline};
  }

  Response Render(const Request& req) {
    requests_render_.Add();
    // At most max_concurrent_queries renders run at once; the rest are told to retry (503).
    if (renders_in_flight_.fetch_add(1) >= options_.max_concurrent_queries) {
      renders_in_flight_.fetch_sub(1);
      rejected_concurrency_.Add();
      return Response::Error(core::Unavailable(
          fmt::format("more than {} queries are running (http.max_concurrent_queries)",
                      options_.max_concurrent_queries)));
    }
    struct Release {
      std::atomic<size_t>& n;
      ~Release() { n.fetch_sub(1); }
    } release{renders_in_flight_};
    auto plan = internal::PlanRender(ParamsOf(req), clock_.NowSeconds());
    if (!plan.ok()) return Fail(plan.status());
    EvalLimits limits;
    limits.max_series = options_.max_series_per_request;
    limits.max_points = options_.max_points_per_request;
    plan->format.limits = LimitsOf(req);
    limits.deadline = req.deadline;
    auto body = internal::ExecuteRender(*plan, source_, FunctionRegistry::Default(), limits);
    if (!body.ok()) return Fail(body.status());
    Response r;
    r.body = std::move(body->body);
    r.content_type = std::move(body->content_type);
    return r;
  }

  Response Find(const Request& req) {
    requests_find_.Add();
    internal::FindContext context{LimitsOf(req), clock_.NowSeconds(),
                                  req.Header("accept") == "application/json"};
    return Counted(internal::MetricsFind(source_, ParamsOf(req), context));
  }

  std::string Prometheus() { return metrics_.RenderPrometheus(); }
  SeriesSource& source() { return source_; }

 private:
  static core::Counter& Limit(core::MetricsRegistry& m, const char* limit) {
    return m.GetCounter("http_limit_rejections_total",
                        "Requests refused by a limit (size, timeout, concurrency, ...).",
                        {{"limit", limit}});
  }

  const HttpOptions options_;
  SeriesSource& source_;
  const core::Clock& clock_;
  core::Counter& requests_render_;
  core::Counter& requests_find_;
  core::Counter& rejected_size_;
  core::Counter& rejected_response_bytes_;
  core::Counter& rejected_timeout_;
  core::Counter& rejected_concurrency_;
  core::MetricsRegistry& metrics_;
  std::atomic<size_t> renders_in_flight_{0};
};

struct Registrar {
  http::Router& router;
  core::Status status;
  void Add(std::vector<Method> methods, std::string pattern, http::Handler handler,
           http::Scope scope = http::Scope::kRead, bool inline_io = false) {
    if (!status.ok()) return;
    http::Route r;
    r.methods = std::move(methods);
    r.pattern = std::move(pattern);
    r.scope = scope;
    r.inline_io = inline_io;
    r.handler = std::move(handler);
    status = router.Add(std::move(r));
  }
};

}  // namespace

core::Status RegisterHttpRoutes(http::Router& router, const HttpOptions& options,
                                SeriesSource& source, const core::Clock& clock,
                                core::MetricsRegistry& metrics) {
  // The routes share one Api (counters, the concurrency gate) for the router's lifetime.
  std::shared_ptr<Api> api = std::make_shared<Api>(options, source, clock, metrics);
  Registrar reg{router, core::Status::Ok()};
  const std::vector<Method> get_post = {Method::kGet, Method::kPost};
  auto render = [api](const Request& r) { return api->Render(r); };
  auto find = [api](const Request& r) { return api->Find(r); };
  for (const char* path : {"/render", "/render/"}) reg.Add(get_post, path, render);
  for (const char* path : {"/metrics/find", "/metrics/find/"}) reg.Add(get_post, path, find);

  // Routes whose handlers live in internal/metadata_api (socket-free, unit-tested there).
  auto metadata = [&](const char* path, auto fn) {
    reg.Add(get_post, path, [api, fn](const Request& r) {
      return api->Counted(fn(api->source(), ParamsOf(r), api->LimitsOf(r)));
    });
  };
  metadata("/metrics/expand", internal::MetricsExpand);
  metadata("/metrics/expand/", internal::MetricsExpand);
  metadata("/metrics/index.json", internal::MetricsIndex);
  metadata("/tags", internal::TagList);
  metadata("/tags/", internal::TagList);
  metadata("/tags/findSeries", internal::TagFindSeries);
  metadata("/tags/findSeries/", internal::TagFindSeries);
  metadata("/tags/autoComplete/tags", internal::TagAutoCompleteTags);
  metadata("/tags/autoComplete/values", internal::TagAutoCompleteValues);
  // Mutating routes: POST only (a GET that changes nothing must not answer 200), scope write.
  for (bool multi : {false, true}) {
    reg.Add(
        {Method::kPost}, multi ? "/tags/tagMultiSeries" : "/tags/tagSeries",
        [multi](const Request& r) { return From(internal::TagSeries(ParamsOf(r), multi)); },
        http::Scope::kWrite);
  }
  reg.Add(
      {Method::kPost}, "/tags/delSeries",
      [api](const Request& r) { return From(internal::TagDelSeries(api->source(), ParamsOf(r))); },
      http::Scope::kAdmin);
  reg.Add({Method::kGet}, "/tags/{}", [api](const Request& r) {
    return api->Counted(
        internal::TagDetails(api->source(), r.path_args[0], ParamsOf(r), api->LimitsOf(r)));
  });
  auto functions = [](const Request& r) {
    return From(internal::FunctionsList(FunctionRegistry::Default(), ParamsOf(r)));
  };
  reg.Add({Method::kGet}, "/functions", functions);
  reg.Add({Method::kGet}, "/functions/", functions);
  reg.Add({Method::kGet}, "/functions/{}", [](const Request& r) {
    return From(
        internal::FunctionDetails(FunctionRegistry::Default(), r.path_args[0], ParamsOf(r)));
  });
  // graphite-web's version, which Grafana's auto-detection reads as the API level.
  reg.Add(
      {Method::kGet}, "/version", [](const Request&) { return Response::Text(200, "1.1.10"); },
      http::Scope::kRead, /*inline_io=*/true);
  reg.Add(
      {Method::kGet}, "/health", [](const Request&) { return Response::Text(200, "ok"); },
      http::Scope::kNone, /*inline_io=*/true);
  // graphite-web serves find at /metrics?query=...; Prometheus scrapes /metrics bare — on the
  // network thread, so the numbers are there when every worker is busy.
  {
    http::Route metrics_route;
    metrics_route.methods = {Method::kGet};
    metrics_route.pattern = "/metrics";
    metrics_route.inline_io_if = [](const Request& r) { return !r.Has("query"); };
    metrics_route.handler = [api](const Request& r) {
      if (r.Has("query")) return api->Find(r);
      Response out;
      out.content_type = "text/plain; version=0.0.4";
      out.body = api->Prometheus();
      return out;
    };
    if (reg.status.ok()) reg.status = router.Add(std::move(metrics_route));
  }
  return reg.status;
}

}  // namespace meridian::query
