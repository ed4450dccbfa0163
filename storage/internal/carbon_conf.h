// A minimal reader for carbon's INI files (Python 3 ConfigParser as carbon configures it).
// Private to storage/: the public entry points are ParseCarbon*File in storage/schema.h.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace meridian::storage::internal {

struct IniEntry {
  std::string key;  // lower-cased, as ConfigParser's optionxform does
  std::string value;
  int line = 0;  // 1-based
};

struct IniSection {
  std::string name;
  int line = 0;                   // 1-based line of the [header]
  std::vector<IniEntry> entries;  // in file order

  // nullptr when the key is absent. REQUIRES: `key` lower case.
  const IniEntry* Find(std::string_view key) const;
};

// Sections in file order. Errors ("line N: ...") for lines outside any section, lines that are
// neither header nor `key = value`, duplicate sections or keys, and [DEFAULT] (whose keys
// ConfigParser would silently inherit into every section).
core::Result<std::vector<IniSection>> ParseIni(std::string_view text);

}  // namespace meridian::storage::internal
