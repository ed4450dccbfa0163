// Nagios object definitions for the passive checks that alert rules produce
// (`meridian export-nagios`). Pure text functions; the command (export_nagios_command.cc) adds
// file loading and, for templated names, the series of a running Meridian.
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "alerting/rule.h"
#include "core/status.h"

namespace meridian::alerting {

// One passive service Nagios must know: host, service description, and the evaluation interval
// of the group that feeds it (for its freshness threshold).
struct NagiosCheck {
  std::string host;
  std::string service;
  std::chrono::seconds interval{60};
  bool operator==(const NagiosCheck&) const = default;
};

struct NagiosExportOptions {
  // freshness_threshold = max(ceil(freshness_factor × interval), min_freshness). Default 3 × and
  // 60 s: a result may be late by two evaluations before Nagios calls it stale.
  double freshness_factor = 3;
  std::chrono::seconds min_freshness{60};
  // `contact_groups` of the host and service templates (comma-separated Nagios contactgroup
  // names), so that the passive services page someone. Empty = none (Nagios warns).
  std::string contact_groups;
  // factor finite and in (0, 1000]; contact_groups a valid Nagios name list
  core::Status Validate() const;
};

// Object names of the shared definitions.
inline constexpr std::string_view kNagiosTimeperiod = "meridian-24x7";
inline constexpr std::string_view kNagiosStaleCommand = "meridian-stale";
inline constexpr std::string_view kNagiosHostTemplate = "meridian-host";
inline constexpr std::string_view kNagiosServiceTemplate = "meridian-service";

// A rule of a set, with its group.
struct RuleRef {
  const RuleGroup* group = nullptr;
  const Rule* rule = nullptr;
};

// The checks of rules whose host and service are both static, in rule-set order. Rules with a
// templated host or service are appended to `templated` (nullable).
std::vector<NagiosCheck> StaticChecks(const RuleSet& rules, std::vector<RuleRef>* templated);

// The checks one rule produces for the given series. INVALID_ARGUMENT naming the rule and the
// series when a name cannot be rendered ({node:N} out of range, absent tag) or is not a valid
// Nagios name.
core::Result<std::vector<NagiosCheck>> ChecksForSeries(const RuleRef& rule,
                                                       std::span<const SeriesRef> series);

// The whole object configuration: timeperiod kNagiosTimeperiod, command kNagiosStaleCommand
// (prints an UNKNOWN message, exits 3), host and service templates (register 0: passive only,
// freshness checked for services, check_command kNagiosStaleCommand), one host per distinct host
// name (address = name, no check command: Nagios keeps it UP) and one service per distinct
// (host, service) with its freshness_threshold; duplicates take the longest interval. Sorted by
// host, then service: the same checks give the same text. INVALID_ARGUMENT for a name that
// ValidateObjectName rejects or invalid options.
core::Result<std::string> FormatNagiosObjects(std::span<const NagiosCheck> checks,
                                              const NagiosExportOptions& options = {});

}  // namespace meridian::alerting
