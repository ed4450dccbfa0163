// CheckTargetFunctions (target_check.h): shared by rule files and dashboard files.
#include "alerting/target_check.h"

#include <string_view>
#include <utility>

#include "core/regex.h"
#include "query/function_registry.h"

namespace meridian::alerting {
namespace {

// Functions whose argument is a Python regex, with that parameter's name (graphite-web's).
constexpr std::pair<std::string_view, std::string_view> kRegexParams[] = {
    {"grep", "pattern"},
    {"exclude", "pattern"},
    {"aliasSub", "search"},
    {"aliasQuery", "search"},
    {"useSeriesAbove", "search"}};

core::Status CheckRegex(std::string_view function, const std::string& pattern) {
  auto re = core::Regex::Compile(pattern);
  if (re.ok()) return core::Status::Ok();
  return core::InvalidArgument(std::string(function) + ": " + re.status().message());
}

// A literal regex that core::Regex refuses would fail every evaluation with a 400: refuse the
// rule at load time (`meridian rules check`) instead.
core::Status CheckRegexArgs(const query::Expr& expr, const query::FunctionSpec* spec) {
  if (expr.text == "seriesByTag") {
    for (const query::Arg& arg : expr.args) {
      const std::string& e = arg.value.text;
      const size_t eq = e.find('=');  // tag names hold no '=': the operator's
      if (arg.value.kind != query::ExprKind::kString || eq == std::string::npos ||
          eq + 1 >= e.size() || e[eq + 1] != '~') {
        continue;
      }
      RETURN_IF_ERROR(CheckRegex(expr.text, e.substr(eq + 2)));
    }
    return core::Status::Ok();
  }
  for (const auto& [function, param] : kRegexParams) {
    if (expr.text != function || spec == nullptr) continue;
    size_t index = 0;
    while (index < spec->params.size() && spec->params[index].name != param) ++index;
    for (size_t i = 0; i < expr.args.size(); ++i) {
      const query::Arg& arg = expr.args[i];
      const bool is_param = arg.keyword.empty() ? i == index : arg.keyword == param;
      if (is_param && arg.value.kind == query::ExprKind::kString) {
        RETURN_IF_ERROR(CheckRegex(function, arg.value.text));
      }
    }
  }
  return core::Status::Ok();
}

core::Status CheckFunctions(const query::Expr& expr) {
  if (expr.kind != query::ExprKind::kCall) return core::Status::Ok();
  // seriesByTag is not in the registry: the Evaluator resolves it itself (query/evaluator.h).
  const query::FunctionSpec* spec = query::FunctionRegistry::Default().Find(expr.text);
  if (expr.text != "seriesByTag" && spec == nullptr) {
    return core::InvalidArgument("unknown function '" + expr.text + "'");
  }
  if (spec != nullptr) RETURN_IF_ERROR(query::BindArguments(*spec, expr, nullptr));
  RETURN_IF_ERROR(CheckRegexArgs(expr, spec));
  for (const query::Arg& arg : expr.args) RETURN_IF_ERROR(CheckFunctions(arg.value));
  return core::Status::Ok();
}

}  // namespace

core::Status CheckTargetFunctions(const query::Expr& parsed) {
  ASSIGN_OR_RETURN(query::Expr expanded, query::ExpandTemplates(parsed));
  return CheckFunctions(expanded);
}

}  // namespace meridian::alerting
