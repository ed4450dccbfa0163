// libFuzzer target for the from/until grammar and the TZif/POSIX-TZ readers behind it. Any input
// must yield a value or a Status; results must stay in the documented year 1..9999 range.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "query/internal/timezone.h"
#include "query/time_parser.h"

namespace {

constexpr int64_t kMinEpoch = -62135596800;
constexpr int64_t kMaxEpoch = 253402300799;
constexpr const char* kZones[] = {"",
                                  "UTC",
                                  "America/New_York",
                                  "Europe/Berlin",
                                  "Australia/Lord_Howe",
                                  "Pacific/Apia",
                                  "Mars/Olympus",
                                  "../../etc/passwd"};

void Check(bool condition) {
  if (!condition) std::abort();
}

void FuzzParseTime(std::string_view data) {
  if (data.size() < 5) return;
  uint32_t seed = 0;
  std::memcpy(&seed, data.data(), 4);
  const char* zone = kZones[static_cast<unsigned char>(data[4]) % std::size(kZones)];
  int64_t now = 946684800 + static_cast<int64_t>(seed % 2'000'000'000u);  // 2000..2063
  std::string_view text = data.substr(5);
  auto t = meridian::query::ParseTime(text, meridian::query::TimeContext{now, zone});
  if (t.ok()) Check(*t >= kMinEpoch && *t <= kMaxEpoch);
  auto offset = meridian::query::ParseOffset(text);
  if (offset.ok()) Check(*offset >= -999999999LL * 86400 && *offset < 1000000000LL * 86400);
}

void FuzzZoneData(std::string_view data) {
  using meridian::query::internal::TimeZone;
  (void)TimeZone::ParsePosixRule(data.substr(0, 64));
  auto zone = TimeZone::Parse(data);
  if (!zone.ok()) return;
  for (int64_t t : {kMinEpoch, int64_t{-1}, int64_t{0}, int64_t{1700000000}, kMaxEpoch}) {
    Check(std::abs((*zone)->TypeAt(t).utc_offset) <= 26 * 3600);
    Check(std::abs((*zone)->LocalToUtc(t) - t) <= 2 * 26 * 3600 + 6 * 3600);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* bytes, size_t size) {
  if (size == 0) return 0;
  std::string_view data(reinterpret_cast<const char*>(bytes + 1), size - 1);
  if (bytes[0] % 4 == 3) {
    FuzzZoneData(data);
  } else {
    FuzzParseTime(data);
  }
  return 0;
}
