#include "storage/internal/tag_index.h"

#include <algorithm>
#include <iterator>
#include <optional>

#include "core/regex.h"

namespace meridian::storage::internal {
namespace {

using core::InvalidArgument;
using core::Result;
using core::Status;

enum class Op { kEq, kNe, kMatch, kNotMatch };

struct Spec {
  std::string_view tag;
  Op op;
  std::string_view value;
};

// graphite-web's parse_tagspec: ^([^;!=]+)(!?=~?)([^;]*)$
std::optional<Spec> ParseSpec(std::string_view expr) {
  const size_t tag_end = expr.find_first_of(";!=");
  if (tag_end == 0 || tag_end == std::string_view::npos || expr[tag_end] == ';') return {};
  Spec spec{expr.substr(0, tag_end), Op::kEq, {}};
  size_t pos = tag_end;
  const bool negated = expr[pos] == '!';
  if (negated) ++pos;
  if (pos >= expr.size() || expr[pos] != '=') return {};
  ++pos;
  const bool regex = pos < expr.size() && expr[pos] == '~';
  if (regex) ++pos;
  spec.op = negated ? (regex ? Op::kNotMatch : Op::kNe) : (regex ? Op::kMatch : Op::kEq);
  spec.value = expr.substr(pos);
  if (spec.value.find(';') != std::string_view::npos) return {};
  return spec;
}

// Patterns run on core::Regex (RE2): linear time, bounded memory, 4 KiB at most.
Result<core::Regex> CompileRegex(std::string_view pattern) { return core::Regex::Compile(pattern); }

void SortUnique(std::vector<uint32_t>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

}  // namespace

void TagIndex::AddPosting(Postings* postings, uint32_t index) {
  // Dense indexes arrive mostly in ascending order: append is the common path.
  if (postings->empty() || postings->back() < index) {
    postings->push_back(index);
    return;
  }
  auto it = std::lower_bound(postings->begin(), postings->end(), index);
  if (*it != index) postings->insert(it, index);
}

void TagIndex::AddTag(std::string_view tag, std::string_view value, uint32_t index) {
  auto tag_it = tags_.find(tag);
  if (tag_it == tags_.end()) tag_it = tags_.emplace(std::string(tag), ValueMap{}).first;
  auto value_it = tag_it->second.find(value);
  if (value_it == tag_it->second.end()) {
    value_it = tag_it->second.emplace(std::string(value), Postings{}).first;
  }
  AddPosting(&value_it->second, index);
}

void TagIndex::Insert(uint32_t leaf_index, std::string_view name, std::span<const Tag> tags) {
  AddPosting(&all_, leaf_index);
  AddTag("name", name, leaf_index);
  for (const auto& [tag, value] : tags) {
    if (tag != "name") AddTag(tag, value, leaf_index);
  }
}

void TagIndex::Remove(uint32_t leaf_index, std::string_view name, std::span<const Tag> tags) {
  auto it = std::lower_bound(all_.begin(), all_.end(), leaf_index);
  if (it == all_.end() || *it != leaf_index) return;
  all_.erase(it);
  RemoveTag("name", name, leaf_index);
  for (const auto& [tag, value] : tags) {
    if (tag != "name") RemoveTag(tag, value, leaf_index);
  }
}

void TagIndex::RemoveTag(std::string_view tag, std::string_view value, uint32_t index) {
  auto t = tags_.find(tag);
  if (t == tags_.end()) return;
  auto v = t->second.find(value);
  if (v == t->second.end()) return;
  Postings& p = v->second;
  auto it = std::lower_bound(p.begin(), p.end(), index);
  if (it != p.end() && *it == index) p.erase(it);
  if (p.empty()) t->second.erase(v);
  if (t->second.empty()) tags_.erase(t);
}

Result<std::vector<std::string>> TagIndex::Tags(std::string_view filter, size_t limit) const {
  std::optional<core::Regex> re;
  if (!filter.empty()) {
    ASSIGN_OR_RETURN(re, CompileRegex(filter));
  }
  std::vector<std::string> out;
  for (const auto& [tag, values] : tags_) {
    if (limit != 0 && out.size() >= limit) break;
    if (!re || re->MatchesAtStart(tag)) out.push_back(tag);
  }
  return out;
}

Result<std::vector<TagIndex::ValueCount>> TagIndex::Values(std::string_view tag,
                                                           std::string_view filter,
                                                           size_t limit) const {
  std::optional<core::Regex> re;
  if (!filter.empty()) {
    ASSIGN_OR_RETURN(re, CompileRegex(filter));
  }
  std::vector<ValueCount> out;
  const auto tag_it = tags_.find(tag);
  if (tag_it == tags_.end()) return out;
  for (const auto& [value, postings] : tag_it->second) {
    if (limit != 0 && out.size() >= limit) break;
    if (!re || re->MatchesAtStart(value)) out.push_back({value, postings.size()});
  }
  return out;
}

// One expression either requires membership in a set (it needs a non-empty value, so the series
// must carry the tag) or excludes a set (it also accepts a missing tag, so only carriers whose
// value fails it are dropped): graphite-web's SQL joins versus its post-filters.
Result<TagIndex::Selection> TagIndex::Select(std::string_view expr) const {
  static const ValueMap kNoValues;
  const std::optional<Spec> spec = ParseSpec(expr);
  if (!spec) return InvalidArgument("invalid tagspec " + std::string(expr));
  const auto tag_it = tags_.find(spec->tag);
  const ValueMap& values = tag_it == tags_.end() ? kNoValues : tag_it->second;
  std::optional<core::Regex> re;
  bool matches_empty = spec->op == Op::kEq ? spec->value.empty() : !spec->value.empty();
  if (spec->op == Op::kMatch || spec->op == Op::kNotMatch) {
    ASSIGN_OR_RETURN(re, CompileRegex(spec->value));
    matches_empty = re->MatchesAtStart("") == (spec->op == Op::kMatch);
  }
  Selection selection;
  selection.exclude = matches_empty;
  if ((spec->op == Op::kEq || spec->op == Op::kNe) && !spec->value.empty()) {
    // tag=v includes v's carriers; tag!=v excludes them.
    const auto it = values.find(spec->value);
    if (it != values.end()) selection.series = it->second;
    return selection;
  }
  for (const auto& [value, postings] : values) {
    bool passes = true;  // tag= never reaches a carrier's value: every value fails it
    if (spec->op == Op::kEq) passes = false;
    if (re) passes = re->MatchesAtStart(value) == (spec->op == Op::kMatch);
    // Appending then sorting once stays O(n log n) over thousands of values.
    if (passes != matches_empty) {
      selection.series.insert(selection.series.end(), postings.begin(), postings.end());
    }
  }
  SortUnique(&selection.series);
  return selection;
}

Result<std::vector<uint32_t>> TagIndex::FindSeries(const std::vector<std::string>& exprs) const {
  std::vector<std::vector<uint32_t>> includes;
  std::vector<uint32_t> excludes;
  for (const std::string& expr : exprs) {
    ASSIGN_OR_RETURN(Selection selection, Select(expr));
    if (selection.exclude) {
      excludes.insert(excludes.end(), selection.series.begin(), selection.series.end());
    } else {
      includes.push_back(std::move(selection.series));
    }
  }
  if (includes.empty()) {
    return InvalidArgument("at least one tagspec must not match the empty string");
  }
  SortUnique(&excludes);
  std::sort(includes.begin(), includes.end(),
            [](const auto& a, const auto& b) { return a.size() < b.size(); });
  std::vector<uint32_t> result = std::move(includes[0]);
  for (size_t i = 1; i < includes.size() && !result.empty(); ++i) {
    std::vector<uint32_t> narrowed;
    std::set_intersection(result.begin(), result.end(), includes[i].begin(), includes[i].end(),
                          std::back_inserter(narrowed));
    result.swap(narrowed);
  }
  std::vector<uint32_t> kept;
  std::set_difference(result.begin(), result.end(), excludes.begin(), excludes.end(),
                      std::back_inserter(kept));
  return kept;
}

size_t TagIndex::MemoryBytes() const {
  // std::map nodes: ~4 pointers + colour, plus the key string (heap beyond the SSO buffer).
  constexpr size_t kMapNode = 48;
  size_t bytes = all_.capacity() * sizeof(uint32_t);
  for (const auto& [tag, values] : tags_) {
    bytes += kMapNode + sizeof(std::string) + sizeof(ValueMap) + tag.capacity();
    for (const auto& [value, postings] : values) {
      bytes += kMapNode + sizeof(std::string) + sizeof(Postings) + value.capacity() +
               postings.capacity() * sizeof(uint32_t);
    }
  }
  return bytes;
}

}  // namespace meridian::storage::internal
