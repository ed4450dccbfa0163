// ParseDashboard (dashboard.h): the walk of one dashboard file's YAML tree.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <set>

#include "alerting/rule.h"
#include "alerting/target_check.h"
#include "core/regex.h"
#include "core/yaml_tree.h"
#include "dashboards/dashboard.h"
#include "dashboards/internal/yaml_fields.h"
#include "dashboards/variables.h"
#include "query/expression.h"
#include "query/time_parser.h"

namespace meridian::dashboards {
namespace {

using core::YamlNode;
using internal::Field;
using internal::Get;
using internal::Reporter;

constexpr int64_t kMinRefreshSeconds = 5;
// A fixed "now" for checking relative times (any date works; absolute ones are checked too).
constexpr int64_t kCheckNow = 1'700'000'000;

std::string Indexed(std::string_view path, size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

class Parser {
 public:
  Parser(Reporter& reporter, Dashboard& d) : r_(reporter), d_(d) {}

  void Root(const YamlNode& root) {
    if (!internal::CheckMap(root, "", "a dashboard: title, panels, ...",
                            {"title", "description", "tags", "refresh", "time", "annotations",
                             "variables", "panels"},
                            r_)) {
      return;
    }
    if (Field f = Get(root, "title", ""); f.node == nullptr) {
      r_.Error(root.line, "missing required key 'title'");
    } else if (auto t = internal::Text(f, r_)) {
      if (t->empty()) r_.Error(f.node->line, "title: must not be empty");
      d_.title = *t;
    }
    if (Field f = Get(root, "description", ""); f.node != nullptr) {
      if (auto t = internal::Text(f, r_)) d_.description = *t;
    }
    if (Field f = Get(root, "tags", ""); f.node != nullptr) {
      if (auto t = internal::TextList(f, false, r_)) d_.tags = *t;
    }
    if (Field f = Get(root, "refresh", ""); f.node != nullptr) Refresh(f);
    if (Field f = Get(root, "time", ""); f.node != nullptr) Time(f);
    if (Field f = Get(root, "annotations", ""); f.node != nullptr && internal::IsList(f, r_)) {
      for (size_t i = 0; i < f.node->items.size(); ++i) {
        AnnotationAt(f.node->items[i], Indexed(f.path, i));
      }
    }
    if (Field f = Get(root, "variables", ""); f.node != nullptr && internal::IsList(f, r_)) {
      if (f.node->items.size() > kMaxVariables) {
        r_.Error(f.node->line, "variables: more than " + std::to_string(kMaxVariables));
      }
      for (size_t i = 0; i < f.node->items.size() && i < kMaxVariables; ++i) {
        VariableAt(f.node->items[i], Indexed(f.path, i));
      }
    }
    Field panels = Get(root, "panels", "");
    if (panels.node == nullptr) {
      r_.Error(root.line, "missing required key 'panels' (a list of panels)");
    } else if (internal::IsList(panels, r_)) {
      if (panels.node->items.size() > kMaxPanels) {
        r_.Error(panels.node->line, "panels: more than " + std::to_string(kMaxPanels));
      }
      for (size_t i = 0; i < panels.node->items.size() && i < kMaxPanels; ++i) {
        PanelAt(panels.node->items[i], Indexed(panels.path, i));
      }
    }
  }

 private:
  void Refresh(const Field& f) {
    auto text = internal::Text(f, r_);
    if (!text || text->empty() || *text == "off") return;
    auto seconds = alerting::ParseRuleDuration(*text);
    if (!seconds.ok()) {
      r_.Error(f.node->line, f.path + ": " + seconds.status().message());
    } else if (seconds->count() < kMinRefreshSeconds) {
      r_.Error(f.node->line,
               f.path + ": '" + *text + "' is too short (at least 5s, or \"\" for off)");
    } else {
      d_.refresh_seconds = seconds->count();
    }
  }

  void Time(const Field& f) {
    if (!internal::CheckMap(*f.node, f.path, "from, until", {"from", "until"}, r_)) return;
    std::optional<int64_t> from, until;
    for (auto [key, text, out] :
         {std::tuple{"from", &d_.time_from, &from}, std::tuple{"until", &d_.time_until, &until}}) {
      Field v = Get(*f.node, key, f.path);
      if (v.node == nullptr) {
        *out = *query::ParseTime(*text, kCheckNow);
        continue;
      }
      auto t = internal::Text(v, r_);
      if (!t) continue;
      auto parsed = query::ParseTime(*t, kCheckNow);
      if (!parsed.ok()) {
        r_.Error(v.node->line, v.path + ": " + parsed.status().message());
        continue;
      }
      *text = *t;
      *out = *parsed;
    }
    if (from && until && *from >= *until) {
      r_.Error(f.node->line, f.path + ": from '" + d_.time_from + "' is not before until '" +
                                 d_.time_until + "'");
    }
  }

  void AnnotationAt(const YamlNode& node, const std::string& path) {
    if (!internal::CheckMap(node, path, "name, tags, color", {"name", "tags", "color"}, r_)) return;
    Annotation a;
    if (Field f = Get(node, "name", path); f.node == nullptr) {
      r_.Error(node.line, path + ": missing required key 'name'");
    } else if (auto t = internal::Text(f, r_)) {
      a.name = *t;
    }
    if (Field f = Get(node, "tags", path); f.node == nullptr) {
      r_.Error(node.line, path + ": missing required key 'tags' (events with all these tags)");
    } else if (auto t = internal::TextList(f, true, r_)) {
      if (t->empty()) r_.Error(f.node->line, f.path + ": at least one tag");
      a.tags = *t;
    }
    if (Field f = Get(node, "color", path); f.node != nullptr) Color(f, a.color);
    d_.annotations.push_back(std::move(a));
  }

  void Color(const Field& f, std::string& out) {
    auto t = internal::Text(f, r_);
    if (!t) return;
    if (!internal::IsColor(*t)) {
      r_.Error(f.node->line, f.path + ": '" + *t + "' is not a color (a name or #rrggbb)");
      return;
    }
    out = *t;
  }

  void VariableAt(const YamlNode& node, const std::string& path) {
    if (!internal::CheckMap(
            node, path, "name, query, ...",
            {"name", "query", "multi", "include_all", "all_value", "default", "regex"}, r_)) {
      return;
    }
    Variable v;
    v.line = node.line;
    if (Field f = Get(node, "name", path); f.node == nullptr) {
      r_.Error(node.line, path + ": missing required key 'name'");
    } else if (auto t = internal::Text(f, r_)) {
      const bool ok = !t->empty() && !std::isdigit(static_cast<unsigned char>((*t)[0])) &&
                      std::all_of(t->begin(), t->end(), [](char c) {
                        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                      });
      if (!ok) {
        r_.Error(f.node->line, f.path + ": '" + *t + "' must match [A-Za-z_][A-Za-z0-9_]*");
      } else if (std::any_of(d_.variables.begin(), d_.variables.end(),
                             [&](const Variable& o) { return o.name == *t; })) {
        r_.Error(f.node->line, f.path + ": variable '" + *t + "' is already defined");
      }
      v.name = *t;
    }
    for (auto [key, out] :
         {std::pair{"multi", &v.multi}, std::pair{"include_all", &v.include_all}}) {
      if (Field f = Get(node, key, path); f.node != nullptr) {
        if (auto b = internal::Bool(f, r_)) *out = *b;
      }
    }
    if (Field f = Get(node, "all_value", path); f.node != nullptr) {
      if (auto t = internal::Text(f, r_)) v.all_value = *t;
    }
    if (Field f = Get(node, "default", path); f.node != nullptr) {
      if (auto t = internal::TextList(f, true, r_)) {
        if (t->size() > 1 && !v.multi) {
          r_.Error(f.node->line, f.path + ": several values for a variable without multi: true");
        }
        v.defaults = *t;
      }
    }
    if (Field f = Get(node, "regex", path); f.node != nullptr) {
      if (auto t = internal::Text(f, r_)) {
        auto re = core::Regex::Compile(*t);
        if (!t->empty() && !re.ok()) r_.Error(f.node->line, f.path + ": " + re.status().message());
        v.regex = *t;
      }
    }
    if (Field f = Get(node, "query", path); f.node == nullptr) {
      r_.Error(node.line, path + ": missing required key 'query' (a graphite find pattern)");
    } else if (auto t = internal::Text(f, r_)) {
      v.query = *t;
      CheckExpression(*t, f, /*is_query=*/true);
    }
    d_.variables.push_back(std::move(v));
  }

  void PanelAt(const YamlNode& node, const std::string& path) {
    if (!internal::CheckMap(node, path, "title, targets, ...",
                            {"title", "targets", "unit", "min", "max", "decimals", "thresholds",
                             "legend", "stack", "width", "height"},
                            r_)) {
      return;
    }
    Panel p;
    p.line = node.line;
    if (Field f = Get(node, "title", path); f.node == nullptr) {
      r_.Error(node.line, path + ": missing required key 'title'");
    } else if (auto t = internal::Text(f, r_)) {
      p.title = *t;
    }
    if (Field f = Get(node, "targets", path); f.node == nullptr) {
      r_.Error(node.line, path + ": missing required key 'targets' (graphite render targets)");
    } else if (auto t = internal::TextList(f, false, r_)) {
      if (t->empty()) r_.Error(f.node->line, f.path + ": at least one target");
      if (t->size() > kMaxTargetsPerPanel) {
        r_.Error(f.node->line, f.path + ": more than " + std::to_string(kMaxTargetsPerPanel));
      }
      for (size_t i = 0; i < t->size(); ++i) {
        CheckExpression((*t)[i], Field{&f.node->items[i], Indexed(f.path, i)}, false);
      }
      p.targets = *t;
    }
    if (Field f = Get(node, "unit", path); f.node != nullptr) {
      if (auto t = internal::Text(f, r_)) {
        if (std::find(std::begin(kUnits), std::end(kUnits), *t) == std::end(kUnits)) {
          r_.Error(f.node->line, f.path + ": unknown unit '" + *t +
                                     "' (expected none, short, percent, percentunit, bytes, bits, "
                                     "bps, Bps, s, ms, ops or reqps)");
        }
        p.unit = *t;
      }
    }
    for (auto [key, out] : {std::pair{"min", &p.min}, std::pair{"max", &p.max}}) {
      if (Field f = Get(node, key, path); f.node != nullptr) *out = internal::Number(f, r_);
    }
    if (p.min && p.max && *p.min >= *p.max) {
      r_.Error(node.Find("max")->line, path + ".max: must be greater than min");
    }
    if (Field f = Get(node, "decimals", path); f.node != nullptr) {
      p.decimals = internal::Int(f, 0, 10, r_);
    }
    if (Field f = Get(node, "thresholds", path); f.node != nullptr) Thresholds(f, p);
    if (Field f = Get(node, "legend", path); f.node != nullptr) Legend(f, p);
    if (Field f = Get(node, "stack", path); f.node != nullptr) {
      if (auto b = internal::Bool(f, r_)) p.stack = *b;
    }
    for (auto [key, out, max] :
         {std::tuple{"width", &p.width, 12}, std::tuple{"height", &p.height, 100}}) {
      if (Field f = Get(node, key, path); f.node != nullptr) {
        if (auto n = internal::Int(f, 1, max, r_)) *out = *n;
      }
    }
    d_.panels.push_back(std::move(p));
  }

  void Thresholds(const Field& f, Panel& p) {
    if (!internal::IsList(f, r_)) return;
    for (size_t i = 0; i < f.node->items.size(); ++i) {
      const YamlNode& item = f.node->items[i];
      const std::string path = Indexed(f.path, i);
      if (!internal::CheckMap(item, path, "value, color", {"value", "color"}, r_)) continue;
      Threshold t;
      Field value = Get(item, "value", path), color = Get(item, "color", path);
      if (value.node == nullptr) r_.Error(item.line, path + ": missing required key 'value'");
      if (color.node == nullptr) r_.Error(item.line, path + ": missing required key 'color'");
      if (value.node != nullptr) t.value = internal::Number(value, r_).value_or(0);
      if (color.node != nullptr) Color(color, t.color);
      if (!p.thresholds.empty() && value.node != nullptr && t.value <= p.thresholds.back().value) {
        r_.Error(value.node->line, value.path + ": thresholds must be in ascending order");
      }
      p.thresholds.push_back(std::move(t));
    }
  }

  void Legend(const Field& f, Panel& p) {
    auto stats = internal::TextList(f, false, r_);
    if (!stats) return;
    for (size_t i = 0; i < stats->size(); ++i) {
      const std::string& s = (*stats)[i];
      if (std::find(std::begin(kLegendStats), std::end(kLegendStats), s) ==
          std::end(kLegendStats)) {
        r_.Error(f.node->items[i].line, Indexed(f.path, i) + ": unknown legend value '" + s +
                                            "' (expected last, min, max, avg or total)");
      } else if (std::count(stats->begin(), stats->begin() + static_cast<long>(i), s) > 0) {
        r_.Error(f.node->items[i].line, Indexed(f.path, i) + ": '" + s + "' repeated");
      }
    }
    p.legend = *stats;
  }

  // A target (or a variable query) with every variable reference replaced by a placeholder
  // must parse and pass `meridian rules check`'s function check; references must name defined
  // variables (a query: earlier ones).
  void CheckExpression(const std::string& text, const Field& f, bool is_query) {
    const int line = f.node->line;
    if (std::all_of(text.begin(), text.end(),
                    [](char c) { return std::isspace(static_cast<unsigned char>(c)); })) {
      r_.Error(line, f.path + ": empty");
      return;
    }
    VariableValues placeholders;
    for (const Variable& v : d_.variables) {
      placeholders[v.name] = v.multi || v.include_all ? "{x,y}" : "x";
    }
    const bool uses_template = text.find("template(") != std::string::npos;
    for (const VariableRef& ref : FindVariableRefs(text)) {
      if (placeholders.contains(ref.name) || (uses_template && !is_query)) continue;
      r_.Error(line, f.path + ": unknown variable '" + ref.name + "'" +
                         (is_query ? " (a query may use only the variables above it)" : ""));
      return;
    }
    const std::string expanded = ExpandVariables(text, placeholders);
    auto parsed = query::ParseTarget(expanded);
    if (!parsed.ok()) {
      r_.Error(line, f.path + ": " + parsed.status().message());
      return;
    }
    if (is_query) {
      if (parsed->kind != query::ExprKind::kPath) {
        r_.Error(line, f.path + ": '" + text + "' is not a find pattern (a path like a.*.b)");
      }
      return;
    }
    core::Status status = alerting::CheckTargetFunctions(*parsed);
    if (!status.ok()) r_.Error(line, f.path + ": target '" + text + "': " + status.message());
  }

  Reporter& r_;
  Dashboard& d_;
};

}  // namespace

ParsedDashboard ParseDashboard(std::string_view yaml_text, std::string_view file) {
  ParsedDashboard out;
  Reporter reporter(file, out.errors);
  core::YamlDocument doc = core::ParseYamlDocument(yaml_text);
  for (const core::YamlError& e : doc.errors) reporter.Error(e.line, e.message);
  if (!doc.root) {
    if (doc.errors.empty()) reporter.Error(0, "empty file (expected a dashboard: title, panels)");
  } else {
    Parser(reporter, out.dashboard).Root(*doc.root);
  }
  std::stable_sort(
      out.errors.begin(), out.errors.end(),
      [](const DashboardError& a, const DashboardError& b) { return a.line < b.line; });
  return out;
}

}  // namespace meridian::dashboards
