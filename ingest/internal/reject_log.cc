#include "ingest/internal/reject_log.h"

#include <fmt/format.h>

#include <cstdio>
#include <string>

namespace meridian::ingest::internal {
namespace {

// Control bytes and non-ASCII bytes are escaped so a hostile line cannot mess up the terminal.
std::string Printable(std::string_view s) {
  constexpr size_t kMaxShown = 400;
  std::string out;
  for (size_t i = 0; i < s.size() && i < kMaxShown; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  if (s.size() > kMaxShown) out += "...";
  return out;
}

}  // namespace

RejectLog::RejectLog(const core::Clock& clock, int interval_ms)
    : clock_(clock), interval_micros_(int64_t{interval_ms} * 1000) {}

void RejectLog::Log(std::string_view what, std::string_view peer, std::string_view detail) {
  int64_t now = clock_.NowMicros();
  int64_t next = next_allowed_micros_.load(std::memory_order_relaxed);
  if (now < next || !next_allowed_micros_.compare_exchange_strong(next, now + interval_micros_,
                                                                  std::memory_order_relaxed)) {
    suppressed_since_last_.fetch_add(1, std::memory_order_relaxed);
    suppressed_total_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  uint64_t suppressed = suppressed_since_last_.exchange(0, std::memory_order_relaxed);
  std::string line = fmt::format("ingest: {} from {}", what, peer);
  if (!detail.empty()) line += fmt::format(": [{}]", Printable(detail));
  if (suppressed > 0) line += fmt::format(" ({} similar messages suppressed)", suppressed);
  std::fputs((line + "\n").c_str(), stderr);
}

}  // namespace meridian::ingest::internal
