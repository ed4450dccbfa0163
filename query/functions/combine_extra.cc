// More Combine functions (graphite-web 1.1 render/functions.py): powSeries, the map/reduce pair
// (mapSeries, reduceSeries) and applyByNode, which evaluates a target per node prefix.
//
// graphite-web's mapSeries returns a list of seriesLists; Meridian's series lists are flat, so
// mapSeries returns the groups one after another. reduceSeries only ever walks the groups in
// order, so it sees the series in the same order as graphite-web.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

#include "query/evaluator.h"
#include "query/function_registry.h"
#include "query/functions/common.h"

namespace meridian::query {
namespace {

using core::Result;
using functions::IsNull;
using functions::kNull;

// safe.safePow: None in, None out; math.pow's ValueError/OverflowError become None.
double SafePow(double a, double b) {
  if (IsNull(a) || IsNull(b)) return kNull;
  double r = std::pow(a, b);
  if (std::isnan(r) || (std::isinf(r) && std::isfinite(a) && std::isfinite(b))) return kNull;
  return r;
}

// powSeries: normalized series combined point by point (zip_longest), the first raised to the
// second, the result to the third...; named after the series names (not pathExpressions).
Result<SeriesList> PowSeries(Call& call) {
  ASSIGN_OR_RETURN(SeriesList inputs, call.SeriesConcat("seriesList"));
  if (inputs.empty()) return SeriesList{};
  ASSIGN_OR_RETURN(functions::Normalized n, functions::Normalize(inputs));
  std::vector<double> values(n.length, kNull);
  for (size_t i = 0; i < n.length; ++i) {
    for (size_t k = 0; k < n.values.size(); ++k) {
      double v = i < n.values[k].size() ? n.values[k][i] : kNull;
      values[i] = k == 0 ? v : SafePow(values[i], v);
    }
  }
  std::string name = "powSeries(";
  for (size_t k = 0; k < inputs.size(); ++k) name += (k > 0 ? "," : "") + inputs[k].name;
  name += ")";
  Series like;
  like.start = n.start;
  like.end = n.end;
  like.step = n.step;
  like.x_files_factor = inputs.front().x_files_factor;  // the request's xFilesFactor
  return SeriesList{functions::MakeSeries(like, std::move(name), std::move(values))};
}

// Python's nodes[index] for a possibly negative index; nullopt where Python raises IndexError.
std::optional<size_t> PyIndex(int64_t index, size_t size) {
  int64_t i = index < 0 ? index + static_cast<int64_t>(size) : index;
  if (i < 0 || i >= static_cast<int64_t>(size)) return std::nullopt;
  return static_cast<size_t>(i);
}

// Python's nodes[:stop] length.
size_t PySliceEnd(int64_t stop, size_t size) {
  int64_t s = stop < 0 ? stop + static_cast<int64_t>(size) : stop;
  return static_cast<size_t>(std::clamp<int64_t>(s, 0, static_cast<int64_t>(size)));
}

std::string JoinNodes(const std::vector<std::string>& nodes, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) out += (i > 0 ? "." : "") + nodes[i];
  return out;
}

// graphite-web's aggKey(): nodes of the first path inside the name, or tags.
std::string AggKey(const Series& s, const std::vector<Call::NodeRef>& refs) {
  std::vector<std::string> parts = functions::SplitNodes(functions::FirstPathExpression(s.name));
  std::string key;
  for (size_t i = 0; i < refs.size(); ++i) {
    if (i > 0) key.push_back('.');
    const Call::NodeRef& ref = refs[i];
    std::optional<size_t> idx = ref.is_tag ? std::nullopt : PyIndex(ref.index, parts.size());
    if (idx) {
      key += parts[*idx];
      continue;
    }
    auto it = s.tags.find(ref.is_tag ? ref.tag : std::to_string(ref.index));
    if (it != s.tags.end()) key += it->second;
  }
  return key;
}

Result<SeriesList> MapSeries(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(std::vector<Call::NodeRef> refs, call.Nodes("mapNodes"));
  std::vector<std::pair<std::string, SeriesList>> groups;
  std::unordered_map<std::string, size_t> index;  // key → position in `groups`
  for (Series& s : list) {
    std::string key = AggKey(s, refs);
    auto [it, added] = index.try_emplace(key, groups.size());
    if (added) groups.emplace_back(std::move(key), SeriesList{});
    groups[it->second].second.push_back(std::move(s));
  }
  SeriesList out;
  for (auto& [key, group] : groups) {
    for (Series& s : group) out.push_back(std::move(s));
  }
  return out;
}

// Serves already evaluated series to a nested Evaluator: the path `token` fetches `series`
// (under its own name), so a function can be applied to them as to fetched series.
class ArgumentSource final : public SeriesSource {
 public:
  void Add(std::string token, const Series& series) { args_.emplace(std::move(token), &series); }

