// Fuzzes aggregate push-down's wire (query/federation/internal/partials_wire.h): the msgpack
// partials a peer answers (untrusted: a broken or hostile peer) and the JSON request a peer
// receives (from any holder of a read token).
//
// Checks: no crash, sanitizer report or stack exhaustion (nesting bounded before the recursive
// msgpack reader descends); every error is INVALID_ARGUMENT with a message; an accepted group has
// a first name, members, a positive step, rows as long as its window has steps and counts no
// larger than its members; no more row values than the bound allows; an accepted answer or
// request re-encoded decodes to the same thing.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "query/federation/internal/partials_wire.h"

namespace {

using namespace meridian;
namespace wire = query::federation::internal;

constexpr size_t kMaxValues = 1 << 16;

template <typename T>
void ExpectClearError(const core::Result<T>& r) {
  if (!r.ok() &&
      (r.status().code() != core::StatusCode::kInvalidArgument || r.status().message().empty())) {
    std::abort();
  }
}

bool SameRow(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) != std::isnan(b[i])) return false;
    if (!std::isnan(a[i]) && (a[i] != b[i] || std::signbit(a[i]) != std::signbit(b[i]))) {
      return false;
    }
  }
  return true;
}

void CheckAnswer(const query::PartialAnswer& a) {
  size_t values = 0;
  for (const query::PartialGroup& g : a.groups) {
    const size_t n = g.count.size();
    if (g.first_name.empty() || g.members == 0 || g.step <= 0) std::abort();
    if (g.end - g.start != g.step * static_cast<int64_t>(n)) std::abort();
    for (const auto* row : {&g.sum, &g.min, &g.max}) {
      if (!row->empty() && row->size() != n) std::abort();
      values += row->size();
    }
    for (uint64_t c : g.count) {
      if (c > g.members) std::abort();
    }
    values += n;
  }
  if (values > kMaxValues) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto answer = wire::DecodePartialAnswer(body, kMaxValues);
  ExpectClearError(answer);
  if (answer.ok()) {
    CheckAnswer(*answer);
    auto again = wire::DecodePartialAnswer(wire::EncodePartialAnswer(*answer), kMaxValues);
    if (!again.ok() || again->fallback != answer->fallback ||
        again->groups.size() != answer->groups.size()) {
      std::abort();
    }
    for (size_t i = 0; i < answer->groups.size(); ++i) {
      const query::PartialGroup& g = answer->groups[i];
      const query::PartialGroup& h = again->groups[i];
      if (g.key != h.key || g.first_name != h.first_name || g.members != h.members ||
          g.tags != h.tags || g.count != h.count || !SameRow(g.sum, h.sum) ||
          !SameRow(g.min, h.min) || !SameRow(g.max, h.max) || g.exp_min != h.exp_min) {
        std::abort();
      }
    }
  }
  auto request = wire::DecodePartialRequest(body);
  ExpectClearError(request);
  if (request.ok()) {
    auto again = wire::DecodePartialRequest(wire::EncodePartialRequest(*request));
    if (!again.ok() || again->group_by != request->group_by ||
        again->group_by_tags != request->group_by_tags ||
        again->spec.pattern != request->spec.pattern ||
        again->spec.tag_expressions != request->spec.tag_expressions ||
        again->mount != request->mount || again->sum != request->sum ||
        again->min != request->min || again->max != request->max) {
      std::abort();
    }
  }
  return 0;
}
