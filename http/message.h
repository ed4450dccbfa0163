// Request and Response: what a route handler sees and returns. No sockets: handlers are plain
// functions of a Request, tested with strings (test/http/, and each module's own tests).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/deadline.h"
#include "core/status.h"

namespace meridian::http {

enum class Method { kGet, kHead, kPost, kPut, kDelete, kOptions, kOther };
std::string_view MethodName(Method m);

// Query-string and form fields in arrival order per key (graphite-web's QueryDict: the query
// string first, then the url-encoded form body).
using Params = std::multimap<std::string, std::string, std::less<>>;

struct Request {
  Method method = Method::kGet;
  std::string path;  // percent-decoded path, without the query string
  Params params;
  // Header fields as received (names lower-cased). Authorization is removed once checked, so
  // a handler (or a log line) never sees a token.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;    // raw body (also parsed into params when it is a url-encoded form)
  std::string remote;  // peer address, "ip:port"
  // Segments captured by the route pattern ("/tags/{}" → the tag).
  std::vector<std::string> path_args;
  // Set by the server: the request's time bound (http.query_timeout from arrival), cancelled
  // when the client disconnects or the server stops. Handlers pass it to every loop they run.
  core::Deadline deadline;

  // First header value with that (lower-case) name, or "".
  std::string_view Header(std::string_view lower_name) const;
  bool Has(std::string_view key) const { return params.find(key) != params.end(); }
  // First value of a parameter, or `fallback`.
  std::string Param(std::string_view key, std::string_view fallback = "") const;
  // Every value of a parameter, in order.
  std::vector<std::string> All(std::string_view key) const;
};

// An answer body produced piece by piece, for answers too large to build whole (a render of
// many series). The server pulls pieces on its worker threads, one at a time, and writes each
// before asking for the next, so a body in flight holds about one piece plus what the producer
// keeps (the values it formats) — and no thread while the client reads.
//
// The server first pulls up to http.stream_min_bytes: an answer that ends by then is sent whole
// (Content-Length; an error is still an ordinary 4xx/5xx). A longer one goes out with
// Transfer-Encoding: chunked, and an error after that point can no longer change the status:
// the server logs it, counts it (http_streams_aborted_total) and closes the connection without
// the last chunk, so the client sees a truncated answer, never a silently short one.
//
// Called from one thread at a time (never concurrently), possibly a different one each time.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // Appends the next piece (at least one byte unless the body is complete) to `out`; true while
  // more follows, false once the body is complete. An error ends the body.
  virtual core::Result<bool> Next(std::string* out) = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
  // When set, the body continues with what the stream produces after `body` (see BodyStream).
  std::shared_ptr<BodyStream> stream;
  std::vector<std::pair<std::string, std::string>> headers;  // extra header fields

  static Response Text(int status, std::string body);
  static Response Json(int status, std::string body);
  // The status's HTTP code (see HttpStatusFor) and its message as a text body.
  static Response Error(const core::Status& status);
};

// The one mapping from a Status to an HTTP status code:
// INVALID_ARGUMENT 400, NOT_FOUND 404, RESOURCE_EXHAUSTED 422,
// DEADLINE_EXCEEDED 504, CANCELLED 499 (nobody reads it), UNAVAILABLE 503, others 500.
int HttpStatusFor(const core::Status& status);

}  // namespace meridian::http
