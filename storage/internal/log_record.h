// The write-ahead log record: one per applied batch, stored as one RocksDB value (so RocksDB's
// own WAL makes it durable with one write per batch). Replayed at open for whatever the last
// checkpoint did not write out as blocks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "storage/types.h"

namespace meridian::storage::internal {

struct LogPoint {
  SeriesId id;
  int64_t timestamp;
  double value;
};

struct LogRecord {
  int64_t arrival_time = 0;  // "now" when the batch was applied: replay picks archives with it
  std::vector<LogPoint> points;
};

// Format: version byte 1, varint arrival time, varint count, then per point varint id, zigzag
// varint timestamp delta from the previous point, 8 raw bytes of the double.
void EncodeLogRecord(const LogRecord& record, std::string* out);
core::Status DecodeLogRecord(std::string_view data, LogRecord* out);

}  // namespace meridian::storage::internal
