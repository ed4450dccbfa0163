#include "alerting/nagios_export.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "alerting/check_result.h"

namespace meridian::alerting {
namespace {

// The message Nagios shows when a service went stale. No ';' anywhere: it starts a comment in
// object files, hence `&&`.
constexpr std::string_view kStaleCommandLine =
    "/bin/sh -c 'echo \"UNKNOWN - no result from Meridian within the freshness threshold\" && "
    "exit 3'";

void Directive(std::string& out, std::string_view key, std::string_view value) {
  fmt::format_to(std::back_inserter(out), "    {:<28} {}\n", key, value);
}

void SharedDefinitions(std::string& out, const NagiosExportOptions& options) {
  out += "define timeperiod {\n";
  Directive(out, "timeperiod_name", kNagiosTimeperiod);
  Directive(out, "alias", "Always (Meridian)");
  for (std::string_view day :
       {"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}) {
    Directive(out, day, "00:00-24:00");
  }
  out += "}\n\ndefine command {\n";
  Directive(out, "command_name", kNagiosStaleCommand);
  Directive(out, "command_line", kStaleCommandLine);
  out += "}\n\n";
  for (bool host : {true, false}) {
    out += host ? "define host {\n" : "define service {\n";
    Directive(out, "name", host ? kNagiosHostTemplate : kNagiosServiceTemplate);
    Directive(out, "register", "0");
    Directive(out, "active_checks_enabled", "0");
    Directive(out, "passive_checks_enabled", "1");
    Directive(out, "check_freshness", host ? "0" : "1");
    if (!host) Directive(out, "check_command", kNagiosStaleCommand);
    Directive(out, "max_check_attempts", "1");
    Directive(out, "check_period", kNagiosTimeperiod);
    Directive(out, "notification_period", kNagiosTimeperiod);
    if (!options.contact_groups.empty()) Directive(out, "contact_groups", options.contact_groups);
    out += "}\n\n";
  }
}

int64_t FreshnessSeconds(std::chrono::seconds interval, const NagiosExportOptions& options) {
  const double scaled = std::ceil(options.freshness_factor * static_cast<double>(interval.count()));
  return std::max(static_cast<int64_t>(scaled),
                  static_cast<int64_t>(options.min_freshness.count()));
}

}  // namespace

core::Status NagiosExportOptions::Validate() const {
  if (!std::isfinite(freshness_factor) || freshness_factor <= 0 || freshness_factor > 1000) {
    return core::InvalidArgument("freshness factor must be > 0 and <= 1000");
  }
  if (min_freshness.count() < 0) return core::InvalidArgument("min_freshness must be >= 0");
  if (!contact_groups.empty()) {
    for (size_t b = 0, e; b <= contact_groups.size(); b = e + 1) {
      e = std::min(contact_groups.find(',', b), contact_groups.size());
      if (auto st = ValidateObjectName(std::string_view(contact_groups).substr(b, e - b));
          !st.ok()) {
        return core::InvalidArgument("contact groups '" + contact_groups + "': " + st.message());
      }
    }
  }
  return core::Status::Ok();
}

std::vector<NagiosCheck> StaticChecks(const RuleSet& rules, std::vector<RuleRef>* templated) {
  std::vector<NagiosCheck> checks;
  for (const RuleGroup& group : rules.groups) {
    for (const Rule& rule : group.rules) {
      if (!rule.host.is_static() || !rule.service.is_static()) {
        if (templated != nullptr) templated->push_back(RuleRef{&group, &rule});
        continue;
      }
      auto host = rule.host.Render(SeriesRef{});
      auto service = rule.service.Render(SeriesRef{});
      if (host.ok() && service.ok()) checks.push_back({*host, *service, group.interval});
    }
  }
  return checks;
}

core::Result<std::vector<NagiosCheck>> ChecksForSeries(const RuleRef& ref,
                                                       std::span<const SeriesRef> series) {
  std::vector<NagiosCheck> checks;
  for (const SeriesRef& s : series) {
    auto error = [&](std::string_view what, const core::Status& status) {
      return core::InvalidArgument("group " + ref.group->name + ": rule " + ref.rule->name +
                                   ": series '" + std::string(s.name) + "': " + std::string(what) +
                                   ": " + status.message());
    };
    auto host = ref.rule->host.Render(s);
    if (!host.ok()) return error("nagios.host", host.status());
    if (core::Status st = ValidateObjectName(*host); !st.ok()) return error("host", st);
    auto service = ref.rule->service.Render(s);
    if (!service.ok()) return error("nagios.service", service.status());
    if (core::Status st = ValidateObjectName(*service); !st.ok()) {
      return error("service", st);
    }
    checks.push_back({*host, *service, ref.group->interval});
  }
  return checks;
}

core::Result<std::string> FormatNagiosObjects(std::span<const NagiosCheck> checks,
                                              const NagiosExportOptions& options) {
  RETURN_IF_ERROR(options.Validate());
  std::set<std::string> hosts;
  std::map<std::pair<std::string, std::string>, std::chrono::seconds> services;
  for (const NagiosCheck& check : checks) {
    for (const std::string* name : {&check.host, &check.service}) {
      if (core::Status st = ValidateObjectName(*name); !st.ok()) {
        return core::InvalidArgument("host '" + check.host + "' service '" + check.service +
                                     "': " + st.message());
      }
    }
    hosts.insert(check.host);
    auto [it, inserted] = services.emplace(std::pair(check.host, check.service), check.interval);
    if (!inserted) it->second = std::max(it->second, check.interval);
  }
  std::string out = fmt::format(
      "# Nagios objects for Meridian's passive checks: {} hosts, {} services.\n"
      "# Generated by `meridian export-nagios` (regenerate rather than edit). A service with no\n"
      "# result within its freshness_threshold (seconds) goes UNKNOWN through {}.\n\n",
      hosts.size(), services.size(), kNagiosStaleCommand);
  SharedDefinitions(out, options);
  for (const std::string& host : hosts) {
    out += "define host {\n";
    Directive(out, "use", kNagiosHostTemplate);
    Directive(out, "host_name", host);
    Directive(out, "address", host);
    out += "}\n\n";
  }
  for (const auto& [key, interval] : services) {
    out += "define service {\n";
    Directive(out, "use", kNagiosServiceTemplate);
    Directive(out, "host_name", key.first);
    Directive(out, "service_description", key.second);
    Directive(out, "freshness_threshold", std::to_string(FreshnessSeconds(interval, options)));
    out += "}\n\n";
  }
  out.pop_back();  // one blank line between definitions, none at the end
  return out;
}

}  // namespace meridian::alerting
