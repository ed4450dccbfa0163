#include "query/function_registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "query/evaluator.h"

namespace meridian::query {

std::string_view ParamTypeName(ParamType type) {
  switch (type) {
    case ParamType::kBoolean:
      return "boolean";
    case ParamType::kDate:
      return "date";
    case ParamType::kFloat:
      return "float";
    case ParamType::kInteger:
      return "integer";
    case ParamType::kInterval:
      return "interval";
    case ParamType::kIntOrInterval:
      return "intOrInterval";
    case ParamType::kIntOrInf:
      return "intOrInf";
    case ParamType::kNode:
      return "node";
    case ParamType::kNodeOrTag:
      return "nodeOrTag";
    case ParamType::kSeries:
      return "series";
    case ParamType::kSeriesList:
      return "seriesList";
    case ParamType::kSeriesLists:
      return "seriesLists";
    case ParamType::kString:
      return "string";
    case ParamType::kTag:
      return "tag";
    case ParamType::kAny:
      return "any";
    case ParamType::kAggFunc:
      return "aggFunc";
    case ParamType::kAggOrSeriesFunc:
      return "aggOrSeriesFunc";
  }
  return "any";
}

Call::Call(Evaluator& evaluator, const Expr& expr, const FunctionSpec& spec,
           const EvalWindow& window)
    : evaluator_(evaluator), expr_(expr), spec_(spec), window_(window) {}

const std::string& Call::name() const { return spec_.name; }

const core::Deadline& Call::deadline() const { return evaluator_.deadline(); }

core::Status Call::Error(std::string_view message) const {
  return core::InvalidArgument(fmt::format("{}: {}", spec_.name, message));
}

core::Status BindArguments(const FunctionSpec& spec, const Expr& call, BoundArguments* bound) {
  BoundArguments local;
  BoundArguments& out = bound != nullptr ? *bound : local;
  auto error = [&spec](std::string message) {
    return core::InvalidArgument(fmt::format("{}: {}", spec.name, message));
  };
  size_t next = 0;  // next parameter a positional argument binds to
  for (const Arg& arg : call.args) {
    const Expr* value = &arg.value;
    if (arg.keyword.empty()) {
      if (next >= spec.params.size()) {
        return error(fmt::format("takes at most {} arguments", spec.params.size()));
      }
      const ParamSpec& p = spec.params[next];
      out[p.name].push_back(value);
      if (!p.multiple) ++next;
      continue;
    }
    auto it = std::find_if(spec.params.begin(), spec.params.end(),
                           [&](const ParamSpec& p) { return p.name == arg.keyword; });
    if (it == spec.params.end()) {
      return error(fmt::format("unexpected keyword argument '{}'", arg.keyword));
    }
    if (!out[it->name].empty() && !it->multiple) {
      return error(fmt::format("got multiple values for argument '{}'", arg.keyword));
    }
    out[it->name].push_back(value);
  }
  for (const ParamSpec& p : spec.params) {
    auto it = out.find(p.name);
    const bool has = it != out.end() && !it->second.empty() &&
                     !(it->second.size() == 1 && it->second[0]->kind == ExprKind::kNone);
    if (p.required && !has) return error(fmt::format("missing required argument '{}'", p.name));
  }
  return core::Status::Ok();
}

core::Status Call::Bind() { return BindArguments(spec_, expr_, &bound_); }

const std::vector<const Expr*>* Call::Find(std::string_view param) const {
  auto it = bound_.find(param);
  return it == bound_.end() ? nullptr : &it->second;
}

bool Call::Has(std::string_view param) const {
  const auto* v = Find(param);
  return v != nullptr && !v->empty() && !(v->size() == 1 && (*v)[0]->kind == ExprKind::kNone);
}

const std::vector<const Expr*>& Call::Raw(std::string_view param) const {
  static const std::vector<const Expr*> kEmpty;
  const auto* v = Find(param);
  return v ? *v : kEmpty;
}

core::Result<const Expr*> Call::Single(std::string_view param) const {
  const auto* v = Find(param);
  if (v == nullptr || v->empty() || (*v)[0]->kind == ExprKind::kNone) return nullptr;
  return (*v)[0];
}

core::Result<SeriesList> Call::Series(std::string_view param) {
  ASSIGN_OR_RETURN(const Expr* e, Single(param));
  if (e == nullptr) return Error(fmt::format("missing series argument '{}'", param));
  if (e->kind != ExprKind::kPath && e->kind != ExprKind::kCall) {
    return Error(
        fmt::format("argument '{}' must be a series expression, got '{}'", param, e->source));
  }
  return evaluator_.Evaluate(*e, window_);
}

core::Result<std::optional<PushedDown>> Call::PushDown(std::string_view param,
                                                       PartialRequest request) {
  const auto* v = Find(param);
  if (v == nullptr || v->size() != 1) return std::optional<PushedDown>();
  return evaluator_.PushDown(*(*v)[0], std::move(request), window_);
}

core::Result<std::vector<SeriesList>> Call::SeriesLists(std::string_view param) {
  std::vector<SeriesList> out;
  for (const Expr* e : Raw(param)) {
    if (e->kind != ExprKind::kPath && e->kind != ExprKind::kCall) {
      return Error(
          fmt::format("argument '{}' must be a series expression, got '{}'", param, e->source));
    }
    ASSIGN_OR_RETURN(SeriesList list, evaluator_.Evaluate(*e, window_));
    out.push_back(std::move(list));
  }
  return out;
}

core::Result<SeriesList> Call::SeriesConcat(std::string_view param) {
  ASSIGN_OR_RETURN(std::vector<SeriesList> lists, SeriesLists(param));
  SeriesList out;
  for (auto& list : lists) {
    for (auto& s : list) out.push_back(std::move(s));
  }
  return out;
}

core::Result<double> Call::Number(std::string_view param, std::optional<double> fallback) {
  ASSIGN_OR_RETURN(const Expr* e, Single(param));
  if (e == nullptr) {
    if (fallback) return *fallback;
    return Error(fmt::format("missing numeric argument '{}'", param));
  }
  if (e->kind == ExprKind::kNumber) return e->number;
  if (e->kind == ExprKind::kBool) return e->boolean ? 1.0 : 0.0;
  return Error(fmt::format("argument '{}' must be a number, got '{}'", param, e->source));
}

core::Result<int64_t> Call::Integer(std::string_view param, std::optional<int64_t> fallback) {
  std::optional<double> fb;
  if (fallback) fb = static_cast<double>(*fallback);
  ASSIGN_OR_RETURN(double v, Number(param, fb));
  if (!std::isfinite(v) || std::fabs(v) > 9.0e15) {
    return Error(fmt::format("argument '{}' must be an integer", param));
  }
  return static_cast<int64_t>(v);  // Python int(): truncation toward zero
}

core::Result<std::string> Call::String(std::string_view param,
                                       std::optional<std::string> fallback) {
  ASSIGN_OR_RETURN(const Expr* e, Single(param));
  if (e == nullptr) {
    if (fallback) return *fallback;
    return Error(fmt::format("missing string argument '{}'", param));
  }
  if (e->kind == ExprKind::kString) return e->text;
  return Error(fmt::format("argument '{}' must be a quoted string, got '{}'", param, e->source));
}

core::Result<bool> Call::Bool(std::string_view param, std::optional<bool> fallback) {
  ASSIGN_OR_RETURN(const Expr* e, Single(param));
  if (e == nullptr) {
    if (fallback) return *fallback;
    return Error(fmt::format("missing boolean argument '{}'", param));
  }
  if (e->kind == ExprKind::kBool) return e->boolean;
  if (e->kind == ExprKind::kNumber) return e->number != 0;
  if (e->kind == ExprKind::kString && (e->text == "true" || e->text == "false")) {
    return e->text == "true";
  }
  return Error(fmt::format("argument '{}' must be true or false, got '{}'", param, e->source));
}

core::Result<std::vector<Call::NodeRef>> Call::Nodes(std::string_view param) {
  std::vector<NodeRef> out;
  for (const Expr* e : Raw(param)) {
    if (e->kind == ExprKind::kNumber) {
      out.push_back({false, static_cast<int64_t>(e->number), {}});
    } else if (e->kind == ExprKind::kString) {
      out.push_back({true, 0, e->text});
    } else {
      return Error(fmt::format("argument '{}' must be node numbers or tag names, got '{}'", param,
                               e->source));
    }
  }
  return out;
}

void FunctionRegistry::Add(FunctionSpec spec) {
  std::string name = spec.name;
  functions_.emplace(std::move(name), std::move(spec));
}

const FunctionSpec* FunctionRegistry::Find(std::string_view name) const {
  auto it = functions_.find(name);
  return it == functions_.end() ? nullptr : &it->second;
}

std::vector<const FunctionSpec*> FunctionRegistry::All() const {
  std::vector<const FunctionSpec*> out;
  for (const auto& [name, spec] : functions_) out.push_back(&spec);
  return out;
}

}  // namespace meridian::query
