#include "query/internal/partials_api.h"

#include <fmt/format.h>

#include "http/message.h"
#include "query/evaluator.h"
#include "query/federation/internal/partials_wire.h"
#include "query/formats.h"
#include "query/partials.h"
#include "query/time_parser.h"

namespace meridian::query::internal {
namespace {

ApiResponse Failed(const core::Status& st) {
  ApiResponse r(http::HttpStatusFor(st), st.message() + "\n", "text/plain");
  r.error = st;
  return r;
}

std::string Param(const Params& p, const char* key) {
  auto it = p.find(key);
  return it == p.end() ? std::string() : it->second;
}

}  // namespace

ApiResponse FederationPartials(SeriesSource& source, const Params& params,
                               const PartialsLimits& bounds, const ReadScope& scope) {
  const OutputLimits& limits = bounds.output;
  auto request = federation::internal::DecodePartialRequest(Param(params, "request"));
  if (!request.ok()) return Failed(request.status());
  int64_t now = 0;
  if (const std::string n = Param(params, "now"); !n.empty()) {
    auto parsed = ParseTime(n, int64_t{0});
    if (!parsed.ok()) return Failed(parsed.status());
    now = *parsed;
  }
  auto from = ParseTime(Param(params, "from"), now);
  if (!from.ok()) return Failed(from.status());
  auto until = ParseTime(Param(params, "until"), now);
  if (!until.ok()) return Failed(until.status());
  if (core::Status st = ValidateRange(*from, *until); !st.ok()) return Failed(st);

  ReadOptions read = ReadOptions::WithDeadline(limits.deadline);
  read.scope = scope;
  read.scope.local_only = true;  // a peer asking: never fan out again
  read.max_series = bounds.max_series;
  read.max_points = bounds.max_points;
  auto series = source.FetchMatching(request->spec, *from, *until, read);
  if (!series.ok()) return Failed(series.status());
  // Reckoned as the evaluator reckons a render's fetched values (query/evaluator.h).
  size_t points = 0;
  for (const storage::SeriesData& s : *series) points += s.values.size();
  core::MemoryReservation memory(bounds.memory);
  if (core::Status st = memory.Grow(series->size() * kBytesPerSeries + points * kBytesPerPoint);
      !st.ok()) {
    return Failed(st);
  }
  ApiResponse r;
  r.body = federation::internal::EncodePartialAnswer(ComputePartials(*series, *request));
  r.content_type = "application/x-msgpack";
  if (limits.max_bytes != 0 && r.body.size() > limits.max_bytes) {
    return Failed(ResponseTooLarge(limits.max_bytes));
  }
  return r;
}

}  // namespace meridian::query::internal
