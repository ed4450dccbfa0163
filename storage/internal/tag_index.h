// TagIndex: postings of tagged series (canonical names such as "cpu.load;dc=eu;host=a") for
// /tags, /tags/<tag> and /tags/findSeries, with graphite-web's tag-expression semantics
// (webapp/graphite/tags/base.py, localdatabase.py):
//   - an expression is `tag=value`, `tag!=value`, `tag=~regex` or `tag!=~regex`
//     (tag: one or more characters other than ';' '!' '='; the spec may not contain ';');
//   - regexes are anchored at the start of the value only, like Python's re.match; they use
//     Python syntax and run on core::Regex (RE2: linear time, bounded memory; back-references
//     and lookaround are refused, see core/regex.h);
//   - an expression that matches the empty value also matches series lacking the tag;
//   - at least one expression must require a non-empty value;
//   - the metric name is the tag "name".
//
// Thread-safety: not thread-safe. Const methods may run concurrently with each other; Insert
// needs exclusive access (one writer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace meridian::storage::internal {

class TagIndex {
 public:
  using Tag = std::pair<std::string, std::string>;  // (tag, value)

  struct ValueCount {
    std::string value;
    size_t count = 0;  // series carrying this value
  };

  // Indexes series `leaf_index` under tag "name" = `name` and each (tag, value) of `tags`
  // (a "name" entry in `tags` is ignored: the name wins, as in carbon). Takes the fields of
  // core's ParsedTags: Insert(i, parsed.name, parsed.tags). Re-inserting an index with the same
  // tags is a no-op. REQUIRES: an index is always inserted with the same tags.
  void Insert(uint32_t leaf_index, std::string_view name, std::span<const Tag> tags);

  // Removes series `leaf_index`, inserted with these `name` and `tags`; values and tags left
  // without series disappear. No-op for an index that is not present.
  void Remove(uint32_t leaf_index, std::string_view name, std::span<const Tag> tags);

  // Tag names in ascending order whose start matches regex `filter` (empty: all), at most
  // `limit` of them (0: no limit). Errors: InvalidArgument for a bad regex.
  core::Result<std::vector<std::string>> Tags(std::string_view filter, size_t limit) const;

  // Values of `tag` in ascending order with series counts, filtered and limited like Tags. An
  // unknown tag gives an empty list (see HasTag). Errors: InvalidArgument for a bad regex.
  core::Result<std::vector<ValueCount>> Values(std::string_view tag, std::string_view filter,
                                               size_t limit) const;

  bool HasTag(std::string_view tag) const { return tags_.find(tag) != tags_.end(); }

  // Indexes of the series matching every expression, ascending and distinct (callers map them
  // to names and sort by name, as graphite-web orders by path).
  // Errors: InvalidArgument for no expressions, a malformed expression, a bad regex, or when
  // every expression matches the empty value.
  core::Result<std::vector<uint32_t>> FindSeries(const std::vector<std::string>& exprs) const;

  // Distinct series indexed.
  size_t size() const { return all_.size(); }
  // Approximate heap bytes held.
  size_t MemoryBytes() const;

 private:
  using Postings = std::vector<uint32_t>;  // ascending, distinct
  using ValueMap = std::map<std::string, Postings, std::less<>>;

  // What one expression contributes: carriers it requires, or carriers it rules out.
  struct Selection {
    Postings series;
    bool exclude = false;
  };

  static void AddPosting(Postings* postings, uint32_t index);
  core::Result<Selection> Select(std::string_view expr) const;
  void AddTag(std::string_view tag, std::string_view value, uint32_t index);
  void RemoveTag(std::string_view tag, std::string_view value, uint32_t index);

  std::map<std::string, ValueMap, std::less<>> tags_;
  Postings all_;
};

}  // namespace meridian::storage::internal
