#include "query/series.h"

#include "core/tagged_name.h"

namespace meridian::query {

std::map<std::string, std::string> TagsForName(const std::string& name) {
  std::map<std::string, std::string> tags;
  if (core::IsTagged(name)) {
    auto parsed = core::ParseTaggedName(name);
    if (parsed.ok()) {
      for (const auto& [k, v] : parsed->tags) tags[k] = v;
      tags["name"] = parsed->name;
      return tags;
    }
  }
  tags["name"] = name;
  return tags;
}

}  // namespace meridian::query
