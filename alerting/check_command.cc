// `meridian check`: a Nagios active-check plugin over /render (reference/alerting.md §3).
// stdout carries exactly the plugin output; usage goes to stdout only when asked for (--help).
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <optional>

#include "alerting/commands.h"
#include "alerting/internal/check_report.h"
#include "alerting/internal/render_parse.h"
#include "alerting/render_client.h"
#include "alerting/rule.h"
#include "alerting/threshold_range.h"

namespace meridian::alerting {
namespace {

constexpr std::string_view kUsage =
    R"(Usage: meridian check --url URL --target EXPR [-w RANGE] [-c RANGE]
                      [--window 5min] [--reduce avg] [--label NAME] [--timeout 10s]

A Nagios plugin: renders EXPR on a Meridian (or graphite-web) over the last --window, reduces each
series' non-null values to one number and compares it with the ranges (CRITICAL first). The state
is the worst series'; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.

  --url URL         http://host[:port][/prefix] of the render API (https is not supported)
  --target EXPR     a graphite render expression; it may return many series
  -w, --warning R   warning range, Nagios syntax [@][start:][end] (e.g. 80, 10:, ~:5, @1:2)
  -c, --critical R  critical range; at least one of -w/-c is required
  --window D        how much data to read, e.g. 30s, 5min, 1h (default 5min)
  --reduce F        last|first|avg|min|max|sum|count|median|diff|pNN (default avg)
  --label NAME      first word of the output line (default METRIC)
  -t, --timeout D   HTTP timeout, e.g. 10s (default 10s)
  -h, --help        this text (exit 3)

UNKNOWN (3): bad arguments, server unreachable, HTTP error, no series, no data in the window.
)";

struct CheckArgs {
  std::string url;
  std::string target;
  std::string warning;
  std::string critical;
  std::string window = "5min";
  std::string reduce = "avg";
  std::string label = "METRIC";
  std::string timeout = "10s";
};

// Where each flag's value goes; nullptr for an unknown flag.
std::string* FlagSlot(CheckArgs& a, std::string_view flag) {
  if (flag == "--url") return &a.url;
  if (flag == "--target") return &a.target;
  if (flag == "-w" || flag == "--warning") return &a.warning;
  if (flag == "-c" || flag == "--critical") return &a.critical;
  if (flag == "--window") return &a.window;
  if (flag == "--reduce") return &a.reduce;
  if (flag == "--label") return &a.label;
  if (flag == "-t" || flag == "--timeout") return &a.timeout;
  return nullptr;
}

core::Result<CheckArgs> ParseArgs(std::span<const std::string> args) {
  CheckArgs a;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "-h" || arg == "--help") continue;
    std::optional<std::string> value;
    if (const size_t eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      value = std::string(arg.substr(eq + 1));
      arg = arg.substr(0, eq);
    }
    std::string* slot = FlagSlot(a, arg);
    if (slot == nullptr) return core::InvalidArgument(fmt::format("unknown argument '{}'", arg));
    if (!value) {
      if (i + 1 >= args.size()) return core::InvalidArgument(fmt::format("{} needs a value", arg));
      value = args[++i];
    }
    *slot = std::move(*value);
  }
  return a;
}

core::Result<std::optional<ThresholdRange>> OptionalRange(std::string_view flag,
                                                          const std::string& text) {
  if (text.empty()) return std::optional<ThresholdRange>();
  auto range = ParseThresholdRange(text);
  if (!range.ok()) {
    return core::InvalidArgument(fmt::format("bad {}: {}", flag, range.status().message()));
  }
  return std::optional<ThresholdRange>(*range);
}

core::Result<std::chrono::seconds> PositiveDuration(std::string_view flag,
                                                    const std::string& text) {
  auto d = ParseRuleDuration(text);
  if (!d.ok()) {
    return core::InvalidArgument(fmt::format("bad {}: {}", flag, d.status().message()));
  }
  if (d->count() <= 0) return core::InvalidArgument(fmt::format("{} must be at least 1s", flag));
  return *d;
}

