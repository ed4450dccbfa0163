// libFuzzer target for import-whisper's reader (migrate/whisper_file.h) and its file-name mapping
// (migrate/whisper_tree.h): any bytes yield data or a Status — never a read past the input, a
// crash or unbounded work — and what is read respects the header it came from.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "migrate/whisper_file.h"
#include "migrate/whisper_tree.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto file = meridian::migrate::ReadWhisper(bytes);
  if (file.ok()) {
    const auto& archives = file->header.archives;
    Check(!archives.empty() && file->points.size() == archives.size());
    uint64_t slots = 0;
    for (size_t a = 0; a < archives.size(); ++a) {
      Check(file->points[a].size() <= archives[a].points);
      slots += archives[a].points;
      for (const auto& [ts, value] : file->points[a]) {
        Check(ts > 0 && ts % archives[a].seconds_per_point == 0);
        (void)value;
      }
    }
    uint64_t points = file->gaps;
    for (const auto& p : file->points) points += p.size();
    Check(points == slots);
  }
  // The same bytes as a path under the whisper root.
  meridian::migrate::TaggedNames names;
  names.Add("cpu;dc=eu;host=a").IgnoreError();  // a valid name: cannot fail
  auto name = meridian::migrate::SeriesNameForPath(bytes, &names);
  if (name.ok()) Check(!name->empty());
  return 0;
}
