// Feeds arbitrary bytes to ParseTarget and checks what must hold for every input:
//   - it returns (no crash, no sanitizer report, no deep recursion, no runaway memory);
//   - an error is INVALID_ARGUMENT naming the target and a position inside it;
//   - a tree respects the limits, stores exact sources at their positions, keeps positional
//     arguments before keyword ones, and re-parsing the root's source gives the same tree;
//   - ExpandTemplates on it returns, and never grows a path past its cap.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "query/expression.h"

namespace {

using meridian::query::Expr;
using meridian::query::ExprKind;

constexpr size_t kMaxPathLength = 4096;

[[noreturn]] void Fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "expression_fuzzer: %s: %.*s\n", what, static_cast<int>(detail.size()),
               detail.data());
  std::abort();
}

// Returns the number of nested calls under (and including) `e`.
size_t CheckNode(const Expr& e, std::string_view target, size_t* nodes) {
  ++*nodes;
  if (e.position > target.size() || target.substr(e.position, e.source.size()) != e.source) {
    Fail("source is not the target text at position", e.source);
  }
  if (e.kind != ExprKind::kCall) {
    if (!e.args.empty()) Fail("non-call with arguments", e.source);
    return 0;
  }
  bool keywords = false;
  size_t height = 0;
  for (size_t i = 0; i < e.args.size(); ++i) {
    if (e.args[i].keyword.empty() && keywords) Fail("positional after keyword", e.source);
    keywords = keywords || !e.args[i].keyword.empty();
    height = std::max(height, CheckNode(e.args[i].value, target, nodes));
  }
  if (e.piped && (e.args.empty() || !e.args[0].keyword.empty())) Fail("bad pipe", e.source);
  return height + 1;
}

void CheckPaths(const Expr& e) {
  if (e.kind == ExprKind::kPath && e.text.size() > kMaxPathLength) Fail("path too long", e.text);
  for (const auto& arg : e.args) CheckPaths(arg.value);
}

void CheckError(const meridian::core::Status& status, std::string_view target) {
  const std::string& m = status.message();
  if (status.code() != meridian::core::StatusCode::kInvalidArgument)
    Fail("not INVALID_ARGUMENT", m);
  if (m.rfind("target '", 0) != 0) Fail("message does not name the target", m);
  size_t at = m.rfind(" at position ");
  if (at != std::string::npos) {
    unsigned long long position = std::strtoull(m.c_str() + at + 13, nullptr, 10);
    if (position > target.size()) Fail("position past the end", m);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view target(reinterpret_cast<const char*>(data), size);
  meridian::query::ParseLimits limits;
  auto expr = meridian::query::ParseTarget(target, limits);
  if (!expr.ok()) {
    CheckError(expr.status(), target);
    return 0;
  }
  size_t nodes = 0;
  if (CheckNode(*expr, target, &nodes) > limits.max_depth) Fail("too deep", expr->source);
  if (nodes > limits.max_nodes) Fail("too many nodes", expr->source);

  auto again = meridian::query::ParseTarget(expr->source, limits);
  if (!again.ok()) Fail("root source does not re-parse", again.status().message());
  if (!meridian::query::SameStructure(*expr, *again)) Fail("re-parse differs", expr->source);

  static const std::map<std::string, std::string> kVars = {{"1", "x.y"}, {"a", "1.5"}, {"", "$"}};
  auto expanded = meridian::query::ExpandTemplates(*expr, kVars, kMaxPathLength);
  if (expanded.ok()) CheckPaths(*expanded);
  return 0;
}