// The label must keep the first line one "LABEL STATE - ..." line.
bool ValidLabel(std::string_view label) {
  if (label.empty() || label.size() > 64) return false;
  for (char c : label) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '|') return false;
  }
  return true;
}

// Checks every argument and builds the spec; `window` and `timeout` receive the durations.
core::Result<internal::CheckSpec> BuildSpec(const CheckArgs& a, std::chrono::seconds& window,
                                            std::chrono::seconds& timeout) {
  if (a.url.empty()) return core::InvalidArgument("--url is required");
  if (a.target.empty()) return core::InvalidArgument("--target is required");
  if (a.warning.empty() && a.critical.empty()) {
    return core::InvalidArgument("at least one of -w/--warning and -c/--critical is required");
  }
  if (!ValidLabel(a.label)) {
    return core::InvalidArgument("--label must be 1-64 printable characters without '|'");
  }
  if (auto url = internal::ParseHttpBaseUrl(a.url); !url.ok()) return url.status();
  internal::CheckSpec spec;
  ASSIGN_OR_RETURN(spec.warning, OptionalRange("-w", a.warning));
  ASSIGN_OR_RETURN(spec.critical, OptionalRange("-c", a.critical));
  ASSIGN_OR_RETURN(window, PositiveDuration("--window", a.window));
  ASSIGN_OR_RETURN(timeout, PositiveDuration("--timeout", a.timeout));
  auto reducer = ParseReducer(a.reduce);
  if (!reducer.ok()) {
    return core::InvalidArgument(fmt::format("bad --reduce: {}", reducer.status().message()));
  }
  spec.reducer = *reducer;
  spec.reduce_text = a.reduce;
  spec.window_text = a.window;
  spec.target = a.target;
  spec.label = a.label;
  return spec;
}

int Emit(const internal::CheckReport& report) {
  std::fwrite(report.output.data(), 1, report.output.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
  return static_cast<int>(report.state);
}

int RunCheck(std::span<const std::string> args) {
  auto parsed = ParseArgs(args);
  if (std::find(args.begin(), args.end(), "--help") != args.end() ||
      std::find(args.begin(), args.end(), "-h") != args.end()) {
    std::fwrite(kUsage.data(), 1, kUsage.size(), stdout);
    return 3;
  }
  const std::string label = parsed.ok() && ValidLabel(parsed->label) ? parsed->label : "METRIC";
  std::chrono::seconds window{0};
  std::chrono::seconds timeout{0};
  auto spec = parsed.ok() ? BuildSpec(*parsed, window, timeout)
                          : core::Result<internal::CheckSpec>(parsed.status());
  if (!spec.ok()) {
    std::fwrite(kUsage.data(), 1, kUsage.size(), stderr);
    return Emit(internal::UnknownReport(
        label, fmt::format("{} (see meridian check --help)", spec.status().message())));
  }
  RenderClientOptions options;
  options.timeout = timeout;
  auto series =
      FetchRender(parsed->url, spec->target, fmt::format("-{}s", window.count()), "now", options);
  if (!series.ok()) {
    return Emit(internal::UnknownReport(
        label, fmt::format("cannot render '{}': {}", spec->target, series.status().message())));
  }
  return Emit(internal::EvaluateCheck(*spec, *series));
}

}  // namespace

int CheckCommand(std::span<const std::string> args) {
  // A plugin must answer with a state, whatever happens (e.g. bad_alloc on a huge answer).
  try {
    return RunCheck(args);
  } catch (const std::exception& e) {
    return Emit(internal::UnknownReport("METRIC", fmt::format("internal error: {}", e.what())));
  } catch (...) {
    return Emit(internal::UnknownReport("METRIC", "internal error"));
  }
}

}  // namespace meridian::alerting
