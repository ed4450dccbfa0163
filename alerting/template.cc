// Name and output templates of alert rules (rule.h).
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <vector>

#include "alerting/rule.h"

namespace meridian::alerting {
namespace {

std::string FieldError(std::string_view field, size_t column, std::string_view why) {
  return "template field {" + std::string(field) + "} at column " + std::to_string(column) + ": " +
         std::string(why);
}

// At most 6 significant digits, fixed notation below 1e15 (what people expect in a message:
// "1234570", not "1.23457e+06").
std::string FormatValue(double value) {
  if (std::isnan(value)) return "no data";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.6g", value);
  if (std::fabs(value) >= 1e15) return buf;
  return FormatDecimal(std::strtod(buf, nullptr));
}

// Node `index` of the graphite name (the part before ';' for a tagged series).
core::Result<std::string> NameNode(std::string_view name, int index) {
  name = name.substr(0, name.find(';'));
  std::vector<std::string_view> nodes;
  size_t start = 0;
  while (true) {
    const size_t dot = name.find('.', start);
    nodes.push_back(name.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  const long long size = static_cast<long long>(nodes.size());
  const long long i = index < 0 ? size + index : index;
  if (i < 0 || i >= size) {
    return core::NotFound("{node:" + std::to_string(index) + "}: series '" + std::string(name) +
                          "' has " + std::to_string(size) + " nodes");
  }
  return std::string(nodes[static_cast<size_t>(i)]);
}

core::Result<std::string> TagValue(const SeriesRef& series, const std::string& tag) {
  if (series.tags != nullptr) {
    auto it = series.tags->find(tag);
    if (it != series.tags->end()) return it->second;
  }
  // graphite's `name` tag is the series name before any ';', also for untagged series.
  if (tag == "name") return std::string(series.name.substr(0, series.name.find(';')));
  return core::NotFound("{tag:" + tag + "}: series '" + std::string(series.name) +
                        "' has no tag '" + tag + "'");
}

}  // namespace

core::Result<Template::Piece> Template::ParseField(std::string_view field, size_t column,
                                                   Kind kind) {
  using Type = Piece::Type;
  static constexpr struct {
    std::string_view name;
    Type type;
    bool output_only;
  } kFields[] = {
      {"name", Type::kName, false},      {"value", Type::kValue, true},
      {"state", Type::kState, true},     {"rule", Type::kRule, true},
      {"host", Type::kHost, true},       {"service", Type::kService, true},
      {"warning", Type::kWarning, true}, {"critical", Type::kCritical, true},
      {"window", Type::kWindow, true},   {"reduce", Type::kReduce, true},
  };
  if (field.starts_with("node:")) {
    const std::string_view digits = field.substr(5);
    int node = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), node);
    if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size()) {
      return core::InvalidArgument(FieldError(field, column, "expected {node:N}, N an integer"));
    }
    return Piece{Type::kNode, "", node};
  }
  if (field.starts_with("tag:")) {
    if (field.size() == 4) return core::InvalidArgument(FieldError(field, column, "no tag name"));
    return Piece{Type::kTag, std::string(field.substr(4)), 0};
  }
  for (const auto& known : kFields) {
    if (known.name != field) continue;
    if (known.output_only && kind == Kind::kName) {
      return core::InvalidArgument(FieldError(
          field, column,
          "only allowed in output templates (names accept {node:N}, {tag:NAME}, {name})"));
    }
    return Piece{known.type, "", 0};
  }
  return core::InvalidArgument(FieldError(
      field, column,
      kind == Kind::kName ? "unknown field (expected {node:N}, {tag:NAME} or {name})"
                          : "unknown field (expected {node:N}, {tag:NAME}, {name}, {value}, "
                            "{state}, {rule}, {host}, {service}, {warning}, {critical}, "
                            "{window} or {reduce})"));
}

core::Result<Template> Template::Parse(std::string_view text, Kind kind) {
  Template result;
  result.text_ = std::string(text);
  auto error = [&](std::string message) {
    return core::InvalidArgument("template '" + result.text_ + "': " + message);
  };
  std::string literal;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool doubled = i + 1 < text.size() && text[i + 1] == c;
    if ((c == '{' || c == '}') && doubled) {
      literal += c;
      ++i;
      continue;
    }
    if (c == '}') {
      return error("'}' at column " + std::to_string(i + 1) + " closes nothing (write }} for '}')");
    }
    if (c != '{') {
      literal += c;
      continue;
    }
    const size_t close = text.find('}', i);
    if (close == std::string_view::npos || text.find('{', i + 1) < close) {
      return error("'{' at column " + std::to_string(i + 1) + " is not closed (write {{ for '{')");
    }
    auto piece = ParseField(text.substr(i + 1, close - i - 1), i + 1, kind);
    if (!piece.ok()) return error(piece.status().message());
    if (!literal.empty()) result.pieces_.push_back(Piece{Piece::Type::kLiteral, literal, 0});
    literal.clear();
    result.pieces_.push_back(std::move(piece).value());
    i = close;
  }
  if (!literal.empty()) result.pieces_.push_back(Piece{Piece::Type::kLiteral, literal, 0});
  return result;
}

core::Result<std::string> Template::Render(const SeriesRef& series,
                                           const OutputFields* fields) const {
  static const OutputFields kNoFields = [] {
    OutputFields f;
    f.value = std::numeric_limits<double>::quiet_NaN();
    return f;
  }();
  const OutputFields& f = fields != nullptr ? *fields : kNoFields;
  std::string out;
  for (const Piece& piece : pieces_) {
    switch (piece.type) {
      case Piece::Type::kLiteral:
        out += piece.text;
        break;
      case Piece::Type::kNode: {
        ASSIGN_OR_RETURN(std::string node, NameNode(series.name, piece.node));
        out += node;
        break;
      }
      case Piece::Type::kTag: {
        ASSIGN_OR_RETURN(std::string value, TagValue(series, piece.text));
        out += value;
        break;
      }
      case Piece::Type::kName:
        out += series.name;
        break;
      case Piece::Type::kValue:
        out += FormatValue(f.value);
        break;
      case Piece::Type::kState:
        out += f.state;
        break;
      case Piece::Type::kRule:
        out += f.rule;
        break;
      case Piece::Type::kHost:
        out += f.host;
        break;
      case Piece::Type::kService:
        out += f.service;
        break;
      case Piece::Type::kWarning:
        out += f.warning;
        break;
      case Piece::Type::kCritical:
        out += f.critical;
        break;
      case Piece::Type::kWindow:
        out += f.window;
        break;
      case Piece::Type::kReduce:
        out += f.reduce;
        break;
    }
  }
  return out;
}

bool Template::is_static() const {
  for (const Piece& piece : pieces_) {
    if (piece.type == Piece::Type::kNode || piece.type == Piece::Type::kTag ||
        piece.type == Piece::Type::kName) {
      return false;
    }
  }
  return true;
}

}  // namespace meridian::alerting
