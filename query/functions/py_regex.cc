#include "query/functions/py_regex.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <vector>

namespace meridian::query::functions {
namespace {

struct Translation {
  std::string ecma;
  bool icase = false;
  std::map<std::string, size_t, std::less<>> names;
};

bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Reads a group name terminated by `end` at p[*i]; advances past the terminator.
core::Result<std::string> ReadName(std::string_view p, size_t* i, char end) {
  size_t close = p.find(end, *i);
  if (close == std::string_view::npos) {
    return core::InvalidArgument(fmt::format("missing {}, unterminated name", end));
  }
  std::string name(p.substr(*i, close - *i));
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])) ||
      !std::all_of(name.begin(), name.end(), IsNameChar)) {
    return core::InvalidArgument(fmt::format("bad character in group name '{}'", name));
  }
  *i = close + 1;
  return name;
}

// Handles "(?..." at p[i] (p[i] == '(' and p[i+1] == '?'); returns the index after it.
core::Result<size_t> TranslateExtension(std::string_view p, size_t i, size_t* groups,
                                        Translation* t) {
  char kind = i + 2 < p.size() ? p[i + 2] : '\0';
  if (kind == ':' || kind == '=' || kind == '!') {
    t->ecma += p.substr(i, 3);
    return i + 3;
  }
  if (kind == '#') {
    size_t close = p.find(')', i);
    if (close == std::string_view::npos)
      return core::InvalidArgument("missing ), unterminated comment");
    return close + 1;
  }
  if (kind == 'P' && i + 3 < p.size() && p[i + 3] == '<') {
    size_t j = i + 4;
    ASSIGN_OR_RETURN(std::string name, ReadName(p, &j, '>'));
    if (t->names.count(name) != 0) {
      return core::InvalidArgument(fmt::format("redefinition of group name '{}'", name));
    }
    t->names[name] = ++*groups;
    t->ecma += '(';
    return j;
  }
  if (kind == 'P' && i + 3 < p.size() && p[i + 3] == '=') {
    size_t j = i + 4;
    ASSIGN_OR_RETURN(std::string name, ReadName(p, &j, ')'));
    auto it = t->names.find(name);
    if (it == t->names.end())
      return core::InvalidArgument(fmt::format("unknown group name '{}'", name));
    t->ecma += fmt::format("(?:\\{})", it->second);
    return j;
  }
  return core::InvalidArgument(fmt::format(
      "unsupported regex construct '{}' (lookbehind and inline flags other than a leading (?i) "
      "are not supported)",
      p.substr(i, 4)));
}

core::Result<Translation> Translate(std::string_view p) {
  Translation t;
  size_t i = 0;
  if (p.substr(0, 4) == "(?i)") {
    t.icase = true;
    i = 4;
  }
  size_t groups = 0;
  bool in_class = false;
  while (i < p.size()) {
    char c = p[i];
    if (c == '\\') {
      if (i + 1 >= p.size()) return core::InvalidArgument("bad escape (end of pattern)");
      char d = p[i + 1];
      if (!in_class && d == 'A') {
        t.ecma += '^';
      } else if (!in_class && d == 'Z') {
        t.ecma += '$';
      } else {
        t.ecma += p.substr(i, 2);
      }
      i += 2;
    } else if (in_class) {
      t.ecma += c;
      in_class = c != ']';
      ++i;
    } else if (c == '[') {
      // Python takes a ']' right after '[' or '[^' literally; ECMAScript would end the class.
      t.ecma += c;
      ++i;
      if (i < p.size() && p[i] == '^') t.ecma += p[i++];
      if (i < p.size() && p[i] == ']') {
        t.ecma += "\\]";
        ++i;
      }
      in_class = true;
    } else if (c == '(' && i + 1 < p.size() && p[i + 1] == '?') {
      ASSIGN_OR_RETURN(i, TranslateExtension(p, i, &groups, &t));
    } else {
      if (c == '(') ++groups;
      t.ecma += c;
      ++i;
    }
  }
  return t;
}

// One piece of a parsed replacement template: literal text or a group reference.
struct Piece {
  bool is_group = false;
  size_t group = 0;
  std::string literal;
};

