#include "alerting/internal/rule_test_file.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>

#include "alerting/internal/state_codec.h"
#include "alerting/rule.h"
#include "alerting/rule_test_runner.h"

namespace meridian::alerting {
namespace {

constexpr size_t kMaxExpandedValues = 1'000'000;

core::Result<double> Number(std::string_view text) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return core::InvalidArgument(fmt::format("'{}' is not a number", text));
  }
  return v;
}

core::Status ExpandItem(std::string_view item, std::vector<double>& out) {
  const size_t x = item.rfind('x');
  if (x == std::string_view::npos || item == "_") {
    if (item == "_") {
      out.push_back(std::numeric_limits<double>::quiet_NaN());
      return core::Status::Ok();
    }
    ASSIGN_OR_RETURN(double v, Number(item));
    out.push_back(v);
    return core::Status::Ok();
  }
  size_t n = 0;
  std::string_view count = item.substr(x + 1);
  auto [ptr, ec] = std::from_chars(count.data(), count.data() + count.size(), n);
  if (count.empty() || ec != std::errc() || ptr != count.data() + count.size() ||
      n >= kMaxExpandedValues - std::min(out.size(), kMaxExpandedValues)) {
    return core::InvalidArgument("bad repeat count");
  }
  std::string_view head = item.substr(0, x);
  if (head == "_") {
    out.insert(out.end(), n, std::numeric_limits<double>::quiet_NaN());
    return core::Status::Ok();
  }
  // A+B or A-B: the sign that is not the number's own leading sign or an exponent's.
  size_t op = std::string_view::npos;
  for (size_t i = 1; i < head.size(); ++i) {
    if ((head[i] == '+' || head[i] == '-') && head[i - 1] != 'e' && head[i - 1] != 'E') op = i;
  }
  double start = 0, step = 0;
  if (op == std::string_view::npos) {
    ASSIGN_OR_RETURN(start, Number(head));
  } else {
    ASSIGN_OR_RETURN(start, Number(head.substr(0, op)));
    ASSIGN_OR_RETURN(step, Number(head.substr(op + 1)));
    if (head[op] == '-') step = -step;
  }
  for (size_t i = 0; i <= n; ++i) out.push_back(start + step * static_cast<double>(i));
  return core::Status::Ok();
}

}  // namespace

core::Result<std::vector<double>> ExpandTestValues(std::string_view text) {
  std::vector<double> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t j = i;
    while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j]))) ++j;
    if (j > i) {
      const std::string_view item = text.substr(i, j - i);
      if (auto st = ExpandItem(item, out); !st.ok()) {
        return core::InvalidArgument(fmt::format("values: '{}': {}", item, st.message()));
      }
    }
    i = j;
  }
  return out;
}

namespace internal {
namespace {

// An absent key gives an invalid node whose Type() throws: test IsDefined() first.
bool IsList(const YAML::Node& node) { return node.IsDefined() && node.IsSequence(); }

// yaml-cpp throws; every node access goes through these, which turn problems into messages.
class Reader {
 public:
  explicit Reader(const std::string& path) : path_(path) {}

  core::Status Error(const YAML::Node& node, std::string_view message) const {
    const YAML::Mark mark = node.Mark();
    return core::InvalidArgument(mark.is_null()
                                     ? fmt::format("{}: {}", path_, message)
                                     : fmt::format("{}:{}: {}", path_, mark.line + 1, message));
  }

  core::Result<std::string> Scalar(const YAML::Node& map, const char* key, bool required) const {
    const YAML::Node node = map[key];
    if (!node.IsDefined() || node.IsNull()) {
      if (required) return Error(map, fmt::format("'{}' is required", key));
      return std::string();
    }
    if (!node.IsScalar()) return Error(node, fmt::format("'{}' must be a single value", key));
    return node.Scalar();
  }

  core::Result<int64_t> Duration(const YAML::Node& map, const char* key, int64_t fallback) const {
    ASSIGN_OR_RETURN(std::string text, Scalar(map, key, false));
    if (text.empty()) return fallback;
    auto d = ParseRuleDuration(text);
    if (!d.ok()) return Error(map[key], fmt::format("{}: {}", key, d.status().message()));
    return d->count();
  }

  core::Status Keys(const YAML::Node& map, std::initializer_list<std::string_view> known) const {
    if (!map.IsMap()) return Error(map, "expected a mapping");
    for (const auto& kv : map) {
      const std::string key = kv.first.Scalar();
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        return Error(kv.first, fmt::format("unknown key '{}'", key));
      }
    }
    return core::Status::Ok();
  }

