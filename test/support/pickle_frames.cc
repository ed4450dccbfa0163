#include "support/pickle_frames.h"

#include <bit>
#include <cmath>
#include <cstdint>

#include "support/carbon_cache.h"
#include "support/process.h"

namespace meridian::testing {
namespace {

void PutLE32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

constexpr char kPickleScript[] = R"PY(
import os, pickle, struct, sys
class Evil:
    def __reduce__(self):
        return (os.system, ("touch " + os.path.join(sys.argv[1], "pwned"),))
data = pickle.dumps(eval(sys.argv[2]), protocol=int(sys.argv[3]))
with open(os.path.join(sys.argv[1], "pickle.out"), "wb") as f:
    f.write(data)
)PY";

}  // namespace

std::string LengthPrefixed(std::string_view body) {
  const auto n = static_cast<uint32_t>(body.size());
  std::string out = {static_cast<char>(n >> 24), static_cast<char>((n >> 16) & 0xFF),
                     static_cast<char>((n >> 8) & 0xFF), static_cast<char>(n & 0xFF)};
  out.append(body);
  return out;
}

std::string EncodeProtocol2(const std::vector<PickledPoint>& points) {
  std::string out = "\x80\x02]";            // PROTO 2, EMPTY_LIST
  if (!points.empty()) out.push_back('(');  // MARK
  for (const PickledPoint& p : points) {
    out.push_back('X');  // BINUNICODE
    PutLE32(out, static_cast<uint32_t>(p.path.size()));
    out += p.path;
    if (p.timestamp == std::trunc(p.timestamp) && std::abs(p.timestamp) < 2147483648.0) {
      out.push_back('J');  // BININT
      PutLE32(out, static_cast<uint32_t>(static_cast<int32_t>(p.timestamp)));
    } else {
      out.push_back('G');
      const auto bits = std::bit_cast<uint64_t>(p.timestamp);
      for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
    }
    out.push_back('G');  // BINFLOAT, big-endian
    const auto bits = std::bit_cast<uint64_t>(p.value);
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
    out += "\x86\x86";  // TUPLE2 (ts, value), TUPLE2 (path, (...))
  }
  if (!points.empty()) out.push_back('e');  // APPENDS
  out.push_back('.');                       // STOP
  return out;
}

core::Result<std::string> PythonPickle(const std::filesystem::path& scratch,
                                       const std::string& python_expr, int protocol) {
  SubprocessOptions sub;
  sub.argv = {kSystemPython,    "-c",        kPickleScript,
              scratch.string(), python_expr, std::to_string(protocol)};
  RETURN_IF_ERROR(RunAndCapture(sub, scratch, std::chrono::seconds(30)).status());
  const std::filesystem::path out = scratch / "pickle.out";
  std::string bytes = ReadFileOrEmpty(out);
  std::error_code ec;
  std::filesystem::remove(out, ec);
  if (bytes.empty()) return core::Internal("python wrote no pickle for: " + python_expr);
  return bytes;
}

}  // namespace meridian::testing
