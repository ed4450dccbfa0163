#include "http/internal/compress.h"

#include <brotli/encode.h>
#include <zlib.h>

#include <algorithm>
#include <cstdlib>

#include "core/ascii.h"

namespace meridian::http::internal {
namespace {

// Brotli quality 4 and gzip level 5: a few hundred MB/s per core, most of the size gain.
constexpr int kBrotliQuality = 4;
constexpr int kGzipLevel = 5;
// For bodies encoded once (static assets): brotli 6 is within ~7% of 11 at ~2% of its time.
constexpr int kHighBrotliQuality = 6;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// q of one "coding;q=0.5" element (1 when absent; 0 when malformed, so a bad value refuses).
double Quality(std::string_view params) {
  while (!params.empty()) {
    const size_t semi = params.find(';');
    std::string_view p = Trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    if (p.size() >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
      const std::string value(Trim(p.substr(2)));
      char* end = nullptr;
      const double q = std::strtod(value.c_str(), &end);
      if (value.empty() || end != value.c_str() + value.size() || !(q >= 0 && q <= 1)) return 0;
      return q;
    }
  }
  return 1;
}

}  // namespace

std::string_view EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kGzip:
      return "gzip";
    case Encoding::kBrotli:
      return "br";
    case Encoding::kIdentity:
      break;
  }
  return "identity";
}

Encoding Negotiate(std::string_view accept_encoding) {
  double gzip = -1, br = -1, any = -1;
  while (!accept_encoding.empty()) {
    const size_t comma = accept_encoding.find(',');
    std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding =
        comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    const size_t semi = item.find(';');
    const std::string_view coding = Trim(item.substr(0, semi));
    const double q = semi == std::string_view::npos ? 1 : Quality(item.substr(semi + 1));
    if (core::EqualsIgnoreAsciiCase(coding, "br")) {
      br = q;
    } else if (core::EqualsIgnoreAsciiCase(coding, "gzip") ||
               core::EqualsIgnoreAsciiCase(coding, "x-gzip")) {
      gzip = q;
    } else if (coding == "*") {
      any = q;
    }
  }
  if (br < 0) br = any;
  if (gzip < 0) gzip = any;
  if (br > 0 && br >= gzip) return Encoding::kBrotli;
  if (gzip > 0) return Encoding::kGzip;
  return Encoding::kIdentity;
}

struct StreamEncoder::Impl {
  BrotliEncoderState* brotli = nullptr;
  z_stream zlib{};
  bool zlib_open = false;
  ~Impl() {
    if (brotli != nullptr) BrotliEncoderDestroyInstance(brotli);
    if (zlib_open) deflateEnd(&zlib);
  }
};

