#include "ingest/internal/batch_builder.h"

#include <string>
#include <utility>

namespace meridian::ingest::internal {

BatchBuilder::BatchBuilder(IngestMetrics& metrics, RejectLog& log, std::string peer)
    : metrics_(metrics), log_(log), peer_(std::move(peer)) {}

ParseResult BatchBuilder::AddLine(std::string_view line, int64_t now_seconds,
                                  storage::PointBatch* batch) {
  ParseResult r = ParseLine(line, now_seconds, &parsed_);
  if (r == ParseResult::kOk) {
    batch->Add(parsed_.path, parsed_.timestamp, parsed_.value);
    ++unpublished_points_;
  } else if (IsRejection(r)) {
    Reject(r, line);
  }
  return r;
}

size_t BatchBuilder::AddDatagram(std::string_view datagram, size_t max_line_bytes,
                                 int64_t now_seconds, storage::PointBatch* batch) {
  const size_t before = batch->size();
  std::string_view line;
  while (NextDatagramLine(&datagram, &line)) {
    if (line.size() > max_line_bytes) {
      Reject(ParseResult::kTooLong, line);
      continue;
    }
    AddLine(line, now_seconds, batch);
  }
  return batch->size() - before;
}

void BatchBuilder::Reject(ParseResult reason, std::string_view line, std::string_view note) {
  metrics_.Rejected(reason).Add();
  // Carbon drops NaN values silently; they are counted but not worth a log line.
  if (reason == ParseResult::kNanValue) return;
  if (note.empty()) {
    log_.Log(ParseResultName(reason), peer_, line);
  } else {
    log_.Log(std::string(ParseResultName(reason)) + " " + std::string(note), peer_, line);
  }
}

uint64_t BatchBuilder::PublishCounts() {
  const uint64_t n = unpublished_points_;
  if (n == 0) return 0;
  metrics_.points_received.Add(n);
  unpublished_points_ = 0;
  return n;
}

}  // namespace meridian::ingest::internal
