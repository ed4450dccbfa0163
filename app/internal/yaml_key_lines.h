// Where a key of meridian.yaml is written: `meridian serve --check-config` names the file and
// line of the key behind a problem it finds after parsing (an unreadable TLS file, a data_dir that
// cannot be created), as the parser does for the problems it finds itself.
#pragma once

#include <string_view>

namespace meridian::app::internal {

// The 1-based line of `key_path` in `yaml_text`: dotted keys with [i] for list entries
// ("http.tls.cert_file", "federation.peers[1].token_file", "data_dir"). 0 when the key is not in
// the text (a default value) or the text is not valid YAML. Never throws. Thread-safe.
int FindKeyLine(std::string_view yaml_text, std::string_view key_path);

}  // namespace meridian::app::internal
