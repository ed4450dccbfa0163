#include "support/render_compare.h"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>

namespace meridian::testing {
namespace {

using nlohmann::json;

// Collects counts and the first few readable mismatch descriptions.
class DiffBuilder {
 public:
  explicit DiffBuilder(const RenderCompareOptions& options) : options_(options) {}

  void Mismatch(std::string what) {
    ++diff_.mismatch_count;
    if (diff_.mismatches.size() < options_.max_reported)
      diff_.mismatches.push_back(std::move(what));
  }
  RenderDiff& diff() { return diff_; }
  const RenderCompareOptions& options() const { return options_; }

 private:
  const RenderCompareOptions& options_;
  RenderDiff diff_;
};

bool IsInf(const json& v) { return v.is_string() && (v == "inf" || v == "-inf"); }

std::string Show(const json& v) {
  if (IsInf(v)) return v == "inf" ? "1e9999" : "-1e9999";
  return v.dump();
}

bool NumbersClose(double x, double y, double tolerance) {
  if (x == y) return true;
  if (std::isnan(x) || std::isnan(y)) return false;
  return std::fabs(x - y) <= tolerance * std::max(std::fabs(x), std::fabs(y));
}

// Compares one value; returns true (and counts inf-as-null) when they are the same.
bool SameValue(const json& expected, const json& actual, DiffBuilder& b) {
  if (expected.is_null() && actual.is_null()) return true;
  if (IsInf(expected)) {
    if (actual == expected) return true;
    if (actual.is_null()) {
      ++b.diff().inf_as_null;
      return true;
    }
    return false;
  }
  if (expected.is_number() && actual.is_number()) {
    return NumbersClose(expected.get<double>(), actual.get<double>(),
                        b.options().relative_tolerance);
  }
  return false;
}

std::string NameOf(const json& series) {
  if (!series.is_object() || !series.contains("target")) return "<no target>";
  const json& t = series["target"];
  return t.is_string() ? t.get<std::string>() : t.dump();
}

void CompareDatapoints(const json& expected, const json& actual, const std::string& name,
                       DiffBuilder& b) {
  if (!expected.is_array() || !actual.is_array()) {
    return b.Mismatch(fmt::format("'{}': datapoints missing or not a list", name));
  }
  if (expected.size() != actual.size()) {
    b.Mismatch(fmt::format("'{}': {} datapoints, graphite-web has {}", name, actual.size(),
                           expected.size()));
  }
  for (size_t i = 0; i < std::min(expected.size(), actual.size()); ++i) {
    const json& e = expected[i];
    const json& a = actual[i];
    ++b.diff().points_compared;
    bool shaped = e.is_array() && e.size() == 2 && a.is_array() && a.size() == 2;
    if (shaped && e[1] == a[1] && SameValue(e[0], a[0], b)) {
      ++b.diff().points_matched;
      continue;
    }
    if (!shaped) {
      b.Mismatch(fmt::format("'{}'[{}]: graphite-web {} meridian {}", name, i, e.dump(), a.dump()));
    } else if (e[1] != a[1]) {
      b.Mismatch(fmt::format("'{}'[{}]: timestamp graphite-web {} meridian {}", name, i,
                             e[1].dump(), a[1].dump()));
    } else {
      b.Mismatch(fmt::format("'{}' @{}: graphite-web {} meridian {}", name, e[1].dump(), Show(e[0]),
                             Show(a[0])));
    }
  }
}

void CompareSeries(const json& expected, const json& actual, size_t index, DiffBuilder& b) {
  ++b.diff().series_compared;
  const std::string name = NameOf(expected);
  if (NameOf(actual) != name) {
    b.Mismatch(fmt::format("series {}: target graphite-web '{}' meridian '{}'", index, name,
                           NameOf(actual)));
  }
  json no_tags = json::object();
  const json& et = expected.is_object() && expected.contains("tags") ? expected["tags"] : no_tags;
  const json& at = actual.is_object() && actual.contains("tags") ? actual["tags"] : no_tags;
  if (et != at) {
    b.Mismatch(fmt::format("'{}': tags graphite-web {} meridian {}", name, et.dump(), at.dump()));
  }
  CompareDatapoints(expected.value("datapoints", json()), actual.value("datapoints", json()), name,
                    b);
}

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    size_t pos = s.find(sep);
    out.push_back(s.substr(0, pos));
    if (pos == std::string_view::npos) return out;
    s.remove_prefix(pos + 1);
  }
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Query-string decoding: %XX and '+' (space). nullopt for a broken escape.
std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] != '%') {
      out += s[i];
    } else if (i + 2 < s.size() && HexDigit(s[i + 1]) >= 0 && HexDigit(s[i + 2]) >= 0) {
      out += static_cast<char>(HexDigit(s[i + 1]) * 16 + HexDigit(s[i + 2]));
      i += 2;
    } else {
      return std::nullopt;
    }
  }
  return out;
}

