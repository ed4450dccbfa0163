// Requests from raw bytes without a socket: the request parser with the server's limits
// (LimitParser), pipelined messages one after another, the bytes fed `piece` at a time, each
// complete message converted by ToRequest. The fuzzer's way into the request path
// (fuzz/http_request_fuzzer.cc), so that Beast stays inside http/.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "http/message.h"

namespace meridian::http::internal {

struct ParsedRequest {
  size_t body_bytes = 0;   // the body as the parser accepted it (before ToRequest)
  core::Status converted;  // ToRequest's status: not OK is a 400 with its message
  Request request;
};

// Stops at a parse error (the server answers 400/413/431 and closes the connection) or at a
// message the bytes end inside. `piece` 0 feeds the bytes at once.
std::vector<ParsedRequest> ParseRequestBytes(std::string_view bytes, size_t piece,
                                             size_t max_header_bytes, size_t max_body_bytes);

}  // namespace meridian::http::internal
