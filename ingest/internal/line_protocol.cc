#include "ingest/internal/line_protocol.h"

#include <cstring>

namespace meridian::ingest::internal {

StreamProtocol::Step LineProtocol::Next(std::string_view input, int64_t now_seconds,
                                        storage::PointBatch* batch) {
  const void* nl = std::memchr(input.data(), '\n', input.size());
  if (nl == nullptr) {
    if (input.size() > max_line_) return TooLong(input);
    return {Status::kNeedMore, 0, 0};
  }
  const auto len = static_cast<size_t>(static_cast<const char*>(nl) - input.data());
  std::string_view line = input.substr(0, len);
  if (len > max_line_) return TooLong(line);
  builder_.AddLine(line, now_seconds, batch);
  return {Status::kUnit, len + 1, 0};
}

StreamProtocol::Step LineProtocol::TooLong(std::string_view line) {
  metrics_.lines_too_long.Add();
  builder_.Reject(ParseResult::kTooLong, line, "(connection closed)");
  return {Status::kClose, 0, 0};
}

}  // namespace meridian::ingest::internal
