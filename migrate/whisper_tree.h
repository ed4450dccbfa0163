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
//   _tagged/6fe/76b/6fe76b16…63d947.wsp   (carbon's TAG_HASH_FILENAMES, its default: the file
//                                   is named by the SHA-256 of the canonical tagged name)
//                                   -> the name from `TaggedNames` whose hash that is
//
// Errors (INVALID_ARGUMENT): not a .wsp path; a hash-named `_tagged` file whose name is not in
// `TaggedNames` (none given, or not listed); a name carbon's tag parser refuses.
//
// Pure functions: thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"

namespace meridian::migrate {

// Tagged series names by carbon's file-name hash, for hash-named `_tagged` files. Carbon's
// files do not hold their names; graphite-web's TagDB does (`tags_series.path`, or
// /tags/findSeries): that list, one name per line, is what LoadTaggedNames reads.
class TaggedNames {
 public:
  // Normalizes `raw` (carbon's TaggedSeries rules) and indexes it by the SHA-256 hex of the
  // canonical name. INVALID_ARGUMENT for a name carbon would refuse or that is not tagged.
  core::Status Add(std::string_view raw);
  // The canonical name whose hash is `hash` (64 lower-case hex digits), or nullptr.
  const std::string* Find(std::string_view hash) const;
  size_t size() const { return by_hash_.size(); }

 private:
  std::unordered_map<std::string, std::string> by_hash_;
};

// Reads a names file: one tagged name per line; blank lines and lines starting with '#' are
// skipped; surrounding whitespace is trimmed. Errors name the file and line.
core::Result<TaggedNames> LoadTaggedNames(const std::filesystem::path& path);

// `relative`: the file's path under the whisper root, '/'-separated. `hashed` (nullable): names
// for hash-named tagged files.
core::Result<std::string> SeriesNameForPath(std::string_view relative,
                                            const TaggedNames* hashed = nullptr);

struct WhisperFileEntry {
  std::filesystem::path path;  // absolute (the root made absolute)
  std::string relative;        // under the root, '/'-separated
};

// Every regular file (symlinks followed, loops not) named *.wsp under `root`,
// sorted by relative path. Each directory that cannot be listed is reported through `problem`
// (one line) and the walk goes on. NOT_FOUND when `root` is not a directory.
core::Result<std::vector<WhisperFileEntry>> ListWhisperFiles(
    const std::filesystem::path& root, const std::function<void(const std::string&)>& problem);

}  // namespace meridian::migrate
