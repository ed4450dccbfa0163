// Number parsing with the semantics of Python's float(str), which carbon applies to the value and
// timestamp fields of a plaintext line.
#pragma once

#include <string_view>

namespace meridian::ingest::internal {

// Parses `s` exactly as Python's float(s) does for ASCII input: optional sign, decimal digits with
// single underscores between digits, optional fraction and exponent, or (case-insensitive)
// "inf", "infinity", "nan". Out-of-range magnitudes give ±inf or ±0 as in Python. Correctly
// rounded (std::from_chars). Returns false for anything Python rejects; `s` holds no whitespace.
// Deliberate difference: Python also accepts non-ASCII Unicode digits; those return false here.
// Thread-safe.
bool ParsePythonFloat(std::string_view s, double* out);

}  // namespace meridian::ingest::internal
