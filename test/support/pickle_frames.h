// Carbon pickle-protocol frames for tests: a hand encoder for protocol 2 (what carbon-relay
// sends) and frames pickled by Debian's CPython (/usr/bin/python3) for any protocol and any
// Python expression — including hostile ones, which pickling never executes.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace meridian::testing {

struct PickledPoint {
  std::string path;
  double timestamp = 0;
  double value = 0;
};

// The 4-byte big-endian length, then `body`.
std::string LengthPrefixed(std::string_view body);

// pickle.dumps([(path, (ts, value)), ...], protocol=2) as CPython writes it, without memo
// opcodes: integral timestamps as BININT, values as BINFLOAT, paths as BINUNICODE. No prefix.
std::string EncodeProtocol2(const std::vector<PickledPoint>& points);

// pickle.dumps(eval(python_expr), protocol=protocol) by /usr/bin/python3, without prefix. The
// expression may use `os`, `struct` and a class `Evil` whose __reduce__ returns
// (os.system, ("touch <scratch>/pwned",)); `scratch` is where the bytes are written.
core::Result<std::string> PythonPickle(const std::filesystem::path& scratch,
                                       const std::string& python_expr, int protocol);

}  // namespace meridian::testing
