// The render function library: each function's metadata (what /functions serves, in
// graphite-web's shape, so Grafana's function editor works) and its implementation.
//
// A function implementation receives a Call: its arguments bound to its declared parameters the
// way Python binds graphite-web's function signatures (positional, then keyword; a `multiple`
// parameter takes the remaining positionals). Series arguments are evaluated on demand, so a
// function like timeShift can evaluate its argument over another window.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/deadline.h"
#include "core/status.h"
#include "query/expression.h"
#include "query/partials.h"
#include "query/series.h"

namespace meridian::query {

class Evaluator;

// An aggregate's argument computed as partials (query/partials.h) instead of fetched: the
// combined groups in the order graphite-web meets them, the pathExpression the member series
// would carry, and the request's xFilesFactor they would carry.
struct PushedDown {
  std::vector<PartialGroup> groups;
  std::string path_expression;
  double x_files_factor = 0;
};

// graphite-web's ParamTypes (functions/params.py).
enum class ParamType {
  kBoolean,
  kDate,
  kFloat,
  kInteger,
  kInterval,
  kIntOrInterval,
  kIntOrInf,
  kNode,
  kNodeOrTag,
  kSeries,
  kSeriesList,
  kSeriesLists,
  kString,
  kTag,
  kAny,
  kAggFunc,
  kAggOrSeriesFunc,
};
std::string_view ParamTypeName(ParamType type);

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::kAny;
  bool required = false;
  bool multiple = false;                    // takes the remaining positional arguments
  std::optional<std::string> default_json;  // JSON text of the default, as /functions shows it
  std::vector<std::string> options;         // allowed values (aggFunc names...)
};

// The evaluation window of a call: graphite-web's requestContext.
struct EvalWindow {
  int64_t from = 0;
  int64_t until = 0;
  int64_t now = 0;
};

struct FunctionSpec;

// Arguments bound to parameter names (a `multiple` parameter collects several).
using BoundArguments = std::map<std::string, std::vector<const Expr*>, std::less<>>;

// Binds `call`'s arguments to `spec`'s parameters the way Python binds graphite-web's function
// signatures (positional, then keyword; a `multiple` parameter takes the remaining positionals),
// into `*bound` when non-null. INVALID_ARGUMENT "name: takes at most N arguments", "name:
// unexpected keyword argument 'k'", "name: got multiple values for argument 'k'", "name: missing
// required argument 'p'" (a None value counts as missing). Call::Bind uses it; so do load-time
// checks that have no evaluator (alerting/target_check.h).
core::Status BindArguments(const FunctionSpec& spec, const Expr& call, BoundArguments* bound);

class Call {
 public:
  Call(Evaluator& evaluator, const Expr& expr, const struct FunctionSpec& spec,
       const EvalWindow& window);
  // Binds arguments to parameters. INVALID_ARGUMENT for an unknown keyword, too many arguments
  // or a missing required one — messages name the function and parameter.
  core::Status Bind();

  const Expr& expr() const { return expr_; }
  const EvalWindow& window() const { return window_; }
  Evaluator& evaluator() { return evaluator_; }
  const std::string& name() const;
  // The request's deadline. Loops whose cost grows faster than their input (windows, buckets,
  // per-point sorts) check it through a core::DeadlineCheck named after the function.
  const core::Deadline& deadline() const;

  // True when the parameter was given (and not None).
  bool Has(std::string_view param) const;
  // The raw expressions bound to a parameter (several for a `multiple` one).
  const std::vector<const Expr*>& Raw(std::string_view param) const;

  // Typed accessors. A missing optional parameter yields the fallback; a wrongly typed argument
  // is INVALID_ARGUMENT naming the function and parameter.
  core::Result<SeriesList> Series(std::string_view param);
  // All series of a `multiple` seriesList(s) parameter, concatenated in argument order.
  core::Result<SeriesList> SeriesConcat(std::string_view param);
  // Each argument of a `multiple` seriesLists parameter evaluated separately.
  core::Result<std::vector<SeriesList>> SeriesLists(std::string_view param);
  core::Result<double> Number(std::string_view param, std::optional<double> fallback = {});
  core::Result<int64_t> Integer(std::string_view param, std::optional<int64_t> fallback = {});
  core::Result<std::string> String(std::string_view param,
                                   std::optional<std::string> fallback = {});
  core::Result<bool> Bool(std::string_view param, std::optional<bool> fallback = {});
  // Node references: ints (may be negative) or tag names (strings), for a `multiple` or single
  // parameter.
  struct NodeRef {
    bool is_tag = false;
    int64_t index = 0;
    std::string tag;
  };
  core::Result<std::vector<NodeRef>> Nodes(std::string_view param);

  // Aggregate push-down, decided here at the call node: when `param` is bound to exactly one
  // plain path expression or seriesByTag(...) and the source combines partials for `request`
  // exactly (its spec is filled in here), the combined groups, charged to the request's budgets
  // as one series each; nullopt when the argument must be evaluated as usual (any other
  // argument, or the source fell back). Errors are the read's (deadline, refused partial answer,
  // budgets).
  core::Result<std::optional<PushedDown>> PushDown(std::string_view param, PartialRequest request);

  core::Status Error(std::string_view message) const;  // "funcName: message"

 private:
  const std::vector<const Expr*>* Find(std::string_view param) const;
  core::Result<const Expr*> Single(std::string_view param) const;

  Evaluator& evaluator_;
  const Expr& expr_;
  const struct FunctionSpec& spec_;
  EvalWindow window_;
  BoundArguments bound_;
};

using FunctionImpl = std::function<core::Result<SeriesList>(Call&)>;

struct FunctionSpec {
  std::string name;
  std::string group;  // Combine, Transform, Calculate, Filter Series, Filter Data, Sorting, Alias,
                      // Graph, Special
  std::string description;  // reStructuredText, as graphite-web's docstrings
  std::vector<ParamSpec> params;
  FunctionImpl impl;
};

class FunctionRegistry {
 public:
  // REQUIRES: a unique name.
  void Add(FunctionSpec spec);
  const FunctionSpec* Find(std::string_view name) const;
  std::vector<const FunctionSpec*> All() const;  // sorted by name

  // Every function Meridian implements.
  static const FunctionRegistry& Default();

 private:
  std::map<std::string, FunctionSpec, std::less<>> functions_;
};

// Registration entry points, one per file in query/functions/.
void RegisterCombineFunctions(FunctionRegistry& registry);
void RegisterTransformFunctions(FunctionRegistry& registry);
void RegisterFilterFunctions(FunctionRegistry& registry);
void RegisterAliasFunctions(FunctionRegistry& registry);
void RegisterSpecialFunctions(FunctionRegistry& registry);
void RegisterWindowFunctions(FunctionRegistry& registry);       // window.cc
void RegisterExtraFunctions(FunctionRegistry& registry);        // combine_extra.cc
void RegisterHoltWintersFunctions(FunctionRegistry& registry);  // holt_winters.cc

}  // namespace meridian::query