core::Status ParseOptions(std::string_view field, RenderTargetSpec& spec) {
  for (std::string_view pair : Split(field, '&')) {
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto key = PercentDecode(pair.substr(0, eq));
    auto value = PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    if (eq == std::string_view::npos || !key || !value || key->empty()) {
      return core::InvalidArgument(fmt::format("line {}: bad option '{}'", spec.line, pair));
    }
    if (*key == "method") {
      if (*value != "POST" && *value != "GET") {
        return core::InvalidArgument(fmt::format("line {}: method must be GET or POST", spec.line));
      }
      spec.post = *value == "POST";
      continue;
    }
    spec.options.emplace_back(std::move(*key), std::move(*value));
  }
  return core::Status::Ok();
}

}  // namespace

std::string RenderTargetSpec::Label() const {
  std::string opts;
  for (const auto& [k, v] : options) opts += fmt::format("{}{}={}", opts.empty() ? "" : " ", k, v);
  if (post) opts += opts.empty() ? "POST" : " POST";
  return opts.empty() ? target : fmt::format("{}  [{}]", target, opts);
}

std::string RenderTargetSpec::Option(std::string_view key, std::string_view fallback) const {
  for (const auto& [k, v] : options) {
    if (k == key) return v;
  }
  return std::string(fallback);
}

