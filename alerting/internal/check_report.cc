#include "alerting/internal/check_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace meridian::alerting::internal {
namespace {

struct Evaluated {
  const RenderedSeries* series = nullptr;
  double value = 0;  // NaN = no data
  CheckState state = CheckState::kOk;
  bool has_data() const { return !std::isnan(value); }
};

// Nagios orders OK < WARNING < CRITICAL for "worst of"; no-data series stay out of it.
int Severity(CheckState s) {
  switch (s) {
    case CheckState::kOk:
      return 0;
    case CheckState::kWarning:
      return 1;
    case CheckState::kCritical:
      return 3;
    case CheckState::kUnknown:
      return 2;
  }
  return 2;
}

CheckState StateOf(const CheckSpec& spec, double value) {
  if (spec.critical && Alerts(*spec.critical, value)) return CheckState::kCritical;
  if (spec.warning && Alerts(*spec.warning, value)) return CheckState::kWarning;
  return CheckState::kOk;
}

std::string OneLine(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

// "a=1, b=2 and 3 more" for the series in `list` (at most kMaxNamedOffenders named).
std::string NameList(const std::vector<const Evaluated*>& list, bool with_values) {
  std::string out;
  for (size_t i = 0; i < list.size() && i < kMaxNamedOffenders; ++i) {
    if (i > 0) out += ", ";
    out += list[i]->series->name;
    if (with_values) out += "=" + FormatValue(list[i]->value);
  }
  if (list.size() > kMaxNamedOffenders) {
    out += fmt::format(" and {} more", list.size() - kMaxNamedOffenders);
  }
  return out;
}

std::string Summary(const CheckSpec& spec, const std::vector<Evaluated>& all, CheckState worst) {
  const std::string trailer = fmt::format(" ({} {})", spec.reduce_text, spec.window_text);
  std::vector<const Evaluated*> crit, warn, no_data;
  for (const Evaluated& e : all) {
    if (!e.has_data()) no_data.push_back(&e);
    if (e.has_data() && e.state == CheckState::kCritical) crit.push_back(&e);
    if (e.has_data() && e.state == CheckState::kWarning) warn.push_back(&e);
  }
  const std::string missing = no_data.empty()
                                  ? ""
                                  : fmt::format("; {} without data: {}", no_data.size(),
                                                NameList(no_data, /*with_values=*/false));
  if (all.size() == 1) {
    return fmt::format("{}={}{}", all[0].series->name, FormatValue(all[0].value), trailer);
  }
  if (worst == CheckState::kOk) {
    return fmt::format("{} of {} series OK{}{}", all.size() - no_data.size(), all.size(), missing,
                       trailer);
  }
  std::string out;
  if (!crit.empty()) {
    out =
        fmt::format("{} of {} series critical: {}", crit.size(), all.size(), NameList(crit, true));
  }
  if (!warn.empty()) {
    out += crit.empty() ? fmt::format("{} of {} series warning: ", warn.size(), all.size())
                        : fmt::format("; {} warning: ", warn.size());
    out += NameList(warn, true);
  }
  return out + missing + trailer;
}

std::vector<PerfDatum> PerfData(const CheckSpec& spec, const std::vector<Evaluated>& all) {
  std::vector<PerfDatum> perf;
  for (size_t i = 0; i < all.size() && i < kMaxPerfDataItems; ++i) {
    PerfDatum d;
    d.label = all[i].series->name;
    d.value = all[i].value;
    d.warn = spec.warning;
    d.crit = spec.critical;
    perf.push_back(std::move(d));
  }
  return perf;
}

// One line per series, worst first; a last line counts what did not fit.
std::string LongOutput(std::vector<Evaluated> all) {
  std::stable_sort(all.begin(), all.end(), [](const Evaluated& a, const Evaluated& b) {
    const int sa = a.has_data() ? Severity(a.state) : -1;
    const int sb = b.has_data() ? Severity(b.state) : -1;
    return sa > sb;
  });
  std::string out;
  for (size_t i = 0; i < all.size() && i < kMaxLongOutputLines; ++i) {
    const Evaluated& e = all[i];
    out += fmt::format("\n{}: {}={}", e.has_data() ? CheckStateName(e.state) : "NO DATA",
                       e.series->name, FormatValue(e.value));
  }
  if (all.size() > kMaxLongOutputLines) {
    out += fmt::format("\n... and {} more series", all.size() - kMaxLongOutputLines);
  }
  if (all.size() > kMaxPerfDataItems) {
    out += fmt::format("\nperfdata for the first {} of {} series (by name)", kMaxPerfDataItems,
                       all.size());
  }
  return out;
}

std::string NoDataMessage(const CheckSpec& spec, const std::vector<Evaluated>& all) {
  if (all.size() == 1) {
    return fmt::format("no data for {} in the last {}", all[0].series->name, spec.window_text);
  }
  std::vector<const Evaluated*> list;
  for (const Evaluated& e : all) list.push_back(&e);
  return fmt::format("no data for any of {} series in the last {}: {}", all.size(),
                     spec.window_text, NameList(list, /*with_values=*/false));
}

}  // namespace

CheckReport EvaluateCheck(const CheckSpec& spec, std::span<const RenderedSeries> series) {
  if (series.empty()) {
    return UnknownReport(spec.label, fmt::format("target '{}' matched no series in the last {}",
                                                 spec.target, spec.window_text));
  }
  std::vector<Evaluated> all;
  all.reserve(series.size());
  bool any_data = false;
  CheckState worst = CheckState::kOk;
  for (const RenderedSeries& s : series) {
    Evaluated e{.series = &s, .value = Reduce(spec.reducer, s.values)};
    if (e.has_data()) {
      any_data = true;
      e.state = StateOf(spec, e.value);
      if (Severity(e.state) > Severity(worst)) worst = e.state;
    }
    all.push_back(e);
  }
  std::stable_sort(all.begin(), all.end(), [](const Evaluated& a, const Evaluated& b) {
    return a.series->name < b.series->name;
  });
  const std::vector<PerfDatum> perf = PerfData(spec, all);
  CheckReport report;
  std::string text;
  if (!any_data) {
    report.state = CheckState::kUnknown;
    text = fmt::format("{} UNKNOWN - {}", spec.label, NoDataMessage(spec, all));
  } else {
    report.state = worst;
    text = fmt::format("{} {} - {}", spec.label, CheckStateName(worst), Summary(spec, all, worst));
  }
  if (all.size() > 1) text += LongOutput(all);
  report.output = FormatPluginOutput(text, perf);
  return report;
}

CheckReport UnknownReport(std::string_view label, std::string_view message) {
  CheckReport report;
  report.state = CheckState::kUnknown;
  report.output = FormatPluginOutput(fmt::format("{} UNKNOWN - {}", label, OneLine(message)), {});
  return report;
}

std::string FormatValue(double value) {
  if (std::isnan(value)) return "no data";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  const double a = std::fabs(value);
  if (a == 0) return "0";
  if (a < 1e-4 || a >= 1e15) return fmt::format("{:.6g}", value);
  const int digits_before = static_cast<int>(std::floor(std::log10(a))) + 1;
  std::string out = fmt::format("{:.{}f}", value, std::max(0, 6 - digits_before));
  if (out.find('.') != std::string::npos) {
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  return out == "-0" ? "0" : out;
}

}  // namespace meridian::alerting::internal
