// Pieces of graphite-web's target grammar shared by the parser (query/expression.cc) and
// template() expansion (query/internal/template_expand.cc). Pure, thread-safe.
#pragma once

#include <cstddef>

namespace meridian::query::internal {

// Error messages quote at most this many bytes of a target or path (then "...").
inline constexpr size_t kMaxQuotedTarget = 200;

// pyparsing's alphas: ASCII letters only, whatever the locale.
inline bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

}  // namespace meridian::query::internal
