#include "query/functions/common.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>

#include "query/internal/py_format.h"
#include "query/time_parser.h"

namespace meridian::query::functions {
namespace {

// Python sums left to right; so do we, so that float results match bit for bit.
std::optional<double> SafeSum(std::span<const double> v) {
  double sum = 0;
  bool any = false;
  for (double x : v) {
    if (IsNull(x)) continue;
    sum += x;
    any = true;
  }
  if (!any) return std::nullopt;
  return sum;
}

std::optional<double> SafeAvg(std::span<const double> v) {
  double sum = 0;
  size_t n = 0;
  for (double x : v) {
    if (IsNull(x)) continue;
    sum += x;
    ++n;
  }
  if (n == 0) return std::nullopt;
  return sum / static_cast<double>(n);
}

std::optional<double> SafeAvgZero(std::span<const double> v) {
  if (v.empty()) return std::nullopt;
  double sum = 0;
  for (double x : v) sum += IsNull(x) ? 0.0 : x;
  return sum / static_cast<double>(v.size());
}

std::optional<double> SafeMedian(std::span<const double> v) {
  std::vector<double> s;
  for (double x : v) {
    if (!IsNull(x)) s.push_back(x);
  }
  if (s.empty()) return std::nullopt;
  std::sort(s.begin(), s.end());
  size_t mid = s.size() / 2;
  if (s.size() % 2 == 0) return (s[mid - 1] + s[mid]) / 2;
  return s[mid];
}

std::optional<double> SafeMin(std::span<const double> v) {
  std::optional<double> best;
  for (double x : v) {
    if (!IsNull(x) && (!best || x < *best)) best = x;
  }
  return best;
}

std::optional<double> SafeMax(std::span<const double> v) {
  std::optional<double> best;
  for (double x : v) {
    if (!IsNull(x) && (!best || x > *best)) best = x;
  }
  return best;
}

// safeDiff: the first non-null value minus every later non-null value.
std::optional<double> SafeDiff(std::span<const double> v) {
  std::optional<double> acc;
  for (double x : v) {
    if (IsNull(x)) continue;
    acc = acc ? *acc + (-x) : x;
  }
  return acc;
}

// safeStdDev: population standard deviation of the non-null values.
std::optional<double> SafeStdDev(std::span<const double> v) {
  std::optional<double> avg = SafeAvg(v);
  if (!avg) return std::nullopt;
  double sum = 0;
  size_t n = 0;
  for (double x : v) {
    if (IsNull(x)) continue;
    sum += (x - *avg) * (x - *avg);
    ++n;
  }
  return std::sqrt(sum / static_cast<double>(n));
}

// safeLen counts non-null values and is never None (0 for an all-null row).
std::optional<double> SafeCount(std::span<const double> v) {
  return static_cast<double>(
      std::count_if(v.begin(), v.end(), [](double x) { return !IsNull(x); }));
}

std::optional<double> SafeRange(std::span<const double> v) {
  std::optional<double> lo = SafeMin(v), hi = SafeMax(v);
  if (!lo || !hi) return std::nullopt;
  return *hi - *lo;
}

// safeMul: any null makes the product null. graphite-web raises on an empty row; null here.
std::optional<double> SafeMultiply(std::span<const double> v) {
  if (v.empty()) return std::nullopt;
  double product = 1;
  for (size_t i = 0; i < v.size(); ++i) {
    if (IsNull(v[i])) return std::nullopt;
    product = i == 0 ? v[i] : product * v[i];
  }
  return product;
}

std::optional<double> SafeLast(std::span<const double> v) {
  for (auto it = v.rbegin(); it != v.rend(); ++it) {
    if (!IsNull(*it)) return *it;
  }
  return std::nullopt;
}

struct NamedAgg {
  std::string_view name;
  AggFunc func;
};

// aggfuncs.py's aggFuncs then aggFuncAliases, in declaration order.
constexpr NamedAgg kAggFuncs[] = {
    {"average", SafeAvg},   {"avg_zero", SafeAvgZero},  {"median", SafeMedian},
    {"sum", SafeSum},       {"min", SafeMin},           {"max", SafeMax},
    {"diff", SafeDiff},     {"stddev", SafeStdDev},     {"count", SafeCount},
    {"range", SafeRange},   {"multiply", SafeMultiply}, {"last", SafeLast},
    {"rangeOf", SafeRange}, {"avg", SafeAvg},           {"total", SafeSum},
    {"current", SafeLast},
};

std::string_view StripSeriesSuffix(std::string_view name) {
  constexpr std::string_view kSuffix = "Series";
  if (name.size() >= kSuffix.size() && name.substr(name.size() - kSuffix.size()) == kSuffix) {
    name.remove_suffix(kSuffix.size());
  }
  return name;
}

int64_t Lcm(int64_t a, int64_t b) { return a / std::gcd(a, b) * b; }

// Consolidation functions of TimeSeries.__consolidatingGenerator over the usable values.
double ConsolidateBucket(std::string_view func, const std::vector<double>& buf) {
  if (func == "sum") return std::accumulate(buf.begin(), buf.end(), 0.0);
  if (func == "max") return *std::max_element(buf.begin(), buf.end());
  if (func == "min") return *std::min_element(buf.begin(), buf.end());
  if (func == "first") return buf.front();
  if (func == "last") return buf.back();
  // average, avg and avg_zero (whose buffer holds zeros for nulls).
  return std::accumulate(buf.begin(), buf.end(), 0.0) / static_cast<double>(buf.size());
}

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdent(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// pyparsing's number token as an argument: -?\d+(\.\d+)?([eE]-?\d+)? then ',' or ')' or end.
bool IsNumberArg(std::string_view s, size_t p) {
  size_t q = p;
  auto digits = [&] {
    size_t from = q;
    while (q < s.size() && std::isdigit(static_cast<unsigned char>(s[q]))) ++q;
    return q > from;
  };
  if (q < s.size() && s[q] == '-') ++q;
  if (!digits()) return false;
  if (q < s.size() && s[q] == '.') {
    ++q;
    if (!digits()) return false;
  }
  if (q < s.size() && (s[q] == 'e' || s[q] == 'E')) {
    ++q;
    if (q < s.size() && s[q] == '-') ++q;
    if (!digits()) return false;
  }
  while (q < s.size() && s[q] == ' ') ++q;
  return q == s.size() || s[q] == ',' || s[q] == ')';
}

// A pathExpression token at `p` (metric chars, `{a,b}` enumerations, backslash escapes).
std::string_view PathTokenAt(std::string_view s, size_t p) {
  size_t q = p;
  int braces = 0;
  while (q < s.size()) {
    char c = s[q];
    if (c == '\\' && q + 1 < s.size()) {
      q += 2;
      continue;
    }
    if (c == '{') ++braces;
    if (c == '}') --braces;
    if (braces < 0) break;
    bool stop = c == '(' || c == ')' || c == '\'' || c == '"' || c == '|' ||
                std::isspace(static_cast<unsigned char>(c)) || (c == ',' && braces == 0);
    if (stop) break;
    ++q;
  }
  return s.substr(p, q - p);
}

std::string BeforeTags(std::string_view s) { return std::string(s.substr(0, s.find(';'))); }

}  // namespace

std::string FormatG(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string FormatNumberArg(double v, bool is_integer) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (is_integer) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  std::string out;
  internal::AppendPythonFloat(v, &out);
  return out;
}

std::string NumberArgText(const Call& call, std::string_view param, ParamType type,
                          std::string_view fallback) {
  const auto& raw = call.Raw(param);
  if (raw.empty() || raw[0]->kind != ExprKind::kNumber) return std::string(fallback);
  bool as_integer = raw[0]->is_integer;
  if (type == ParamType::kFloat) as_integer = false;
  return FormatNumberArg(raw[0]->number, as_integer);
}

double PyRound(double x, int64_t ndigits) {
  if (!std::isfinite(x) || ndigits > 323) return x;
  if (ndigits >= 0) {
    if (std::fabs(x) >= 4503599627370496.0) return x;  // 2^52: already integral
    char buf[400];
    std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(ndigits), x);
    return std::strtod(buf, nullptr);
  }
  if (ndigits < -308) return 0.0 * x;
  double p = std::pow(10.0, static_cast<double>(-ndigits));
  return std::nearbyint(x / p) * p;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

core::Result<int64_t> IntervalArg(const Call& call, std::string_view text) {
  auto seconds = ParseOffset(text);
  if (!seconds.ok()) return call.Error(seconds.status().message());
  return *seconds;
}

ParamSpec MakeParam(std::string name, ParamType type, bool required, bool multiple,
                    std::optional<std::string> default_json, std::vector<std::string> options) {
  ParamSpec p;
  p.name = std::move(name);
  p.type = type;
  p.required = required;
  p.multiple = multiple;
  p.default_json = std::move(default_json);
  p.options = std::move(options);
  return p;
}

void AddFunction(FunctionRegistry& registry, std::string name, std::string group,
                 std::string description, std::vector<ParamSpec> params, FunctionImpl impl) {
  registry.Add(FunctionSpec{std::move(name), std::move(group), std::move(description),
                            std::move(params), std::move(impl)});
}

std::vector<std::string> AggFuncOptions() {
  std::vector<std::string> names = {"average", "avg_zero", "median", "sum",    "min",      "max",
                                    "diff",    "stddev",   "count",  "range",  "multiply", "last",
                                    "rangeOf", "avg",      "total",  "current"};
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<AggFunc> GetAggFunc(std::string_view name) {
  name = StripSeriesSuffix(name);
  for (const NamedAgg& agg : kAggFuncs) {
    if (agg.name == name) return agg.func;
  }
  return std::nullopt;
}

std::string CanonicalAggName(std::string_view name) {
  name = StripSeriesSuffix(name);
  if (name == "avg") return "average";
  if (name == "total") return "sum";
  if (name == "current") return "last";
  if (name == "rangeOf") return "range";
  return std::string(name);
}

std::vector<std::string> AggFuncNames() {
  std::vector<std::string> names;
  for (const NamedAgg& agg : kAggFuncs) names.emplace_back(agg.name);
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<double> GetPercentile(std::span<const double> points, double n, bool interpolate) {
  std::vector<double> sorted;
  for (double x : points) {
    if (!IsNull(x)) sorted.push_back(x);
  }
  if (sorted.empty()) return std::nullopt;
  std::sort(sorted.begin(), sorted.end());
  double fractional_rank = (n / 100.0) * static_cast<double>(sorted.size() + 1);
  // Python's int() truncates toward zero; ranks past the end are clamped as graphite-web would
  // index them (rank - 1 == len → last value), and beyond that we clamp instead of raising.
  double truncated = std::trunc(fractional_rank);
  double rank_fraction = fractional_rank - truncated;
  double rank_d = truncated;
  if (!interpolate) rank_d += std::ceil(rank_fraction);
  int64_t len = static_cast<int64_t>(sorted.size());
  int64_t rank = static_cast<int64_t>(
      std::clamp(rank_d, static_cast<double>(1 - len), static_cast<double>(len + 1)));
  double percentile;
  if (rank == 0) {
    percentile = sorted.front();
  } else if (rank - 1 >= len) {
    percentile = sorted.back();
  } else if (rank < 0) {
    percentile = sorted[static_cast<size_t>(len + rank - 1)];  // Python's negative index
  } else {
    percentile = sorted[static_cast<size_t>(rank - 1)];
  }
  if (interpolate && rank != len && rank >= 0 && rank < len) {
    double next = sorted[static_cast<size_t>(rank)];
    percentile = percentile + rank_fraction * (next - percentile);
  }
  return percentile;
}

std::vector<double> Consolidate(std::span<const double> values, int64_t values_per_point,
                                std::string_view func, double xff) {
  if (values_per_point <= 1) return std::vector<double>(values.begin(), values.end());
  std::vector<double> out;
  out.reserve(values.size() / static_cast<size_t>(values_per_point) + 1);
  std::vector<double> buf;
  int64_t count = 0, non_null = 0;
  auto flush = [&] {
    bool enough = non_null > 0 &&
                  static_cast<double>(non_null) / static_cast<double>(values_per_point) >= xff;
    out.push_back(enough ? ConsolidateBucket(func, buf) : kNull);
    buf.clear();
    count = non_null = 0;
  };
  for (double v : values) {
    ++count;
    if (!IsNull(v)) {
      buf.push_back(v);
      ++non_null;
    } else if (func == "avg_zero") {
      buf.push_back(0);
    }
    if (count == values_per_point) flush();
  }
  if (count > 0) flush();
  return out;
}

core::Result<Normalized> Normalize(const SeriesList& series) {
  if (series.empty()) return core::InvalidArgument("normalize: no series");
  constexpr int64_t kMaxStep = int64_t{1} << 40;
  int64_t step = 0;
  for (const Series& s : series) {
    if (s.step <= 0) return core::InvalidArgument("normalize: series '" + s.name + "' has no step");
    step = step == 0 ? s.step : Lcm(step, s.step);
    if (step > kMaxStep) return core::InvalidArgument("normalize: steps have no usable LCM");
  }
  Normalized n;
  n.step = step;
  n.start = series.front().start;
  n.end = series.front().end;
  for (const Series& s : series) {
    n.start = std::min(n.start, s.start);
    n.end = std::max(n.end, s.end);
    if (step == s.step) {
      n.values.emplace_back(s.values);
    } else {
      n.owned.push_back(
          Consolidate(s.values, step / s.step, s.consolidation_func, s.x_files_factor));
      n.values.emplace_back(n.owned.back());  // its buffer stays put when `owned` grows
    }
    n.length = std::max(n.length, n.values.back().size());
  }
  // Python's % is a floor modulo (non-negative for a positive step).
  int64_t span = n.end - n.start;
  n.end -= ((span % step) + step) % step;
  return n;
}

std::vector<double> AggregateAcross(const Normalized& n, AggFunc func, double xff) {
  std::vector<double> out(n.length, kNull);
  std::vector<double> row(n.values.size());
  for (size_t i = 0; i < n.length; ++i) {
    size_t non_null = 0;
    for (size_t k = 0; k < n.values.size(); ++k) {
      row[k] = i < n.values[k].size() ? n.values[k][i] : kNull;
      if (!IsNull(row[k])) ++non_null;
    }
    // xffValues(): at least one value, and the share of non-null values reaches xff.
    if (non_null == 0) continue;
    if (static_cast<double>(non_null) / static_cast<double>(row.size()) < xff) continue;
    std::optional<double> v = func(row);
    if (v) out[i] = *v;
  }
  return out;
}

std::string JoinPathExpressions(const SeriesList& series) {
  std::vector<const std::string*> seen;
  std::string out;
  for (const Series& s : series) {
    bool dup = std::any_of(seen.begin(), seen.end(),
                           [&](const std::string* p) { return *p == s.path_expression; });
    if (dup) continue;
    seen.push_back(&s.path_expression);
    if (!out.empty()) out.push_back(',');
    out += s.path_expression;
  }
  return out;
}

std::map<std::string, std::string> CommonTags(const SeriesList& series) {
  if (series.empty()) return {};
  std::map<std::string, std::string> tags = series.front().tags;
  for (const Series& s : series) {
    std::erase_if(tags, [&](const auto& kv) {
      auto it = s.tags.find(kv.first);
      return it == s.tags.end() || it->second != kv.second;
    });
  }
  return tags;
}

std::map<std::string, std::string> AggregateTags(const SeriesList& series, const std::string& name,
                                                 std::string_view func) {
  return AggregateTags(CommonTags(series), name, func);
}

std::map<std::string, std::string> AggregateTags(std::map<std::string, std::string> common_tags,
                                                 const std::string& name, std::string_view func) {
  std::map<std::string, std::string> tags = std::move(common_tags);
  tags.emplace("name", name);  // kept when every input shares one name tag
  tags["aggregatedBy"] = std::string(func);
  return tags;
}

bool LooksLikeCall(std::string_view name) {
  // TimeSeries skips tag parsing for names matching ^[a-z]+[(].+[)]$ (case-insensitive).
  size_t i = 0;
  while (i < name.size() && std::isalpha(static_cast<unsigned char>(name[i]))) ++i;
  return i > 0 && i < name.size() && name[i] == '(' && name.size() >= i + 3 && name.back() == ')';
}

Series MakeSeries(const Series& like, std::string name, std::vector<double> values) {
  Series s;
  s.tags =
      LooksLikeCall(name) ? std::map<std::string, std::string>{{"name", name}} : TagsForName(name);
  s.path_expression = name;
  s.name = std::move(name);
  s.start = like.start;
  s.end = like.end;
  s.step = like.step;
  s.values = std::move(values);
  s.consolidation_func = like.consolidation_func;
  s.x_files_factor = like.x_files_factor;
  return s;
}

std::string FirstPathExpression(std::string_view name) {
  if (name.empty() || name.back() != ')') return BeforeTags(name);
  size_t p = 0;
  // Descend through calls into their first argument, as _getFirstPathExpression does.
  while (p < name.size()) {
    while (p < name.size() && name[p] == ' ') ++p;
    if (p >= name.size()) break;
    size_t q = p;
    if (IsIdentStart(name[q])) {
      while (q < name.size() && IsIdent(name[q])) ++q;
      if (q < name.size() && name[q] == '(') {
        p = q + 1;
        continue;
      }
    }
    if (name[p] == '\'' || name[p] == '"' || IsNumberArg(name, p)) break;
    std::string_view token = PathTokenAt(name, p);
    if (token.empty()) break;
    return BeforeTags(token);
  }
  return BeforeTags(name);  // no path inside: graphite-web falls back to the whole name
}

std::vector<std::string> SplitNodes(std::string_view path) {
  std::vector<std::string> nodes;
  size_t from = 0;
  while (true) {
    size_t dot = path.find('.', from);
    nodes.emplace_back(path.substr(from, dot == std::string_view::npos ? dot : dot - from));
    if (dot == std::string_view::npos) break;
    from = dot + 1;
  }
  return nodes;
}

}  // namespace meridian::query::functions
