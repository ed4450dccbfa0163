// libFuzzer target for the Graphite plaintext line parser (ingest/line_parser.h): any bytes must
// give a ParseResult, and an accepted line must hold a name carbon could store (untagged: no
// empty node, no control character) and a non-NaN value. The input is also cut as a UDP datagram.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ingest/line_parser.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

bool IsControlByte(unsigned char c) { return c < 0x20 || c == 0x7F; }

void CheckLine(std::string_view line) {
  meridian::ingest::ParsedLine p;
  const auto r = meridian::ingest::ParseLine(line, 1'700'000'000, &p);
  Check(static_cast<size_t>(r) < meridian::ingest::kParseResultCount);
  Check(r != meridian::ingest::ParseResult::kTooLong);  // ParseLine has no limit
  if (r != meridian::ingest::ParseResult::kOk) return;
  Check(!p.path.empty());
  Check(!std::isnan(p.value));
  if (p.path.find(';') != std::string_view::npos) return;  // tagged: TaggedSeries rules only
  if (p.path.back() == '}') return;                        // OpenMetrics form
  Check(p.path.front() != '.' && p.path.back() != '.');
  Check(p.path.find("..") == std::string_view::npos);
  for (char c : p.path) Check(!IsControlByte(static_cast<unsigned char>(c)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckLine(input);
  std::string_view rest = input, line;
  while (meridian::ingest::NextDatagramLine(&rest, &line)) CheckLine(line);
  return 0;
}
