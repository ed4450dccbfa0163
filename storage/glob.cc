#include "storage/glob.h"

#include <algorithm>
#include <utility>

namespace meridian::storage {
namespace {

using core::InvalidArgument;
using core::Result;
using core::Status;

// Brace expansion materialises every intermediate string; these bound its work on inputs such
// as "{a}{a}{a}..." whose final expansion is small but whose intermediate steps are not.
constexpr size_t kMaxExpansionSteps = 4 * kMaxGlobAlternatives + kMaxGlobPatternBytes;
constexpr size_t kMaxExpansionBytes = size_t{16} << 20;

// Decodes one code point the way Python decodes file names (strict UTF-8, every invalid byte
// becomes its own "surrogate escape" U+DC80..U+DCFF), so '?' and sets count characters as
// graphite-web does. Returns the number of bytes consumed (>= 1).
size_t DecodeOne(std::string_view s, size_t pos, char32_t* cp) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b0 = byte(pos);
  *cp = 0xDC00 + b0;
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  }
  size_t len = 0;
  char32_t value = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, value = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, value = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, value = b0 & 0x07, min = 0x10000;
  } else {
    return 1;
  }
  if (pos + len > s.size()) return 1;
  for (size_t i = 1; i < len; ++i) {
    if ((byte(pos + i) & 0xC0) != 0x80) return 1;
    value = (value << 6) | (byte(pos + i) & 0x3F);
  }
  if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 1;
  *cp = value;
  return len;
}

// The leftmost innermost "{...}" group, as graphite-web's EXPAND_BRACES_RE finds it.
bool FindBraceGroup(std::string_view s, size_t* open, size_t* close) {
  size_t start = s.find('{');
  while (start != std::string_view::npos) {
    const size_t next = s.find_first_of("{}", start + 1);
    if (next == std::string_view::npos) return false;
    if (s[next] == '}') {
      *open = start;
      *close = next;
      return true;
    }
    start = next;
  }
  return false;
}

// Appends the distinct brace expansions of `component` to `out`.
Status ExpandBraces(std::string_view component, size_t* alternatives,
                    std::vector<std::string>* out) {
  std::vector<std::string> work{std::string(component)};
  size_t steps = 0;
  size_t bytes = 0;
  const size_t first = out->size();
  while (!work.empty()) {
    std::string s = std::move(work.back());
    work.pop_back();
    size_t open = 0;
    size_t close = 0;
    if (!FindBraceGroup(s, &open, &close)) {
      out->push_back(std::move(s));
      continue;
    }
    std::string_view body = std::string_view(s).substr(open + 1, close - open - 1);
    for (size_t pos = 0;;) {
      const size_t comma = std::min(body.find(',', pos), body.size());
      std::string variant = s.substr(0, open);
      variant.append(body.substr(pos, comma - pos)).append(s, close + 1);
      bytes += variant.size();
      if (++steps > kMaxExpansionSteps || bytes > kMaxExpansionBytes) {
        return InvalidArgument("glob pattern: brace expansion too large");
      }
      work.push_back(std::move(variant));
      if (comma == body.size()) break;
      pos = comma + 1;
    }
  }
  std::sort(out->begin() + first, out->end());
  out->erase(std::unique(out->begin() + first, out->end()), out->end());
  *alternatives += out->size() - first;
  if (*alternatives > kMaxGlobAlternatives) {
    return InvalidArgument("glob pattern: more than " + std::to_string(kMaxGlobAlternatives) +
                           " alternatives after brace expansion");
  }
  return Status::Ok();
}

using CodePoints = std::u32string;

