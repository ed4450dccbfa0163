#include "ingest/internal/pickle_protocol.h"

#include <fmt/format.h>

#include <algorithm>

namespace meridian::ingest::internal {

PickleProtocol::PickleProtocol(IngestMetrics& metrics, RejectLog& log, std::string peer,
                               size_t max_frame_bytes, size_t max_name_bytes)
    : metrics_(metrics),
      log_(log),
      peer_(std::move(peer)),
      max_frame_(max_frame_bytes),
      max_name_(max_name_bytes) {
  // Decoded paths of one frame: a memoized element repeated by 2-byte references could otherwise
  // multiply a 1 MiB frame into gigabytes of names. A real frame's paths take less room than the
  // frame itself: 16x is generous.
  limits_.max_output_bytes = std::max<size_t>(max_frame_bytes * 16, 1 << 20);
}

StreamProtocol::Step PickleProtocol::Next(std::string_view input, int64_t now_seconds,
                                          storage::PointBatch* batch) {
  if (input.size() < 4) return {Status::kNeedMore, 0, 4};
  const auto* p = reinterpret_cast<const unsigned char*>(input.data());
  const uint64_t length =
      (uint64_t{p[0]} << 24) | (uint64_t{p[1]} << 16) | (uint64_t{p[2]} << 8) | uint64_t{p[3]};
  if (length > max_frame_) {
    return Refuse(
        PickleReject::kFrameTooLarge,
        fmt::format("length prefix {} > graphite.max_pickle_frame_bytes ({})", length, max_frame_));
  }
  const size_t total = 4 + static_cast<size_t>(length);
  if (input.size() < total) return {Status::kNeedMore, 0, total};
  PickleDecodeResult frame = DecodePickleFrame(input.substr(4, length), limits_);
  if (frame.reject != PickleReject::kOk) {
    return Refuse(frame.reject, fmt::format("at byte {} of a {}-byte frame (opcode 0x{:02x})",
                                            frame.error_offset, length, frame.error_opcode));
  }
  metrics_.pickle_frames.Add();
  AddPoints(frame, now_seconds, batch);
  return {Status::kUnit, total, 0};
}

void PickleProtocol::AddPoints(const PickleDecodeResult& frame, int64_t now_seconds,
                               storage::PointBatch* batch) {
  if (frame.skipped_elements > 0) {
    metrics_.pickle_bad_elements.Add(frame.skipped_elements);
    log_.Log(fmt::format("pickle: {} element(s) not (path, (timestamp, value)) skipped",
                         frame.skipped_elements),
             peer_, "");
  }
  for (const PickleDatapoint& point : frame.points) {
    ParseResult r =
        point.path.size() > max_name_
            ? ParseResult::kTooLong
            : ValidatePoint(point.path, point.timestamp, point.value, now_seconds, &parsed_);
    if (r == ParseResult::kOk) {
      batch->Add(parsed_.path, parsed_.timestamp, parsed_.value);
      ++unpublished_points_;
      continue;
    }
    metrics_.PicklePointRejected(r).Add();
    if (r == ParseResult::kNanValue) continue;  // as for lines: counted, not worth a message
    log_.Log(fmt::format("pickle: datapoint rejected: {}", ParseResultName(r)), peer_,
             fmt::format("{} ({}, {})", point.path, point.timestamp, point.value));
  }
}

StreamProtocol::Step PickleProtocol::Refuse(PickleReject reason, const std::string& detail) {
  metrics_.PickleFrameRejected(reason).Add();
  log_.Log(fmt::format("pickle frame refused: {} {} (connection closed)", PickleRejectName(reason),
                       detail),
           peer_, "");
  return {Status::kClose, 0, 0};
}

void PickleProtocol::Abandon(std::string_view leftover) {
  metrics_.PickleFrameRejected(PickleReject::kIncomplete).Add();
  log_.Log(fmt::format("pickle frame incomplete at close: {} byte(s) dropped", leftover.size()),
           peer_, "");
}

uint64_t PickleProtocol::PublishCounts() {
  const uint64_t n = unpublished_points_;
  if (n == 0) return 0;
  metrics_.points_received.Add(n);
  unpublished_points_ = 0;
  return n;
}

}  // namespace meridian::ingest::internal
