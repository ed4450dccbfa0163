#include "query/http_api.h"

#include <fmt/format.h>
#include <httplib.h>

#include <atomic>
#include <chrono>

#include "query/formats.h"
#include "query/internal/find_format.h"
#include "query/internal/functions_json.h"
#include "query/internal/metadata_api.h"
#include "query/internal/render_request.h"

namespace meridian::query {
namespace {

// graphite-web folds `key[]` into `key` (jQuery-style arrays from Grafana and the web UI).
internal::Params ParamsOf(const httplib::Request& req) {
  internal::Params out;
  for (const auto& [k, v] : req.params) {
    std::string key = k.size() > 2 && k.ends_with("[]") ? k.substr(0, k.size() - 2) : k;
    out.emplace(std::move(key), v);
  }
  return out;
}

void Send(httplib::Response& res, const internal::ApiResponse& api) {
  res.status = api.status;
  for (const auto& [name, value] : api.headers) res.set_header(name.c_str(), value);
  res.set_content(api.body, api.content_type);
}

int HttpStatusFor(const core::Status& st) {
  switch (st.code()) {
    case core::StatusCode::kInvalidArgument:
      return 400;
    case core::StatusCode::kNotFound:
      return 404;
    case core::StatusCode::kResourceExhausted:
      return 422;
    case core::StatusCode::kDeadlineExceeded:
      return 504;
    case core::StatusCode::kCancelled:
    case core::StatusCode::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

}  // namespace

struct HttpApi::Impl {
  HttpOptions options;
  SeriesSource* source;
  const core::Clock* clock;
  core::MetricsRegistry* metrics;
  httplib::Server server;
  std::thread thread;
  core::Counter* requests_render;
  core::Counter* requests_find;
  core::Counter* errors_4xx;
  core::Counter* errors_5xx;
  core::Counter* rejected_size;
  core::Counter* rejected_response_bytes;
  core::Counter* rejected_timeout;
  core::Counter* rejected_concurrency;
  std::atomic<size_t> renders_in_flight{0};

  void CountRejection(const core::Status& st) {
    if (IsResponseTooLarge(st)) {
      rejected_response_bytes->Add();
    } else if (st.code() == core::StatusCode::kResourceExhausted) {
      rejected_size->Add();
    }
    if (st.code() == core::StatusCode::kDeadlineExceeded) rejected_timeout->Add();
  }

  // The bounds of one request, starting now.
  OutputLimits RequestLimits() const {
    return {options.max_response_bytes,
            core::Deadline::After(std::chrono::milliseconds(options.query_timeout_ms))};
  }

  void Fail(httplib::Response& res, const core::Status& st) {
    res.status = HttpStatusFor(st);
    CountRejection(st);
    (res.status >= 500 ? errors_5xx : errors_4xx)->Add();
    res.set_content(st.message() + "\n", "text/plain");
  }

  void HandleRender(const httplib::Request& req, httplib::Response& res) {
    requests_render->Add();
    // At most max_concurrent_queries renders run at once; the rest are told to retry (503).
    if (renders_in_flight.fetch_add(1) >= options.max_concurrent_queries) {
      renders_in_flight.fetch_sub(1);
      rejected_concurrency->Add();
      return Fail(res, core::Unavailable(fmt::format(
                           "more than {} queries are running (http.max_concurrent_queries)",
                           options.max_concurrent_queries)));
    }
    struct Release {
      std::atomic<size_t>& n;
      ~Release() { n.fetch_sub(1); }
    } release{renders_in_flight};
    auto plan = internal::PlanRender(ParamsOf(req), clock->NowSeconds());
    if (!plan.ok()) return Fail(res, plan.status());
    EvalLimits limits;
    limits.max_series = options.max_series_per_request;
    limits.max_points = options.max_points_per_request;
    plan->format.limits = RequestLimits();
    limits.deadline = plan->format.limits.deadline;
    auto body = internal::ExecuteRender(*plan, *source, FunctionRegistry::Default(), limits);
    if (!body.ok()) return Fail(res, body.status());
    res.set_content(body->body, body->content_type);
  }

  void HandleFind(const httplib::Request& req, httplib::Response& res) {
    requests_find->Add();
    internal::FindContext context{RequestLimits(), clock->NowSeconds(),
                                  req.get_header_value("Accept") == "application/json"};
    SendCounted(res, internal::MetricsFind(*source, ParamsOf(req), context));
  }

  void SendCounted(httplib::Response& res, const internal::ApiResponse& api) {
    if (api.status >= 400) (api.status >= 500 ? errors_5xx : errors_4xx)->Add();
    CountRejection(api.error);
    Send(res, api);
  }

  // Routes whose handlers live in internal/metadata_api (socket-free, unit-tested there).
  void MetadataRoutes() {
    using internal::ApiResponse;
    using internal::Params;
    auto route = [this](const char* path, auto fn) {
      auto handler = [this, fn](const httplib::Request& q, httplib::Response& r) {
        SendCounted(r, fn(*source, ParamsOf(q), RequestLimits()));
      };
      server.Get(path, handler);
      server.Post(path, handler);
    };
    route("/metrics/expand", internal::MetricsExpand);
    route("/metrics/expand/", internal::MetricsExpand);
    route("/metrics/index.json", internal::MetricsIndex);
    route("/tags", internal::TagList);
    route("/tags/", internal::TagList);
    route("/tags/findSeries", internal::TagFindSeries);
    route("/tags/findSeries/", internal::TagFindSeries);
    route("/tags/autoComplete/tags", internal::TagAutoCompleteTags);
    route("/tags/autoComplete/values", internal::TagAutoCompleteValues);
    auto tag_series = [](bool multi) {
      return [multi](const httplib::Request& q, httplib::Response& r) {
        Send(r, internal::TagSeries(ParamsOf(q), multi));
      };
    };
    server.Post("/tags/tagSeries", tag_series(false));
    server.Post("/tags/tagMultiSeries", tag_series(true));
    server.Post("/tags/delSeries", [this](const httplib::Request& q, httplib::Response& r) {
      Send(r, internal::TagDelSeries(*source, ParamsOf(q)));
    });
    server.Get(R"(/tags/([^/]+)/?)", [this](const httplib::Request& q, httplib::Response& r) {
      SendCounted(r,
                  internal::TagDetails(*source, q.matches[1].str(), ParamsOf(q), RequestLimits()));
    });
    auto functions = [](const httplib::Request& q, httplib::Response& r) {
      Send(r, internal::FunctionsList(FunctionRegistry::Default(), ParamsOf(q)));
    };
    server.Get("/functions", functions);
    server.Get("/functions/", functions);
    server.Get(R"(/functions/([^/]+)/?)", [](const httplib::Request& q, httplib::Response& r) {
      Send(r,
           internal::FunctionDetails(FunctionRegistry::Default(), q.matches[1].str(), ParamsOf(q)));
    });
    server.Get("/version", [](const httplib::Request&, httplib::Response& r) {
      // graphite-web's version, which Grafana's auto-detection reads as the API level.
      r.set_content("1.1.10\n", "text/plain");
    });
  }

  void AddExtraRoute(ExtraRoute route) {
    auto handler = [this, fn = std::move(route.handler)](const httplib::Request& q,
                                                         httplib::Response& r) {
      HttpRequestView view;
      for (const auto& [k, v] : q.params) view.params.emplace(k, v);
      view.body = q.body;
      HttpReply reply = fn(view);
      if (reply.status >= 400) (reply.status >= 500 ? errors_5xx : errors_4xx)->Add();
      r.status = reply.status;
      r.set_content(reply.body, reply.content_type);
    };
    if (route.method == ExtraRoute::Method::kGet) {
      server.Get(route.path, std::move(handler));
    } else {
      server.Post(route.path, std::move(handler));
    }
  }

  void Routes() {
    auto render = [this](const httplib::Request& q, httplib::Response& r) { HandleRender(q, r); };
    auto find = [this](const httplib::Request& q, httplib::Response& r) { HandleFind(q, r); };
    for (const char* path : {"/render", "/render/"}) {
      server.Get(path, render);
      server.Post(path, render);
    }
    for (const char* path : {"/metrics/find", "/metrics/find/"}) {
      server.Get(path, find);
      server.Post(path, find);
    }
    MetadataRoutes();
    server.Get("/health", [](const httplib::Request&, httplib::Response& r) {
      r.set_content("ok\n", "text/plain");
    });
    server.Get("/metrics", [this](const httplib::Request& q, httplib::Response& r) {
      // graphite-web serves find at /metrics?query=...; Prometheus scrapes /metrics bare.
      if (q.has_param("query")) return HandleFind(q, r);
      r.set_content(metrics->RenderPrometheus(), "text/plain; version=0.0.4");
    });
  }
};

HttpApi::HttpApi(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpApi::~HttpApi() { Stop(); }

void HttpApi::Stop() {
  if (!impl_ || !impl_->thread.joinable()) return;
  impl_->server.stop();
  impl_->thread.join();
}

core::Result<std::unique_ptr<HttpApi>> HttpApi::Start(const HttpOptions& options,
                                                      SeriesSource& source,
                                                      const core::Clock& clock,
                                                      core::MetricsRegistry& metrics,
                                                      std::vector<ExtraRoute> extra_routes) {
  const std::string& host = options.host;
  const uint16_t port = options.port;
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->source = &source;
  impl->clock = &clock;
  impl->metrics = &metrics;
  impl->requests_render =
      &metrics.GetCounter("http_requests_total", "HTTP requests.", {{"handler", "render"}});
  impl->requests_find =
      &metrics.GetCounter("http_requests_total", "HTTP requests.", {{"handler", "find"}});
  impl->errors_4xx =
      &metrics.GetCounter("http_errors_total", "HTTP error answers.", {{"class", "4xx"}});
  impl->errors_5xx =
      &metrics.GetCounter("http_errors_total", "HTTP error answers.", {{"class", "5xx"}});
  const char* limit_help = "Requests refused by a limit (size, timeout, concurrency).";
  impl->rejected_size =
      &metrics.GetCounter("http_limit_rejections_total", limit_help, {{"limit", "size"}});
  impl->rejected_response_bytes =
      &metrics.GetCounter("http_limit_rejections_total", limit_help, {{"limit", "response_bytes"}});
  impl->rejected_timeout =
      &metrics.GetCounter("http_limit_rejections_total", limit_help, {{"limit", "timeout"}});
  impl->rejected_concurrency =
      &metrics.GetCounter("http_limit_rejections_total", limit_help, {{"limit", "concurrency"}});
  impl->server.set_payload_max_length(options.max_request_bytes);
  impl->server.set_read_timeout(options.read_timeout_seconds, 0);
  impl->Routes();
  for (auto& route : extra_routes) impl->AddExtraRoute(std::move(route));
  int bound = port == 0 ? impl->server.bind_to_any_port(host) : port;
  if (port != 0 && !impl->server.bind_to_port(host, port)) bound = -1;
  if (bound <= 0) {
    return core::Unavailable(fmt::format("cannot listen on {}:{} for HTTP", host, port));
  }
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->server.listen_after_bind(); });
  auto api = std::unique_ptr<HttpApi>(new HttpApi(std::move(impl)));
  api->port_ = static_cast<uint16_t>(bound);
  return api;
}

}  // namespace meridian::query
