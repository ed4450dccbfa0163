// Renaming functions (graphite-web render/functions.py, 1.1.10). They change series.name only:
// pathExpression and tags stay, as in graphite-web (aggregates later name results after the
// pathExpression, not the alias).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <optional>
#include <span>
#include <tuple>

#include "query/evaluator.h"
#include "query/function_registry.h"
#include "query/functions/common.h"
#include "query/functions/py_regex.h"

namespace meridian::query {
namespace {

using functions::IsNull;

// A parameter as graphite-web's Param(name, type, required, default, multiple, options).
using functions::MakeParam;

ParamSpec SeriesListParam() { return MakeParam("seriesList", ParamType::kSeriesList, true); }

// Python's list[start:stop] bounds for a sequence of n items (stop nullopt = to the end).
std::pair<size_t, size_t> PySlice(size_t n, int64_t start, std::optional<int64_t> stop) {
  auto clamp = [n](int64_t i) -> size_t {
    int64_t sn = static_cast<int64_t>(n);
    if (i < 0) i = std::max<int64_t>(0, i + sn);
    return static_cast<size_t>(std::min(i, sn));
  };
  size_t b = clamp(start);
  size_t e = stop ? clamp(*stop) : n;
  return {b, std::max(b, e)};
}

std::string JoinNodes(const std::vector<std::string>& nodes, size_t b, size_t e) {
  std::string out;
  for (size_t i = b; i < e; ++i) {
    if (i > b) out += '.';
    out += nodes[i];
  }
  return out;
}

// graphite-web's aggKey/getNodeOrTag: nodes of the (first inner) path before ';', or tags.
std::string NodeKey(const Series& s, const std::vector<Call::NodeRef>& refs) {
  std::string path =
      !s.name.empty() && s.name.back() == ')' ? functions::FirstPathExpression(s.name) : s.name;
  std::vector<std::string> nodes = functions::SplitNodes(path.substr(0, path.find(';')));
  std::string out;
  for (size_t k = 0; k < refs.size(); ++k) {
    if (k > 0) out += '.';
    const Call::NodeRef& ref = refs[k];
    int64_t n = static_cast<int64_t>(nodes.size());
    if (!ref.is_tag && ref.index >= -n && ref.index < n) {
      out += nodes[static_cast<size_t>(ref.index < 0 ? ref.index + n : ref.index)];
      continue;
    }
    auto it = s.tags.find(ref.is_tag ? ref.tag : std::to_string(ref.index));
    if (it != s.tags.end()) out += it->second;
  }
  return out;
}

core::Result<SeriesList> AliasByNode(Call& call, std::string_view param) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(std::vector<Call::NodeRef> refs, call.Nodes(param));
  for (Series& s : list) s.name = NodeKey(s, refs);
  return list;
}

// substr(): nodes of the text between the last '(' and the first ')', cut at the first ','.
std::string Substr(const std::string& name, int64_t start, int64_t stop) {
  size_t left = name.rfind('(');
  left = left == std::string::npos ? 0 : left + 1;
  size_t right = name.find(')');
  std::string clean = right == std::string::npos ? name.substr(left)
                      : right > left             ? name.substr(left, right - left)
                                                 : std::string();
  std::vector<std::string> nodes = functions::SplitNodes(clean);
  auto [b, e] = PySlice(nodes.size(), start, stop == 0 ? std::nullopt : std::optional(stop));
  std::string out = JoinNodes(nodes, b, e);
  if (size_t comma = out.find(','); comma != std::string::npos) out.resize(comma);
  return out;
}

core::Result<SeriesList> SubstrFn(Call& call, std::optional<std::pair<int64_t, int64_t>> fixed) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  int64_t start = 0, stop = 0;
  if (fixed) {
    std::tie(start, stop) = *fixed;
  } else {
    ASSIGN_OR_RETURN(start, call.Integer("start", 0));
    ASSIGN_OR_RETURN(stop, call.Integer("stop", 0));
  }
  for (Series& s : list) s.name = Substr(s.name, start, stop);
  return list;
}

core::Result<SeriesList> Alias(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(std::string name, call.String("newName"));
  for (Series& s : list) s.name = name;
  return list;
}

