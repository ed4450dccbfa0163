#include "http/internal/body_stream.h"

#include "http/internal/server_state.h"
#include "http/message.h"

namespace meridian::http::internal {

core::Result<bool> EncodedStream::Next(std::string* out) {
  if (done_) return false;
  raw_.clear();
  bool more = true;
  while (more && raw_.size() < kStreamPieceBytes) {
    ASSIGN_OR_RETURN(more, source_->Next(&raw_));
  }
  if (encoder_ == nullptr) {
    out->append(raw_);
  } else {
    const size_t before = out->size();
    RETURN_IF_ERROR(encoder_->Append(raw_, out));
    if (!more) RETURN_IF_ERROR(encoder_->Finish(out));
    if (bytes_in_ != nullptr) bytes_in_->Add(raw_.size());
    if (bytes_out_ != nullptr) bytes_out_->Add(out->size() - before);
  }
  done_ = !more;
  return more;
}

bool BeginStream(const Request& request, Response& response, size_t min_bytes,
                 size_t compress_min_bytes, ServerCounters& counters) {
  const bool whole = min_bytes == 0 || request.method == Method::kHead;
  bool more = true;
  while (more && (whole || response.body.size() < min_bytes)) {
    auto next = response.stream->Next(&response.body);
    if (!next.ok()) {
      response = Response::Error(next.status());
      return false;
    }
    more = *next;
  }
  if (!more) {
    response.stream.reset();
    return false;
  }
  std::unique_ptr<StreamEncoder> encoder;
  if (compress_min_bytes != 0) {
    const Encoding e = ChooseEncoding(request, response);
    if (e != Encoding::kIdentity) {
      encoder = std::make_unique<StreamEncoder>(e);
      std::string first;
      if (core::Status st = encoder->Append(response.body, &first); !st.ok()) {
        response = Response::Error(st);
        return false;
      }
      (e == Encoding::kGzip ? counters.compressed_gzip : counters.compressed_br).Add();
      counters.compress_bytes_in.Add(response.body.size());
      counters.compress_bytes_out.Add(first.size());
      response.body = std::move(first);
      response.headers.emplace_back("Content-Encoding", std::string(EncodingName(e)));
    }
  }
  response.stream =
      std::make_shared<EncodedStream>(std::move(response.stream), std::move(encoder),
                                      &counters.compress_bytes_in, &counters.compress_bytes_out);
  counters.streamed.Add();
  return true;
}

}  // namespace meridian::http::internal
