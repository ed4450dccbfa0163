// URL-encoded text: query strings and application/x-www-form-urlencoded bodies, split the way
// graphite-web's Django QueryDict splits them.
//
// - Fields are separated by '&' (and ';' is NOT a separator: Django 3 dropped it, and graphite
//   targets contain ';' in tagged names). Empty fields are skipped.
// - A field splits on its FIRST '=': `target=seriesByTag('dc=dc1')` is key "target", value
//   "seriesByTag('dc=dc1')". A field without '=' is a key with an empty value.
// - '+' is a space; "%XY" is the byte 0xXY. A '%' not followed by two hex digits is an error
//   (INVALID_ARGUMENT naming the field), never a guess.
// - Decoded bytes are kept as they are (no UTF-8 check: metric names are bytes).
//
// Thread-compatible, allocation only for the output.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "http/message.h"

namespace meridian::http {

// Decodes one component. `plus_is_space` for query strings and forms; false for paths.
core::Result<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// Appends every field of `text` to `out`. On error `out` holds the fields before the bad one.
core::Status ParseUrlEncoded(std::string_view text, Params& out);

}  // namespace meridian::http
