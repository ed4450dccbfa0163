#include "core/internal/python_regex.h"

#include <fmt/format.h>

#include <cstdint>

namespace meridian::core::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsOctal(char c) { return c >= '0' && c <= '7'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsNameChar(char c) { return IsAsciiAlpha(c) || IsDigit(c) || c == '_'; }

std::string CodePoint(uint32_t cp) { return fmt::format("\\x{{{:x}}}", cp); }

// Escapes of ASCII letters with a fixed RE2 spelling, outside and inside a class ("": Python
// refuses it there). RE2's \s lacks \v, so \s and \S are spelled out.
struct FixedEscape {
  char escape;
  std::string_view outside;
  std::string_view in_class;
};
constexpr FixedEscape kFixedEscapes[] = {
    {'d', "\\d", "\\d"},
    {'D', "\\D", "\\D"},
    {'w', "\\w", "\\w"},
    {'W', "\\W", "\\W"},
    {'s', "[\\t\\n\\v\\f\\r\\x{20}]", "\\t\\n\\v\\f\\r\\x{20}"},
    {'S', "[^\\t\\n\\v\\f\\r\\x{20}]", "\\x{0}-\\x{8}\\x{e}-\\x{1f}\\x{21}-\\x{10ffff}"},
    {'a', "\\x{7}", "\\x{7}"},
    {'f', "\\x{c}", "\\x{c}"},
    {'n', "\\x{a}", "\\x{a}"},
    {'r', "\\x{d}", "\\x{d}"},
    {'t', "\\x{9}", "\\x{9}"},
    {'v', "\\x{b}", "\\x{b}"},
    {'b', "\\b", "\\x{8}"},  // backspace inside a class
    {'B', "\\B", ""},
    {'A', "\\A", ""},
    {'Z', "\\z", ""},
};

// A quantifier just emitted: a following '+' would make it possessive (Python 3.11), a '?' lazy.
enum class Quantifier { kNone, kGreedy, kLazy };

class Translator {
 public:
  explicit Translator(std::string_view p) : p_(p) {}

  Result<std::string> Run() {
    while (i_ < p_.size()) {
      RETURN_IF_ERROR(in_class_ ? ClassChar() : Char());
    }
    return std::move(out_);
  }

 private:
  Status Error(std::string_view what, size_t at) const {
    return InvalidArgument(fmt::format("{} at position {}", what, at));
  }

  void Emit(std::string_view s, Quantifier q = Quantifier::kNone) {
    out_ += s;
    quantifier_ = q;
    at_start_ = false;
  }

  Status Char() {
    const char c = p_[i_];
    if (c == '+' && quantifier_ == Quantifier::kGreedy) {
      return Error("possessive quantifiers are not supported by RE2", i_);
    }
    if (c == '?' && quantifier_ == Quantifier::kGreedy) {
      ++i_;
      Emit("?", Quantifier::kLazy);
      return Status::Ok();
    }
    switch (c) {
      case '\\':
        return Escape();
      case '[':
        return OpenClass();
      case '(':
        return Group();
      case '{':
        return Brace();
      case '}':
        ++i_;
        Emit("\\}");
        return Status::Ok();
      case '*':
      case '+':
      case '?':
        ++i_;
        Emit(std::string_view(&c, 1), Quantifier::kGreedy);
        return Status::Ok();
      default:
        ++i_;
        Emit(std::string_view(&c, 1));
        return Status::Ok();
    }
  }

  Status OpenClass() {
    ++i_;
    std::string open = "[";
    if (i_ < p_.size() && p_[i_] == '^') {
      open += '^';
      ++i_;
    }
    // Python takes a ']' right after '[' or '[^' literally.
    if (i_ < p_.size() && p_[i_] == ']') {
      open += "\\]";
      ++i_;
    }
    Emit(open);
    in_class_ = true;
    return Status::Ok();
  }

  Status ClassChar() {
    const char c = p_[i_];
    if (c == '\\') return Escape();
    ++i_;
    if (c == ']') {
      in_class_ = false;
      Emit("]");
    } else if (c == '[') {
      Emit("\\[");  // literal in Python; RE2 would read "[:alpha:]" as a POSIX class
    } else {
      Emit(std::string_view(&c, 1));
    }
    return Status::Ok();
  }

