// LineProtocol: carbon's plaintext TCP framing (MetricLineReceiver) as a StreamProtocol. Lines
// end at '\n' (ingest/line_parser.h for what a line may hold); a line longer than max_line_bytes,
// or an unterminated tail that grows longer, is counted (reason too_long, and
// ingest_lines_too_long_total) and closes the connection, as carbon does. An unterminated tail at
// close is dropped silently, as carbon does.
#pragma once

#include <string>

#include "ingest/internal/batch_builder.h"
#include "ingest/internal/stream_protocol.h"

namespace meridian::ingest::internal {

class LineProtocol : public StreamProtocol {
 public:
  // REQUIRES: metrics and log outlive this.
  LineProtocol(IngestMetrics& metrics, RejectLog& log, std::string peer, size_t max_line_bytes)
      : metrics_(metrics), builder_(metrics, log, std::move(peer)), max_line_(max_line_bytes) {}

  Step Next(std::string_view input, int64_t now_seconds, storage::PointBatch* batch) override;
  void Abandon(std::string_view) override {}
  uint64_t PublishCounts() override { return builder_.PublishCounts(); }

 private:
  Step TooLong(std::string_view line);

  IngestMetrics& metrics_;
  BatchBuilder builder_;
  const size_t max_line_;
};

}  // namespace meridian::ingest::internal
