// The server's side of a streamed answer (http::BodyStream, message.h): the first part is
// pulled on the worker that ran the handler; what follows is pulled a piece at a time, encoded
// as negotiated (br/gzip), between the session's writes.
#pragma once

#include <memory>
#include <string>

#include "core/metrics.h"
#include "core/status.h"
#include "http/internal/compress.h"
#include "http/message.h"

namespace meridian::http::internal {

// About this much of the producer's body goes into each piece written after the first part
// (before encoding): large enough that a piece costs one worker task and one write, small
// enough that a body in flight holds little.
inline constexpr size_t kStreamPieceBytes = 256 << 10;

// A producer's body encoded with `encoder` (null = as it is), in pieces of about
// kStreamPieceBytes.
class EncodedStream final : public BodyStream {
 public:
  // `bytes_in`/`bytes_out` (null: not counted; must outlive the stream) count what the encoder
  // took and gave.
  EncodedStream(std::shared_ptr<BodyStream> source, std::unique_ptr<StreamEncoder> encoder,
                core::Counter* bytes_in = nullptr, core::Counter* bytes_out = nullptr)
      : source_(std::move(source)),
        encoder_(std::move(encoder)),
        bytes_in_(bytes_in),
        bytes_out_(bytes_out) {}
  core::Result<bool> Next(std::string* out) override;

 private:
  std::shared_ptr<BodyStream> source_;
  std::unique_ptr<StreamEncoder> encoder_;
  core::Counter* bytes_in_;
  core::Counter* bytes_out_;
  std::string raw_;
  bool done_ = false;
};

struct ServerCounters;

// Pulls response.stream into response.body until the stream ends or the body reaches
// `min_bytes` (0 = no bound: the whole body; a HEAD request always takes the whole body, as its
// length is the answer). Ended: response.stream is reset and the response is an ordinary one.
// Not ended: the first part is encoded as `request` accepts (when compress_min_bytes != 0),
// Content-Encoding/Vary added, and response.stream replaced by an EncodedStream that continues
// it (counted in `counters`: streamed answers, compressed ones and their bytes). An error before
// then replaces the response with the error's answer. True when the answer is streamed.
bool BeginStream(const Request& request, Response& response, size_t min_bytes,
                 size_t compress_min_bytes, ServerCounters& counters);

}  // namespace meridian::http::internal
