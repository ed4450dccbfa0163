// libFuzzer target for the restricted pickle VM (ingest/internal/pickle_decoder.h): any bytes
// give a PickleReject; a rejected frame yields no points; an accepted one yields points whose
// path sizes stay within max_output_bytes; no recursion, stack or memo past the limits; every
// decoded point goes through ValidatePoint (the receiver's next step) without a finding; and
// DecodePickleFrame (fast path for carbon-relay's frames, else the VM) equals the VM alone.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "ingest/internal/pickle_decoder.h"
#include "ingest/line_parser.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using meridian::ingest::internal::PickleReject;
  meridian::ingest::internal::PickleLimits limits;
  limits.max_stack = 256;
  limits.max_memo = 1024;
  limits.max_objects = 1 << 16;
  limits.max_output_bytes = 1 << 20;
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  const auto r = meridian::ingest::internal::DecodePickleFrame(frame, limits);
  // The straight-line reader for carbon-relay's frames answers exactly as the VM does.
  const auto vm = meridian::ingest::internal::DecodePickleFrameWithVm(frame, limits);
  Check(r.reject == vm.reject && r.skipped_elements == vm.skipped_elements &&
        r.points.size() == vm.points.size());
  for (size_t i = 0; i < r.points.size(); ++i) {
    Check(r.points[i].path == vm.points[i].path);
    Check(std::memcmp(&r.points[i].timestamp, &vm.points[i].timestamp, sizeof(double)) == 0);
    Check(std::memcmp(&r.points[i].value, &vm.points[i].value, sizeof(double)) == 0);
  }
  Check(static_cast<size_t>(r.reject) < meridian::ingest::internal::kPickleRejectCount);
  if (r.reject != PickleReject::kOk) {
    Check(r.points.empty());
    return 0;
  }
  size_t bytes = 0;
  meridian::ingest::ParsedLine parsed;
  for (const auto& p : r.points) {
    bytes += p.path.size();
    // What the pickle receiver does with each point: the plaintext rules, whatever the bytes.
    const auto v = meridian::ingest::ValidatePoint(p.path, p.timestamp, p.value, 1, &parsed);
    Check(v != meridian::ingest::ParseResult::kEmpty);
    if (v == meridian::ingest::ParseResult::kOk) Check(!parsed.path.empty());
  }
  Check(bytes <= limits.max_output_bytes);
  return 0;
}
