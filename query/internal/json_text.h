// Minimal JSON text helpers for output shaped like Python's json.dumps (", " and ": ").
#pragma once

#include <string>
#include <string_view>

namespace meridian::query::internal {

void AppendJsonString(std::string_view s, std::string* out);

}  // namespace meridian::query::internal
