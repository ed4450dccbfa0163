// ExpandTemplates (query/expression.h): graphite-web's template() rule and $variable
// substitution in the paths beneath it.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "query/expression.h"
#include "query/internal/py_format.h"
#include "query/internal/target_grammar.h"

namespace meridian::query {
namespace {

using internal::IsAlpha;
using internal::kMaxQuotedTarget;

constexpr size_t npos = std::string_view::npos;

// One template variable: its value (a number or string node) and Python's str() of it.
struct Variable {
  std::string name;
  Expr value;
  std::string text;
};

std::string PythonStr(const Expr& value);

// Python dict semantics: a name keeps its first position, the last value wins.
class Variables {
 public:
  void Set(const std::string& name, const Expr& value) {
    auto [it, added] = index_.try_emplace(name, list_.size());
    if (added) list_.push_back(Variable{name, {}, {}});
    list_[it->second].value = value;
    list_[it->second].text = PythonStr(value);
  }
  const std::vector<Variable>& list() const { return list_; }

 private:
  std::vector<Variable> list_;
  std::unordered_map<std::string, size_t> index_;
};

core::Status InvalidTemplate() {
  return core::InvalidArgument(
      "invalid template() syntax, only string/numeric arguments are allowed");
}

// Python's str() of an evaluated literal: int(text) for integers, repr(float) otherwise.
std::string PythonStr(const Expr& value) {
  if (value.kind == ExprKind::kString) return value.text;
  if (std::isinf(value.number)) return value.number > 0 ? "inf" : "-inf";
  if (!value.is_integer) {
    std::string out;
    internal::AppendPythonFloat(value.number, &out);
    return out;
  }
  std::string_view digits = value.text;
  bool negative = digits.front() == '-';
  if (negative) digits.remove_prefix(1);
  size_t first = digits.find_first_not_of('0');
  if (first == npos) return "0";
  return (negative ? "-" : "") + std::string(digits.substr(first));
}

// graphite-web's `template` grammar rule: template(call|path[, literals | name=literal...]).
core::Result<Variables> TemplateVariables(const Expr& call,
                                          const std::map<std::string, std::string>& request) {
  if (call.piped || call.args.empty() || !call.args[0].keyword.empty()) return InvalidTemplate();
  const Expr& inner = call.args[0].value;
  bool inner_ok = inner.kind == ExprKind::kPath ||
                  (inner.kind == ExprKind::kCall && !inner.piped && inner.text != "template");
  if (!inner_ok) return InvalidTemplate();
  bool keywords = call.args.size() > 1 && !call.args[1].keyword.empty();
  Variables vars;
  for (size_t i = 1; i < call.args.size(); ++i) {
    const Arg& arg = call.args[i];
    bool literal = arg.value.kind == ExprKind::kString ||
                   (arg.value.kind == ExprKind::kNumber && !IsAlpha(arg.value.text.front()));
    if (arg.keyword.empty() == keywords || !literal) return InvalidTemplate();
    vars.Set(keywords ? arg.keyword : std::to_string(i), arg.value);
  }
  for (const auto& [name, text] : request) {
    Expr value;
    value.kind = ExprKind::kString;
    value.text = text;
    vars.Set(name, value);
  }
  return vars;
}

// A path that is exactly "$name" becomes the value; a string like -?[0-9.]+ becomes float(s).
core::Status ReplaceWithValue(const Variable& var, Expr* path) {
  Expr value = var.value;
  const std::string& s = value.text;
  size_t body = !s.empty() && s[0] == '-' ? 1 : 0;
  bool numeric = value.kind == ExprKind::kString && s.size() > body &&
                 s.find_first_not_of("0123456789.", body) == npos;
  if (numeric) {
    bool has_digit = s.find_first_of("0123456789") != npos;
    if (!has_digit || std::count(s.begin(), s.end(), '.') > 1) {
      return core::InvalidArgument("template variable '" + var.name +
                                   "': could not convert string to float: '" + s + "'");
    }
    value.kind = ExprKind::kNumber;
    value.number = std::strtod(s.c_str(), nullptr);
  }
  value.position = path->position;
  value.source = path->source;
  *path = std::move(value);
  return core::Status::Ok();
}

core::Status SubstitutePath(const Variables& vars, size_t max_length, Expr* path) {
  std::string text = path->text;
  for (const Variable& var : vars.list()) {
    std::string key = "$" + var.name;
    if (text == key) return ReplaceWithValue(var, path);
    size_t count = 0;
    for (size_t at = text.find(key); at != npos; at = text.find(key, at + key.size())) ++count;
    if (count == 0) continue;
    if (text.size() + count * var.text.size() - count * key.size() > max_length) {
      return core::InvalidArgument("template expansion of '" +
                                   path->source.substr(0, kMaxQuotedTarget) +
                                   "' exceeds max_path_length " + std::to_string(max_length));
    }
    std::string next;
    size_t from = 0;
    for (size_t at = text.find(key); at != npos; at = text.find(key, from)) {
      next.append(text, from, at - from).append(var.text);
      from = at + key.size();
    }
    text = next.append(text, from);
  }
  path->text = std::move(text);
  return core::Status::Ok();
}

// `vars` is null outside any template(): paths stay as written there.
core::Status Expand(const Variables* vars, const std::map<std::string, std::string>& request,
                    size_t max_length, Expr* e) {
  if (e->kind == ExprKind::kCall && e->text == "template") {
    ASSIGN_OR_RETURN(Variables own, TemplateVariables(*e, request));
    Expr inner = std::move(e->args[0].value);
    *e = std::move(inner);
    return Expand(&own, request, max_length, e);
  }
  if (e->kind == ExprKind::kCall) {
    for (Arg& arg : e->args) RETURN_IF_ERROR(Expand(vars, request, max_length, &arg.value));
  } else if (e->kind == ExprKind::kPath && vars != nullptr && !vars->list().empty()) {
    return SubstitutePath(*vars, max_length, e);
  }
  return core::Status::Ok();
}

}  // namespace

core::Result<Expr> ExpandTemplates(const Expr& expr,
                                   const std::map<std::string, std::string>& request_vars,
                                   size_t max_path_length) {
  Expr out = expr;
  RETURN_IF_ERROR(Expand(nullptr, request_vars, max_path_length, &out));
  return out;
}

}  // namespace meridian::query
