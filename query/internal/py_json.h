// A JSON writer producing exactly Python's json.dumps text, as graphite-web's views write it
// (render json/rickshaw/dygraph labels, metrics/find json and nodelist). Not thread-safe: one
// PyJson writes into one string.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "query/formats.h"
#include "query/internal/py_format.h"

namespace meridian::query::internal {

// Appends the decimal digits of `v`.
void AppendInt(int64_t v, std::string* out);

// A JSON string as Python's json.dumps writes it. ensure_ascii escapes everything outside
// ' '..'~' (astral code points as surrogate pairs); an invalid UTF-8 byte b becomes \udcXX, the
// str Python's surrogateescape gives a file name holding it.
void AppendPyString(std::string_view s, bool ensure_ascii, std::string* out);

// graphite-web's jsonp wrapping: `body` with `content_type` when `jsonp` is empty, else
// "<jsonp>(<body>)" as text/javascript.
FormattedBody WrapJsonp(std::string body, const std::string& jsonp, std::string content_type);

// Streams JSON shaped like Python's json.dumps: ", " and ": " separators, or with pretty
// (indent=2) "," + newline + indentation, empty containers staying "[]" / "{}".
class PyJson {
 public:
  PyJson(std::string* out, bool pretty, bool ensure_ascii = true)
      : out_(out), pretty_(pretty), ensure_ascii_(ensure_ascii) {}

  void Begin(char open) {
    Prefix();
    out_->push_back(open);
    counts_.push_back(0);
  }
  void End(char close) {
    const size_t n = counts_.back();
    counts_.pop_back();
    if (n > 0 && pretty_) Newline();
    out_->push_back(close);
  }
  void Key(std::string_view k) {
    Prefix();
    AppendPyString(k, ensure_ascii_, out_);
    out_->append(": ");
    after_key_ = true;
  }
  void Str(std::string_view s) {
    Prefix();
    AppendPyString(s, ensure_ascii_, out_);
  }
  void Int(int64_t v) {
    Prefix();
    AppendInt(v, out_);
  }
  // NaN (None) and ±inf are null: see formats.h.
  void Float(double v) {
    Prefix();
    if (std::isfinite(v)) {
      AppendPythonFloat(v, out_);
    } else {
      out_->append("null");
    }
  }
  void Bool(bool v) {
    Prefix();
    out_->append(v ? "true" : "false");
  }

 private:
  void Newline() {
    out_->push_back('\n');
    out_->append(2 * counts_.size(), ' ');
  }
  void Prefix() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (counts_.empty()) return;
    if (counts_.back()++ > 0) out_->append(pretty_ ? "," : ", ");
    if (pretty_) Newline();
  }

  std::string* out_;
  bool pretty_;
  bool ensure_ascii_;
  bool after_key_ = false;
  std::vector<size_t> counts_;
};

}  // namespace meridian::query::internal