// Python's fnmatch turns the inside of "[...]" into hyphen-separated chunks, drops reversed
// ranges, and reads the rest as a regex set. This mirrors that so edge cases ("[a-]", "[]a]",
// "[z-a]", "[!]x]") agree with graphite-web. `stuff` is the text between the brackets.
// An empty result set with `negated` false never matches; with `negated` true it matches any
// character (Python's "[!]" after range removal).
void ParseSet(const CodePoints& stuff, bool* negated,
              std::vector<std::pair<char32_t, char32_t>>* ranges) {
  std::vector<CodePoints> chunks;
  if (stuff.find(U'-') == CodePoints::npos) {
    chunks.push_back(stuff);
  } else {
    size_t i = 0;
    size_t k = (!stuff.empty() && stuff[0] == U'!') ? 2 : 1;
    while (true) {
      k = k < stuff.size() ? stuff.find(U'-', k) : CodePoints::npos;
      if (k == CodePoints::npos) break;
      chunks.push_back(stuff.substr(i, k - i));
      i = k + 1;
      k = k + 3;
    }
    CodePoints last = stuff.substr(i);
    if (!last.empty()) {
      chunks.push_back(std::move(last));
    } else {
      chunks.back().push_back(U'-');
    }
    for (size_t c = chunks.size() - 1; c > 0; --c) {
      if (!chunks[c - 1].empty() && !chunks[c].empty() && chunks[c - 1].back() > chunks[c][0]) {
        chunks[c - 1].pop_back();
        chunks[c - 1].append(chunks[c], 1);
        chunks.erase(chunks.begin() + static_cast<ptrdiff_t>(c));
      }
    }
  }
  *negated = !chunks[0].empty() && chunks[0][0] == U'!';
  if (*negated) chunks[0].erase(0, 1);
  if (chunks.size() == 1 && chunks[0].empty()) return;
  for (size_t c = 0; c < chunks.size(); ++c) {
    const CodePoints& chunk = chunks[c];
    size_t begin = 0;
    size_t end = chunk.size();
    if (c > 0) {
      if (chunks[c - 1].empty()) {  // "^-x": a hyphen right after the negation is literal
        ranges->push_back({U'-', U'-'});
      } else {
        ranges->push_back({chunks[c - 1].back(), chunk[0]});
      }
      begin = 1;
    }
    if (c + 1 < chunks.size() && end > begin) --end;  // starts the next range
    for (size_t i = begin; i < end; ++i) ranges->push_back({chunk[i], chunk[i]});
  }
}

}  // namespace

GlobPattern::Alternative GlobPattern::Classify(const Program& program) {
  using K = Op::Kind;
  Alternative alt;
  auto is = [&](size_t i, K kind) { return i < program.size() && program[i].kind == kind; };
  const size_t n = program.size();
  if (n == 0 || (n == 1 && is(0, K::kLiteral))) {
    alt.kind = Alternative::Kind::kLiteral;
    if (n == 1) alt.prefix = program[0].literal;
  } else if (n == 1 && is(0, K::kStar)) {
    alt.kind = Alternative::Kind::kAll;
  } else if (n == 2 && is(0, K::kLiteral) && is(1, K::kStar)) {
    alt.kind = Alternative::Kind::kPrefix;
    alt.prefix = program[0].literal;
  } else if (n == 2 && is(0, K::kStar) && is(1, K::kLiteral)) {
    alt.kind = Alternative::Kind::kSuffix;
    alt.suffix = program[1].literal;
  } else if (n == 3 && is(0, K::kLiteral) && is(1, K::kStar) && is(2, K::kLiteral)) {
    alt.kind = Alternative::Kind::kPrefixSuffix;
    alt.prefix = program[0].literal;
    alt.suffix = program[2].literal;
  } else {
    alt.kind = Alternative::Kind::kGeneral;
  }
  return alt;
}

