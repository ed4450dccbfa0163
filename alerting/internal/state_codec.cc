#include "alerting/internal/state_codec.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace meridian::alerting::internal {
namespace {

using nlohmann::json;

json OptionalTime(const std::optional<int64_t>& t) { return t ? json(*t) : json(nullptr); }

std::optional<int64_t> ReadOptionalTime(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

// NaN (no data) is stored as null: JSON has no NaN.
json Number(double v) {
  return std::isfinite(v) ? json(v) : std::isnan(v) ? json(nullptr) : json(v > 0 ? "inf" : "-inf");
}

double ReadNumber(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return std::numeric_limits<double>::quiet_NaN();
  if (it->is_number()) return it->get<double>();
  if (it->is_string()) {
    return it->get<std::string>() == "inf" ? std::numeric_limits<double>::infinity()
                                           : -std::numeric_limits<double>::infinity();
  }
  return std::numeric_limits<double>::quiet_NaN();
}

std::string ReadString(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t ReadInt(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

// Records carry "v"; a reader refuses versions it does not know (absent = 1).
constexpr int kRecordVersion = 1;

core::Status CheckVersion(const json& j) {
  auto it = j.find("v");
  if (it == j.end() || (it->is_number_integer() && it->get<int64_t>() == kRecordVersion)) {
    return core::Status::Ok();
  }
  return core::InvalidArgument("record version " + it->dump() + " is not known to this Meridian");
}

}  // namespace

std::string CheckKey(std::string_view group, std::string_view rule, std::string_view host,
                     std::string_view service) {
  std::string key = RulePrefix(group, rule);
  key.append(host);
  key.push_back('\0');
  key.append(service);
  return key;
}

std::string RulePrefix(std::string_view group, std::string_view rule) {
  std::string key;
  key.append(group);
  key.push_back('\0');
  key.append(rule);
  key.push_back('\0');
  return key;
}

std::string HistoryKey(int64_t time, uint64_t sequence) {
  return fmt::format("{:020d}/{:010d}", time, sequence);
}

core::Status ParseHistoryKey(std::string_view key, int64_t* time, uint64_t* sequence) {
  if (key.size() != 31 || key[20] != '/') return core::InvalidArgument("bad history key");
  auto t = std::from_chars(key.data(), key.data() + 20, *time);
  auto s = std::from_chars(key.data() + 21, key.data() + 31, *sequence);
  if (t.ec != std::errc() || s.ec != std::errc() || t.ptr != key.data() + 20 ||
      s.ptr != key.data() + 31) {
    return core::InvalidArgument("bad history key");
  }
  return core::Status::Ok();
}

core::Result<CheckState> ParseCheckState(std::string_view name) {
  for (CheckState s :
       {CheckState::kOk, CheckState::kWarning, CheckState::kCritical, CheckState::kUnknown}) {
    if (CheckStateName(s) == name) return s;
  }
  return core::InvalidArgument(fmt::format("unknown check state '{}'", name));
}

std::string EncodeCheck(const CheckStatus& c) {
  const SeriesState& s = c.state;
  json j = {{"v", kRecordVersion},
            {"group", c.group},
            {"rule", c.rule},
            {"host", c.host},
            {"service", c.service},
            {"series", c.series},
            {"state", CheckStateName(s.state)},
            {"state_since", s.state_since},
            {"warning_since", OptionalTime(s.warning_since)},
            {"critical_since", OptionalTime(s.critical_since)},
            {"unknown_since", OptionalTime(s.unknown_since)},
            {"warning_last_met", OptionalTime(s.warning_last_met)},
            {"critical_last_met", OptionalTime(s.critical_last_met)},
            {"value", Number(s.last_value)},
            {"last_data", s.last_data},
            {"last_evaluation", s.last_evaluation},
            {"output", c.output},
            {"definition", c.definition}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

core::Result<CheckStatus> DecodeCheck(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return core::InvalidArgument("check record is not a JSON object");
  RETURN_IF_ERROR(CheckVersion(j));
  CheckStatus c;
  c.definition = ReadString(j, "definition");
  c.group = ReadString(j, "group");
  c.rule = ReadString(j, "rule");
  c.host = ReadString(j, "host");
  c.service = ReadString(j, "service");
  c.series = ReadString(j, "series");
  c.output = ReadString(j, "output");
  ASSIGN_OR_RETURN(c.state.state, ParseCheckState(ReadString(j, "state")));
  c.state.state_since = ReadInt(j, "state_since");
  c.state.warning_since = ReadOptionalTime(j, "warning_since");
  c.state.critical_since = ReadOptionalTime(j, "critical_since");
  c.state.unknown_since = ReadOptionalTime(j, "unknown_since");
  c.state.warning_last_met = ReadOptionalTime(j, "warning_last_met");
  c.state.critical_last_met = ReadOptionalTime(j, "critical_last_met");
  c.state.last_value = ReadNumber(j, "value");
  c.state.last_data = ReadInt(j, "last_data");
  c.state.last_evaluation = ReadInt(j, "last_evaluation");
  if (c.group.empty() || c.rule.empty() || c.host.empty() || c.service.empty()) {
    return core::InvalidArgument("check record lacks group/rule/host/service");
  }
  return c;
}

std::string EncodeTransition(const Transition& t) {
  json j = {{"v", kRecordVersion},
            {"time", t.time},
            {"group", t.group},
            {"rule", t.rule},
            {"host", t.host},
            {"service", t.service},
            {"series", t.series},
            {"from", t.from ? json(CheckStateName(*t.from)) : json(nullptr)},
            {"to", CheckStateName(t.to)},
            {"value", Number(t.value)},
            {"output", t.output}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

core::Result<Transition> DecodeTransition(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return core::InvalidArgument("transition record is not a JSON object");
  RETURN_IF_ERROR(CheckVersion(j));
  Transition t;
  t.time = ReadInt(j, "time");
  t.group = ReadString(j, "group");
  t.rule = ReadString(j, "rule");
  t.host = ReadString(j, "host");
  t.service = ReadString(j, "service");
  t.series = ReadString(j, "series");
  t.output = ReadString(j, "output");
  t.value = ReadNumber(j, "value");
  if (std::string from = ReadString(j, "from"); !from.empty()) {
    ASSIGN_OR_RETURN(t.from, ParseCheckState(from));
  }
  ASSIGN_OR_RETURN(t.to, ParseCheckState(ReadString(j, "to")));
  return t;
}

}  // namespace meridian::alerting::internal
