#include "core/tagged_name.h"

#include <algorithm>
#include <cstring>
#include <forward_list>

namespace meridian::core {
namespace {

struct TagView {
  std::string_view tag;
  std::string_view value;
};

// Views into the raw name, plus the unescaped OpenMetrics values they may point to instead
// (forward_list: nodes never move, and an empty one does not allocate).
struct ParsedViews {
  std::string_view name;
  std::vector<TagView> tags;  // input order, duplicates included
  std::forward_list<std::string> owned;
};

bool IsOpenMetrics(std::string_view raw) {
  return raw.size() >= 2 && raw.substr(raw.size() - 2) == "\"}" &&
         raw.find('{') != std::string_view::npos;
}

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// carbon's validateTagAndValue, in carbon's order of checks.
Status ValidateTagAndValue(std::string_view tag, std::string_view value) {
  if (tag.empty()) return InvalidArgument("tag may not be empty");
  if (value.empty()) return InvalidArgument("value for tag " + Quote(tag) + " may not be empty");
  if (tag.find_first_of(";!^=") != std::string_view::npos) {
    return InvalidArgument("tag " + Quote(tag) + " holds one of ; ! ^ =");
  }
  if (value.find(';') != std::string_view::npos) {
    return InvalidArgument("value of tag " + Quote(tag) + " holds ;");
  }
  if (value.front() == '~') {
    return InvalidArgument("value of tag " + Quote(tag) + " starts with ~");
  }
  return Status::Ok();
}

// carbon's sanitize_name_as_tag_value: leading `~` stripped, must stay non-empty.
Status SanitizeName(std::string_view metric, std::string_view* name) {
  size_t first = metric.find_first_not_of('~');
  if (first == std::string_view::npos) {
    return InvalidArgument("metric name " + Quote(metric) + " is empty once ~ is stripped");
  }
  *name = metric.substr(first);
  return Status::Ok();
}

Status ParseCarbon(std::string_view raw, ParsedViews* out) {
  size_t semi = raw.find(';');
  std::string_view metric = raw.substr(0, semi);
  if (metric.empty()) return InvalidArgument("no metric name before the first ;");
  while (semi != std::string_view::npos) {
    size_t next = raw.find(';', semi + 1);
    std::string_view segment = raw.substr(semi + 1, next == raw.npos ? raw.npos : next - semi - 1);
    size_t eq = segment.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return InvalidArgument("invalid tag segment " + Quote(segment));
    }
    TagView tv{segment.substr(0, eq), segment.substr(eq + 1)};
    RETURN_IF_ERROR(ValidateTagAndValue(tv.tag, tv.value));
    out->tags.push_back(tv);
    semi = next;
  }
  return SanitizeName(metric, &out->name);
}

// carbon's value.replace('\\"', '"').replace('\\\\', '\\'), two passes as carbon does them.
std::string Unescape(std::string_view v) {
  auto replace_all = [](std::string_view in, std::string_view from, char to) {
    std::string s;
    for (size_t i = 0; i < in.size();) {
      if (in.substr(i, 2) == from) {
        s.push_back(to);
        i += 2;
      } else {
        s.push_back(in[i++]);
      }
    }
    return s;
  };
  return replace_all(replace_all(v, "\\\"", '"'), "\\\\", '\\');
}

// One match of carbon's regex  ([^=]+)="((?:[\\]["\\]|[^"\\])+)"(:?,|$)  at the start of `rest`.
// The regex cannot backtrack into another split, so a single greedy scan is equivalent.
bool MatchOpenMetricsSegment(std::string_view rest, std::string_view* tag,
                             std::string_view* raw_value, size_t* consumed) {
  size_t eq = rest.find('=');
  if (eq == std::string_view::npos || eq == 0) return false;
  if (eq + 1 >= rest.size() || rest[eq + 1] != '"') return false;
  size_t i = eq + 2;
  const size_t value_start = i;
  while (i < rest.size() && rest[i] != '"') {
    if (rest[i] == '\\') {
      if (i + 1 >= rest.size() || (rest[i + 1] != '"' && rest[i + 1] != '\\')) return false;
      i += 2;
    } else {
      ++i;
    }
  }
  if (i == value_start || i >= rest.size()) return false;  // empty value, or no closing quote
  *tag = rest.substr(0, eq);
  *raw_value = rest.substr(value_start, i - value_start);
  ++i;  // closing quote
  if (rest.substr(i, 2) == ":,") {
    i += 2;
  } else if (i < rest.size() && rest[i] == ',') {
    ++i;
  } else if (i != rest.size()) {
    return false;
  }
  *consumed = i;
  return true;
}

Status ParseOpenMetrics(std::string_view raw, ParsedViews* out) {
  std::string_view inner = raw.substr(0, raw.size() - 1);  // without the final '}'
  size_t brace = inner.find('{');
  if (inner.find('{', brace + 1) != std::string_view::npos) {
    return InvalidArgument("more than one { in " + Quote(raw));
  }
  std::string_view metric = inner.substr(0, brace);
  if (metric.empty()) return InvalidArgument("no metric name before {");
  std::string_view rest = inner.substr(brace + 1);
  while (!rest.empty()) {
    std::string_view tag, raw_value;
    size_t consumed = 0;
    if (!MatchOpenMetricsSegment(rest, &tag, &raw_value, &consumed)) {
      return InvalidArgument("invalid tag segment " + Quote(rest));
    }
    std::string_view value = raw_value;
    if (raw_value.find('\\') != std::string_view::npos) {
      out->owned.push_front(Unescape(raw_value));
      value = out->owned.front();
    }
    RETURN_IF_ERROR(ValidateTagAndValue(tag, value));
    out->tags.push_back({tag, value});
    rest.remove_prefix(consumed);
  }
  return SanitizeName(metric, &out->name);
}

// Orders tags as carbon orders the strings ";tag=value": tags never hold '=', so comparing
// "tag=" decides, and a tag that is a prefix of another compares its '=' with the other's byte.
bool TagLess(const TagView& a, const TagView& b) {
  size_t n = std::min(a.tag.size(), b.tag.size());
  int c = n == 0 ? 0 : std::memcmp(a.tag.data(), b.tag.data(), n);
  if (c != 0) return c < 0;
  unsigned char ca = a.tag.size() > n ? static_cast<unsigned char>(a.tag[n]) : '=';
  unsigned char cb = b.tag.size() > n ? static_cast<unsigned char>(b.tag[n]) : '=';
  return ca < cb;
}

// Sorts, keeps the last of duplicate tags (a Python dict assignment), drops `name`.
void Canonicalize(std::vector<TagView>* tags) {
  std::stable_sort(tags->begin(), tags->end(), TagLess);
  size_t out = 0;
  for (size_t i = 0; i < tags->size(); ++i) {
    const TagView& t = (*tags)[i];
    if (i + 1 < tags->size() && (*tags)[i + 1].tag == t.tag) continue;
    if (t.tag == "name") continue;
    (*tags)[out++] = t;
  }
  tags->resize(out);
}

Status Parse(std::string_view raw, ParsedViews* out) {
  if (raw.empty()) return InvalidArgument("empty metric name");
  RETURN_IF_ERROR(IsOpenMetrics(raw) ? ParseOpenMetrics(raw, out) : ParseCarbon(raw, out));
  Canonicalize(&out->tags);
  return Status::Ok();
}

}  // namespace