  // `{m}`, `{m,}`, `{,n}`, `{m,n}` are repeats (an optional '?' makes them lazy); any other '{'
  // is a literal, as in Python.
  Status Brace() {
    size_t j = i_ + 1;
    size_t lo = j;
    while (j < p_.size() && IsDigit(p_[j])) ++j;
    std::string_view min = p_.substr(lo, j - lo);
    std::string_view max = min;
    bool comma = j < p_.size() && p_[j] == ',';
    if (comma) {
      size_t hi = ++j;
      while (j < p_.size() && IsDigit(p_[j])) ++j;
      max = p_.substr(hi, j - hi);
    }
    if (j >= p_.size() || p_[j] != '}' || (min.empty() && !comma)) {
      ++i_;
      Emit("\\{");
      return Status::Ok();
    }
    i_ = j + 1;
    std::string repeat = fmt::format("{{{}", min.empty() ? "0" : min);
    if (comma) repeat += fmt::format(",{}", max);
    Emit(repeat + "}", Quantifier::kGreedy);
    return Status::Ok();
  }

  Status Group() {
    const size_t start = i_;
    if (i_ + 1 >= p_.size() || p_[i_ + 1] != '?') {
      ++i_;
      Emit("(");
      return Status::Ok();
    }
    const char kind = i_ + 2 < p_.size() ? p_[i_ + 2] : '\0';
    switch (kind) {
      case ':':
        i_ += 3;
        Emit("(?:");
        return Status::Ok();
      case '#': {
        size_t close = p_.find(')', i_);
        if (close == std::string_view::npos) return Error("missing ), unterminated comment", i_);
        i_ = close + 1;
        return Status::Ok();
      }
      case 'P':
        return NamedGroup();
      case '=':
      case '!':
        return Error("lookahead (?= / (?! is not supported by RE2", start);
      case '<':
        if (i_ + 3 < p_.size() && (p_[i_ + 3] == '=' || p_[i_ + 3] == '!')) {
          return Error("lookbehind (?<= / (?<! is not supported by RE2", start);
        }
        return Error("unknown extension ?<", start);
      case '>':
        return Error("atomic groups (?> are not supported by RE2", start);
      case '(':
        return Error("conditional groups (?( are not supported by RE2", start);
      default:
        return Flags();
    }
  }

  // (?P<name>...) or the back-reference (?P=name).
  Status NamedGroup() {
    const size_t start = i_;
    const char kind = i_ + 3 < p_.size() ? p_[i_ + 3] : '\0';
    if (kind == '=') return Error("back-reference (?P=...) is not supported by RE2", start);
    if (kind != '<') return Error("unknown extension ?P", start);
    size_t close = p_.find('>', i_ + 4);
    if (close == std::string_view::npos) return Error("missing >, unterminated name", start);
    std::string_view name = p_.substr(i_ + 4, close - i_ - 4);
    bool valid = !name.empty() && !IsDigit(name[0]);
    for (char c : name) valid = valid && IsNameChar(c);
    if (!valid) return Error(fmt::format("bad character in group name '{}'", name), start + 4);
    i_ = close + 1;
    Emit(fmt::format("(?P<{}>", name));
    return Status::Ok();
  }

  // (?aiLmsux) global flags, or (?flags-flags:...) scoped ones.
  Status Flags() {
    const size_t start = i_;
    size_t j = i_ + 2;
    std::string on, off;
    bool minus = false;
    for (; j < p_.size() && p_[j] != ')' && p_[j] != ':'; ++j) {
      const char f = p_[j];
      if (f == '-' && !minus) {
        minus = true;
      } else if (f == 'x') {
        return Error("the verbose flag (?x) is not supported", start);
      } else if (f == 'i' || f == 'm' || f == 's') {
        (minus ? off : on) += f;
      } else if (f != 'a' && f != 'u') {  // ASCII classes are what RE2 has anyway
        return Error(fmt::format("unknown extension or flag ?{}", p_.substr(j, 1)), start);
      }
    }
    if (j >= p_.size()) return Error("missing -, : or )", start);
    if (p_[j] == ')') {
      if (minus) return Error("missing :", start);
      if (!at_start_) return Error("global flags not at the start of the expression", start);
      i_ = j + 1;
      if (!on.empty()) out_ += "(?" + on + ")";
      return Status::Ok();  // still at the start: more global flags may follow
    }
    if (minus && off.empty()) return Error("missing flag", start);
    i_ = j + 1;
    Emit("(?" + on + (off.empty() ? "" : "-" + off) + ":");
    return Status::Ok();
  }

