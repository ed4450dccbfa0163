// The target parser (graphite-web's grammar.py, as pyparsing runs it). template() expansion is in
// query/internal/template_expand.cc.
#include "query/expression.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include "core/ascii.h"
#include "query/internal/target_grammar.h"

namespace meridian::query {
namespace {

using internal::IsAlpha;
using internal::kMaxQuotedTarget;

// Recursion is one parser frame group per nested call; this keeps the stack well under 1 MB
// even with sanitizers, whatever ParseLimits asks for.
constexpr size_t kMaxDepthCap = 256;
constexpr size_t npos = std::string_view::npos;

bool IsWs(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentStart(char c) { return IsAlpha(c) || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }
// pyparsing's Keyword: a keyword must not run on into these.
bool IsKeywordChar(char c) { return IsIdentChar(c) || c == '$'; }
// graphite-web's `symbols`: never part of a path unless escaped (with '=' also escapable).
bool IsSymbol(char c) { return std::string_view("(){},.'\"\\|").find(c) != std::string_view::npos; }
bool IsEscapable(char c) { return c == '=' || IsSymbol(c); }
bool IsPathChar(char c) {
  auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || (u > 0x20 && u < 0x7f && !IsSymbol(c));
}
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

class Parser {
 public:
  Parser(std::string_view target, const ParseLimits& limits)
      : t_(target), limits_(limits), max_depth_(std::min(limits.max_depth, kMaxDepthCap)) {}

  core::Result<Expr> Parse() {
    if (t_.size() > limits_.max_length) {
      return Error("length " + std::to_string(t_.size()) + " exceeds max_length " +
                   std::to_string(limits_.max_length));
    }
    SkipWs();
    if (AtEnd()) return Error("empty target");
    Expr root;
    size_t height = 0;
    RETURN_IF_ERROR(ParsePiped(&root, &height));
    SkipWs();
    if (!AtEnd()) return Expected("end of target or '|'");
    return root;
  }

 private:
  bool AtEnd() const { return pos_ >= t_.size(); }
  char Peek(size_t at) const { return at < t_.size() ? t_[at] : '\0'; }
  void SkipWs() {
    while (!AtEnd() && IsWs(t_[pos_])) ++pos_;
  }
  size_t SkipWsFrom(size_t at) const {
    while (at < t_.size() && IsWs(t_[at])) ++at;
    return at;
  }
  size_t IdentEnd(size_t at) const {
    if (at >= t_.size() || !IsIdentStart(t_[at])) return at;
    while (at < t_.size() && IsIdentChar(t_[at])) ++at;
    return at;
  }

  core::Status Error(const std::string& what) const {
    std::string shown(t_.substr(0, kMaxQuotedTarget));
    if (t_.size() > kMaxQuotedTarget) shown += "...";
    return core::InvalidArgument("target '" + shown + "': " + what);
  }
  core::Status ErrorAt(const std::string& what, size_t at) const {
    return Error(what + " at position " + std::to_string(at));
  }
  core::Status Expected(const std::string& what) const {
    std::string found = "end of target";
    if (!AtEnd()) {
      auto u = static_cast<unsigned char>(t_[pos_]);
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      found = u > 0x20 && u < 0x7f ? "'" + std::string(1, t_[pos_]) + "'" : std::string(hex);
    }
    return ErrorAt("expected " + what + " but found " + found, pos_);
  }

  core::Status NewNode(Expr* e, ExprKind kind, size_t start) {
    if (++nodes_ > limits_.max_nodes) {
      return ErrorAt("more than max_nodes " + std::to_string(limits_.max_nodes) + " nodes", start);
    }
    e->kind = kind;
    e->position = start;
    return core::Status::Ok();
  }
  void Finish(Expr* e) { e->source.assign(t_.substr(e->position, pos_ - e->position)); }

  core::Status CheckHeight(size_t height, size_t at) const {
    if (height <= max_depth_) return core::Status::Ok();
    return ErrorAt("nesting deeper than max_depth " + std::to_string(max_depth_), at);
  }

  // (call | path) followed by any number of `| call`. *height counts nested calls.
  core::Status ParsePiped(Expr* out, size_t* height) {
    size_t start = pos_;
    size_t name_end = IdentEnd(pos_);
    size_t paren = SkipWsFrom(name_end);
    if (name_end > pos_ && Peek(paren) == '(') {
      RETURN_IF_ERROR(ParseCall(out, height, /*piped=*/false));
    } else {
      RETURN_IF_ERROR(ParsePath(out));
      *height = 0;
    }
    for (;;) {
      size_t bar = SkipWsFrom(pos_);
      if (Peek(bar) != '|') return core::Status::Ok();
      pos_ = SkipWsFrom(bar + 1);
      size_t name = IdentEnd(pos_);
      if (name == pos_ || Peek(SkipWsFrom(name)) != '(')
        return Expected("a function call after '|'");
      Expr call;
      size_t call_height = 0;
      RETURN_IF_ERROR(ParseCall(&call, &call_height, /*piped=*/true));
      if (call.args.size() + 1 > limits_.max_args) {
        return ErrorAt("more than max_args " + std::to_string(limits_.max_args) + " arguments",
                       bar);
      }
      call.piped = true;
      call.position = start;
      call.args.insert(call.args.begin(), Arg{"", std::move(*out)});
      *out = std::move(call);
      Finish(out);
      *height = std::max(*height + 1, call_height);
      RETURN_IF_ERROR(CheckHeight(*height, bar));
    }
  }

  // REQUIRES: at `name ws (`.
  core::Status ParseCall(Expr* out, size_t* height, bool piped) {
    size_t start = pos_;
    RETURN_IF_ERROR(NewNode(out, ExprKind::kCall, start));
    size_t name_end = IdentEnd(pos_);
    out->text.assign(t_.substr(start, name_end - start));
    pos_ = SkipWsFrom(name_end) + 1;
    if (++open_calls_ > max_depth_) return CheckHeight(open_calls_, start);
    size_t args_height = 0;
    core::Status st = ParseArgs(out, &args_height, piped);
    --open_calls_;
    if (!st.ok()) return st;
    Finish(out);
    *height = args_height + 1;
    return CheckHeight(*height, start);
  }

  // After '(' through ')'. A piped call is never graphite-web's `template` rule.
  core::Status ParseArgs(Expr* call, size_t* height, bool piped) {
    SkipWs();
    if (Peek(pos_) == ')') {
      ++pos_;
      return core::Status::Ok();
    }
    bool keywords = false;
    for (;;) {
      SkipWs();
      size_t arg_start = pos_;
      Arg arg;
      // graphite-web's `template` rule reads its first argument as a call or a path only:
      // template(1) and template(true.x) template the paths "1" and "true.x".
      bool template_target = !piped && call->args.empty() && call->text == "template";
      if (!template_target && KeywordArgAhead()) {
        size_t name_end = IdentEnd(pos_);
        arg.keyword.assign(t_.substr(pos_, name_end - pos_));
        pos_ = SkipWsFrom(SkipWsFrom(name_end) + 1);
        keywords = true;
      } else if (keywords) {
        return ErrorAt("positional argument after keyword argument", arg_start);
      }
      if (call->args.size() >= limits_.max_args) {
        return ErrorAt("more than max_args " + std::to_string(limits_.max_args) + " arguments",
                       arg_start);
      }
      size_t arg_height = 0;
      RETURN_IF_ERROR(ParseValue(&arg.value, &arg_height, !template_target));
      *height = std::max(*height, arg_height);
      call->args.push_back(std::move(arg));
      SkipWs();
      if (Peek(pos_) == ',') {
        ++pos_;
      } else if (Peek(pos_) == ')') {
        ++pos_;
        return core::Status::Ok();
      } else {
        return Expected("',' or ')'");
      }
    }
  }

  // `name ws = ws value`, except where graphite-web's keyword rule fails and its positional rule
  // then reads a path starting "name=": `f(a=)`, `f(a= ,b)`, `f(a=.b)`, `f(a=|g())`.
  bool KeywordArgAhead() const {
    size_t name_end = IdentEnd(pos_);
    if (name_end == pos_) return false;
    size_t eq = SkipWsFrom(name_end);
    if (Peek(eq) != '=') return false;
    if (eq != name_end) return true;
    size_t value = SkipWsFrom(eq + 1);
    bool empty_value = value >= t_.size() || std::string_view(",)|").find(t_[value]) != npos;
    return !empty_value && Peek(eq + 1) != '.';
  }

  // One argument value: a keyword constant, a number, a string or a piped expression.
  core::Status ParseValue(Expr* out, size_t* height, bool literals) {
    *height = 0;
    char c = Peek(pos_);
    if (literals) {
      bool keyword = false;
      RETURN_IF_ERROR(ParseKeywordConstant(out, &keyword));
      if (keyword) return core::Status::Ok();
      if (size_t end = NumberEnd(); end > pos_) return ParseNumber(out, end);
      if (c == '\'' || c == '"') return ParseString(out);
    }
    if (AtEnd() || !(IsPathChar(c) || c == '{' || c == '\\')) return Expected("an argument");
    return ParsePiped(out, height);
  }

  // true, false, none, inf in any case, as pyparsing's CaselessKeyword matches them.
  core::Status ParseKeywordConstant(Expr* out, bool* matched) {
    size_t end = IdentEnd(pos_);
    *matched = false;
    if (end == pos_ || IsKeywordChar(Peek(end))) return core::Status::Ok();
    std::string_view word = t_.substr(pos_, end - pos_);
    bool is_bool =
        core::EqualsIgnoreAsciiCase(word, "true") || core::EqualsIgnoreAsciiCase(word, "false");
    bool is_none = core::EqualsIgnoreAsciiCase(word, "none");
    bool is_inf = core::EqualsIgnoreAsciiCase(word, "inf");
    if (!is_bool && !is_none && !is_inf) return core::Status::Ok();
    ExprKind kind = is_bool ? ExprKind::kBool : is_none ? ExprKind::kNone : ExprKind::kNumber;
    RETURN_IF_ERROR(NewNode(out, kind, pos_));
    *matched = true;
    out->boolean = core::EqualsIgnoreAsciiCase(word, "true");
    if (is_inf) {
      out->text.assign(word);
      out->number = HUGE_VAL;
    }
    pos_ = end;
    Finish(out);
    return core::Status::Ok();
  }

  // End of a number literal at pos_, or pos_ when the text there is not one (graphite-web's
  // afterNumber: a number must be followed by ',' or ')' or the end).
  size_t NumberEnd() const {
    size_t i = pos_;
    auto digits = [&](size_t at) {
      while (at < t_.size() && IsDigit(t_[at])) ++at;
      return at;
    };
    if (Peek(i) == '-') ++i;
    size_t int_end = digits(i);
    if (int_end == i) return pos_;
    i = int_end;
    if (Peek(i) == '.' && IsDigit(Peek(i + 1))) i = digits(i + 1);
    if (Peek(i) == 'e' || Peek(i) == 'E') {
      size_t exp = i + 1 + (Peek(i + 1) == '-' ? 1 : 0);
      if (size_t exp_end = digits(exp); exp_end > exp) i = exp_end;
    }
    char next = Peek(SkipWsFrom(i));
    bool followed = SkipWsFrom(i) >= t_.size() || next == ',' || next == ')';
    return followed ? i : pos_;
  }

  core::Status ParseNumber(Expr* out, size_t end) {
    RETURN_IF_ERROR(NewNode(out, ExprKind::kNumber, pos_));
    out->text.assign(t_.substr(pos_, end - pos_));
    out->is_integer = out->text.find_first_of(".eE") == std::string::npos;
    // strtod saturates to ±HUGE_VAL and flushes to 0 like Python's float(); the literal is
    // plain ASCII so the C locale's rules apply.
    out->number = std::strtod(out->text.c_str(), nullptr);
    pos_ = end;
    Finish(out);
    return core::Status::Ok();
  }

  // pyparsing's quotedString: a backslash takes the next byte (or \x + hex digits), a doubled
  // quote does not end the string, a raw newline does.
  core::Status ParseString(Expr* out) {
    size_t start = pos_;
    RETURN_IF_ERROR(NewNode(out, ExprKind::kString, start));
    char quote = t_[pos_];
    size_t i = pos_ + 1;
    for (;;) {
      if (i >= t_.size() || t_[i] == '\n' || t_[i] == '\r') {
        return ErrorAt("unterminated string", start);
      }
      char c = t_[i];
      if (c == quote) {
        if (Peek(i + 1) != quote) break;
        i += 2;
      } else if (c == '\\') {
        if (i + 1 >= t_.size()) return ErrorAt("unterminated string", start);
        if (t_[i + 1] != 'x') {
          i += 2;
          continue;
        }
        size_t hex = i + 2;
        while (hex < t_.size() && IsHex(t_[hex])) ++hex;
        if (hex == i + 2) return ErrorAt("invalid \\x escape in string", i);
        i = hex;
      } else {
        ++i;
      }
    }
    out->text.assign(t_.substr(start + 1, i - start - 1));
    pos_ = i + 1;
    Finish(out);
    return core::Status::Ok();
  }

  core::Status ParsePath(Expr* out) {
    RETURN_IF_ERROR(NewNode(out, ExprKind::kPath, pos_));
    for (;;) {
      size_t element_start = pos_;
      for (;;) {
        if (Peek(pos_) == '{') {
          RETURN_IF_ERROR(ParseEnum(&out->text));
        } else if (!ParseChars(&out->text)) {
          break;
        }
      }
      if (pos_ == element_start) return Expected("a path or a function call");
      if (Peek(pos_) != '.') break;
      out->text.push_back('.');
      ++pos_;
    }
    Finish(out);
    return core::Status::Ok();
  }

  // `{chars,chars,...}` (no dots, no nesting), kept as written.
  core::Status ParseEnum(std::string* text) {
    text->push_back('{');
    ++pos_;
    for (;;) {
      if (!ParseChars(text)) return Expected("path characters in '{...}'");
      char c = Peek(pos_);
      if (c != ',' && c != '}') return Expected("',' or '}' in '{...}'");
      text->push_back(c);
      ++pos_;
      if (c == '}') return core::Status::Ok();
    }
  }

  // Path characters and escapes; false when there was none.
  bool ParseChars(std::string* text) {
    size_t start = pos_;
    while (!AtEnd()) {
      char c = t_[pos_];
      if (IsPathChar(c)) {
        text->push_back(c);
        ++pos_;
      } else if (c == '\\' && IsEscapable(Peek(pos_ + 1))) {
        text->push_back(t_[pos_ + 1]);
        pos_ += 2;
      } else {
        break;
      }
    }
    return pos_ > start;
  }

  std::string_view t_;
  const ParseLimits& limits_;
  size_t max_depth_;
  size_t pos_ = 0;
  size_t nodes_ = 0;
  size_t open_calls_ = 0;
};

}  // namespace

core::Result<Expr> ParseTarget(std::string_view target, const ParseLimits& limits) {
  return Parser(target, limits).Parse();
}

bool SameStructure(const Expr& a, const Expr& b) {
  if (a.kind != b.kind || a.text != b.text || a.is_integer != b.is_integer ||
      a.boolean != b.boolean || a.piped != b.piped || a.args.size() != b.args.size()) {
    return false;
  }
  if (!(a.number == b.number || (std::isnan(a.number) && std::isnan(b.number)))) return false;
  for (size_t i = 0; i < a.args.size(); ++i) {
    if (a.args[i].keyword != b.args[i].keyword ||
        !SameStructure(a.args[i].value, b.args[i].value)) {
      return false;
    }
  }
  return true;
}

}  // namespace meridian::query
