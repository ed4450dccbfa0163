// An in-memory SeriesSource for query unit tests: series given as values from a start time;
// globs matched with storage's own glob matcher; tag expressions limited to `tag=value` and
// `tag!=value`. Options choose how Fetch treats the window and whether globs reach tagged names.
// Every read checks its deadline on entry (a cancelled or past one fails it).
// Not thread-safe.
#pragma once

#include <algorithm>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/regex.h"
#include "core/tagged_name.h"
#include "query/series_source.h"
#include "storage/glob.h"

namespace meridian::testing {

class FakeSeriesSource final : public query::SeriesSource {
 public:
  enum class FetchMode {
    // Fetch returns the series as added, whatever the window: tests choose matching windows.
    kStored,
    // Fetch serves the series whisper-style: a fetch of (from, until] returns the points from the
    // step after `from` to the step after `until`, null outside the stored data, so functions
    // that fetch another window (timeShift, moving*) see exactly what graphite-web would.
    kWhisperWindow,
  };
  struct Options {
    FetchMode fetch = FetchMode::kStored;
    // Expand also globs tagged names (graphite-web test oracles fetch 'cpu;*'); the store, and
    // this fake by default, look a tagged pattern up as an exact name.
    bool glob_tagged_names = false;
    // kWhisperWindow: the oldest and newest times a fetch reaches, as whisper clips a window to
    // its retention and to now (the store does too); a window from 1970 to 2100 then costs what
    // the data costs.
    int64_t oldest = std::numeric_limits<int64_t>::min();
    int64_t newest = std::numeric_limits<int64_t>::max();
  };

  FakeSeriesSource() = default;
  explicit FakeSeriesSource(Options options) : options_(options) {}

  // Adds a series whose values start at `start` with `step` (NaN = null).
  // REQUIRES: step > 0.
  void Add(const std::string& name, int64_t start, int64_t step, std::vector<double> values) {
    storage::SeriesData d;
    d.name = name;
    d.start = start;
    d.step = step;
    d.end = start + step * static_cast<int64_t>(values.size());
    d.values = std::move(values);
    data_[name] = std::move(d);
  }

