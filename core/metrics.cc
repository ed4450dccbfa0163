#include "core/metrics.h"

#include <fmt/format.h>

namespace meridian::core {
namespace {

std::string EscapeLabel(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

// Graphite node names cannot hold dots or whitespace.
std::string GraphiteNode(const std::string& v) {
  std::string out = v;
  for (char& c : out) {
    if (c == '.' || c == ' ' || c == '\t' || c == ';') c = '_';
  }
  return out;
}

}  // namespace

double MetricsRegistry::Entry::Read() const {
  if (counter) return static_cast<double>(counter->Value());
  if (gauge) return static_cast<double>(gauge->Value());
  return fn ? fn() : 0.0;
}

MetricsRegistry::Entry& MetricsRegistry::FindOrAdd(const std::string& name, const std::string& help,
                                                   Kind kind, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = families_.try_emplace(name);
  Family& family = it->second;
  if (inserted) {
    family.kind = kind;
    family.help = help;
  }
  for (auto& e : family.entries) {
    if (e->labels == labels) return *e;
  }
  auto entry = std::make_unique<Entry>();
  entry->labels = labels;
  if (kind == Kind::kCounter) entry->counter = std::make_unique<Counter>();
  if (kind == Kind::kGauge) entry->gauge = std::make_unique<Gauge>();
  family.entries.push_back(std::move(entry));
  return *family.entries.back();
}

Counter& MetricsRegistry::GetCounter(const std::string& name, const std::string& help,
                                     const Labels& labels) {
  return *FindOrAdd(name, help, Kind::kCounter, labels).counter;
}

Gauge& MetricsRegistry::GetGauge(const std::string& name, const std::string& help,
                                 const Labels& labels) {
  return *FindOrAdd(name, help, Kind::kGauge, labels).gauge;
}

void MetricsRegistry::AddCallbackGauge(const std::string& name, const std::string& help,
                                       std::function<double()> fn, const Labels& labels) {
  Entry& e = FindOrAdd(name, help, Kind::kCallback, labels);
  std::lock_guard lock(mu_);
  e.fn = std::move(fn);
}

std::string MetricsRegistry::RenderPrometheus() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    const char* type = family.kind == Kind::kCounter ? "counter" : "gauge";
    out += fmt::format("# HELP meridian_{} {}\n# TYPE meridian_{} {}\n", name, family.help, name,
                       type);
    for (const auto& e : family.entries) {
      out += "meridian_" + name;
      if (!e->labels.empty()) {
        out += '{';
        for (size_t i = 0; i < e->labels.size(); ++i) {
          if (i) out += ',';
          out += fmt::format("{}=\"{}\"", e->labels[i].first, EscapeLabel(e->labels[i].second));
        }
        out += '}';
      }
      out += fmt::format(" {}\n", e->Read());
    }
  }
  return out;
}

std::vector<MetricSample> MetricsRegistry::Snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<MetricSample> out;
  for (const auto& [name, family] : families_) {
    for (const auto& e : family.entries) {
      std::string suffix = name;
      for (const auto& [k, v] : e->labels) suffix += "." + GraphiteNode(v);
      out.push_back({std::move(suffix), e->Read()});
    }
  }
  return out;
}

}  // namespace meridian::core