  Result<std::vector<storage::FindMatch>> Find(std::string_view, const ReadOptions&) override {
    return std::vector<storage::FindMatch>{};
  }
  Result<std::vector<std::string>> Expand(std::string_view pattern, const ReadOptions&) override {
    if (args_.count(std::string(pattern)) == 0) return std::vector<std::string>{};
    return std::vector<std::string>{std::string(pattern)};
  }
  Result<std::vector<std::string>> FindTagged(const std::vector<std::string>&,
                                              const ReadOptions&) override {
    return std::vector<std::string>{};
  }
  Result<std::vector<std::string>> TagNames(std::string_view, size_t, const ReadOptions&) override {
    return std::vector<std::string>{};
  }
  Result<std::vector<storage::TagValueCount>> TagValues(std::string_view, std::string_view, size_t,
                                                        const ReadOptions&) override {
    return std::vector<storage::TagValueCount>{};
  }
  Result<std::vector<std::string>> AllLeaves(const ReadOptions&) override {
    return std::vector<std::string>{};
  }
  Result<storage::SeriesData> Fetch(std::string_view token, int64_t, int64_t,
                                    const ReadOptions&) override {
    auto it = args_.find(std::string(token));
    if (it == args_.end()) return core::NotFound(std::string(token));
    const Series& s = *it->second;
    return storage::SeriesData{s.name, s.start, s.end, s.step, s.values, {}};
  }

 private:
  std::map<std::string, const Series*> args_;
};

void ReplaceAll(std::string& text, const std::string& from, const std::string& to) {
  for (size_t pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos)) {
    text.replace(pos, from.size(), to);
    pos += to.size();
  }
}

// Puts the arguments' pathExpressions back in place of their tokens. A comma-separated run of
// tokens is a joined list of pathExpressions (formatPathExpressions): graphite-web lists each
// distinct one once, so the run is deduplicated after mapping.
std::string RestorePaths(const std::string& text,
                         const std::vector<std::pair<std::string, std::string>>& tokens) {
  auto token_at = [&](size_t pos) -> const std::pair<std::string, std::string>* {
    for (const auto& t : tokens) {
      if (text.compare(pos, t.first.size(), t.first) == 0) return &t;
    }
    return nullptr;
  };
  std::string out;
  for (size_t pos = 0; pos < text.size();) {
    const auto* t = token_at(pos);
    if (t == nullptr) {
      out += text[pos++];
      continue;
    }
    std::vector<std::string> run;
    while (t != nullptr) {
      if (std::find(run.begin(), run.end(), t->second) == run.end()) run.push_back(t->second);
      pos += t->first.size();
      t = pos < text.size() && text[pos] == ',' ? token_at(pos + 1) : nullptr;
      if (t != nullptr) ++pos;
    }
    for (size_t i = 0; i < run.size(); ++i) out += (i > 0 ? "," : "") + run[i];
  }
  return out;
}

// `function(arg0, arg1, ...)` applied to the series, as graphite-web's
// SeriesFunction(name)(requestContext, [a], [b], ...): the first series of the result. The
// arguments reach the function with their names, values and pathExpressions (tags are re-derived
// from the name, as for fetched series).
Result<Series> ApplyFunction(Call& call, const std::string& function,
                             const std::vector<const Series*>& args) {
  ArgumentSource source;
  Expr expr;
  expr.kind = ExprKind::kCall;
  expr.text = function;
  std::vector<std::pair<std::string, std::string>> tokens;  // token → original pathExpression
  for (size_t i = 0; i < args.size(); ++i) {
    std::string token = fmt::format("\x01reduceSeries.arg{}\x01", i);
    source.Add(token, *args[i]);
    tokens.emplace_back(token, args[i]->path_expression);
    Expr path;
    path.kind = ExprKind::kPath;
    path.text = path.source = token;
    expr.args.push_back(Arg{"", std::move(path)});
  }
  EvalLimits nested_limits;
  nested_limits.deadline = call.deadline();  // the nested function runs on the request's time
  Evaluator nested(source, FunctionRegistry::Default(), nested_limits);
  nested.set_x_files_factor(args.front()->x_files_factor);
  ASSIGN_OR_RETURN(SeriesList result, nested.Evaluate(expr, call.window()));
  if (result.empty()) return call.Error(fmt::format("{} returned no series", function));
  Series out = std::move(result.front());
  out.name = RestorePaths(out.name, tokens);
  out.path_expression = RestorePaths(out.path_expression, tokens);
  for (auto& [tag, value] : out.tags) value = RestorePaths(value, tokens);
  return out;
}

