// Fuzzes whole render requests: a query string (targets with functions and arguments, from/until,
// format, maxDataPoints, template variables…) → PlanRender → ExecuteRender over a small
// in-memory source, with the HTTP path's budgets and a 2 s Deadline per input (libFuzzer's
// -timeout catches an input that ignores it: a slow input is a finding).
//
// Checks: no crash or sanitizer report; an accepted render has a body within the byte budget;
// every refusal is a Status the HTTP layer maps to a 4xx/504 (never INTERNAL or a 5xx).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "http/form.h"
#include "http/message.h"
#include "query/evaluator.h"
#include "query/function_registry.h"
#include "query/internal/render_request.h"
#include "support/fake_series_source.h"

namespace {

using namespace meridian;

constexpr int64_t kNow = 1'700'000'000;
constexpr size_t kMaxBytes = 1 << 20;

testing::FakeSeriesSource& Source() {
  static testing::FakeSeriesSource* source = [] {
    testing::FakeSeriesSource::Options o;
    o.fetch = testing::FakeSeriesSource::FetchMode::kWhisperWindow;
    o.oldest = kNow - 86400;  // a day of retention, and nothing after now, as the store clips
    o.newest = kNow;
    auto* s = new testing::FakeSeriesSource(o);
    const int64_t start = kNow - 3600;
    std::vector<double> ramp, spiky, sparse;
    for (int i = 0; i < 360; ++i) {
      ramp.push_back(i);
      spiky.push_back(i % 7 == 0 ? 1e300 : -i * 0.5);
      sparse.push_back(i % 5 == 0 ? i : std::numeric_limits<double>::quiet_NaN());
    }
    s->Add("a.b.c", start, 10, ramp);
    s->Add("a.b.d", start, 10, spiky);
    s->Add("a.e.c", start, 10, sparse);
    s->Add("x.y", start, 60, std::vector<double>(60, 2.5));
    s->Add("cpu;dc=a;host=h1", start, 10, ramp);
    s->Add("cpu;dc=b;host=h2", start, 10, sparse);
    return s;
  }();
  return *source;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  http::Params http_params;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (!http::ParseUrlEncoded(text, http_params).ok()) return 0;
  query::internal::Params params(http_params.begin(), http_params.end());
  auto plan = query::internal::PlanRender(params, kNow);
  if (!plan.ok()) {
    if (http::HttpStatusFor(plan.status()) >= 500) std::abort();
    return 0;
  }
  query::EvalLimits limits;
  limits.max_series = 1000;
  limits.max_points = 200'000;
  limits.deadline = core::Deadline::After(std::chrono::seconds(2));
  plan->format.limits = {kMaxBytes, limits.deadline};
  auto answer =
      query::internal::ExecuteRender(*plan, Source(), query::FunctionRegistry::Default(), limits);
  auto body = answer.ok() ? answer->stream.chunks.Drain() : answer.status();
  if (!body.ok()) {
    const int status = http::HttpStatusFor(body.status());
    if (status >= 500 && status != 504) std::abort();
    return 0;
  }
  if (body->size() > kMaxBytes) std::abort();
  return 0;
}
