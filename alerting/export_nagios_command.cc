// `meridian export-nagios --rules PATH… [--url URL] [--freshness-factor F] [--contact-groups L]`
// (commands.h).
#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <optional>

#include "alerting/commands.h"
#include "alerting/nagios_export.h"
#include "alerting/render_client.h"
#include "alerting/rule.h"

namespace meridian::alerting {
namespace {

constexpr std::string_view kUsage =
    "usage: meridian export-nagios --rules PATH [--rules PATH...] [--url URL]\n"
    "                              [--freshness-factor F] [--contact-groups G1,G2]\n"
    "Prints Nagios object definitions (hosts, passive services with check_freshness, shared\n"
    "templates) for every check the rules can produce. Rules whose nagios.host or\n"
    "nagios.service is a template ({node:N}, {tag:NAME}, {name}) need the series: with --url\n"
    "(a running Meridian or graphite-web) their targets are rendered over their window;\n"
    "without --url they are skipped with a warning on stderr.\n"
    "  --freshness-factor F   freshness_threshold = max(F x group interval, 60) seconds;\n"
    "                         default 3\n"
    "  --contact-groups LIST  contact_groups of the generated host/service templates\n"
    "Exit status: 0 OK, 1 invalid rules / a fetch failed / an invalid name, 2 usage error.\n";

struct Flags {
  std::vector<std::string> rules;
  std::optional<std::string> url;
  NagiosExportOptions options;
  bool help = false;
};

// Flags or a usage error message.
core::Result<Flags> ParseFlags(std::span<const std::string> args) {
  Flags flags;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string name = args[i];
    std::optional<std::string> value;
    if (const size_t eq = name.find('='); name.starts_with("--") && eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (name == "-h" || name == "--help") {
      flags.help = true;
      continue;
    }
    if (name != "--rules" && name != "--url" && name != "--freshness-factor" &&
        name != "--contact-groups") {
      return core::InvalidArgument("unknown argument '" + args[i] + "'");
    }
    if (!value) {
      if (i + 1 >= args.size()) return core::InvalidArgument(name + " needs a value");
      value = args[++i];
    }
    if (name == "--rules") {
      flags.rules.push_back(*value);
    } else if (name == "--url") {
      flags.url = *value;
    } else if (name == "--contact-groups") {
      flags.options.contact_groups = *value;
    } else {
      double factor = 0;
      auto [ptr, ec] = std::from_chars(value->data(), value->data() + value->size(), factor);
      if (ec != std::errc() || ptr != value->data() + value->size()) {
        return core::InvalidArgument("--freshness-factor: not a number: '" + *value + "'");
      }
      flags.options.freshness_factor = factor;
    }
  }
  if (!flags.help && flags.rules.empty()) return core::InvalidArgument("--rules PATH is required");
  RETURN_IF_ERROR(flags.options.Validate());
  return flags;
}

// Renders the rule's target over its window and names a check per series. Errors are printed.
bool ExpandTemplated(const RuleRef& ref, const std::string& url, std::vector<NagiosCheck>& checks) {
  const std::string from = "-" + std::to_string(ref.rule->window.count()) + "s";
  auto rendered = FetchRender(url, ref.rule->target, from, "now");
  if (!rendered.ok()) {
    fmt::print(stderr, "{}:{}: group {}: rule {}: rendering the target failed: {}\n",
               ref.group->file, ref.rule->line, ref.group->name, ref.rule->name,
               rendered.status().ToString());
    return false;
  }
  std::vector<SeriesRef> series;
  series.reserve(rendered->size());
  for (const RenderedSeries& s : *rendered) series.push_back(SeriesRef{s.name, &s.tags});
  auto expanded = ChecksForSeries(ref, series);
  if (!expanded.ok()) {
    fmt::print(stderr, "{}:{}: {}\n", ref.group->file, ref.rule->line, expanded.status().message());
    return false;
  }
  checks.insert(checks.end(), expanded->begin(), expanded->end());
  return true;
}

}  // namespace

int ExportNagiosCommand(std::span<const std::string> args) {
  auto flags = ParseFlags(args);
  if (!flags.ok()) {
    fmt::print(stderr, "meridian export-nagios: {}\n{}", flags.status().message(), kUsage);
    return 2;
  }
  if (flags->help) {
    fmt::print(stdout, "{}", kUsage);
    return 0;
  }
  const LoadedRules loaded = LoadRules(flags->rules);
  for (const RuleError& error : loaded.errors) fmt::print(stderr, "{}\n", error.ToString());
  if (!loaded.errors.empty()) return 1;
  std::vector<RuleRef> templated;
  std::vector<NagiosCheck> checks = StaticChecks(loaded.rules, &templated);
  bool ok = true;
  for (const RuleRef& ref : templated) {
    if (!flags->url) {
      fmt::print(stderr,
                 "meridian export-nagios: warning: skipping group {} rule {} ({}:{}): its host "
                 "or service is a template; pass --url to expand it from the series\n",
                 ref.group->name, ref.rule->name, ref.group->file, ref.rule->line);
      continue;
    }
    ok = ExpandTemplated(ref, *flags->url, checks) && ok;
  }
  if (!ok) return 1;
  auto text = FormatNagiosObjects(checks, flags->options);
  if (!text.ok()) {
    fmt::print(stderr, "meridian export-nagios: {}\n", text.status().message());
    return 1;
  }
  std::fputs(text->c_str(), stdout);
  return 0;
}

}  // namespace meridian::alerting
