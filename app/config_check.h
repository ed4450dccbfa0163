// `meridian serve --check-config [--config FILE]`: reads and validates everything `serve` would
// read before it opens the store and binds its ports, and does neither of those — so it can run
// beside the running service (before a reload or a restart, after a package upgrade).
//
// What is checked, in this order (every problem is listed, not only the first):
//   - the config file itself (YAML, keys, types, ranges: app/config.h's ParseConfig; a file that
//     does not parse stops here, with its file:line) and the command-line overrides;
//   - the storage schemas (inline rules, or the carbon files they name);
//   - data_dir: an existing directory this user can write, or a path it can create;
//   - graphite.listen and http.listen: the host resolves as a listening address (no bind);
//   - the HTTP server's limits, and http.tls: the certificate chain, the key (matching it) and the
//     client CA load as they would at start;
//   - http.auth.tokens_file: read and parsed;
//   - federation.peers: each peer's settings, its token_file, its TLS files readable;
//   - alerting (when rules_dir is set): the engine's limits, the Nagios/NSCA sink settings, and
//     every rule file (the errors `meridian rules check` prints);
//   - dashboards.dir (when set): every dashboard file (the errors `meridian dashboards check`
//     prints). `serve` starts with an invalid dashboard (listed with its errors on the pages);
//     --check-config reports it as an error, because it is one.
// Errors about a key read "<config file>:<line>: <key>: <what>" (no line for a key left at its
// default); errors inside a rule, dashboard or tokens file name that file and line.
//
// Thread-safe (reads files only).
#pragma once

#include <string>
#include <vector>

#include "app/config.h"

namespace meridian::app {

struct ConfigCheckReport {
  std::string source;               // the config file, or "<default config>"
  std::vector<std::string> errors;  // every problem found; empty: serve would start
  std::vector<std::string> facts;   // what was checked, one line each (the OK output)
  bool ok() const { return errors.empty(); }
};

// `config_path` empty: the embedded default configuration (kDefaultConfigYaml).
ConfigCheckReport CheckConfig(const std::string& config_path, const Overrides& overrides);

// Prints the report: the facts and "<source>: OK" on stdout (exit 0), or every error and a count
// on stderr (exit 1).
int PrintConfigCheck(const ConfigCheckReport& report);

}  // namespace meridian::app