core::Result<std::vector<RenderTargetSpec>> ParseRenderTargets(std::string_view text) {
  std::vector<RenderTargetSpec> specs;
  int line_no = 0;
  for (std::string_view line : SplitLines(text)) {
    ++line_no;
    std::string_view trimmed = Trim(line);
    if (trimmed.empty() || trimmed.front() == '#') continue;
    std::vector<std::string_view> fields = Split(trimmed, '\t');
    RenderTargetSpec spec;
    spec.line = line_no;
    spec.target = std::string(Trim(fields[0]));
    if (spec.target.empty()) {
      return core::InvalidArgument(fmt::format("line {}: empty target", line_no));
    }
    for (size_t i = 1; i < fields.size(); ++i) {
      std::string_view field = Trim(fields[i]);
      if (field == "@strict") {
        spec.strict = true;
      } else {
        RETURN_IF_ERROR(ParseOptions(field, spec));
      }
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

core::Result<std::map<std::string, std::string>> ParseKnownDifferences(std::string_view text) {
  std::map<std::string, std::string> known;
  int line_no = 0;
  for (std::string_view line : SplitLines(text)) {
    ++line_no;
    std::string_view trimmed = Trim(line);
    if (trimmed.empty() || trimmed.front() == '#') continue;
    size_t tab = trimmed.find('\t');
    std::string_view reason = tab == std::string_view::npos ? "" : Trim(trimmed.substr(tab + 1));
    if (reason.empty()) {
      return core::InvalidArgument(
          fmt::format("line {}: known difference without a reason (target<TAB>reason)", line_no));
    }
    known[std::string(Trim(trimmed.substr(0, tab)))] = std::string(reason);
  }
  return known;
}

core::Result<json> ParseGraphiteJson(std::string_view body) {
  std::string text;
  text.reserve(body.size());
  bool in_string = false;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (in_string) {
      text += c;
      if (c == '\\' && i + 1 < body.size()) {
        text += body[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    bool negative = c == '-';
    std::string_view rest = body.substr(negative ? i + 1 : i);
    bool token_start = i == 0 || !(std::isalnum(static_cast<unsigned char>(body[i - 1])) ||
                                   body[i - 1] == '.' || body[i - 1] == '-');
    bool token_end =
        rest.size() == 6 ||
        (rest.size() > 6 && !std::isalnum(static_cast<unsigned char>(rest[6])) && rest[6] != '.');
    if (token_start && token_end && rest.substr(0, 6) == "1e9999") {
      text += negative ? "\"-inf\"" : "\"inf\"";
      i += negative ? 6 : 5;
      continue;
    }
    text += c;
  }
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return core::Corruption(fmt::format("not JSON: {}", body.substr(0, 300)));
  }
  return parsed;
}

std::string RenderDiff::Summary() const {
  std::string inf = inf_as_null > 0 ? fmt::format(", {} inf-as-null", inf_as_null) : "";
  if (match()) {
    return fmt::format("ok: {} series, {} points{}", series_compared, points_compared, inf);
  }
  std::string out =
      fmt::format("{} differences ({} series, {}/{} points equal{}); first:", mismatch_count,
                  series_compared, points_matched, points_compared, inf);
  for (const auto& m : mismatches) out += "\n      " + m;
  return out;
}

RenderDiff CompareRenderJson(const json& expected, const json& actual,
                             const RenderCompareOptions& options) {
  DiffBuilder b(options);
  if (!expected.is_array() || !actual.is_array()) {
    b.Mismatch(fmt::format("not both lists: graphite-web {} meridian {}",
                           expected.dump().substr(0, 200), actual.dump().substr(0, 200)));
    return b.diff();
  }
  if (expected.size() != actual.size()) {
    std::string names_e, names_a;
    for (size_t i = 0; i < std::min<size_t>(expected.size(), 6); ++i) {
      names_e += "'" + NameOf(expected[i]) + "' ";
    }
    for (size_t i = 0; i < std::min<size_t>(actual.size(), 6); ++i) {
      names_a += "'" + NameOf(actual[i]) + "' ";
    }
    b.Mismatch(fmt::format("{} series, graphite-web has {}: graphite-web [{}] meridian [{}]",
                           actual.size(), expected.size(), names_e, names_a));
  }
  for (size_t i = 0; i < std::min(expected.size(), actual.size()); ++i) {
    CompareSeries(expected[i], actual[i], i, b);
  }
  return b.diff();
}

RenderDiff CompareRenderText(std::string_view expected, std::string_view actual,
                             const RenderCompareOptions& options) {
  DiffBuilder b(options);
  std::vector<std::string_view> e = SplitLines(expected), a = SplitLines(actual);
  if (e.size() != a.size()) {
    b.Mismatch(fmt::format("{} lines, graphite-web has {}", a.size(), e.size()));
  }
  for (size_t i = 0; i < std::min(e.size(), a.size()); ++i) {
    ++b.diff().points_compared;
    if (e[i] == a[i]) {
      ++b.diff().points_matched;
      continue;
    }
    b.Mismatch(fmt::format("line {}: graphite-web '{}' meridian '{}'", i + 1, e[i].substr(0, 200),
                           a[i].substr(0, 200)));
  }
  return b.diff();
}

std::string_view OutcomeName(TargetOutcome outcome) {
  switch (outcome) {
    case TargetOutcome::kMatch:
      return "MATCH";
    case TargetOutcome::kMismatch:
      return "MISMATCH";
    case TargetOutcome::kMeridianError:
      return "MERIDIAN-ERROR";
    case TargetOutcome::kOracleError:
      return "ORACLE-ERROR";
    case TargetOutcome::kKnownDifference:
      return "KNOWN-DIFF";
  }
  return "?";
}

void MatchReport::Add(TargetResult result) { results_.push_back(std::move(result)); }

int64_t MatchReport::Count(TargetOutcome outcome) const {
  return std::count_if(results_.begin(), results_.end(),
                       [outcome](const TargetResult& r) { return r.outcome == outcome; });
}

double MatchReport::MatchRate() const {
  int64_t counted = static_cast<int64_t>(results_.size()) - Count(TargetOutcome::kKnownDifference) -
                    Count(TargetOutcome::kOracleError);
  if (counted <= 0) return 0.0;
  return 100.0 * static_cast<double>(Count(TargetOutcome::kMatch)) / static_cast<double>(counted);
}

std::string MatchReport::Format() const {
  std::string out;
  for (const TargetResult& r : results_) {
    out +=
        fmt::format("{:<15} {}{}\n", OutcomeName(r.outcome), r.label, r.strict ? "  [strict]" : "");
    // Matches print their detail only when it carries the documented inf-as-null difference.
    bool show =
        r.outcome != TargetOutcome::kMatch || r.detail.find("inf-as-null") != std::string::npos;
    if (show && !r.detail.empty()) {
      out += "      " + r.detail.substr(0, 1200) + "\n";
    }
  }
  out += fmt::format(
      "targets {}: match {}, mismatch {}, meridian error {}, oracle error {}, known "
      "differences {}; match rate {:.1f}%\n",
      results_.size(), Count(TargetOutcome::kMatch), Count(TargetOutcome::kMismatch),
      Count(TargetOutcome::kMeridianError), Count(TargetOutcome::kOracleError),
      Count(TargetOutcome::kKnownDifference), MatchRate());
  return out;
}

}  // namespace meridian::testing