core::Result<SeriesList> AliasSub(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(std::string search, call.String("search"));
  ASSIGN_OR_RETURN(std::string replace, call.String("replace"));
  auto re = functions::PyRegex::Compile(search);
  if (!re.ok()) return call.Error(re.status().message());
  for (Series& s : list) {
    auto name = re->Sub(replace, s.name);
    if (!name.ok()) return call.Error(name.status().message());
    s.name = std::move(*name);
  }
  return list;
}

// Python's `fmt % value` for one float value: %d %i %u %f %F %e %E %g %G %s %r with flags,
// width and precision; %% literal. Anything else (zero or several conversions, a mapping key,
// another conversion) raises in Python and is INVALID_ARGUMENT here.
core::Result<std::string> PyPercent(std::string_view fmt_text, double value) {
  std::string out;
  int conversions = 0;
  for (size_t i = 0; i < fmt_text.size(); ++i) {
    if (fmt_text[i] != '%') {
      out += fmt_text[i];
      continue;
    }
    size_t j = i + 1;
    while (j < fmt_text.size() &&
           std::string_view("-+ #0").find(fmt_text[j]) != std::string_view::npos)
      ++j;
    while (j < fmt_text.size() && std::isdigit(static_cast<unsigned char>(fmt_text[j]))) ++j;
    if (j < fmt_text.size() && fmt_text[j] == '.') {
      ++j;
      while (j < fmt_text.size() && std::isdigit(static_cast<unsigned char>(fmt_text[j]))) ++j;
    }
    if (j >= fmt_text.size()) return core::InvalidArgument("incomplete format");
    char conv = fmt_text[j];
    std::string spec(fmt_text.substr(i, j - i));
    i = j;
    if (conv == '%' && spec == "%") {
      out += '%';
      continue;
    }
    if (++conversions > 1) return core::InvalidArgument("not enough arguments for format string");
    char buf[512];
    if (std::string_view("fFeEgG").find(conv) != std::string_view::npos) {
      std::snprintf(buf, sizeof buf, (spec + conv).c_str(), value);
    } else if (conv == 'd' || conv == 'i' || conv == 'u') {
      if (!std::isfinite(value)) return core::InvalidArgument("cannot convert float to integer");
      std::snprintf(buf, sizeof buf, (spec + "lld").c_str(),
                    static_cast<long long>(std::trunc(std::clamp(value, -9e18, 9e18))));
    } else if (conv == 's' || conv == 'r') {
      std::string repr = functions::FormatNumberArg(value, false);
      std::snprintf(buf, sizeof buf, (spec + 's').c_str(), repr.c_str());
    } else {
      return core::InvalidArgument(fmt::format("unsupported format character '{}'", conv));
    }
    out += buf;
  }
  if (conversions == 0)
    return core::InvalidArgument("not all arguments converted during string formatting");
  return out;
}

core::Result<SeriesList> AliasQuery(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(std::string search, call.String("search"));
  ASSIGN_OR_RETURN(std::string replace, call.String("replace"));
  ASSIGN_OR_RETURN(std::string new_name, call.String("newName"));
  auto re = functions::PyRegex::Compile(search);
  if (!re.ok()) return call.Error(re.status().message());
  for (Series& s : list) {
    auto query = re->Sub(replace, s.name);
    if (!query.ok()) return call.Error(query.status().message());
    ASSIGN_OR_RETURN(SeriesList found, call.evaluator().EvaluateTarget(*query, call.window()));
    if (found.empty()) return call.Error("No series found with query: " + *query);
    const auto& v = found[0].values;
    auto last = std::find_if(v.rbegin(), v.rend(), [](double x) { return !IsNull(x); });
    if (last == v.rend()) return call.Error("Cannot get last value of series: " + found[0].name);
    auto name = PyPercent(new_name, *last);
    if (!name.ok()) return call.Error(name.status().message());
    s.name = std::move(*name);
  }
  return list;
}

// glyph.py format_units: the value scaled to the largest unit it reaches, and the prefix.
std::pair<double, std::string> FormatUnits(double v, std::string_view system,
                                           std::string_view units = {}) {
  static constexpr std::pair<const char*, double> kSi[] = {
      {"P", 1e15}, {"T", 1e12}, {"G", 1e9}, {"M", 1e6}, {"k", 1e3}};
  static constexpr std::pair<const char*, double> kBinary[] = {{"Pi", 1125899906842624.0},
                                                               {"Ti", 1099511627776.0},
                                                               {"Gi", 1073741824.0},
                                                               {"Mi", 1048576.0},
                                                               {"Ki", 1024.0}};
  std::span<const std::pair<const char*, double>> table =
      system == "binary" ? std::span(kBinary) : std::span(kSi);
  for (const auto& [prefix, size] : table) {
    if (std::fabs(v) >= size) {
      double v2 = v / size;
      if (v2 - std::floor(v2) < 1e-11 && v > 1) v2 = std::floor(v2);
      return {v2, std::string(prefix) + std::string(units)};
    }
  }
  if (v - std::floor(v) < 1e-11 && v > 1) v = std::floor(v);
  return {v, std::string(units)};
}