Result<GlobPattern> GlobPattern::Compile(std::string_view pattern) {
  if (pattern.empty()) return InvalidArgument("glob pattern: empty");
  if (pattern.size() > kMaxGlobPatternBytes) {
    return InvalidArgument("glob pattern: longer than " + std::to_string(kMaxGlobPatternBytes) +
                           " bytes");
  }
  GlobPattern glob;
  glob.text_ = std::string(pattern);
  std::string clean;
  clean.reserve(pattern.size());
  for (char c : pattern) {
    if (c != '\\') clean.push_back(c);
  }
  size_t alternatives = 0;
  std::string_view rest = clean;
  while (true) {
    const size_t dot = std::min(rest.find('.'), rest.size());
    std::vector<std::string> variants;
    RETURN_IF_ERROR(ExpandBraces(rest.substr(0, dot), &alternatives, &variants));
    Component component;
    component.globstar = variants.size() == 1 && variants[0] == "**";
    component.needs_scan = component.globstar;
    for (std::string& variant : variants) {
      if (component.globstar) break;
      Program program = CompileFnmatch(variant);
      Alternative alt = Classify(program);
      if (alt.kind == Alternative::Kind::kLiteral) {
        component.literals.push_back(std::move(alt.prefix));
        continue;
      }
      if (alt.kind == Alternative::Kind::kGeneral) {
        alt.program = static_cast<uint32_t>(glob.programs_.size());
        glob.programs_.push_back(std::move(program));
      }
      component.wild.push_back(std::move(alt));
      component.needs_scan = true;
    }
    std::sort(component.literals.begin(), component.literals.end());
    // "**.**" matches what "**" matches (zero-or-more twice is zero-or-more; zero-or-more then a
    // final one-or-more is one-or-more): a run of globstars is kept as one.
    const bool repeated_globstar =
        component.globstar && !glob.components_.empty() && glob.components_.back().globstar;
    if (!repeated_globstar) glob.components_.push_back(std::move(component));
    if (dot == rest.size()) break;
    rest.remove_prefix(dot + 1);
  }
  return glob;
}

// Python's fnmatch.translate, minus the regex: literal runs, '?', '*' and sets become ops.
GlobPattern::Program GlobPattern::CompileFnmatch(std::string_view pattern) {
  CodePoints cps;
  std::vector<size_t> offsets;
  for (size_t pos = 0; pos < pattern.size();) {
    char32_t cp = 0;
    offsets.push_back(pos);
    pos += DecodeOne(pattern, pos, &cp);
    cps.push_back(cp);
  }
  offsets.push_back(pattern.size());
  std::vector<Op> ops;
  auto add_literal = [&](size_t from, size_t to) {
    std::string_view bytes = pattern.substr(offsets[from], offsets[to] - offsets[from]);
    if (ops.empty() || ops.back().kind != Op::Kind::kLiteral) ops.emplace_back(Op::Kind::kLiteral);
    ops.back().literal.append(bytes);
  };
  const size_t n = cps.size();
  for (size_t i = 0; i < n;) {
    const char32_t c = cps[i++];
    if (c == U'*') {
      if (ops.empty() || ops.back().kind != Op::Kind::kStar) ops.emplace_back(Op::Kind::kStar);
    } else if (c == U'?') {
      ops.emplace_back(Op::Kind::kAnyChar);
    } else if (c == U'[') {
      size_t j = i;
      if (j < n && cps[j] == U'!') ++j;
      if (j < n && cps[j] == U']') ++j;
      while (j < n && cps[j] != U']') ++j;
      if (j >= n) {
        add_literal(i - 1, i);
        continue;
      }
      Op op(Op::Kind::kSet);
      ParseSet(cps.substr(i, j - i), &op.negated, &op.ranges);
      ops.push_back(std::move(op));
      i = j + 1;
    } else {
      add_literal(i - 1, i);
    }
  }
  return ops;
}

bool GlobPattern::SetContains(const Op& op, char32_t cp) {
  bool in = false;
  for (const auto& [lo, hi] : op.ranges) {
    if (cp >= lo && cp <= hi) {
      in = true;
      break;
    }
  }
  return in != op.negated;
}

