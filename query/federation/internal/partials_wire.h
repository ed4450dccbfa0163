// The wire of aggregate push-down between Meridians (POST /api/federation/partials; see
// query/partials.h): the request as a JSON form field, the answer as msgpack
//
//   {"fallback": "<reason>"}   or
//   {"groups": [{"key": s, "first": s, "members": n, "tags": {s: s}, "start": t, "end": t,
//                "step": n, "count": [n…], "sum": [f…], "min": [f…], "max": [f…],
//                "q": n, "abs": f, "nz": b[, "product": [f…], "mb": n, "mu": n, "md": n,
//                "mi": b]}, …]}
//
// A peer's answer is untrusted: the decoder is a streaming (SAX) reader with nesting, string and
// value counts bounded, and every group checked for a consistent shape (rows as long as the
// window has steps, counts ≤ members, a sane certificate). Fuzzed by fuzz/partials_wire_fuzzer.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"
#include "query/partials.h"

namespace meridian::query::federation::internal {

// The request as JSON: {"pattern": s} or {"tags": [s…]}, "group": [{"i": n} | {"t": s}…] or
// "group_tags": [s…], "sum"/"min"/"max"/"product": bool, and the asking front's mount of the
// peer when it has one: "mount": {"prefix": s, "tags": {s: s}} (at most 1 KiB in all).
std::string EncodePartialRequest(const PartialRequest& request);

// A mount's prefix and tags in all, at most: each lengthens every name a peer computes partials
// for. A front does not push down to a peer mounted with more (it fetches instead).
inline constexpr size_t kMaxMountBytes = 1024;
bool MountFitsRequest(const PeerMount& mount);
// INVALID_ARGUMENT naming what is wrong (not JSON, wrong types, over 1 MiB, over 256 tag
// expressions or group nodes).
core::Result<PartialRequest> DecodePartialRequest(std::string_view text);

std::string EncodePartialAnswer(const PartialAnswer& answer);
// INVALID_ARGUMENT for a malformed or inconsistent body, or one holding more than `max_values`
// row values in all (a bound on memory: rows are stored 8 bytes a value).
core::Result<PartialAnswer> DecodePartialAnswer(std::string_view body, size_t max_values);

}  // namespace meridian::query::federation::internal
