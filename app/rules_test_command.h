// `meridian rules test [--config FILE] TEST_FILE…`: alert rule unit tests (alerting/
// rule_test_runner.h) evaluated over a real store in a temporary directory, with the storage
// schemas of --config (or the defaults), so results match `meridian serve`.
#pragma once

#include <span>
#include <string>

namespace meridian::app {

// 0 when every test passes, 1 on a failure or an invalid file, 2 for a usage error.
int RulesTestCommand(std::span<const std::string> args);

}  // namespace meridian::app
