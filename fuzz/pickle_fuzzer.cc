// libFuzzer target for the restricted pickle VM (ingest/internal/pickle_decoder.h): any bytes
// give a PickleReject; a rejected frame yields no points; an accepted one yields points whose
// path sizes stay within max_output_bytes; no recursion, stack or memo past the limits.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ingest/internal/pickle_decoder.h"

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
  const auto r = meridian::ingest::internal::DecodePickleFrame(
      std::string_view(reinterpret_cast<const char*>(data), size), limits);
  Check(static_cast<size_t>(r.reject) < meridian::ingest::internal::kPickleRejectCount);
  if (r.reject != PickleReject::kOk) {
    Check(r.points.empty());
    return 0;
  }
  size_t bytes = 0;
  for (const auto& p : r.points) bytes += p.path.size();
  Check(bytes <= limits.max_output_bytes);
  return 0;
}
