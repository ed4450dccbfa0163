#include "migrate/whisper_tree.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/tagged_name.h"
#include "migrate/internal/sha256.h"

namespace meridian::migrate {
namespace {

constexpr std::string_view kSuffix = ".wsp";
constexpr std::string_view kTaggedRoot = "_tagged/";
constexpr std::string_view kDot = "_DOT_";

std::string ReplaceAll(std::string_view text, std::string_view from, std::string_view to) {
  std::string out;
  size_t pos = 0;
  for (size_t hit; (hit = text.find(from, pos)) != std::string_view::npos;
       pos = hit + from.size()) {
    out.append(text.substr(pos, hit - pos));
    out.append(to);
  }
  out.append(text.substr(pos));
  return out;
}

}  // namespace

core::Status TaggedNames::Add(std::string_view raw) {
  auto name = core::NormalizeSeriesName(raw);
  if (!name.ok()) return core::InvalidArgument(std::string(name.status().message()));
  if (!core::IsTagged(*name)) return core::InvalidArgument("not a tagged name");
  std::string hash = internal::Sha256Hex(*name);
  by_hash_.insert_or_assign(std::move(hash), std::move(name).value());
  return core::Status::Ok();
}

const std::string* TaggedNames::Find(std::string_view hash) const {
  auto it = by_hash_.find(std::string(hash));
  return it == by_hash_.end() ? nullptr : &it->second;
}

core::Result<TaggedNames> LoadTaggedNames(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return core::InvalidArgument(fmt::format("cannot read {}", path.string()));
  TaggedNames names;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const size_t begin = line.find_first_not_of(" \t\r");
    if (begin == std::string::npos || line[begin] == '#') continue;
    const size_t end = line.find_last_not_of(" \t\r");
    if (core::Status st = names.Add(std::string_view(line).substr(begin, end + 1 - begin));
        !st.ok()) {
      return core::InvalidArgument(fmt::format("{}:{}: {}", path.string(), number, st.message()));
    }
  }
  return names;
}

core::Result<std::string> SeriesNameForPath(std::string_view relative, const TaggedNames* hashed) {
  if (relative.size() <= kSuffix.size() || !relative.ends_with(kSuffix)) {
    return core::InvalidArgument("not a .wsp file");
  }
  std::string_view stem = relative.substr(0, relative.size() - kSuffix.size());
  std::string raw;
  if (stem.starts_with(kTaggedRoot)) {
    // "_tagged/<hash>/<hash>/<encoded name>": the name is everything after the third '/'.
    size_t first = stem.find('/');
    size_t second = stem.find('/', first + 1);
    size_t third = second == std::string_view::npos ? second : stem.find('/', second + 1);
    if (third == std::string_view::npos) {
      return core::InvalidArgument("a _tagged file outside carbon's _tagged/<hash>/<hash>/ layout");
    }
    raw = ReplaceAll(stem.substr(third + 1), kDot, ".");
    if (raw.find(';') == std::string::npos) {
      const std::string* name = hashed ? hashed->Find(raw) : nullptr;
      if (name != nullptr) return *name;
      return core::InvalidArgument(
          hashed == nullptr || hashed->size() == 0
              ? "a _tagged file named by its hash (carbon's TAG_HASH_FILENAMES): give its name "
                "with --tagged-names FILE (graphite-web's tagged series, one per line)"
              : "a _tagged file named by its hash: no name in --tagged-names has that hash");
    }
  } else {
    raw.assign(stem);
    std::replace(raw.begin(), raw.end(), '/', '.');
  }
  auto name = core::NormalizeSeriesName(raw);
  if (!name.ok()) {
    return core::InvalidArgument(fmt::format("series name '{}': {}", raw, name.status().message()));
  }
  return name;
}

core::Result<std::vector<WhisperFileEntry>> ListWhisperFiles(
    const std::filesystem::path& root, const std::function<void(const std::string&)>& problem) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path abs = fs::absolute(root, ec);
  if (ec || !fs::is_directory(abs, ec)) {
    return core::NotFound(fmt::format("{} is not a directory", root.string()));
  }
  std::vector<WhisperFileEntry> out;
  // A directory whose (device, inode) is one of its own ancestors is a symlink loop: not entered.
  // (A directory linked from two places is listed under both names, as graphite-web shows it.)
  using DirId = std::pair<dev_t, ino_t>;
  struct Pending {
    fs::path dir;
    std::vector<DirId> ancestors;
  };
  std::vector<Pending> pending = {{abs, {}}};
  while (!pending.empty()) {
    Pending next = std::move(pending.back());
    pending.pop_back();
    const fs::path& dir = next.dir;
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) {
      problem(fmt::format("{}: cannot list: {}", dir.string(), std::strerror(errno)));
      continue;
    }
    const DirId id{st.st_dev, st.st_ino};
    if (std::find(next.ancestors.begin(), next.ancestors.end(), id) != next.ancestors.end()) {
      continue;
    }
    next.ancestors.push_back(id);
    fs::directory_iterator it(dir, ec);
    for (const fs::directory_iterator end; !ec && it != end; it.increment(ec)) {
      std::error_code type_ec;
      const fs::path& p = it->path();
      if (it->is_directory(type_ec)) {  // symlinks followed
        pending.push_back({p, next.ancestors});
      } else if (p.extension() == kSuffix && it->is_regular_file(type_ec)) {
        out.push_back({p, p.lexically_relative(abs).generic_string()});
      }
    }
    // One line per directory that cannot be (fully) listed; the walk goes on elsewhere.
    if (ec) problem(fmt::format("{}: cannot list: {}", dir.string(), ec.message()));
    ec.clear();
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.relative < b.relative; });
  return out;
}

}  // namespace meridian::migrate
