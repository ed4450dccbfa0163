#include "dashboards/alert_events.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace meridian::dashboards {
namespace {

std::string Word(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (std::isspace(static_cast<unsigned char>(c))) c = '_';
  }
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void Fnv(uint64_t& h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  h ^= 0xff;  // field separator: ("ab","c") and ("a","bc") differ
  h *= 1099511628211ULL;
}

}  // namespace

int64_t AlertEventId(const alerting::Transition& t) {
  uint64_t h = 14695981039346656037ULL;
  Fnv(h, std::to_string(t.time));
  Fnv(h, t.group);
  Fnv(h, t.rule);
  Fnv(h, t.host);
  Fnv(h, t.service);
  Fnv(h, t.from ? alerting::CheckStateName(*t.from) : "");
  Fnv(h, alerting::CheckStateName(t.to));
  constexpr uint64_t kMax = (uint64_t{1} << 53) - 1;
  return -static_cast<int64_t>(1 + h % kMax);
}

Event TransitionEvent(const alerting::Transition& t) {
  Event e;
  e.id = AlertEventId(t);
  e.when = t.time;
  const std::string_view to = alerting::CheckStateName(t.to);
  e.what = t.from ? fmt::format("{} {}/{} {} → {}", t.rule, t.host, t.service,
                                alerting::CheckStateName(*t.from), to)
                  : fmt::format("{} {}/{} → {}", t.rule, t.host, t.service, to);
  e.data = t.output;
  e.tags = {"alert", Lower(to), "rule:" + Word(t.group) + "/" + Word(t.rule),
            "host:" + Word(t.host), "service:" + Word(t.service)};
  return e;
}

core::Result<std::vector<Event>> AlertEvents(const TransitionLister& history,
                                             const EventQuery& query, size_t history_limit) {
  std::vector<Event> out;
  if (!history || query.from > query.until) return out;
  alerting::HistoryQuery hq;
  hq.from = query.from;
  hq.until = query.until;
  hq.limit = history_limit;
  size_t bytes = 0;
  for (const alerting::Transition& t : history(hq)) {
    Event e = TransitionEvent(t);
    if (!MatchesTags(e, query)) continue;
    bytes += EventBytes(e);
    if (bytes > query.max_bytes) {
      return core::ResourceExhausted(fmt::format(
          "the matching alert events are over {} bytes (http.max_response_bytes): narrow from, "
          "until or tags",
          query.max_bytes));
    }
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(), [](const Event& a, const Event& b) {
    return a.when != b.when ? a.when < b.when : a.id < b.id;
  });
  return out;
}

core::Result<Event> FindAlertEvent(const TransitionLister& history, int64_t id,
                                   size_t history_limit) {
  if (history) {
    alerting::HistoryQuery hq;
    hq.limit = history_limit;
    for (const alerting::Transition& t : history(hq)) {
      if (AlertEventId(t) == id) return TransitionEvent(t);
    }
  }
  return core::NotFound(fmt::format("no event {}", id));
}

}  // namespace meridian::dashboards
