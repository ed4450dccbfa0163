#include "dashboards/record_event_store.h"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>

namespace meridian::dashboards {
namespace {

using nlohmann::json;

constexpr std::string_view kEventPrefix = "events/e/";
constexpr std::string_view kNextIdKey = "events/next_id";
constexpr int kDigits = 12;
constexpr int64_t kMaxNumber = 999'999'999'999;  // 12 digits

std::string EventKey(int64_t when, int64_t id) {
  return fmt::format("{}{:012}/{:012}", kEventPrefix, when, id);
}

bool ParseNumber(std::string_view s, int64_t* out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return !s.empty() && ec == std::errc() && ptr == s.data() + s.size();
}

// "<when>/<id>" after the prefix.
bool ParseEventKey(std::string_view key, int64_t* when, int64_t* id) {
  if (!key.starts_with(kEventPrefix)) return false;
  key.remove_prefix(kEventPrefix.size());
  const size_t slash = key.find('/');
  if (slash == std::string_view::npos) return false;
  return ParseNumber(key.substr(0, slash), when) && ParseNumber(key.substr(slash + 1), id);
}

std::string EncodeValue(const Event& e) {
  return json{{"what", e.what}, {"data", e.data}, {"tags", e.tags}}.dump(
      -1, ' ', false, json::error_handler_t::replace);
}

core::Result<Event> DecodeValue(std::string_view value, int64_t when, int64_t id) {
  json j = json::parse(value, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("what") || !j["what"].is_string() ||
      !j.contains("data") || !j["data"].is_string() || !j.contains("tags") ||
      !j["tags"].is_array()) {
    return core::Corruption(fmt::format("event {}: unreadable record", id));
  }
  Event e;
  e.id = id;
  e.when = when;
  e.what = j["what"].get<std::string>();
  e.data = j["data"].get<std::string>();
  for (const json& t : j["tags"]) {
    if (!t.is_string()) return core::Corruption(fmt::format("event {}: unreadable tags", id));
    e.tags.push_back(t.get<std::string>());
  }
  return e;
}

}  // namespace

std::vector<std::string> DecimalPrefixes(int64_t lo, int64_t hi, int width) {
  std::vector<std::string> out;
  while (lo <= hi) {
    int k = 0;
    int64_t span = 1;
    while (k < width && lo % (span * 10) == 0 && lo + span * 10 - 1 <= hi) {
      span *= 10;
      ++k;
    }
    out.push_back(fmt::format("{:0{}}", lo, width).substr(0, static_cast<size_t>(width - k)));
    lo += span;
  }
  return out;
}

core::Status EventStoreOptions::Validate() const {
  if (max_events == 0) return core::InvalidArgument("events.max_events: must be at least 1");
  if (retention.count() < 1) return core::InvalidArgument("events.retention: must be at least 1s");
  return core::Status::Ok();
}

RecordEventStore::RecordEventStore(alerting::StateStore& records, const EventStoreOptions& options,
                                   const core::Clock& clock, core::MetricsRegistry& metrics)
    : records_(records),
      options_(options),
      clock_(clock),
      added_(metrics.GetCounter("events_added_total", "Events posted to /events/ and stored.")),
      deleted_(
          metrics.GetCounter("events_deleted_total", "Events deleted by DELETE /events/{id}.")),
      evicted_limit_(metrics.GetCounter("events_evicted_total",
                                        "Events deleted by a limit (events.max_events, "
                                        "events.retention).",
                                        {{"reason", "limit"}})),
      evicted_retention_(metrics.GetCounter("events_evicted_total",
                                            "Events deleted by a limit (events.max_events, "
                                            "events.retention).",
                                            {{"reason", "retention"}})),
      unreadable_(metrics.GetCounter("events_unreadable_records_total",
                                     "Event records skipped because they could not be decoded.")),
      refused_(metrics.GetCounter(
          "events_queries_refused_total",
          "Event queries refused because their answer was over http.max_response_bytes.")),
      stored_(
          metrics.GetGauge("events_stored", "Events kept (posted ones; not alert transitions).")) {}

core::Result<std::unique_ptr<RecordEventStore>> RecordEventStore::Open(
    alerting::StateStore& records, const EventStoreOptions& options, const core::Clock& clock,
    core::MetricsRegistry& metrics) {
  RETURN_IF_ERROR(options.Validate());
  auto store =
      std::unique_ptr<RecordEventStore>(new RecordEventStore(records, options, clock, metrics));
  int64_t max_id = 0;
  RETURN_IF_ERROR(records.Scan(kEventPrefix, [&](std::string_view k, std::string_view) {
    int64_t when = 0, id = 0;
    if (!ParseEventKey(k, &when, &id) || id <= 0) {
      store->unreadable_.Add();
      fmt::print(stderr, "meridian: events: skipping unreadable record key {}\n", k);
      return true;
    }
    store->order_.emplace(when, id);
    store->when_of_[id] = when;
    max_id = std::max(max_id, id);
    return true;
  }));
  int64_t next = 1;
  RETURN_IF_ERROR(records.Scan(kNextIdKey, [&](std::string_view k, std::string_view v) {
    if (k == kNextIdKey && !ParseNumber(v, &next)) next = 1;
    return false;
  }));
  store->next_id_ = std::max(next, max_id + 1);
  std::lock_guard lock(store->mu_);
  RETURN_IF_ERROR(store->EnforceLimitsLocked(clock.NowSeconds()));
  store->stored_.Set(static_cast<int64_t>(store->order_.size()));
  return store;
}

size_t RecordEventStore::size() const {
  std::lock_guard lock(mu_);
  return order_.size();
}

int64_t RecordEventStore::OldestKept(int64_t now) const { return now - options_.retention.count(); }

core::Status RecordEventStore::EnforceLimitsLocked(int64_t now) {
  alerting::StateWrite write;
  std::vector<std::pair<int64_t, int64_t>> gone;
  size_t by_retention = 0;
  for (auto it = order_.begin(); it != order_.end(); ++it) {
    const bool expired = it->first < OldestKept(now);
    if (!expired && order_.size() - gone.size() <= options_.max_events) break;
    if (expired) ++by_retention;
    gone.push_back(*it);
    write.deletes.push_back(EventKey(it->first, it->second));
  }
  if (gone.empty()) return core::Status::Ok();
  RETURN_IF_ERROR(records_.Write(write));
  for (const auto& p : gone) {
    order_.erase(p);
    when_of_.erase(p.second);
  }
  evicted_retention_.Add(by_retention);
  evicted_limit_.Add(gone.size() - by_retention);
  stored_.Set(static_cast<int64_t>(order_.size()));
  return core::Status::Ok();
}

core::Result<int64_t> RecordEventStore::Add(const Event& event) {
  const int64_t now = clock_.NowSeconds();
  if (event.when < OldestKept(now)) {
    return core::InvalidArgument(
        fmt::format("when: {} is older than events.retention ({} s) allows", event.when,
                    options_.retention.count()));
  }
  if (event.when < 0 || event.when > kMaxNumber) {
    return core::InvalidArgument(fmt::format("when: {} is outside 0..{}", event.when, kMaxNumber));
  }
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(EnforceLimitsLocked(now));
  const int64_t id = next_id_;
  alerting::StateWrite write;
  write.puts.emplace_back(std::string(kNextIdKey), std::to_string(id + 1));
  std::optional<std::pair<int64_t, int64_t>> evict;
  bool keep = true;
  if (order_.size() >= options_.max_events) {
    const auto oldest = *order_.begin();
    if (event.when < oldest.first) {
      keep = false;  // the new event is the oldest: it is the one that goes
    } else {
      evict = oldest;
      write.deletes.push_back(EventKey(oldest.first, oldest.second));
    }
  }
  if (keep) write.puts.emplace_back(EventKey(event.when, id), EncodeValue(event));
  RETURN_IF_ERROR(records_.Write(write));
  next_id_ = id + 1;
  if (evict) {
    order_.erase(*evict);
    when_of_.erase(evict->second);
  }
  if (keep) {
    order_.emplace(event.when, id);
    when_of_[id] = event.when;
    added_.Add();
  }
  if (evict || !keep) evicted_limit_.Add();
  stored_.Set(static_cast<int64_t>(order_.size()));
  return id;
}

core::Result<std::vector<Event>> RecordEventStore::Query(const EventQuery& query,
                                                         const core::Deadline& deadline) {
  std::vector<Event> out;
  const int64_t lo = std::max<int64_t>({query.from, OldestKept(clock_.NowSeconds()), 0});
  const int64_t hi = std::min(query.until, kMaxNumber);
  if (lo > hi) return out;
  size_t bytes = 0;
  core::Status failed;
  core::DeadlineCheck check(deadline, "events query", 256);
  for (const std::string& p : DecimalPrefixes(lo, hi, kDigits)) {
    RETURN_IF_ERROR(deadline.Check("events query"));
    RETURN_IF_ERROR(
        records_.Scan(std::string(kEventPrefix) + p, [&](std::string_view k, std::string_view v) {
          if (failed = check.Step(); !failed.ok()) return false;
          int64_t when = 0, id = 0;
          if (!ParseEventKey(k, &when, &id)) return true;
          auto e = DecodeValue(v, when, id);
          if (!e.ok()) {
            unreadable_.Add();
            return true;
          }
          if (!MatchesTags(*e, query)) return true;
          bytes += EventBytes(*e);
          if (bytes > query.max_bytes) {
            refused_.Add();
            failed = core::ResourceExhausted(fmt::format(
                "the matching events are over {} bytes (http.max_response_bytes): narrow from, "
                "until or tags",
                query.max_bytes));
            return false;
          }
          out.push_back(std::move(*e));
          return true;
        }));
    RETURN_IF_ERROR(failed);
  }
  return out;
}

core::Result<Event> RecordEventStore::Get(int64_t id) {
  int64_t when = 0;
  {
    std::lock_guard lock(mu_);
    auto it = when_of_.find(id);
    if (it == when_of_.end()) return core::NotFound(fmt::format("no event {}", id));
    when = it->second;
  }
  if (when < OldestKept(clock_.NowSeconds())) {
    return core::NotFound(fmt::format("no event {} (expired)", id));
  }
  const std::string key = EventKey(when, id);
  core::Result<Event> found = core::NotFound(fmt::format("no event {}", id));
  RETURN_IF_ERROR(records_.Scan(key, [&](std::string_view k, std::string_view v) {
    if (k == key) found = DecodeValue(v, when, id);
    return false;
  }));
  return found;
}

core::Status RecordEventStore::Delete(int64_t id) {
  std::lock_guard lock(mu_);
  auto it = when_of_.find(id);
  if (it == when_of_.end()) return core::NotFound(fmt::format("no event {}", id));
  alerting::StateWrite write;
  write.deletes.push_back(EventKey(it->second, id));
  RETURN_IF_ERROR(records_.Write(write));
  order_.erase({it->second, id});
  when_of_.erase(it);
  deleted_.Add();
  stored_.Set(static_cast<int64_t>(order_.size()));
  return core::Status::Ok();
}

}  // namespace meridian::dashboards
