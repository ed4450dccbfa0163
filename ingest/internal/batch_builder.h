// BatchBuilder: the per-connection glue between lines and a PointBatch. Parses each line, appends
// good points, counts and rate-limit-logs bad ones. Socket-free (unit-tested with strings).
// Not thread-safe: one per TCP connection / UDP receiver.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "ingest/internal/ingest_metrics.h"
#include "ingest/internal/reject_log.h"
#include "ingest/line_parser.h"
#include "storage/types.h"

namespace meridian::ingest::internal {

class BatchBuilder {
 public:
  // REQUIRES: metrics and log outlive this.
  BatchBuilder(IngestMetrics& metrics, RejectLog& log, std::string peer);

  // Parses `line` (no '\n') and appends its point to *batch; a bad line is counted and logged,
  // an empty one ignored. Returns the parse result. REQUIRES: batch != nullptr.
  ParseResult AddLine(std::string_view line, int64_t now_seconds, storage::PointBatch* batch);

  // Adds every line of a UDP datagram (split like str.splitlines()). A line longer than
  // `max_line_bytes` is rejected and counted (reason too_long); the other lines are kept.
  // Returns the number of points added. REQUIRES: batch != nullptr.
  size_t AddDatagram(std::string_view datagram, size_t max_line_bytes, int64_t now_seconds,
                     storage::PointBatch* batch);

  // Counts and logs `line` as rejected for `reason` (a limit the caller enforces, e.g. kTooLong).
  // REQUIRES: IsRejection(reason).
  void Reject(ParseResult reason, std::string_view line, std::string_view note = "");

  // Adds the points parsed since the last call to ingest_points_received_total (one atomic add
  // per read instead of one per line). Returns how many that was.
  uint64_t PublishCounts();

  const std::string& peer() const { return peer_; }
  // Who subsequent log messages name (UDP: the datagram's sender).
  void set_peer(std::string peer) { peer_ = std::move(peer); }

 private:
  IngestMetrics& metrics_;
  RejectLog& log_;
  std::string peer_;
  ParsedLine parsed_;
  uint64_t unpublished_points_ = 0;
};

}  // namespace meridian::ingest::internal
