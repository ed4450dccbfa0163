#include "http/compress.h"

#include "http/internal/compress.h"

namespace meridian::http {
namespace {

internal::Encoding ToInternal(ContentEncoding e) {
  switch (e) {
    case ContentEncoding::kGzip:
      return internal::Encoding::kGzip;
    case ContentEncoding::kBrotli:
      return internal::Encoding::kBrotli;
    case ContentEncoding::kIdentity:
      break;
  }
  return internal::Encoding::kIdentity;
}

}  // namespace

std::string_view ContentEncodingName(ContentEncoding e) {
  return internal::EncodingName(ToInternal(e));
}

ContentEncoding NegotiateEncoding(std::string_view accept_encoding) {
  switch (internal::Negotiate(accept_encoding)) {
    case internal::Encoding::kGzip:
      return ContentEncoding::kGzip;
    case internal::Encoding::kBrotli:
      return ContentEncoding::kBrotli;
    case internal::Encoding::kIdentity:
      break;
  }
  return ContentEncoding::kIdentity;
}

core::Result<std::string> EncodeBody(std::string_view body, ContentEncoding e, Effort effort) {
  return internal::Encode(body, ToInternal(e), effort == Effort::kHigh);
}

}  // namespace meridian::http