bool IsTagged(std::string_view name) {
  return name.find(';') != std::string_view::npos || IsOpenMetrics(name);
}

bool NeedsNormalization(std::string_view name) {
  if (name.empty() || name.front() == '~') return true;
  if (std::memchr(name.data(), ';', name.size()) != nullptr) return true;
  return name.back() == '}' && IsOpenMetrics(name);
}

Result<ParsedTags> ParseTaggedName(std::string_view raw) {
  ParsedViews views;
  RETURN_IF_ERROR(Parse(raw, &views));
  ParsedTags out;
  out.name = std::string(views.name);
  out.tags.reserve(views.tags.size());
  for (const TagView& t : views.tags) out.tags.emplace_back(t.tag, t.value);
  return out;
}

Status NormalizeSeriesNameTo(std::string_view raw, std::string* out) {
  out->clear();
  if (!NeedsNormalization(raw)) {
    out->assign(raw);
    return Status::Ok();
  }
  // Reused per thread: normalizing a tagged name allocates nothing in steady state.
  thread_local ParsedViews views;
  views.tags.clear();
  views.owned.clear();
  RETURN_IF_ERROR(Parse(raw, &views));
  out->append(views.name);
  for (const TagView& t : views.tags) {
    out->push_back(';');
    out->append(t.tag);
    out->push_back('=');
    out->append(t.value);
  }
  return Status::Ok();
}

Result<std::string> NormalizeSeriesName(std::string_view raw) {
  std::string out;
  RETURN_IF_ERROR(NormalizeSeriesNameTo(raw, &out));
  return out;
}

}  // namespace meridian::core
