// Response compression: Accept-Encoding negotiation (q-values honoured) and gzip (zlib) or
// brotli encoding of an answer body, on the worker that made it. Brotli is preferred when a
// client accepts both (peers and browsers do): render JSON shrinks ~10×, msgpack ~3–5×.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "http/message.h"

namespace meridian::http::internal {

enum class Encoding { kIdentity, kGzip, kBrotli };
std::string_view EncodingName(Encoding e);  // "identity", "gzip", "br"

// The encoding to answer with, from an Accept-Encoding header value: br if acceptable, else gzip,
// else identity. "*" accepts both; q=0 refuses.
Encoding Negotiate(std::string_view accept_encoding);

// An encoder fed piece by piece (a streamed answer): each Append returns what the encoder
// has ready, Finish the rest and the trailer. Not thread-safe; one per answer.
class StreamEncoder {
 public:
  // REQUIRES: e != kIdentity.
  StreamEncoder(Encoding e, bool high = false);
  ~StreamEncoder();
  StreamEncoder(const StreamEncoder&) = delete;
  StreamEncoder& operator=(const StreamEncoder&) = delete;

  Encoding encoding() const { return encoding_; }
  // Encodes `in`, appending the output ready so far to `out`. INTERNAL if the library fails.
  core::Status Append(std::string_view in, std::string* out);
  // Ends the stream, appending the rest to `out`. Call once.
  core::Status Finish(std::string* out);

 private:
  core::Status Run(std::string_view in, bool finish, std::string* out);
  Encoding encoding_;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The body encoded; INTERNAL if the library fails (never for valid input). `high`: smaller output
// (brotli 6, gzip 9; for bodies encoded once and sent many times) instead of the fast per-answer
// levels.
core::Result<std::string> Encode(std::string_view body, Encoding e, bool high = false);

struct CompressionOutcome {
  Encoding encoding = Encoding::kIdentity;
  size_t bytes_in = 0;
  size_t bytes_out = 0;
};

// The encoding to answer `request` with: identity when `response` has a Content-Encoding of its
// own; otherwise adds Vary: Accept-Encoding and negotiates.
Encoding ChooseEncoding(const Request& request, Response& response);

// Compresses `response` in place when it has at least `min_bytes` of body (0 = never), no
// Content-Encoding of its own, and the request accepts gzip or br; adds Content-Encoding and
// Vary: Accept-Encoding. An answer that would not shrink is left as it is.
CompressionOutcome MaybeCompress(const Request& request, Response& response, size_t min_bytes);

}  // namespace meridian::http::internal
