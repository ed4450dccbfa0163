// Content-encoding for handlers that compress their answers themselves (e.g. static assets
// compressed once at start-up): the front door's negotiation and encoders, public. An answer
// that carries its own Content-Encoding is sent as it is (the front door does not compress it
// again).
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace meridian::http {

enum class ContentEncoding { kIdentity, kGzip, kBrotli };
std::string_view ContentEncodingName(ContentEncoding e);  // "identity", "gzip", "br"

// From an Accept-Encoding value: br if acceptable, else gzip, else identity (q-values honoured).
ContentEncoding NegotiateEncoding(std::string_view accept_encoding);

enum class Effort {
  kFast,  // gzip 5 / brotli 4, as the front door compresses each answer
  // gzip 9 / brotli 6: for bodies encoded once and sent many times (static assets at start-up).
  // uPlot (51 KB): brotli 21.4 KB in ~4 ms; quality 11 would save 7% more in ~50× the time.
  kHigh,
};

// `body` encoded. INTERNAL if the library fails (never for valid input).
core::Result<std::string> EncodeBody(std::string_view body, ContentEncoding e,
                                     Effort effort = Effort::kFast);

}  // namespace meridian::http
