#include "dashboards/event_store.h"

#include <algorithm>

namespace meridian::dashboards {

bool MatchesTags(const Event& event, const EventQuery& query) {
  if (query.tags.empty()) return true;
  auto has = [&event](const std::string& tag) {
    return std::find(event.tags.begin(), event.tags.end(), tag) != event.tags.end();
  };
  return query.set == SetOperation::kUnion ? std::any_of(query.tags.begin(), query.tags.end(), has)
                                           : std::all_of(query.tags.begin(), query.tags.end(), has);
}

std::vector<std::string> SplitTags(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (i < text.size()) {
    while (i < text.size() && space(text[i])) ++i;
    size_t j = i;
    while (j < text.size() && !space(text[j])) ++j;
    if (j > i) {
      std::string tag(text.substr(i, j - i));
      if (std::find(out.begin(), out.end(), tag) == out.end()) out.push_back(std::move(tag));
    }
    i = j;
  }
  return out;
}

size_t EventBytes(const Event& event) {
  size_t n = event.what.size() + event.data.size() + 64;
  for (const std::string& t : event.tags) n += t.size() + 4;
  return n;
}

}  // namespace meridian::dashboards
