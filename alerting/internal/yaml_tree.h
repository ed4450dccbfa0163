// The strict YAML reader rule files use lives in core/yaml_tree.h (dashboards share it); these
// names keep alerting's internal code reading as before.
#pragma once

#include "core/yaml_tree.h"

namespace meridian::alerting::internal {

using core::KindName;
using core::ParseYamlDocument;
using core::YamlDocument;
using core::YamlError;
using core::YamlNode;

}  // namespace meridian::alerting::internal