// Classic wildcard matching with backtracking to the last '*' only: linear in practice and
// never exponential, because a later '*' subsumes every earlier choice.
bool GlobPattern::RunProgram(const Program& program, std::string_view s) {
  constexpr size_t kNone = static_cast<size_t>(-1);
  size_t p = 0;
  size_t t = 0;
  size_t star_p = kNone;
  size_t star_t = 0;
  while (p < program.size() || t < s.size()) {
    if (p < program.size()) {
      const Op& op = program[p];
      char32_t cp = 0;
      if (op.kind == Op::Kind::kStar) {
        star_p = p++;
        star_t = t;
        continue;
      }
      if (op.kind == Op::Kind::kLiteral) {
        if (s.substr(t).starts_with(op.literal)) {
          t += op.literal.size();
          ++p;
          continue;
        }
      } else if (t < s.size()) {
        const size_t len = DecodeOne(s, t, &cp);
        if (op.kind == Op::Kind::kAnyChar || SetContains(op, cp)) {
          t += len;
          ++p;
          continue;
        }
      }
    }
    if (star_p == kNone || star_t >= s.size()) return false;
    char32_t skipped = 0;
    star_t += DecodeOne(s, star_t, &skipped);
    t = star_t;
    p = star_p + 1;
  }
  return true;
}

bool GlobPattern::MatchAlternative(const Alternative& alt, std::string_view s) const {
  using K = Alternative::Kind;
  switch (alt.kind) {
    case K::kLiteral:
      return s == alt.prefix;
    case K::kAll:
      return true;
    case K::kPrefix:
      return s.starts_with(alt.prefix);
    case K::kSuffix:
      return s.ends_with(alt.suffix);
    case K::kPrefixSuffix:
      return s.size() >= alt.prefix.size() + alt.suffix.size() && s.starts_with(alt.prefix) &&
             s.ends_with(alt.suffix);
    case K::kGeneral:
      return RunProgram(programs_[alt.program], s);
  }
  return false;
}

bool GlobPattern::MatchComponent(size_t i, std::string_view component) const {
  const Component& c = components_[i];
  if (c.globstar) return false;
  for (const Alternative& alt : c.wild) {
    if (MatchAlternative(alt, component)) return true;
  }
  if (c.literals.size() <= 4) {
    return std::find(c.literals.begin(), c.literals.end(), component) != c.literals.end();
  }
  return std::binary_search(c.literals.begin(), c.literals.end(), component);
}

bool GlobPattern::IsLiteral() const {
  return std::all_of(components_.begin(), components_.end(),
                     [](const Component& c) { return !c.needs_scan && c.literals.size() == 1; });
}

std::string GlobPattern::LiteralPath() const {
  std::string path;
  for (const Component& c : components_) {
    if (!path.empty() || &c != &components_[0]) path.push_back('.');
    path.append(c.literals[0]);
  }
  return path;
}

bool GlobMatchFull(const GlobPattern& pattern, std::string_view name) {
  std::vector<std::string_view> parts;
  for (size_t pos = 0;;) {
    const size_t dot = std::min(name.find('.', pos), name.size());
    parts.push_back(name.substr(pos, dot - pos));
    if (dot == name.size()) break;
    pos = dot + 1;
  }
  // reachable[j]: the components matched so far can end right before part j.
  std::vector<char> reachable(parts.size() + 1, 0);
  reachable[0] = 1;
  for (size_t i = 0; i < pattern.size(); ++i) {
    std::vector<char> next(parts.size() + 1, 0);
    const bool last = i + 1 == pattern.size();
    for (size_t j = 0; j <= parts.size(); ++j) {
      if (!reachable[j]) continue;
      if (pattern.IsGlobstar(i)) {
        for (size_t k = last ? j + 1 : j; k <= parts.size(); ++k) next[k] = 1;
      } else if (j < parts.size() && pattern.MatchComponent(i, parts[j])) {
        next[j + 1] = 1;
      }
    }
    reachable = std::move(next);
  }
  return reachable[parts.size()] != 0;
}

bool GlobMatchFull(std::string_view pattern, std::string_view name) {
  Result<GlobPattern> compiled = GlobPattern::Compile(pattern);
  return compiled.ok() && GlobMatchFull(*compiled, name);
}

}  // namespace meridian::storage