  core::Result<ExpectedCheck> Check(const YAML::Node& node) const {
    RETURN_IF_ERROR(Keys(node, {"host", "service", "state", "output"}));
    ExpectedCheck c;
    c.line = node.Mark().line + 1;
    ASSIGN_OR_RETURN(c.host, Scalar(node, "host", true));
    ASSIGN_OR_RETURN(c.service, Scalar(node, "service", true));
    ASSIGN_OR_RETURN(std::string state, Scalar(node, "state", true));
    auto parsed = ParseCheckState(state);
    if (!parsed.ok()) return Error(node["state"], "state must be OK, WARNING, CRITICAL or UNKNOWN");
    c.state = *parsed;
    if (node["output"].IsDefined()) {
      ASSIGN_OR_RETURN(std::string output, Scalar(node, "output", true));
      c.output = output;
    }
    return c;
  }

  core::Result<RuleTestCase> Test(const YAML::Node& node) const {
    RETURN_IF_ERROR(Keys(node, {"name", "interval", "input_series", "expected"}));
    RuleTestCase t;
    t.line = node.Mark().line + 1;
    ASSIGN_OR_RETURN(t.name, Scalar(node, "name", false));
    if (t.name.empty()) t.name = fmt::format("test at line {}", t.line);
    ASSIGN_OR_RETURN(t.interval, Duration(node, "interval", 10));
    if (t.interval <= 0) return Error(node, "interval must be > 0");
    if (!IsList(node["input_series"])) return Error(node, "'input_series' must be a list");
    for (const YAML::Node& s : node["input_series"]) {
      RETURN_IF_ERROR(Keys(s, {"series", "values"}));
      InputSeries in;
      ASSIGN_OR_RETURN(in.name, Scalar(s, "series", true));
      ASSIGN_OR_RETURN(std::string values, Scalar(s, "values", true));
      auto expanded = ExpandTestValues(values);
      if (!expanded.ok()) return Error(s["values"], expanded.status().message());
      in.values = std::move(*expanded);
      t.inputs.push_back(std::move(in));
    }
    if (!IsList(node["expected"])) return Error(node, "'expected' must be a list");
    for (const YAML::Node& e : node["expected"]) {
      RETURN_IF_ERROR(Keys(e, {"at", "checks"}));
      ExpectedAt at;
      ASSIGN_OR_RETURN(at.at_text, Scalar(e, "at", true));
      ASSIGN_OR_RETURN(at.at, Duration(e, "at", 0));
      if (!IsList(e["checks"])) return Error(e, "'checks' must be a list");
      for (const YAML::Node& c : e["checks"]) {
        ASSIGN_OR_RETURN(ExpectedCheck check, Check(c));
        at.checks.push_back(std::move(check));
      }
      t.expected.push_back(std::move(at));
    }
    return t;
  }

 private:
  const std::string& path_;
};

}  // namespace

core::Result<RuleTestFile> ParseRuleTestFile(std::string_view yaml_text, const std::string& path) {
  Reader reader(path);
  try {
    const YAML::Node root = YAML::Load(std::string(yaml_text));
    RETURN_IF_ERROR(reader.Keys(root, {"rule_files", "tests"}));
    RuleTestFile file;
    file.path = path;
    const std::filesystem::path dir = std::filesystem::path(path).parent_path();
    if (!IsList(root["rule_files"]) || root["rule_files"].size() == 0) {
      return reader.Error(root, "'rule_files' must be a non-empty list");
    }
    for (const YAML::Node& f : root["rule_files"]) {
      if (!f.IsScalar()) return reader.Error(f, "rule_files entries must be paths");
      const std::filesystem::path p(f.Scalar());
      file.rule_files.push_back(p.is_absolute() ? p.string() : (dir / p).string());
    }
    if (!IsList(root["tests"])) return reader.Error(root, "'tests' must be a list");
    for (const YAML::Node& t : root["tests"]) {
      ASSIGN_OR_RETURN(RuleTestCase test, reader.Test(t));
      file.tests.push_back(std::move(test));
    }
    return file;
  } catch (const YAML::Exception& e) {
    return core::InvalidArgument(fmt::format("{}:{}: {}", path, e.mark.line + 1, e.msg));
  } catch (const std::exception& e) {
    return core::InvalidArgument(fmt::format("{}: {}", path, e.what()));
  }
}

}  // namespace internal
}  // namespace meridian::alerting