  core::Result<std::vector<storage::FindMatch>> Find(std::string_view pattern,
                                                     const query::ReadOptions& read) override {
    RETURN_IF_ERROR(read.deadline.Check("find"));
    auto glob = storage::GlobPattern::Compile(pattern);
    if (!glob.ok()) return glob.status();
    std::map<std::string, storage::FindMatch> nodes;
    const size_t depth = std::count(pattern.begin(), pattern.end(), '.') + 1;
    for (const auto& [name, d] : data_) {
      if (core::IsTagged(name)) continue;
      std::vector<std::string> parts;
      size_t b = 0;
      for (size_t e; (e = name.find('.', b)) != std::string::npos; b = e + 1) {
        parts.push_back(name.substr(b, e - b));
      }
      parts.push_back(name.substr(b));
      if (parts.size() < depth) continue;
      std::string prefix;
      for (size_t i = 0; i < depth; ++i) prefix += (i ? "." : "") + parts[i];
      if (!storage::GlobMatchFull(*glob, prefix)) continue;
      auto& m = nodes[prefix];
      m.path = prefix;
      if (parts.size() == depth) m.is_leaf = true;
      if (parts.size() > depth) m.has_children = true;
    }
    std::vector<storage::FindMatch> out;
    for (auto& [k, m] : nodes) out.push_back(m);
    return out;
  }
  core::Result<std::vector<std::string>> Expand(std::string_view pattern,
                                                const query::ReadOptions& read) override {
    RETURN_IF_ERROR(read.deadline.Check("expand"));
    if (core::IsTagged(pattern)) return ExpandTagged(pattern);
    auto found = Find(pattern, read);
    if (!found.ok()) return found.status();
    std::vector<std::string> out;
    for (const auto& m : *found) {
      if (m.is_leaf) out.push_back(m.path);
    }
    return out;
  }
  // Expressions: tag=value, tag!=value, tag=~regex, tag!=~regex (regexes anchored at the start,
  // as the store's; compiled first, so a bad one fails even when no series is tagged).
  core::Result<std::vector<std::string>> FindTagged(const std::vector<std::string>& exprs,
                                                    const query::ReadOptions& read) override {
    RETURN_IF_ERROR(read.deadline.Check("seriesByTag"));
    struct Spec {
      std::string tag;
      bool negate = false;
      std::string value;
      std::optional<core::Regex> re;
    };
    std::vector<Spec> specs;
    for (const std::string& e : exprs) {
      size_t eq = e.find('=');
      if (eq == std::string::npos || eq == 0) {
        return core::InvalidArgument("bad tag expression '" + e + "'");
      }
      const bool negate = e[eq - 1] == '!';
      Spec spec{e.substr(0, negate ? eq - 1 : eq), negate, e.substr(eq + 1), std::nullopt};
      if (!spec.value.empty() && spec.value[0] == '~') {
        ASSIGN_OR_RETURN(core::Regex re, core::Regex::Compile(spec.value.substr(1)));
        spec.re = std::move(re);
      }
      specs.push_back(std::move(spec));
    }
    std::vector<std::string> out;
    for (const auto& [name, d] : data_) {
      auto parsed = core::ParseTaggedName(name);
      if (!core::IsTagged(name) || !parsed.ok()) continue;
      std::map<std::string, std::string> tags(parsed->tags.begin(), parsed->tags.end());
      tags["name"] = parsed->name;
      bool all = true;
      for (const Spec& spec : specs) {
        const std::string& v = tags[spec.tag];
        const bool match = spec.re ? spec.re->MatchesAtStart(v) : v == spec.value;
        all &= match != spec.negate;
      }
      if (all) out.push_back(name);
    }
    return out;
  }
  // Honours `filter` (anchored at the start, as the store does); ignores `limit`.
  core::Result<std::vector<std::string>> TagNames(std::string_view filter, size_t,
                                                  const query::ReadOptions& read) override {
    RETURN_IF_ERROR(read.deadline.Check("tags"));
    ASSIGN_OR_RETURN(core::Regex re, core::Regex::Compile(filter));
    std::set<std::string> names;
    for (const auto& [name, d] : data_) {
      auto parsed = core::ParseTaggedName(name);
      if (!core::IsTagged(name) || !parsed.ok()) continue;
      names.insert("name");
      for (const auto& [k, v] : parsed->tags) names.insert(k);
    }
    std::vector<std::string> out;
    for (const auto& n : names) {
      if (filter.empty() || re.MatchesAtStart(n)) {
        out.push_back(n);
      }
    }
    return out;
  }
  core::Result<std::vector<storage::TagValueCount>> TagValues(
      std::string_view tag, std::string_view, size_t, const query::ReadOptions& read) override {
    RETURN_IF_ERROR(read.deadline.Check("tags"));
    std::map<std::string, size_t> counts;
    for (const auto& [name, d] : data_) {
      auto parsed = core::ParseTaggedName(name);
      if (!core::IsTagged(name) || !parsed.ok()) continue;
      if (tag == "name") ++counts[parsed->name];
      for (const auto& [k, v] : parsed->tags) {
        if (k == tag) ++counts[v];
      }
    }
    std::vector<storage::TagValueCount> out;
    for (const auto& [v, c] : counts) out.push_back({v, c});
    return out;
  }
  core::Result<std::vector<std::string>> AllLeaves(const query::ReadOptions& read) override {
    RETURN_IF_ERROR(read.deadline.Check("index"));
    std::vector<std::string> out;
    for (const auto& [name, d] : data_) {
      if (!core::IsTagged(name)) out.push_back(name);
    }
    return out;
  }
  core::Result<storage::SeriesData> Fetch(std::string_view name, int64_t from, int64_t until,
                                          const query::ReadOptions& read) override {
    RETURN_IF_ERROR(read.deadline.Check("fetch"));
    auto it = data_.find(std::string(name));
    if (it == data_.end()) return core::NotFound("no series '" + std::string(name) + "'");
    if (options_.fetch == FetchMode::kStored) return it->second;
    return WhisperWindow(it->second, std::max(from, options_.oldest),
                         std::min(until, options_.newest));
  }

 private:
  core::Result<std::vector<std::string>> ExpandTagged(std::string_view pattern) const {
    std::vector<std::string> out;
    if (!options_.glob_tagged_names) {
      if (data_.count(std::string(pattern))) out.emplace_back(pattern);
      return out;
    }
    auto glob = storage::GlobPattern::Compile(pattern);
    if (!glob.ok()) return glob.status();
    for (const auto& [name, d] : data_) {
      if (storage::GlobMatchFull(*glob, name)) out.push_back(name);
    }
    return out;
  }

  static storage::SeriesData WhisperWindow(const storage::SeriesData& stored, int64_t from,
                                           int64_t until) {
    const int64_t step = stored.step;
    storage::SeriesData d;
    d.name = stored.name;
    d.step = step;
    d.start = from - from % step + step;
    d.end = until - until % step + step;
    const auto size = static_cast<int64_t>(stored.values.size());
    for (int64_t t = d.start; t < d.end; t += step) {
      const int64_t offset = t - stored.start;
      const int64_t i = offset / step;
      const bool stored_point = offset >= 0 && offset % step == 0 && i < size;
      d.values.push_back(stored_point ? stored.values[i]
                                      : std::numeric_limits<double>::quiet_NaN());
    }
    return d;
  }

  Options options_;
  std::map<std::string, storage::SeriesData> data_;
};

}  // namespace meridian::testing
