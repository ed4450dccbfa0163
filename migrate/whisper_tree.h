// Where a whisper file's series name comes from: its path under the whisper root, as carbon
// wrote it and graphite-web's finder reads it back.
//
//   a/b/c.wsp                       -> "a.b.c"   ('/' -> '.', ".wsp" dropped)
//   _tagged/eff/aae/some_DOT_metric;tag1=value2;tag2=value_DOT_2.wsp
//                                   -> "some.metric;tag1=value2;tag2=value.2"
//     (carbon's TaggedSeries.encode: _tagged/<sha256[0:3]>/<sha256[3:6]>/<name with every '.'
//      written as "_DOT_">; decoded as carbon's TaggedSeries.decode does: everything after the
//      third '/', "_DOT_" -> '.'), then normalized to the canonical tagged name.
//
// Errors (INVALID_ARGUMENT): not a .wsp path; a `_tagged` file written with carbon's
// TAG_HASH_FILENAMES (the file name is the hash: the series name is not recoverable); a name
// carbon's tag parser refuses.
//
// Pure functions: thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace meridian::migrate {

// `relative`: the file's path under the whisper root, '/'-separated.
core::Result<std::string> SeriesNameForPath(std::string_view relative);

struct WhisperFileEntry {
  std::filesystem::path path;  // absolute (the root made absolute)
  std::string relative;        // under the root, '/'-separated
};

// Every regular file (symlinks followed) named *.wsp under `root`, sorted by relative path.
// Directories that cannot be read are reported through `problem` and skipped. NOT_FOUND when
// `root` is not a directory.
core::Result<std::vector<WhisperFileEntry>> ListWhisperFiles(
    const std::filesystem::path& root, const std::function<void(const std::string&)>& problem);

}  // namespace meridian::migrate
