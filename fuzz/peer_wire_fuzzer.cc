// Fuzzes the decoders of what a federation peer answers (query/federation/internal/peer_wire.h):
// the msgpack bodies of /render and /metrics/find and the JSON of expand and the tag calls. A
// peer is untrusted input: a broken graphite-web, a proxy's error page, an attacker.
//
// Checks: no crash, sanitizer report or stack exhaustion (nesting is bounded before the
// recursive msgpack reader descends); every error is INVALID_ARGUMENT; an accepted render series
// has a name, a positive step when it has values, and end = start + step × len(values); an
// accepted find node has a path and has_children = !is_leaf.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "query/federation/internal/peer_wire.h"

namespace {

using namespace meridian;
namespace wire = query::federation::internal;

template <typename T>
void ExpectClearError(const core::Result<T>& r) {
  if (!r.ok() &&
      (r.status().code() != core::StatusCode::kInvalidArgument || r.status().message().empty())) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto series = wire::DecodeRenderMsgpack(body);
  ExpectClearError(series);
  if (series.ok()) {
    for (const storage::SeriesData& d : *series) {
      if (d.name.empty()) std::abort();
      if (!d.values.empty() && d.step <= 0) std::abort();
      if (d.end != d.start + d.step * static_cast<int64_t>(d.values.size())) std::abort();
    }
  }
  auto nodes = wire::DecodeFindMsgpack(body);
  ExpectClearError(nodes);
  if (nodes.ok()) {
    for (const storage::FindMatch& m : *nodes) {
      if (m.path.empty() || m.has_children == m.is_leaf) std::abort();
    }
  }
  ExpectClearError(wire::DecodeJsonNames(body, "results"));
  ExpectClearError(wire::DecodeJsonNames(body, nullptr));
  ExpectClearError(wire::DecodeJsonTagNames(body));
  ExpectClearError(wire::DecodeJsonTagValues(body));
  return 0;
}
