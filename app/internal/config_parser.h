// The YAML walk behind app::ParseConfig (app/config.h): a strict reader of a meridian.yaml tree
// into a Config. yaml-cpp, and its exceptions, stay inside config_parser.cc.
#pragma once

#include <string_view>

#include "app/config.h"
#include "core/status.h"

namespace meridian::app::internal {

// Parses `yaml_text` into *config; fields whose keys the text does not have keep their values,
// and an empty document changes nothing. Errors read "<source_name>:<line>: <key.path>: <what>"
// (the failures ParseConfig lists, and invalid YAML); *config may then be partly filled.
// Thread-safe.
core::Status ParseConfigYaml(std::string_view yaml_text, std::string_view source_name,
                             Config& config);

}  // namespace meridian::app::internal