std::string Printf(const char* format, double v, const std::string& suffix) {
  char buf[512];
  std::snprintf(buf, sizeof buf, format, v, suffix.c_str());
  return buf;
}

// Python's "%-*s" (negative width = left-justified).
std::string PadRight(std::string s, size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

core::Result<SeriesList> LegendValue(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  std::vector<std::string> types;
  for (const Expr* e : call.Raw("valuesTypes")) {
    if (e->kind != ExprKind::kString) return call.Error("value types must be quoted strings");
    types.push_back(e->text);
  }
  if (types.empty()) return call.Error("needs at least one value type");
  std::optional<std::string> system;
  if (types.back() == "si" || types.back() == "binary") {
    system = types.back();
    types.pop_back();
  }
  for (const std::string& type : types) {
    bool deprecated = type.size() > 6 && type.ends_with("Series");  // getAggFunc rejects these
    auto agg = deprecated ? std::nullopt : functions::GetAggFunc(type);
    for (Series& s : list) {
      std::string value = "(?)";
      std::optional<double> v;
      if (agg) {
        v = (*agg)(s.values);
        value = v ? functions::FormatNumberArg(*v, type == "count") : "None";
      }
      if (!system) {
        s.name += fmt::format(" ({}: {})", type, value);
        continue;
      }
      if (agg && v) {
        auto [scaled, prefix] = FormatUnits(*v, *system);
        value = Printf("%.2f%s", scaled, prefix);
      }
      s.name = PadRight(s.name, 20) + PadRight(type, 5) + PadRight(value, 10);
    }
  }
  return list;
}

core::Result<SeriesList> CactiStyle(Call& call) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  ASSIGN_OR_RETURN(std::string system, call.String("system", ""));
  ASSIGN_OR_RETURN(std::string units, call.String("units", ""));
  auto fmt_value = [&](double x) {
    if (!system.empty()) {
      auto [v, prefix] = FormatUnits(x, system, units);
      return Printf(units.empty() ? "%.2f%s" : "%.2f %s", v, prefix);
    }
    return Printf(units.empty() ? "%.2f" : "%.2f %s", x, units);
  };
  struct Stats {
    std::optional<double> last, max, min;
  };
  std::vector<Stats> stats;
  size_t name_len = 0, last_len = 0, max_len = 0, min_len = 0;
  // Column widths: graphite-web measures int(v or 3), so 0 and null both measure as 3.
  auto width = [&](std::optional<double> v) {
    double x = v && *v != 0 ? std::trunc(*v) : 3.0;
    return fmt_value(x).size() + 3;
  };
  for (const Series& s : list) {
    Stats st;
    for (double v : s.values) {
      if (IsNull(v)) continue;
      st.last = v;
      if (!st.max || v > *st.max) st.max = v;
      if (!st.min || v < *st.min) st.min = v;
    }
    name_len = std::max(name_len, s.name.size());
    last_len = std::max(last_len, width(st.last));
    max_len = std::max(max_len, width(st.max));
    min_len = std::max(min_len, width(st.min));
    stats.push_back(st);
  }
  for (size_t i = 0; i < list.size(); ++i) {
    auto text = [&](std::optional<double> v) { return v ? fmt_value(*v) : std::string("nan"); };
    list[i].name =
        fmt::format("{} Current:{} Max:{} Min:{} ", PadRight(list[i].name, name_len),
                    PadRight(text(stats[i].last), last_len), PadRight(text(stats[i].max), max_len),
                    PadRight(text(stats[i].min), min_len));
  }
  return list;
}

