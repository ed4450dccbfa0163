#include "alerting/check_result.h"

#include <cctype>
#include <cmath>
#include <string>

namespace meridian::alerting {
namespace {

constexpr std::string_view kIllegalObjectNameChars = "`~!$%^&*|'\"<>?,()=;";

// Length of the UTF-8 sequence starting at text[i], so cuts never split one. Malformed input
// (stray continuation byte, truncated sequence) is grouped as far as it is well-formed; it is
// passed through, not repaired: Nagios itself treats output as bytes.
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  size_t want = 1;
  if ((lead & 0xE0) == 0xC0) want = 2;
  if ((lead & 0xF0) == 0xE0) want = 3;
  if ((lead & 0xF8) == 0xF0) want = 4;
  size_t len = 1;
  while (len < want && i + len < text.size() &&
         (static_cast<unsigned char>(text[i + len]) & 0xC0) == 0x80) {
    ++len;
  }
  return len;
}

// Longest prefix of `text` of at most `max_bytes` that ends on a UTF-8 sequence boundary.
std::string_view Utf8Prefix(std::string_view text, size_t max_bytes) {
  size_t i = 0;
  while (i < text.size()) {
    const size_t len = Utf8SequenceLength(text, i);
    if (i + len > max_bytes) break;
    i += len;
  }
  return text.substr(0, i);
}

// Safety net behind ValidateObjectName: a name can never break the ';'-separated fields or the
// line.
std::string SanitizeName(std::string_view name) {
  std::string out(Utf8Prefix(name, kMaxObjectNameBytes));
  for (char& c : out) {
    if (c == ';' || c == '\n' || c == '\r' || c == '\0') c = '_';
  }
  return out;
}

bool NeedsQuotes(std::string_view label) {
  return label.empty() || label.find_first_of(" ='") != std::string_view::npos;
}

void AppendLabel(std::string_view label, std::string& out) {
  std::string clean(label);
  for (char& c : clean) {
    if (c == '\n' || c == '\r' || c == '|') c = ' ';
  }
  if (!NeedsQuotes(clean)) {
    out += clean;
    return;
  }
  out += '\'';
  for (char c : clean) {
    out += c;
    if (c == '\'') out += '\'';
  }
  out += '\'';
}

void AppendDatum(const PerfDatum& d, std::string& out) {
  AppendLabel(d.label, out);
  out += '=';
  if (std::isfinite(d.value)) {
    out += FormatDecimal(d.value);
    for (char c : d.uom) {
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '%') out += c;
    }
  } else {
    out += 'U';
  }
  std::string fields[4];
  if (d.warn) fields[0] = ToString(*d.warn);
  if (d.crit) fields[1] = ToString(*d.crit);
  if (d.min) fields[2] = FormatDecimal(*d.min);
  if (d.max) fields[3] = FormatDecimal(*d.max);
  int used = 4;
  while (used > 0 && fields[used - 1].empty()) --used;
  for (int i = 0; i < used; ++i) {
    out += ';';
    out += fields[i];
  }
}

// Appends `output` escaped for the command FIFO, stopping before the first unit (escape pair or
// UTF-8 sequence) that would take `out` past `max_size`.
void AppendEscapedOutput(std::string_view output, size_t max_size, std::string& out) {
  size_t i = 0;
  while (i < output.size()) {
    const char c = output[i];
    std::string_view unit;
    size_t consumed = 1;
    if (c == '\\') {
      unit = "\\\\";
    } else if (c == '\n') {
      unit = "\\n";
    } else if (c == '\r' || c == '\0') {
      unit = "";
    } else {
      consumed = Utf8SequenceLength(output, i);
      unit = output.substr(i, consumed);
    }
    if (out.size() + unit.size() > max_size) return;
    out += unit;
    i += consumed;
  }
}

}  // namespace

std::string_view CheckStateName(CheckState state) {
  switch (state) {
    case CheckState::kOk:
      return "OK";
    case CheckState::kWarning:
      return "WARNING";
    case CheckState::kCritical:
      return "CRITICAL";
    case CheckState::kUnknown:
      return "UNKNOWN";
  }
  return "UNKNOWN";
}

std::string FormatPerfData(std::span<const PerfDatum> perf) {
  std::string out;
  for (const PerfDatum& d : perf) {
    if (!out.empty()) out += ' ';
    AppendDatum(d, out);
  }
  return out;
}

std::string FormatPluginOutput(std::string_view text, std::span<const PerfDatum> perf) {
  std::string clean;
  clean.reserve(text.size());
  for (char c : text) {
    if (c == '\r') continue;
    clean += c == '|' ? '/' : c;
  }
  if (perf.empty()) return clean;
  const size_t newline = clean.find('\n');
  const std::string first = clean.substr(0, newline);
  std::string out = first + " | " + FormatPerfData(perf);
  if (newline != std::string::npos) out += clean.substr(newline);
  return out;
}

std::string FormatServiceCheckResult(int64_t epoch, std::string_view host, std::string_view service,
                                     CheckState state, std::string_view output) {
  std::string line = "[" + std::to_string(epoch) + "] PROCESS_SERVICE_CHECK_RESULT;" +
                     SanitizeName(host) + ";" + SanitizeName(service) + ";" +
                     std::to_string(static_cast<int>(state)) + ";";
  // One byte is kept for the terminating '\n'.
  AppendEscapedOutput(output, kMaxCommandLineBytes - 1, line);
  line += '\n';
  return line;
}

core::Status ValidateObjectName(std::string_view name) {
  if (name.empty()) return core::InvalidArgument("object name is empty");
  if (name.size() > kMaxObjectNameBytes) {
    return core::InvalidArgument("object name is longer than " +
                                 std::to_string(kMaxObjectNameBytes) + " bytes");
  }
  if (name.front() == ' ' || name.back() == ' ') {
    return core::InvalidArgument("object name '" + std::string(name) +
                                 "' has leading or trailing space");
  }
  if (name.back() == '\\') {
    return core::InvalidArgument(
        "object name '" + std::string(name) +
        "' ends with '\\' (it would continue the line in Nagios object files)");
  }
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      return core::InvalidArgument("object name contains a control character");
    }
    if (kIllegalObjectNameChars.find(c) != std::string_view::npos) {
      return core::InvalidArgument("object name '" + std::string(name) +
                                   "' contains illegal character '" + std::string(1, c) + "'");
    }
  }
  return core::Status::Ok();
}

}  // namespace meridian::alerting
