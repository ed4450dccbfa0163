#include "core/regex_substitution.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <vector>

namespace meridian::core {
namespace {

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

}  // namespace

class TemplateParser {
  using Piece = RegexSubstitution::Piece;

 public:
  TemplateParser(std::string_view repl, size_t groups,
                 const std::map<std::string, size_t, std::less<>>& names)
      : r_(repl), groups_(groups), names_(names) {}

  Result<std::vector<Piece>> Parse() {
    size_t i = 0;
    while (i < r_.size()) {
      if (r_[i] != '\\') {
        Literal().push_back(r_[i++]);
        continue;
      }
      if (i + 1 >= r_.size()) return InvalidArgument("bad escape (end of pattern)");
      ASSIGN_OR_RETURN(i, Escape(i));
    }
    return std::move(pieces_);
  }

 private:
  std::string& Literal() {
    if (pieces_.empty() || pieces_.back().is_group) pieces_.emplace_back();
    return pieces_.back().literal;
  }

  Status AddGroup(size_t group, size_t pos) {
    if (group > groups_) {
      return InvalidArgument(fmt::format("invalid group reference {} at position {}", group, pos));
    }
    pieces_.push_back(Piece{true, group, {}});
    return Status::Ok();
  }

  // r_[i] == '\\'; returns the index after the escape.
  Result<size_t> Escape(size_t i) {
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
            return InvalidArgument(fmt::format("octal escape value \\{} outside of range 0-0o377",
                                               r_.substr(i + 1, 3)));
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
      return InvalidArgument(fmt::format("bad escape \\{} at position {}", c, i));
    } else {
      Literal().append(r_.substr(i, 2));
    }
    return i + 2;
  }

  // \g<number> or \g<name> at r_[i].
  Result<size_t> NamedGroup(size_t i) {
    if (i + 2 >= r_.size() || r_[i + 2] != '<') return InvalidArgument("missing <");
    size_t close = r_.find('>', i + 3);
    if (close == std::string_view::npos) return InvalidArgument("missing >, unterminated name");
    std::string_view name = r_.substr(i + 3, close - i - 3);
    if (name.empty()) return InvalidArgument("missing group name");
    if (std::all_of(name.begin(), name.end(), IsDigit)) {
      if (name.size() > 9) return InvalidArgument(fmt::format("invalid group reference {}", name));
      RETURN_IF_ERROR(AddGroup(std::stoul(std::string(name)), i + 3));
      return close + 1;
    }
    auto it = names_.find(name);
    if (it == names_.end()) return InvalidArgument(fmt::format("unknown group name '{}'", name));
    pieces_.push_back(Piece{true, it->second, {}});
    return close + 1;
  }

  std::string_view r_;
  size_t groups_;
  const std::map<std::string, size_t, std::less<>>& names_;
  std::vector<Piece> pieces_;
};

Result<RegexSubstitution> RegexSubstitution::Compile(const Regex& regex,
                                                     std::string_view replacement) {
  ASSIGN_OR_RETURN(std::vector<Piece> pieces,
                   TemplateParser(replacement, regex.group_count(), regex.group_names()).Parse());
  return RegexSubstitution(regex, std::move(pieces));
}

Result<std::string> RegexSubstitution::Apply(std::string_view text,
                                             const Deadline& deadline) const {
  std::string out;
  size_t copied = 0;
  DeadlineCheck check(deadline, "re.sub", 64);
  Status status;
  regex_.ForEachMatch(text, [&](const RegexMatch& m) {
    status = check.Step();
    if (!status.ok()) return false;
    out.append(text.substr(copied, m.begin - copied));
    for (const Piece& piece : pieces_) {
      if (!piece.is_group) {
        out += piece.literal;
      } else if (m.groups[piece.group]) {
        out += *m.groups[piece.group];
      }
    }
    copied = m.end;
    return true;
  });
  RETURN_IF_ERROR(status);
  out.append(text.substr(copied));
  return out;
}

}  // namespace meridian::core
