// PickleProtocol: carbon's pickle receiver framing (MetricPickleReceiver, PICKLE_RECEIVER_PORT
// 2004) as a StreamProtocol. A frame is a 4-byte big-endian length and that many bytes of a
// pickled list of (path, (timestamp, value)), protocols 0-2 (pickle_decoder.h: no globals, no
// calls, bounded).
//   - A length above max_frame_bytes (carbon's PICKLE_RECEIVER_MAX_LENGTH, 1 MiB) is refused
//     before anything is allocated for it (reason too_large).
//   - A frame the decoder refuses (a global, a reduce, truncated, too deep, not a list...) is
//     counted by reason in ingest_pickle_frames_rejected_total, logged (rate-limited, with the
//     byte offset and opcode) and the connection closed; points of earlier frames are kept.
//     (Carbon logs and skips a bad frame; a sender that pickles a class is broken or hostile.)
//   - An element that is not (path, (ts, value)) with float()-able ts and value is skipped and
//     counted (reason bad_element), as carbon skips it; the frame's other points are kept.
//   - Each datapoint then gets the plaintext rules (ValidatePoint: NaN values dropped, -1 = now,
//     tagged names normalized, name hygiene) plus the plaintext name length: a path longer than
//     max_line_bytes is rejected (too_long). Rejections: ingest_pickle_points_rejected_total.
//   - A partial frame when the connection closes is counted (reason incomplete) and dropped.
// Memory: the connection's read buffer grows to the largest frame received plus
// read_buffer_bytes (<= max_frame_bytes + 4 + read_buffer_bytes); decoding one frame is bounded
// by PickleLimits.
#pragma once

#include <cstdint>
#include <string>

#include "ingest/internal/ingest_metrics.h"
#include "ingest/internal/pickle_decoder.h"
#include "ingest/internal/reject_log.h"
#include "ingest/internal/stream_protocol.h"
#include "ingest/line_parser.h"

namespace meridian::ingest::internal {

class PickleProtocol : public StreamProtocol {
 public:
  // REQUIRES: metrics and log outlive this.
  PickleProtocol(IngestMetrics& metrics, RejectLog& log, std::string peer, size_t max_frame_bytes,
                 size_t max_name_bytes);

  Step Next(std::string_view input, int64_t now_seconds, storage::PointBatch* batch) override;
  void Abandon(std::string_view leftover) override;
  uint64_t PublishCounts() override;

 private:
  Step Refuse(PickleReject reason, const std::string& detail);
  void AddPoints(const PickleDecodeResult& frame, int64_t now_seconds, storage::PointBatch* batch);

  IngestMetrics& metrics_;
  RejectLog& log_;
  const std::string peer_;
  const size_t max_frame_;
  const size_t max_name_;
  PickleLimits limits_;
  ParsedLine parsed_;
  uint64_t unpublished_points_ = 0;
};

}  // namespace meridian::ingest::internal
