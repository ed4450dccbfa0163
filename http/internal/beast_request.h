// From Beast's parsed message to a Request: the socket-free step between the parser and the
// router (fuzzed by fuzz/http_request_fuzzer.cc).
#pragma once

#include <boost/beast/http.hpp>

#include "core/status.h"
#include "http/message.h"

namespace meridian::http::internal {

namespace bhttp = boost::beast::http;

using RequestParser = bhttp::request_parser<bhttp::string_body>;

// The server's limits on a request parser (http.max_header_bytes, http.max_body_bytes).
void LimitParser(RequestParser& parser, size_t max_header_bytes, size_t max_body_bytes);

Method MethodOf(bhttp::verb v);

// Splits and decodes the request target (path, query string), lower-cases header names, moves
// the body, and parses a url-encoded form body into params after the query string's. Leaves
// `in`'s body moved-from. INVALID_ARGUMENT for bad percent-encoding (the client gets a 400
// with the message).
core::Status ToRequest(bhttp::request<bhttp::string_body>& in, Request& out);

}  // namespace meridian::http::internal
