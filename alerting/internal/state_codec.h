// Store keys and JSON records of the alert engine's persisted checks and transitions.
//   "s/" group \0 rule \0 host \0 service   -> check record
//   "h/" 20-digit epoch "/" 10-digit sequence -> transition record (keys sort by time)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "alerting/engine.h"
#include "core/status.h"

namespace meridian::alerting::internal {

inline constexpr std::string_view kCheckPrefix = "s/";
inline constexpr std::string_view kHistoryPrefix = "h/";

// group \0 rule \0 host \0 service: checks of one rule are contiguous in key order.
std::string CheckKey(std::string_view group, std::string_view rule, std::string_view host,
                     std::string_view service);
// group \0 rule \0: the prefix of CheckKey for every check of a rule.
std::string RulePrefix(std::string_view group, std::string_view rule);
std::string HistoryKey(int64_t time, uint64_t sequence);
// The time and sequence of a history key; INVALID_ARGUMENT when malformed.
core::Status ParseHistoryKey(std::string_view key, int64_t* time, uint64_t* sequence);

std::string EncodeCheck(const CheckStatus& check);
core::Result<CheckStatus> DecodeCheck(std::string_view json);
std::string EncodeTransition(const Transition& transition);
core::Result<Transition> DecodeTransition(std::string_view json);

// "OK" … "UNKNOWN" back to the state; INVALID_ARGUMENT otherwise.
core::Result<CheckState> ParseCheckState(std::string_view name);

}  // namespace meridian::alerting::internal