void AppendCodePoint(unsigned cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsOctal(char c) { return c >= '0' && c <= '7'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

class TemplateParser {
 public:
  TemplateParser(std::string_view repl, size_t groups,
                 const std::map<std::string, size_t, std::less<>>& names)
      : r_(repl), groups_(groups), names_(names) {}

  core::Result<std::vector<Piece>> Parse() {
    size_t i = 0;
    while (i < r_.size()) {
      if (r_[i] != '\\') {
        Literal().push_back(r_[i++]);
        continue;
      }
      if (i + 1 >= r_.size()) return core::InvalidArgument("bad escape (end of pattern)");
      ASSIGN_OR_RETURN(i, Escape(i));
    }
    return std::move(pieces_);
  }

 private:
  std::string& Literal() {
    if (pieces_.empty() || pieces_.back().is_group) pieces_.emplace_back();
    return pieces_.back().literal;
  }

  core::Status AddGroup(size_t group, size_t pos) {
    if (group > groups_) {
      return core::InvalidArgument(
          fmt::format("invalid group reference {} at position {}", group, pos));
    }
    pieces_.push_back(Piece{true, group, {}});
    return core::Status::Ok();
  }

  // r_[i] == '\\'; returns the index after the escape.
  core::Result<size_t> Escape(size_t i) {
    char c = r_[i + 1];
    if (c == 'g') return NamedGroup(i);
    if (c == '0') {
      size_t j = i + 2;
      unsigned v = 0;
      while (j < r_.size() && j < i + 4 && IsOctal(r_[j])) v = v * 8 + (r_[j++] - '0');
      AppendCodePoint(v, &Literal());
      return j;
    }
    if (IsDigit(c)) {
      size_t j = i + 2;
      if (j < r_.size() && IsDigit(r_[j])) {
        if (IsOctal(c) && IsOctal(r_[j]) && j + 1 < r_.size() && IsOctal(r_[j + 1])) {
          unsigned v = (c - '0') * 64 + (r_[j] - '0') * 8 + (r_[j + 1] - '0');
          if (v > 0377)
            return core::InvalidArgument(fmt::format(
                "octal escape value \\{} outside of range 0-0o377", r_.substr(i + 1, 3)));
          AppendCodePoint(v, &Literal());
          return j + 2;
        }
        ++j;
      }
      size_t group = 0;
      for (size_t k = i + 1; k < j; ++k) group = group * 10 + (r_[k] - '0');
      RETURN_IF_ERROR(AddGroup(group, i + 1));
      return j;
    }
    static constexpr std::string_view kFrom = "abfnrtv\\";
    static constexpr std::string_view kTo = "\a\b\f\n\r\t\v\\";
    if (size_t k = kFrom.find(c); k != std::string_view::npos) {
      Literal().push_back(kTo[k]);
    } else if (std::isalpha(static_cast<unsigned char>(c)) &&
               static_cast<unsigned char>(c) < 0x80) {
      return core::InvalidArgument(fmt::format("bad escape \\{} at position {}", c, i));
    } else {
      Literal().append(r_.substr(i, 2));
    }
    return i + 2;
  }

  // \g<number> or \g<name> at r_[i].
  core::Result<size_t> NamedGroup(size_t i) {
    if (i + 2 >= r_.size() || r_[i + 2] != '<') return core::InvalidArgument("missing <");
    size_t close = r_.find('>', i + 3);
    if (close == std::string_view::npos)
      return core::InvalidArgument("missing >, unterminated name");
    std::string_view name = r_.substr(i + 3, close - i - 3);
    if (name.empty()) return core::InvalidArgument("missing group name");
    if (std::all_of(name.begin(), name.end(), IsDigit)) {
      if (name.size() > 9)
        return core::InvalidArgument(fmt::format("invalid group reference {}", name));
      RETURN_IF_ERROR(AddGroup(std::stoul(std::string(name)), i + 3));
      return close + 1;
    }
    auto it = names_.find(name);
    if (it == names_.end())
      return core::InvalidArgument(fmt::format("unknown group name '{}'", name));
    pieces_.push_back(Piece{true, it->second, {}});
    return close + 1;
  }

  std::string_view r_;
  size_t groups_;
  const std::map<std::string, size_t, std::less<>>& names_;
  std::vector<Piece> pieces_;
};

}  // namespace

core::Result<PyRegex> PyRegex::Compile(std::string_view pattern) {
  ASSIGN_OR_RETURN(Translation t, Translate(pattern));
  auto flags = std::regex::ECMAScript;
  if (t.icase) flags |= std::regex::icase;
  PyRegex out;
  try {
    out.regex_ = std::make_shared<const std::regex>(t.ecma, flags);
  } catch (const std::regex_error& e) {
    return core::InvalidArgument(fmt::format("invalid regex '{}': {}", pattern, e.what()));
  }
  out.group_count_ = out.regex_->mark_count();
  out.group_names_ = std::move(t.names);
  return out;
}

bool PyRegex::Search(std::string_view text) const {
  try {
    return std::regex_search(text.data(), text.data() + text.size(), *regex_);
  } catch (const std::regex_error&) {
    return false;  // backtracking budget exhausted: treated as no match
  }
}

core::Result<std::string> PyRegex::Sub(std::string_view repl, std::string_view text) const {
  ASSIGN_OR_RETURN(std::vector<Piece> pieces,
                   TemplateParser(repl, group_count_, group_names_).Parse());
  const char* begin = text.data();
  const char* end = begin + text.size();
  std::string out;
  size_t pos = 0;
  size_t copied = 0;
  bool must_advance = false;  // the previous match was empty: no empty match at `pos` now
  try {
    while (pos <= text.size()) {
      std::cmatch m;
      auto flags =
          pos > 0 ? std::regex_constants::match_prev_avail : std::regex_constants::match_default;
      bool found;
      size_t base = pos;
      if (must_advance) {
        found = std::regex_search(
            begin + pos, end, m, *regex_,
            flags | std::regex_constants::match_not_null | std::regex_constants::match_continuous);
        if (!found && pos < text.size()) {
          base = pos + 1;
          found = std::regex_search(begin + base, end, m, *regex_,
                                    std::regex_constants::match_prev_avail);
        }
      } else {
        found = std::regex_search(begin + pos, end, m, *regex_, flags);
      }
      if (!found) break;
      size_t start = base + static_cast<size_t>(m.position(0));
      size_t stop = start + static_cast<size_t>(m.length(0));
      out.append(text.substr(copied, start - copied));
      for (const Piece& piece : pieces) {
        if (!piece.is_group) {
          out += piece.literal;
        } else if (m[piece.group].matched) {
          out.append(m[piece.group].first, m[piece.group].second);
        }
      }
      copied = stop;
      must_advance = start == stop;
      pos = stop;
    }
  } catch (const std::regex_error& e) {
    return core::InvalidArgument(fmt::format("regex evaluation failed: {}", e.what()));
  }
  out.append(text.substr(copied));
  return out;
}

}  // namespace meridian::query::functions
