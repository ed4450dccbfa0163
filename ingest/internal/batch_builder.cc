#include "ingest/internal/batch_builder.h"

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
    metrics_.Rejected(r).Add();
    // Carbon drops NaN values silently; they are counted but not worth a log line.
    if (r != ParseResult::kNanValue) {
      log_.Log(ParseResultName(r), peer_, line);
    }
  }
  return r;
}

void BatchBuilder::PublishCounts() {
  if (unpublished_points_ == 0) return;
  metrics_.points_received.Add(unpublished_points_);
  unpublished_points_ = 0;
}

}  // namespace meridian::ingest::internal