  // p_[i_] == '\\', outside or inside a class.
  Status Escape() {
    const size_t start = i_;
    if (i_ + 1 >= p_.size()) return Error("bad escape (end of pattern)", start);
    const char c = p_[i_ + 1];
    i_ += 2;
    if (IsDigit(c)) return Digits(c, start);
    if (c == 'x') return Hex(2, start);
    if (c == 'u') return Hex(4, start);
    if (c == 'U') return Hex(8, start);
    if (c == 'N') return Error("named character escapes \\N{...} are not supported", start);
    for (const FixedEscape& e : kFixedEscapes) {
      if (e.escape != c) continue;
      const std::string_view re2 = in_class_ ? e.in_class : e.outside;
      if (re2.empty()) break;  // not valid there (\A, \B, \Z inside a class)
      Emit(re2);
      return Status::Ok();
    }
    if (IsAsciiAlpha(c)) return Error(fmt::format("bad escape \\{}", c), start);
    if (c == '_' || static_cast<unsigned char>(c) >= 0x80) {
      Emit(std::string_view(&c, 1));  // a non-ASCII lead byte: the rest of it follows as is
    } else {
      Emit(CodePoint(static_cast<unsigned char>(c)));
    }
    return Status::Ok();
  }

  // \xhh, \uhhhh, \Uhhhhhhhh: exactly `n` hex digits.
  Status Hex(size_t n, size_t start) {
    uint32_t cp = 0;
    for (size_t k = 0; k < n; ++k, ++i_) {
      if (i_ >= p_.size() || !IsHex(p_[i_])) {
        return Error(fmt::format("incomplete escape {}", p_.substr(start, i_ - start)), start);
      }
      const char h = p_[i_];
      cp = cp * 16 + (IsDigit(h) ? h - '0' : (h | 0x20) - 'a' + 10);
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return Error(fmt::format("bad escape {}", p_.substr(start, i_ - start)), start);
    }
    Emit(CodePoint(cp));
    return Status::Ok();
  }

  // After "\<digit>": octal escapes, or a back-reference (refused).
  Status Digits(char first, size_t start) {
    auto octal = [&](size_t max_more) -> Status {
      uint32_t v = first - '0';
      for (size_t k = 0; k < max_more && i_ < p_.size() && IsOctal(p_[i_]); ++k) {
        v = v * 8 + (p_[i_++] - '0');
      }
      if (v > 0377) {
        return Error(fmt::format("octal escape value {} outside of range 0-0o377",
                                 p_.substr(start, i_ - start)),
                     start);
      }
      Emit(CodePoint(v));
      return Status::Ok();
    };
    if (in_class_) {
      if (!IsOctal(first)) return Error(fmt::format("bad escape \\{}", first), start);
      return octal(2);
    }
    if (first == '0') return octal(2);
    if (IsOctal(first) && i_ + 1 < p_.size() && IsOctal(p_[i_]) && IsOctal(p_[i_ + 1])) {
      return octal(2);
    }
    size_t end = i_ < p_.size() && IsDigit(p_[i_]) ? i_ + 1 : i_;
    return Error(fmt::format("back-reference \\{} is not supported by RE2",
                             p_.substr(start + 1, end - start - 1)),
                 start);
  }

  std::string_view p_;
  size_t i_ = 0;
  std::string out_;
  bool in_class_ = false;
  bool at_start_ = true;
  Quantifier quantifier_ = Quantifier::kNone;
};

}  // namespace

Result<std::string> TranslatePythonRegex(std::string_view pattern) {
  return Translator(pattern).Run();
}

}  // namespace meridian::core::internal
