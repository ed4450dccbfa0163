#include "query/http_api.h"

#include <fmt/format.h>

#include <atomic>
#include <memory>

#include "http/message.h"
#include "query/formats.h"
#include "query/internal/find_format.h"
#include "query/internal/functions_json.h"
#include "query/internal/metadata_api.h"
#include "query/internal/partials_api.h"
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

// graphite-web's local=1 (a peer asking: answer from this store only) and Meridian's
// partial=allow|deny. INVALID_ARGUMENT for another partial value.
core::Result<ReadScope> ScopeOf(const Request& req, PartialPolicy default_partial,
                                ReadReport* report) {
  ReadScope scope;
  scope.report = report;
  scope.partial = default_partial;
  const std::string local = req.Param("local");
  scope.local_only = local == "1" || local == "true";
  scope.push_down = req.Param("pushDown") != "0";  // aggregate push-down (query/partials.h)
  if (req.Has("partial")) {
    const std::string p = req.Param("partial");
    if (p == "allow") {
      scope.partial = PartialPolicy::kAllow;
    } else if (p == "deny") {
      scope.partial = PartialPolicy::kRefuse;
    } else {
      return core::InvalidArgument(fmt::format("partial={}: expected allow or deny", p));
    }
  }
  return scope;
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
        partial_answers_(metrics.GetCounter(
            "http_partial_answers_total",
            "Answers given without every federation peer they needed (X-Meridian-Partial).")),
        requests_render_(
            metrics.GetCounter("http_requests_total", "HTTP requests.", {{"handler", "render"}})),
        requests_find_(
            metrics.GetCounter("http_requests_total", "HTTP requests.", {{"handler", "find"}})),
        rejected_size_(Limit(metrics, "size")),
        rejected_response_bytes_(Limit(metrics, "response_bytes")),
        rejected_timeout_(Limit(metrics, "timeout")),
        rejected_concurrency_(Limit(metrics, "concurrency")),
        memory_(options.memory_budget_bytes, metrics, "http_memory", "http.memory_budget_bytes"),
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

  // One of http.max_concurrent_queries slots, shared by renders and peers' partials requests;
  // without one the request is told to retry (503).
  class QuerySlot {
   public:
    QuerySlot(std::atomic<size_t>& n, size_t max) : n_(n), ok_(n.fetch_add(1) < max) {}
    ~QuerySlot() { n_.fetch_sub(1); }
    QuerySlot(const QuerySlot&) = delete;
    QuerySlot& operator=(const QuerySlot&) = delete;
    bool ok() const { return ok_; }

   private:
    std::atomic<size_t>& n_;
    const bool ok_;
  };

  Response TooManyQueries() {
    rejected_concurrency_.Add();
    return Response::Error(core::Unavailable(
        fmt::format("more than {} queries are running (http.max_concurrent_queries)",
                    options_.max_concurrent_queries)));
  }

  // A peer pushing an aggregate down (internal/partials_api.h): bounded like a render — a query
  // slot, the per-request series/points budgets and the memory budget.
  Response Partials(const Request& req) {
    QuerySlot slot(renders_in_flight_, options_.max_concurrent_queries);
    if (!slot.ok()) return TooManyQueries();
    ReadReport report;
    auto scope = ScopeOf(req, options_.partial, &report);
    if (!scope.ok()) return Fail(scope.status());
    internal::PartialsLimits limits{LimitsOf(req), options_.max_series_per_request,
                                    options_.max_points_per_request, &memory_};
    return MarkPartial(
        report, Counted(internal::FederationPartials(source_, ParamsOf(req), limits, *scope)));
  }

  Response Render(const Request& req) {
    requests_render_.Add();
    QuerySlot slot(renders_in_flight_, options_.max_concurrent_queries);
    if (!slot.ok()) return TooManyQueries();
    ReadReport report;
    auto scope = ScopeOf(req, options_.partial, &report);
    if (!scope.ok()) return Fail(scope.status());
    auto plan = internal::PlanRender(ParamsOf(req), clock_.NowSeconds());
    if (!plan.ok()) return Fail(plan.status());
    EvalLimits limits;
    limits.max_series = options_.max_series_per_request;
    limits.max_points = options_.max_points_per_request;
    // The body is bounded by bytes; once it is being sent its pace is the client's (each piece
    // under http.write_timeout), so its writing keeps the request's cancellation, not its time.
    plan->format.limits = {options_.max_response_bytes, req.deadline.WithoutTimeLimit()};
    limits.deadline = req.deadline;
    limits.scope = *scope;
    limits.memory = &memory_;
    auto answer = internal::ExecuteRender(*plan, source_, FunctionRegistry::Default(), limits);
    if (!answer.ok()) return Fail(answer.status());
    Response r;
    r.content_type = std::move(answer->stream.content_type);
    r.stream = std::make_shared<RenderBody>(std::move(*answer), rejected_response_bytes_);
    return MarkPartial(report, std::move(r));
  }

  // A render's body for the front door (http::BodyStream): the formatter's pieces, the values
  // it formats and their memory reservation, released when the answer is written or dropped.
  class RenderBody final : public http::BodyStream {
   public:
    RenderBody(internal::RenderAnswer answer, core::Counter& too_large)
        : answer_(std::move(answer)), too_large_(too_large) {}
    core::Result<bool> Next(std::string* out) override {
      if (answer_.stream.chunks.Next(out)) return true;
      const core::Status& st = answer_.stream.chunks.status();
      if (st.ok()) return false;
      if (IsResponseTooLarge(st)) too_large_.Add();
      return st;
    }

   private:
    internal::RenderAnswer answer_;
    core::Counter& too_large_;
  };

  Response Find(const Request& req) {
    requests_find_.Add();
    ReadReport report;
    auto scope = ScopeOf(req, options_.partial, &report);
    if (!scope.ok()) return Fail(scope.status());
    internal::FindContext context{LimitsOf(req), clock_.NowSeconds(),
                                  req.Header("accept") == "application/json", *scope};
    return MarkPartial(report, Counted(internal::MetricsFind(source_, ParamsOf(req), context)));
  }

  // Runs a metadata handler with the request's scope; its answer marked when partial.
  template <typename Fn>
  Response Metadata(const Request& req, Fn&& fn) {
    ReadReport report;
    auto scope = ScopeOf(req, options_.partial, &report);
    if (!scope.ok()) return Fail(scope.status());
    return MarkPartial(report, Counted(fn(source_, ParamsOf(req), LimitsOf(req), *scope)));
  }

  // A successful answer that lacks some peers says so (the body stays graphite-web's, so
  // Grafana keeps working) and must not be cached anywhere.
  Response MarkPartial(const ReadReport& report, Response r) {
    if (r.status >= 400 || !report.partial()) return r;
    partial_answers_.Add();
    r.headers.emplace_back(kPartialHeader, report.Describe());
    for (auto it = r.headers.begin(); it != r.headers.end();) {
      it = it->first == "Cache-Control" ? r.headers.erase(it) : it + 1;
    }
    r.headers.emplace_back("Cache-Control", "no-store");
    return r;
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
  core::Counter& partial_answers_;
  core::Counter& requests_render_;
  core::Counter& requests_find_;
  core::Counter& rejected_size_;
  core::Counter& rejected_response_bytes_;
  core::Counter& rejected_timeout_;
  core::Counter& rejected_concurrency_;
  core::MemoryBudget memory_;
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
    reg.Add(get_post, path, [api, fn](const Request& r) { return api->Metadata(r, fn); });
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
  // Aggregate push-down between Meridians (internal/partials_api.h).
  reg.Add({Method::kPost}, "/api/federation/partials",
          [api](const Request& r) { return api->Partials(r); });
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
    return api->Metadata(r, [&r](SeriesSource& source, const internal::Params& params,
                                 const OutputLimits& limits, const ReadScope& scope) {
      return internal::TagDetails(source, r.path_args[0], params, limits, scope);
    });
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
      {Method::kGet}, "/health",
      [problem = options.health_problem](const Request&) {
        std::string why = problem ? problem() : std::string();
        return Response::Text(200, why.empty() ? "ok" : "degraded: " + why);
      },
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