// upper()/lower(): the whole name, or only the characters at the given positions.
core::Result<SeriesList> ChangeCase(Call& call, int (*f)(int)) {
  ASSIGN_OR_RETURN(SeriesList list, call.Series("seriesList"));
  std::vector<int64_t> positions;
  for (const Expr* e : call.Raw("pos")) {
    if (e->kind != ExprKind::kNumber || !e->is_integer)
      return call.Error("positions must be integers");
    positions.push_back(static_cast<int64_t>(e->number));
  }
  for (Series& s : list) {
    auto apply = [&](char& c) { c = static_cast<char>(f(static_cast<unsigned char>(c))); };
    if (positions.empty()) std::for_each(s.name.begin(), s.name.end(), apply);
    int64_t n = static_cast<int64_t>(s.name.size());
    for (int64_t p : positions) {
      if (p >= -n && p < n) apply(s.name[static_cast<size_t>(p < 0 ? p + n : p)]);
    }
  }
  return list;
}

void Register(FunctionRegistry& r, std::string name, std::string group, std::string description,
              std::vector<ParamSpec> params, FunctionImpl impl) {
  r.Add(FunctionSpec{std::move(name), std::move(group), std::move(description), std::move(params),
                     std::move(impl)});
}

std::vector<std::string> LegendOptions() {
  std::vector<std::string> names = {"average", "avg_zero", "median", "sum",    "min",      "max",
                                    "diff",    "stddev",   "count",  "range",  "multiply", "last",
                                    "rangeOf", "avg",      "total",  "current"};
  size_t n = names.size();
  for (size_t i = 0; i < n; ++i) names.push_back(names[i] + "Series");
  names.push_back("si");
  names.push_back("binary");
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

void RegisterAliasFunctions(FunctionRegistry& r) {
  const ParamSpec sl = SeriesListParam();
  Register(r, "alias", "Alias", "Replaces the series name with `newName`.",
           {sl, MakeParam("newName", ParamType::kString, true)}, Alias);
  Register(r, "aliasByNode", "Alias",
           "Names each series after one or more nodes (0-indexed) of its name, or tags.",
           {sl, MakeParam("nodes", ParamType::kNodeOrTag, true, true)},
           [](Call& c) { return AliasByNode(c, "nodes"); });
  Register(r, "aliasByTags", "Alias", "Names each series after tags and/or nodes.",
           {sl, MakeParam("tags", ParamType::kNodeOrTag, true, true)},
           [](Call& c) { return AliasByNode(c, "tags"); });
  Register(r, "aliasByMetric", "Alias", "Names each series after the last node of its metric.",
           {sl}, [](Call& c) {
             return SubstrFn(c, std::pair<int64_t, int64_t>{-1, 0});
           });
  Register(r, "aliasSub", "Alias", "Runs series names through a regex search/replace.",
           {sl, MakeParam("search", ParamType::kString, true),
            MakeParam("replace", ParamType::kString, true)},
           AliasSub);
  Register(r, "aliasQuery", "Alias",
           "Names each series with `newName` % (last value of the series its name maps to).",
           {sl, MakeParam("search", ParamType::kString, true),
            MakeParam("replace", ParamType::kString, true),
            MakeParam("newName", ParamType::kString, true)},
           AliasQuery);
  Register(r, "legendValue", "Alias",
           "Appends aggregate values (last, avg, total, min, max...) to the series name.",
           {sl, MakeParam("valuesTypes", ParamType::kString, false, true, std::nullopt,
                          LegendOptions())},
           LegendValue);
  Register(r, "substr", "Special", "Keeps nodes [start:stop] of the series name.",
           {sl, MakeParam("start", ParamType::kNode, false, false, "0"),
            MakeParam("stop", ParamType::kNode, false, false, "0")},
           [](Call& c) { return SubstrFn(c, std::nullopt); });
  Register(
      r, "cactiStyle", "Special",
      "Appends column-aligned Current, Max and Min values to the series names.",
      {sl, MakeParam("system", ParamType::kString, false, false, std::nullopt, {"binary", "si"}),
       MakeParam("units", ParamType::kString)},
      CactiStyle);
  Register(r, "upper", "Alias", "Upper-cases the name, or the characters at positions `pos`.",
           {sl, MakeParam("pos", ParamType::kInteger, false, true)},
           [](Call& c) { return ChangeCase(c, ::toupper); });
  Register(r, "lower", "Alias", "Lower-cases the name, or the characters at positions `pos`.",
           {sl, MakeParam("pos", ParamType::kInteger, false, true)},
           [](Call& c) { return ChangeCase(c, ::tolower); });
}

}  // namespace meridian::query
