// The alerting command-line tools behind `meridian rules check`, `meridian export-nagios` and
// `meridian check` (`rules test` needs a store: app/rules_test_command.h). Each takes the arguments
// after its command words, writes to stdout/stderr and returns the process exit code.
#pragma once

#include <span>
#include <string>

namespace meridian::alerting {

// `meridian rules check PATH…`: 0 when every file is valid, 1 with one "file:line: …" line per
// error on stderr, 2 for a usage error.
int RulesCheckCommand(std::span<const std::string> args);

// `meridian export-nagios --rules DIR [--url URL]`: Nagios object definitions on stdout.
int ExportNagiosCommand(std::span<const std::string> args);

// `meridian check --url URL --target EXPR -w RANGE -c RANGE [--window 5min] [--reduce avg]`:
// a Nagios plugin; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
int CheckCommand(std::span<const std::string> args);

}  // namespace meridian::alerting
