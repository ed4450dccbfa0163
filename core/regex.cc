#include "core/regex.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <mutex>

#include "core/internal/python_regex.h"

namespace meridian::core {
namespace {

// Messages quote at most this much of a pattern (a 4 KiB pattern would drown the reason).
constexpr size_t kQuotedPatternBytes = 200;

std::string Quoted(std::string_view pattern) {
  if (pattern.size() <= kQuotedPatternBytes) return std::string(pattern);
  return fmt::format("{}...", pattern.substr(0, kQuotedPatternBytes));
}

Status Invalid(std::string_view pattern, std::string_view why) {
  return InvalidArgument(fmt::format("invalid regex '{}': {}", Quoted(pattern), why));
}

RE2::Options MakeOptions(const RegexOptions& options, bool longest) {
  RE2::Options o;
  o.set_encoding(RE2::Options::EncodingUTF8);
  o.set_max_mem(options.max_mem_bytes);
  o.set_log_errors(false);  // patterns come from outside: errors are returned, not logged
  o.set_longest_match(longest);
  return o;
}

// Start of the code point after the one at `pos` (one byte for a byte that is not valid UTF-8),
// so that an empty match never lands inside a multi-byte character.
size_t NextCodePoint(std::string_view text, size_t pos) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  size_t len = lead < 0xC2 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : lead < 0xF5 ? 4 : 1;
  if (pos + len > text.size()) return pos + 1;
  for (size_t k = 1; k < len; ++k) {
    if ((static_cast<unsigned char>(text[pos + k]) & 0xC0) != 0x80) return pos + 1;
  }
  return pos + len;
}

}  // namespace

struct Regex::Impl {
  std::string pattern;
  std::string translated;
  RegexOptions options;
  std::unique_ptr<RE2> re2;  // leftmost-first, as Python
  std::map<std::string, size_t, std::less<>> names;
  // Leftmost-longest twin, built on first use by ForEachMatch (only patterns that match empty
  // text need it).
  mutable std::once_flag longest_once;
  mutable std::unique_ptr<RE2> longest;

  const RE2& Longest() const {
    std::call_once(longest_once, [this] {
      longest = std::make_unique<RE2>(translated, MakeOptions(options, true));
    });
    return *longest;
  }
};

Status RegexOptions::Validate() const {
  if (max_pattern_bytes == 0) return InvalidArgument("regex max_pattern_bytes must be > 0");
  if (max_mem_bytes < (int64_t{64} << 10)) {
    return InvalidArgument("regex max_mem_bytes must be at least 64 KiB");
  }
  return Status::Ok();
}

Result<Regex> Regex::Compile(std::string_view pattern, const RegexOptions& options) {
  RETURN_IF_ERROR(options.Validate());
  if (pattern.size() > options.max_pattern_bytes) {
    return Invalid(pattern, fmt::format("longer than {} bytes", options.max_pattern_bytes));
  }
  auto translated = internal::TranslatePythonRegex(pattern);
  if (!translated.ok()) return Invalid(pattern, translated.status().message());
  auto impl = std::make_shared<Impl>();
  impl->pattern = std::string(pattern);
  impl->translated = std::move(translated).value();
  impl->options = options;
  impl->re2 = std::make_unique<RE2>(impl->translated, MakeOptions(options, false));
  if (!impl->re2->ok()) {
    if (impl->re2->error_code() == RE2::ErrorPatternTooLarge) {
      return Invalid(pattern, fmt::format("too large (compiled program over {} bytes)",
                                          options.max_mem_bytes));
    }
    return Invalid(pattern, impl->re2->error());
  }
  for (const auto& [name, index] : impl->re2->NamedCapturingGroups()) {
    impl->names.emplace(name, static_cast<size_t>(index));
  }
  return Regex(std::move(impl));
}

bool Regex::PartialMatch(std::string_view text) const {
  return impl_->re2->Match(text, 0, text.size(), RE2::UNANCHORED, nullptr, 0);
}

bool Regex::MatchesAtStart(std::string_view text) const {
  return impl_->re2->Match(text, 0, text.size(), RE2::ANCHOR_START, nullptr, 0);
}

bool Regex::FullMatch(std::string_view text) const {
  return impl_->re2->Match(text, 0, text.size(), RE2::ANCHOR_BOTH, nullptr, 0);
}

void Regex::ForEachMatch(std::string_view text,
                         const std::function<bool(const RegexMatch&)>& fn) const {
  if (text.data() == nullptr) text = std::string_view("", 0);  // views into it stay non-null
  const RE2& re = *impl_->re2;
  const int n = re.NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> sub(static_cast<size_t>(n));
  RegexMatch match;
  match.groups.resize(sub.size());
  size_t pos = 0;
  bool after_empty = false;  // the previous match was empty and ended at `pos`
  while (pos <= text.size()) {
    bool found = false;
    if (after_empty) {
      // Python >= 3.7: only a non-empty match may start where an empty one just did.
      found = impl_->Longest().Match(text, pos, text.size(), RE2::ANCHOR_START, sub.data(), n) &&
              !sub[0].empty();
      if (!found) {
        if (pos == text.size()) break;
        pos = NextCodePoint(text, pos);
      }
    }
    if (!found && !re.Match(text, pos, text.size(), RE2::UNANCHORED, sub.data(), n)) break;
    for (size_t g = 0; g < sub.size(); ++g) {
      if (sub[g].data() == nullptr) {
        match.groups[g].reset();
      } else {
        match.groups[g] = std::string_view(sub[g].data(), sub[g].size());
      }
    }
    match.begin = static_cast<size_t>(sub[0].data() - text.data());
    match.end = match.begin + sub[0].size();
    if (!fn(match)) return;
    after_empty = match.begin == match.end;
    pos = match.end;
  }
}

size_t Regex::group_count() const {
  return static_cast<size_t>(impl_->re2->NumberOfCapturingGroups());
}

const std::map<std::string, size_t, std::less<>>& Regex::group_names() const {
  return impl_->names;
}

const std::string& Regex::pattern() const { return impl_->pattern; }

}  // namespace meridian::core
