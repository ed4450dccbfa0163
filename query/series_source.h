// SeriesSource: where the query engine gets names and data. The local store now; federation
// (peer regions and shards) plugs in behind the same interface.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/deadline.h"
#include "core/status.h"
#include "storage/store.h"

namespace meridian::query {

// Every read takes the request's deadline (core::Deadline(): none) and answers
// DEADLINE_EXCEEDED or CANCELLED once it has passed; sources check it inside their scans (glob
// expansion, fetch loops), not only on entry.
class SeriesSource {
 public:
  virtual ~SeriesSource() = default;
  // Graphite find: nodes at the pattern's depth, sorted by path.
  virtual core::Result<std::vector<storage::FindMatch>> Find(std::string_view pattern,
                                                             const core::Deadline& deadline) = 0;
  // Leaves a path expression names, sorted.
  virtual core::Result<std::vector<std::string>> Expand(std::string_view pattern,
                                                        const core::Deadline& deadline) = 0;
  // Canonical names of tagged series matching graphite-web tag expressions ("tag=value",
  // "tag!=value", "tag=~regex", "tag!=~regex"), sorted. INVALID_ARGUMENT for a bad expression.
  virtual core::Result<std::vector<std::string>> FindTagged(
      const std::vector<std::string>& expressions, const core::Deadline& deadline) = 0;
  // Tag names (regex `filter` anchored at the start, limit 0 = all), sorted.
  virtual core::Result<std::vector<std::string>> TagNames(std::string_view filter, size_t limit,
                                                          const core::Deadline& deadline) = 0;
  // Values of a tag with series counts, sorted by value.
  virtual core::Result<std::vector<storage::TagValueCount>> TagValues(
      std::string_view tag, std::string_view filter, size_t limit,
      const core::Deadline& deadline) = 0;
  // graphite-web's /tags/delSeries (see storage::Store::DeleteTaggedSeries). Sources that cannot
  // delete answer UNAVAILABLE.
  virtual core::Status DeleteTaggedSeries(const std::vector<std::string>& names) {
    (void)names;
    return core::Unavailable("this source cannot delete series");
  }
  // Every untagged leaf name, sorted.
  virtual core::Result<std::vector<std::string>> AllLeaves(const core::Deadline& deadline) = 0;
  // One series on whisper's grid (values NaN = null); step 0 = nothing in the window.
  virtual core::Result<storage::SeriesData> Fetch(std::string_view name, int64_t from,
                                                  int64_t until,
                                                  const core::Deadline& deadline) = 0;
};

// Reads the local store. Thread-safe (the store is).
class LocalSource final : public SeriesSource {
 public:
  explicit LocalSource(storage::Store& store) : store_(store) {}
  core::Result<std::vector<storage::FindMatch>> Find(std::string_view pattern,
                                                     const core::Deadline& deadline) override {
    return store_.Find(pattern, deadline);
  }
  core::Result<std::vector<std::string>> Expand(std::string_view pattern,
                                                const core::Deadline& deadline) override {
    return store_.ExpandLeaves(pattern, deadline);
  }
  core::Result<std::vector<std::string>> FindTagged(const std::vector<std::string>& expressions,
                                                    const core::Deadline& deadline) override {
    return store_.FindTagged(expressions, deadline);
  }
  core::Result<std::vector<std::string>> TagNames(std::string_view filter, size_t limit,
                                                  const core::Deadline& deadline) override {
    return store_.TagNames(filter, limit, deadline);
  }
  core::Result<std::vector<storage::TagValueCount>> TagValues(
      std::string_view tag, std::string_view filter, size_t limit,
      const core::Deadline& deadline) override {
    return store_.TagValues(tag, filter, limit, deadline);
  }
  core::Result<std::vector<std::string>> AllLeaves(const core::Deadline& deadline) override {
    return store_.AllLeaves(deadline);
  }
  core::Status DeleteTaggedSeries(const std::vector<std::string>& names) override {
    return store_.DeleteTaggedSeries(names);
  }
  core::Result<storage::SeriesData> Fetch(std::string_view name, int64_t from, int64_t until,
                                          const core::Deadline& deadline) override {
    return store_.Fetch(name, from, until, deadline);
  }

 private:
  storage::Store& store_;
};

}  // namespace meridian::query
