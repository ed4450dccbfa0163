// Number formatting exactly as Python's repr(float) (what graphite-web's json.dumps writes):
// shortest round-trip digits; exponent form when the decimal exponent is < -4 or >= 16;
// integral values keep ".0".
#pragma once

#include <string>

namespace meridian::query::internal {

void AppendPythonFloat(double v, std::string* out);

}  // namespace meridian::query::internal