StreamEncoder::StreamEncoder(Encoding e, bool high)
    : encoding_(e), impl_(std::make_unique<Impl>()) {
  if (e == Encoding::kBrotli) {
    impl_->brotli = BrotliEncoderCreateInstance(nullptr, nullptr, nullptr);
    if (impl_->brotli != nullptr) {
      BrotliEncoderSetParameter(impl_->brotli, BROTLI_PARAM_QUALITY,
                                high ? kHighBrotliQuality : kBrotliQuality);
      BrotliEncoderSetParameter(impl_->brotli, BROTLI_PARAM_MODE, BROTLI_MODE_TEXT);
    }
  } else if (e == Encoding::kGzip) {
    // 15 + 16: a gzip wrapper, not zlib's.
    impl_->zlib_open = deflateInit2(&impl_->zlib, high ? Z_BEST_COMPRESSION : kGzipLevel,
                                    Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
  }
}

StreamEncoder::~StreamEncoder() = default;

core::Status StreamEncoder::Append(std::string_view in, std::string* out) {
  return Run(in, false, out);
}

core::Status StreamEncoder::Finish(std::string* out) { return Run({}, true, out); }

core::Status StreamEncoder::Run(std::string_view in, bool finish, std::string* out) {
  if (encoding_ == Encoding::kBrotli) {
    BrotliEncoderState* b = impl_->brotli;
    if (b == nullptr) return core::Internal("brotli: cannot create an encoder");
    size_t avail_in = in.size();
    const auto* next_in = reinterpret_cast<const uint8_t*>(in.data());
    for (;;) {
      size_t avail_out = 0;  // output stays in the encoder's buffer; taken below
      if (!BrotliEncoderCompressStream(b,
                                       finish ? BROTLI_OPERATION_FINISH : BROTLI_OPERATION_PROCESS,
                                       &avail_in, &next_in, &avail_out, nullptr, nullptr)) {
        return core::Internal("brotli: compression failed");
      }
      size_t size = 0;
      const uint8_t* data = BrotliEncoderTakeOutput(b, &size);
      out->append(reinterpret_cast<const char*>(data), size);
      if (avail_in == 0 && !BrotliEncoderHasMoreOutput(b) &&
          (!finish || BrotliEncoderIsFinished(b))) {
        return core::Status::Ok();
      }
    }
  }
  if (encoding_ == Encoding::kGzip) {
    if (!impl_->zlib_open) return core::Internal("gzip: deflateInit2 failed");
    z_stream& z = impl_->zlib;
    constexpr size_t kOut = 64 << 10;
    do {
      // zlib counts in 32 bits: feed at most 1 GiB at a time.
      const size_t feed = std::min(in.size(), size_t{1} << 30);
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      z.avail_in = static_cast<uInt>(feed);
      const bool last = finish && feed == in.size();
      int rc = Z_OK;
      do {
        const size_t old = out->size();
        out->resize(old + kOut);
        z.next_out = reinterpret_cast<Bytef*>(out->data() + old);
        z.avail_out = static_cast<uInt>(kOut);
        rc = deflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
        out->resize(old + kOut - z.avail_out);
        if (rc == Z_STREAM_ERROR) return core::Internal("gzip: compression failed");
      } while (last ? rc != Z_STREAM_END : (z.avail_out == 0 || z.avail_in > 0));
      in.remove_prefix(feed);
    } while (!in.empty());
    return core::Status::Ok();
  }
  out->append(in);
  return core::Status::Ok();
}

core::Result<std::string> Encode(std::string_view body, Encoding e, bool high) {
  if (e == Encoding::kIdentity) return std::string(body);
  std::string out;
  out.reserve(body.size() / 4 + 64);
  StreamEncoder encoder(e, high);
  RETURN_IF_ERROR(encoder.Append(body, &out));
  RETURN_IF_ERROR(encoder.Finish(&out));
  return out;
}

Encoding ChooseEncoding(const Request& request, Response& response) {
  for (const auto& [name, value] : response.headers) {
    if (core::EqualsIgnoreAsciiCase(name, "content-encoding")) return Encoding::kIdentity;
  }
  response.headers.emplace_back("Vary", "Accept-Encoding");
  return Negotiate(request.Header("accept-encoding"));
}

CompressionOutcome MaybeCompress(const Request& request, Response& response, size_t min_bytes) {
  CompressionOutcome outcome;
  // zlib's sizes are 32-bit: larger bodies (past http.max_response_bytes anyway) stay as they are.
  if (min_bytes == 0 || response.body.size() < min_bytes || response.body.size() > (1u << 31)) {
    return outcome;
  }
  const Encoding e = ChooseEncoding(request, response);
  if (e == Encoding::kIdentity) return outcome;
  auto encoded = Encode(response.body, e);
  if (!encoded.ok() || encoded->size() >= response.body.size()) return outcome;
  outcome.encoding = e;
  outcome.bytes_in = response.body.size();
  outcome.bytes_out = encoded->size();
  response.body = std::move(encoded).value();
  response.headers.emplace_back("Content-Encoding", std::string(EncodingName(e)));
  return outcome;
}

}  // namespace meridian::http::internal
