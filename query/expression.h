// Graphite target expressions: graphite-web's grammar (render/grammar_unsafe.py) parsed into a
// small tree, plus graphite-web's template() substitution (render/evaluator.py).
//
// Grammar, as graphite-web's pyparsing rules accept it:
//   target   := ws piped ws
//   piped    := (call | path) (ws '|' ws call)*       -- `a|f(x)` is f(a, x); nests left to right
//   call     := name ws '(' ws [arg (ws ',' ws arg)*] ws ')'   name = [A-Za-z_][A-Za-z0-9_]*
//   arg      := [name ws '=' ws] value                -- positional arguments before keyword ones
//   value    := true | false | none | inf              -- any case; not followed by [A-Za-z0-9_$]
//             | number | string | piped
//   number   := -?\d+ (\.\d+)? ([eE] -?\d+)?   -- only when followed by ws and ',' or ')';
//                                                else the text is a path ("1e+3", "5m")
//   string   := '…' | "…"   backslash escapes and doubled quotes end no string; no raw newline
//   path     := element ('.' element)*         -- no whitespace inside
//   element  := (chars | '{' chars (',' chars)* '}')+
//   chars    := (byte | '\' escaped)+          -- byte: any > 0x20 but DEL and ( ) { } , . ' " \ |
//                                                escaped: one of ( ) { } , . ' " \ | =
// A number, string, boolean, None or inf is only an argument: at the top level "1" is a path, and
// so is the first argument of a (non-piped) call named template: `template(1)` templates path "1".
// `f(a=)`, `f(a=.b)` and `f(a=|g())` hold the positional path "a=…", as in graphite-web.
//
// Deliberate differences from graphite-web (which calls parseString without parseAll):
//   - text left over after a complete expression is an error ("sumSeries(a.b" and "a.b)" are
//     errors; graphite-web silently evaluates the path "sumSeries" and "a.b");
//   - a call may have keyword arguments only (`f(k=1)`; graphite-web fails to parse it);
//   - bytes >= 0x80 are path characters (graphite-web's UTF8_METRICS=True); tabs are not expanded.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace meridian::query {

enum class ExprKind { kPath, kCall, kNumber, kString, kBool, kNone };

struct Arg;

// A node of a parsed target. A value type: copy or move freely.
struct Expr {
  ExprKind kind = ExprKind::kPath;
  // kPath: the path as graphite-web fetches it (escapes removed: `a\(b` → "a(b"; braces kept).
  // kCall: the function name. kString: the text between the quotes, NOT unescaped (graphite-web
  // passes it on as is, so aliasSub's "\1" and regexes' "\d" survive). kNumber: the literal as
  // written ("inf" for inf). kBool, kNone: empty.
  std::string text;
  double number = 0;  // kNumber; ints are exact up to 2^53; overflow → ±inf, underflow → 0
  bool is_integer = false;  // kNumber written as an integer literal (graphite-web passes an int)
  bool boolean = false;     // kBool
  bool piped = false;       // kCall written as `left|name(...)`: args[0] is `left`
  // kCall: positional arguments first, then keyword ones (a keyword may repeat; the last wins in
  // graphite-web). A piped call's first positional argument is the left side of the pipe.
  std::vector<Arg> args;
  size_t position = 0;  // byte offset of `source` in the target
  std::string source;   // the exact text of this node in the target (a piped call's starts with
                        // its left side; a string's includes the quotes)
};

struct Arg {
  std::string keyword;  // empty: positional
  Expr value;
};

struct ParseLimits {
  size_t max_length = 32768;  // bytes of target
  size_t max_depth = 64;      // nested calls (pipes count); at most 256 whatever the value here
  size_t max_args = 1024;     // arguments of one call (a piped-in left side counts)
  size_t max_nodes = 100000;  // nodes in the whole tree
};

// Parses one target. Errors are INVALID_ARGUMENT naming the (truncated) target and the byte
// position, e.g. "target 'sumSeries(a.b': expected ',' or ')' but found end of target at
// position 13"; a limit exceeded names the limit. A blank target is an error (graphite-web skips
// blank targets before parsing: callers should too). Memory is O(length * depth).
// Thread-safe (no shared state).
core::Result<Expr> ParseTarget(std::string_view target, const ParseLimits& limits = {});

// Structural equality: kind, text, number, flags and arguments; ignores position and source.
bool SameStructure(const Expr& a, const Expr& b);

// graphite-web's template(): every call `template(inner, args...)` is replaced by `inner` with
// its path expressions substituted, the way evaluator.py does it (on parsed paths, never on the
// target text):
//   - args are all positional or all keyword, each a number or a string; positional ones are
//     named "1", "2", …; `request_vars` (the request's template[name]=value) override them;
//   - for each variable in order (keyword/positional order, then new request names by name), a
//     path that is exactly "$name" becomes the value itself (a request/string value that looks
//     like -?[0-9.]+ becomes a float number), otherwise each "$name" in it is replaced with
//     Python's str(value) ("12", "1.5", "1000.0" for 1e3);
//   - variables do not reach strings, nor a nested template() (it has its own).
// Anything else named template (a piped or nested-as-first-argument template, or other argument
// kinds) is INVALID_ARGUMENT "invalid template() syntax…", as in graphite-web. A path growing past
// `max_path_length` bytes is INVALID_ARGUMENT. Expressions without template() come back unchanged;
// `source` fields keep the original text.
core::Result<Expr> ExpandTemplates(const Expr& expr,
                                   const std::map<std::string, std::string>& request_vars = {},
                                   size_t max_path_length = 32768);

}  // namespace meridian::query
