// CheckSink: where check results go (the Nagios command pipe, an NSCA server, tests).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "alerting/check_result.h"

namespace meridian::alerting {

// One passive service check result.
struct CheckResult {
  int64_t time = 0;  // evaluation time, epoch seconds (the command line's [epoch])
  std::string host;
  std::string service;
  CheckState state = CheckState::kUnknown;
  std::string output;  // plugin output: FormatPluginOutput(text, perfdata)
  bool operator==(const CheckResult&) const = default;
};

class CheckSink {
 public:
  virtual ~CheckSink() = default;
  // Queues results for delivery and returns at once: a sink never blocks evaluation (a dead
  // receiver is retried in the background with backoff; what cannot be queued is dropped and
  // counted). Thread-safe.
  virtual void Submit(std::span<const CheckResult> results) = 0;
  // Short name for logs and metric labels: "nagios", "nsca".
  virtual std::string_view name() const = 0;
};

}  // namespace meridian::alerting