Result<SeriesList> ReduceSeries(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesLists"));
  ASSIGN_OR_RETURN(std::string function, call.String("reduceFunction"));
  ASSIGN_OR_RETURN(int64_t reduce_node, call.Integer("reduceNode"));
  std::vector<std::string> matchers;
  for (const Expr* e : call.Raw("reduceMatchers")) {
    if (e->kind != ExprKind::kString) return call.Error("reduceMatchers must be strings");
    matchers.push_back(e->text);
  }
  std::vector<std::pair<std::string, std::vector<const Series*>>> groups;
  std::unordered_map<std::string, size_t> index;  // key → position in `groups`
  for (const Series& s : list) {
    std::vector<std::string> nodes = functions::SplitNodes(s.name);
    std::optional<size_t> idx = PyIndex(reduce_node, nodes.size());
    if (!idx)
      return call.Error(fmt::format("reduceNode {} is not a node of {}", reduce_node, s.name));
    auto matcher = std::find(matchers.begin(), matchers.end(), nodes[*idx]);
    if (matcher == matchers.end()) continue;
    std::string key =
        JoinNodes(nodes, PySliceEnd(reduce_node, nodes.size())) + ".reduce." + function;
    auto [it, added] = index.try_emplace(key, groups.size());
    if (added) groups.emplace_back(key, std::vector<const Series*>(matchers.size()));
    groups[it->second].second[static_cast<size_t>(matcher - matchers.begin())] = &s;
  }
  SeriesList out;
  for (auto& [key, args] : groups) {
    for (size_t i = 0; i < args.size(); ++i) {
      // graphite-web fails here too (it passes [None] to the function).
      if (args[i] == nullptr) {
        return call.Error(fmt::format("no series matches '{}' for {}", matchers[i], key));
      }
    }
    ASSIGN_OR_RETURN(Series reduced, ApplyFunction(call, function, args));
    reduced.name = key;
    out.push_back(std::move(reduced));
  }
  return out;
}

// applyByNode: the template target evaluated once per distinct prefix (nodes up to nodeNum), in
// sorted prefix order. Results take the window of the last input series (graphite-web reads the
// loop variable left over from collecting the prefixes).
Result<SeriesList> ApplyByNode(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(int64_t node, call.Integer("nodeNum"));
  ASSIGN_OR_RETURN(std::string templ, call.String("templateFunction"));
  std::optional<std::string> new_name;
  if (call.Has("newName")) {
    ASSIGN_OR_RETURN(new_name, call.String("newName"));
  }
  std::set<std::string> prefixes;
  for (const Series& s : list) {
    std::vector<std::string> nodes = functions::SplitNodes(s.name);
    prefixes.insert(JoinNodes(nodes, PySliceEnd(node + 1, nodes.size())));
  }
  SeriesList out;
  for (const std::string& prefix : prefixes) {
    std::string target = templ;
    ReplaceAll(target, "%", prefix);
    ASSIGN_OR_RETURN(SeriesList results, call.evaluator().EvaluateTarget(target, call.window()));
    for (Series& s : results) {
      if (new_name) {
        s.name = *new_name;
        ReplaceAll(s.name, "%", prefix);
      }
      s.path_expression = prefix;
      s.start = list.back().start;
      s.end = list.back().end;
      out.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace

void RegisterExtraFunctions(FunctionRegistry& r) {
  using functions::AddFunction;
  using functions::MakeParam;
  AddFunction(r, "powSeries", "Combine",
              "Raises the first series to the power of the second, and so on, point by point.",
              {MakeParam("seriesList", ParamType::kSeriesList, true, true)}, PowSeries);
  AddFunction(r, "mapSeries", "Combine",
              "Groups the series by the given nodes or tags (for reduceSeries).",
              {MakeParam("seriesList", ParamType::kSeriesList, true),
               MakeParam("mapNodes", ParamType::kNodeOrTag, true, true)},
              MapSeries);
  AddFunction(r, "reduceSeries", "Combine",
              "Applies reduceFunction to the series whose reduceNode matches reduceMatchers, "
              "per mapSeries group; the results are named <prefix>.reduce.<reduceFunction>.",
              {MakeParam("seriesLists", ParamType::kSeriesLists, true),
               MakeParam("reduceFunction", ParamType::kString, true),
               MakeParam("reduceNode", ParamType::kNode, true),
               MakeParam("reduceMatchers", ParamType::kString, true, true)},
              ReduceSeries);
  AddFunction(r, "applyByNode", "Combine",
              "Evaluates templateFunction with % replaced by each distinct node prefix.",
              {MakeParam("seriesList", ParamType::kSeriesList, true),
               MakeParam("nodeNum", ParamType::kNode, true),
               MakeParam("templateFunction", ParamType::kString, true),
               MakeParam("newName", ParamType::kString)},
              ApplyByNode);
}

}  // namespace meridian::query
