// Graphite glob patterns (graphite-web's finders semantics), compiled once, matched per component.
//
// Semantics, as graphite-web's StandardFinder applies them (webapp/graphite/finders/):
//   - every backslash is removed from the pattern first, then it is split on '.';
//   - each component is brace-expanded on its own ({a,b} alternatives, innermost group first,
//     recursively; an unbalanced '{' or '}' is literal; "{}" expands to the empty string);
//   - each alternative is a Python fnmatch pattern matched against the whole component:
//     '*' any run of characters, '?' one character (a UTF-8 code point), '[...]' a set with
//     ranges, '[!...]' a negated set; '[^x]' is NOT negation (Python: the set {'^','x'});
//     a '[' without a closing ']' is literal; a reversed range such as [z-a] matches nothing;
//   - a component that is exactly "**" matches any number of components (zero or more when more
//     components follow it; one or more when it is the last component); consecutive "**"
//     components are one (they match the same names), so size() counts them once;
//   - matching is case-sensitive.
// A '.' inside brackets or braces still splits components, as in graphite-web.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace meridian::storage {

// Limits that keep pathological patterns from using unbounded time or memory.
inline constexpr size_t kMaxGlobPatternBytes = 8192;
// Alternatives summed over all components after brace expansion.
inline constexpr size_t kMaxGlobAlternatives = 10000;

class GlobPattern {
 public:
  // Errors: InvalidArgument for an empty pattern, a pattern longer than kMaxGlobPatternBytes, or
  // one whose brace expansion exceeds kMaxGlobAlternatives alternatives.
  static core::Result<GlobPattern> Compile(std::string_view pattern);

  // Number of components (separated by '.'; a run of "**" components counts once).
  size_t size() const { return components_.size(); }

  // Whether component i matches the given component name (never true for a globstar: the tree
  // walk handles those). REQUIRES: i < size().
  bool MatchComponent(size_t i, std::string_view component) const;

  // True when component i needs a scan of candidates: some alternative contains '*', '?' or '['
  // (or the component is a globstar). False for literals and brace sets of literals such as
  // {a,b}, which can be looked up directly through LiteralAlternatives(i). REQUIRES: i < size().
  bool HasWildcard(size_t i) const { return components_[i].needs_scan; }

  // True when component i is exactly "**". REQUIRES: i < size().
  bool IsGlobstar(size_t i) const { return components_[i].globstar; }

  // The distinct literal names component i matches. REQUIRES: !HasWildcard(i).
  const std::vector<std::string>& LiteralAlternatives(size_t i) const {
    return components_[i].literals;
  }

  // True when the whole pattern names exactly one path (no wildcard, no braces).
  bool IsLiteral() const;

  // The one path a literal pattern names (backslashes removed). REQUIRES: IsLiteral().
  std::string LiteralPath() const;

  // The pattern as given to Compile.
  const std::string& text() const { return text_; }

 private:
  // One fnmatch alternative, classified so common shapes avoid the general matcher.
  struct Alternative {
    enum class Kind : uint8_t { kLiteral, kAll, kPrefix, kSuffix, kPrefixSuffix, kGeneral };
    Kind kind = Kind::kLiteral;
    std::string prefix;    // kLiteral: the whole text; kPrefix, kPrefixSuffix: text before '*'
    std::string suffix;    // kSuffix, kPrefixSuffix: text after '*'
    uint32_t program = 0;  // kGeneral: index into programs_
  };
  struct Component {
    bool globstar = false;
    bool needs_scan = false;
    std::vector<std::string> literals;  // alternatives without wildcards
    std::vector<Alternative> wild;      // alternatives with wildcards
  };
  // Compiled general fnmatch program: a sequence of ops (see glob.cc).
  struct Op {
    enum class Kind : uint8_t { kLiteral, kAnyChar, kStar, kSet };
    explicit Op(Kind k) : kind(k) {}
    Kind kind;
    bool negated = false;                               // kSet
    std::string literal;                                // kLiteral
    std::vector<std::pair<char32_t, char32_t>> ranges;  // kSet: inclusive code point ranges
  };
  using Program = std::vector<Op>;

  static Program CompileFnmatch(std::string_view pattern);
  static Alternative Classify(const Program& program);
  static bool SetContains(const Op& op, char32_t cp);
  bool MatchAlternative(const Alternative& alt, std::string_view s) const;
  static bool RunProgram(const Program& program, std::string_view s);

  std::string text_;
  std::vector<Component> components_;
  std::vector<Program> programs_;
};

// Convenience: whether `name` matches `pattern` as a whole (same number of components, or any
// depth through "**"). An invalid pattern matches nothing.
bool GlobMatchFull(std::string_view pattern, std::string_view name);
// Same with a compiled pattern.
bool GlobMatchFull(const GlobPattern& pattern, std::string_view name);

}  // namespace meridian::storage
