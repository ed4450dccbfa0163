#include "alerting/internal/rule_fields.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>
#include <utility>

#include "alerting/check_result.h"
#include "alerting/target_check.h"
#include "core/regex.h"
#include "query/expression.h"
#include "query/function_registry.h"

namespace meridian::alerting::internal {
namespace {

// Plain scalars that YAML 1.1 readers (PyYAML, older tools) turn into booleans.
bool IsYaml11Boolean(std::string_view s) {
  static constexpr std::array<std::string_view, 22> kWords = {
      "y",    "Y",    "yes",   "Yes",   "YES",   "n",  "N",  "no", "No",  "NO",  "true",
      "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF"};
  return std::find(kWords.begin(), kWords.end(), s) != kWords.end();
}

std::string Join(std::initializer_list<std::string_view> words) {
  std::string out;
  for (std::string_view w : words) {
    if (!out.empty()) out += ", ";
    out += w;
  }
  return out;
}

// The template text with every field replaced by "x": if even that is not a valid Nagios name,
// no series can give one (the literal text has an illegal character, a leading space, ...).
std::string ProbeName(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      out += c;
      ++i;
    } else if (c == '{') {
      out += 'x';
      i = std::min(text.find('}', i), text.size());
    } else {
      out += c;
    }
  }
  return out;
}

void NameTemplate(const YamlNode& nagios, std::string_view key, const std::string& text,
                  Template* out, Reporter& reporter) {
  const int line = LineOf(nagios, key, nagios.line);
  const std::string field = "nagios." + std::string(key);
  auto parsed = Template::Parse(text, Template::Kind::kName);
  if (!parsed.ok()) {
    reporter.Error(line, field + ": " + parsed.status().message());
    return;
  }
  if (parsed->is_static()) {
    auto rendered = parsed->Render(SeriesRef{});
    core::Status valid = rendered.ok() ? ValidateObjectName(*rendered) : rendered.status();
    if (!valid.ok()) {
      reporter.Error(line,
                     field + ": '" + text + "' is not a valid Nagios name: " + valid.message());
      return;
    }
  } else if (core::Status valid = ValidateObjectName(ProbeName(text)); !valid.ok()) {
    reporter.Error(line, field + ": template '" + text +
                             "' can never give a valid Nagios name: " + valid.message());
    return;
  }
  *out = std::move(parsed).value();
}

}  // namespace

void CheckKeys(const YamlNode& map, std::initializer_list<std::string_view> allowed,
               Reporter& reporter) {
  for (const auto& [key, value] : map.entries) {
    if (std::find(allowed.begin(), allowed.end(), key.value) == allowed.end()) {
      reporter.Error(key.line, "unknown key '" + key.value + "' (expected " + Join(allowed) + ")");
    }
  }
}

std::optional<std::string> Text(const YamlNode& map, std::string_view key, TextKind kind,
                                bool required, Reporter& reporter) {
  const YamlNode* value = map.Find(key);
  if (value == nullptr) {
    if (required) reporter.Error(map.line, "missing required key '" + std::string(key) + "'");
    return std::nullopt;
  }
  const std::string prefix = std::string(key) + ": ";
  switch (value->kind) {
    case YamlNode::Kind::kInvalid:
      return std::nullopt;
    case YamlNode::Kind::kScalar:
      break;
    case YamlNode::Kind::kNull:
      reporter.Error(value->line, prefix + "missing value");
      return std::nullopt;
    default:
      reporter.Error(value->line,
                     prefix + "expected a string, found a " + std::string(KindName(value->kind)));
      return std::nullopt;
  }
  if (kind == TextKind::kFreeText && value->plain && IsYaml11Boolean(value->value)) {
    reporter.Error(value->line, prefix + "'" + value->value +
                                    "' must be quoted: YAML 1.1 tools read it as a boolean");
    return std::nullopt;
  }
  return value->value;
}

std::optional<std::string> Name(const YamlNode& map, std::string_view key, Reporter& reporter,
                                bool* valid) {
  *valid = false;
  auto text = Text(map, key, TextKind::kFreeText, /*required=*/true, reporter);
  if (!text) return std::nullopt;
  const bool charset_ok = !text->empty() && std::all_of(text->begin(), text->end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
  if (!charset_ok || text->size() > kMaxNameBytes) {
    reporter.Error(LineOf(map, key, map.line),
                   std::string(key) + ": '" + *text + "' must be 1 to " +
                       std::to_string(kMaxNameBytes) + " characters of A-Z a-z 0-9 _ . -");
    return text;
  }
  *valid = true;
  return text;
}

bool Duration(const YamlNode& map, std::string_view key, std::chrono::seconds min,
              std::chrono::seconds* value, std::string* text, Reporter& reporter) {
  auto written = Text(map, key, TextKind::kKeyword, /*required=*/false, reporter);
  if (!written) return map.Find(key) == nullptr;
  const int line = LineOf(map, key, map.line);
  auto parsed = ParseRuleDuration(*written);
  if (!parsed.ok()) {
    reporter.Error(line, std::string(key) + ": " + parsed.status().message());
    return false;
  }
  if (*parsed < min) {
    reporter.Error(line, std::string(key) + ": '" + *written + "' is too short (at least " +
                             (min.count() == 0 ? "0" : std::to_string(min.count()) + "s") + ")");
    return false;
  }
  *value = *parsed;
  if (text != nullptr) *text = *written;
  return true;
}

int LineOf(const YamlNode& map, std::string_view key, int fallback) {
  const YamlNode* value = map.Find(key);
  return value != nullptr ? value->line : fallback;
}

void CheckTarget(const std::string& target, int line, Reporter& reporter) {
  if (std::all_of(target.begin(), target.end(),
                  [](char c) { return std::isspace(static_cast<unsigned char>(c)); })) {
    reporter.Error(line, "target: empty");
    return;
  }
  auto parsed = query::ParseTarget(target);
  if (!parsed.ok()) {
    reporter.Error(line, "target: " + parsed.status().message());
    return;
  }
  core::Status status = CheckTargetFunctions(*parsed);
  if (!status.ok()) reporter.Error(line, "target '" + target + "': " + status.message());
}

void ParseNagios(const YamlNode& rule_map, Rule& rule, Reporter& reporter) {
  const YamlNode* nagios = rule_map.Find("nagios");
  if (nagios == nullptr) {
    reporter.Error(rule_map.line, "missing required key 'nagios' (with host and service)");
    return;
  }
  if (nagios->kind == YamlNode::Kind::kInvalid) return;
  if (nagios->kind != YamlNode::Kind::kMap) {
    reporter.Error(nagios->line, "nagios: expected a mapping with host and service, found a " +
                                     std::string(KindName(nagios->kind)));
    return;
  }
  CheckKeys(*nagios, {"host", "service"}, reporter);
  auto host = Text(*nagios, "host", TextKind::kFreeText, /*required=*/false, reporter);
  if (!host && nagios->Find("host") == nullptr) {
    reporter.Error(nagios->line, "nagios: missing required key 'host'");
  }
  if (host) NameTemplate(*nagios, "host", *host, &rule.host, reporter);
  auto service = Text(*nagios, "service", TextKind::kFreeText, /*required=*/false, reporter);
  if (service) {
    NameTemplate(*nagios, "service", *service, &rule.service, reporter);
  } else if (nagios->Find("service") == nullptr && !rule.name.empty()) {
    NameTemplate(*nagios, "service", rule.name, &rule.service, reporter);
  }
}

}  // namespace meridian::alerting::internal
