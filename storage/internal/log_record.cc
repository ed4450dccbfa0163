#include "storage/internal/log_record.h"

#include "storage/internal/coding.h"

namespace meridian::storage::internal {
namespace {
constexpr char kVersion = 1;
// A record never holds more points than a batch; the bound keeps a corrupt count from
// reserving gigabytes.
constexpr uint64_t kMaxPointsPerRecord = 1 << 24;
}  // namespace

void EncodeLogRecord(const LogRecord& record, std::string* out) {
  out->push_back(kVersion);
  PutVarint(out, static_cast<uint64_t>(record.arrival_time));
  PutVarint(out, record.points.size());
  int64_t prev = 0;
  for (const LogPoint& p : record.points) {
    PutVarint(out, p.id);
    PutVarint(out, ZigZag(p.timestamp - prev));
    prev = p.timestamp;
    PutDouble(out, p.value);
  }
}

core::Status DecodeLogRecord(std::string_view data, LogRecord* out) {
  if (data.empty() || data[0] != kVersion) return core::Corruption("log record: bad version");
  Reader r(data.substr(1));
  uint64_t arrival = 0;
  uint64_t count = 0;
  if (!r.GetVarint(&arrival) || !r.GetVarint(&count) || count > kMaxPointsPerRecord ||
      count * 10 > r.remaining()) {
    return core::Corruption("log record: bad header");
  }
  out->arrival_time = static_cast<int64_t>(arrival);
  out->points.clear();
  out->points.reserve(count);
  int64_t prev = 0;
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t id = 0;
    uint64_t delta = 0;
    double value = 0;
    if (!r.GetVarint(&id) || !r.GetVarint(&delta) || !r.GetDouble(&value)) {
      return core::Corruption("log record: truncated point");
    }
    prev += UnZigZag(delta);
    out->points.push_back({id, prev, value});
  }
  if (!r.empty()) return core::Corruption("log record: trailing bytes");
  return core::Status::Ok();
}

}  // namespace meridian::storage::internal
