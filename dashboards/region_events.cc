#include "dashboards/region_events.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>

namespace meridian::dashboards {
namespace {

bool IsRegionTag(const std::string& tag) { return tag.starts_with("region:"); }

std::string Encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ':' || c == '/') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

}  // namespace

EventQuery RegionQuery(const EventQuery& query) {
  EventQuery q = query;
  const bool has_region = std::any_of(query.tags.begin(), query.tags.end(),
                                      [](const auto& t) { return IsRegionTag(t); });
  if (!has_region) return q;
  if (query.set == SetOperation::kUnion) {
    q.tags.clear();
  } else {
    q.tags.erase(std::remove_if(q.tags.begin(), q.tags.end(), IsRegionTag), q.tags.end());
  }
  return q;
}

std::string RegionPath(const EventQuery& q) {
  std::string path = fmt::format("/events/get_data?from={}&until={}&local=1", q.from,
                                 std::min<int64_t>(q.until, 999'999'999'999));
  if (!q.tags.empty()) {
    std::string tags;
    for (const std::string& t : q.tags) tags += (tags.empty() ? "" : " ") + t;
    path += "&tags=" + Encode(tags);
    if (q.set == SetOperation::kUnion) path += "&set=union";
  }
  return path;
}

core::Result<std::vector<Event>> ParsePeerEvents(std::string_view body) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_array()) {
    return core::Unavailable("/events/get_data answer is not a JSON array");
  }
  std::vector<Event> out;
  for (const auto& e : j) {
    if (!e.is_object() || !e.contains("when") || !e["when"].is_number() || !e.contains("what") ||
        !e["what"].is_string()) {
      return core::Unavailable("/events/get_data answer: an event without when/what");
    }
    Event ev;
    ev.when = static_cast<int64_t>(std::floor(e["when"].get<double>()));
    ev.what = e["what"].get<std::string>();
    if (e.contains("data") && e["data"].is_string()) ev.data = e["data"].get<std::string>();
    if (e.contains("id") && e["id"].is_number_integer()) ev.id = e["id"].get<int64_t>();
    if (e.contains("tags")) {
      if (e["tags"].is_string()) {
        ev.tags = SplitTags(e["tags"].get<std::string>());
      } else if (e["tags"].is_array()) {
        for (const auto& t : e["tags"]) {
          if (t.is_string()) ev.tags.push_back(t.get<std::string>());
        }
      }
    }
    out.push_back(std::move(ev));
  }
  return out;
}

void TagRegion(Event& event, std::string_view name) {
  std::string tag = "region:" + std::string(name);
  for (char& c : tag) {
    if (std::isspace(static_cast<unsigned char>(c))) c = '_';
  }
  if (std::find(event.tags.begin(), event.tags.end(), tag) == event.tags.end()) {
    event.tags.push_back(std::move(tag));
  }
}

std::vector<Event> PeerEvents(PeerFanout& peers, const EventQuery& query, query::ReadReport& report,
                              const core::Deadline& deadline) {
  std::vector<std::shared_ptr<RemoteInstance>> asked;
  for (auto& p : peers.directory().Peers()) {
    if (p->role() != "replica") asked.push_back(std::move(p));
  }
  const std::string path = RegionPath(RegionQuery(query));
  using Answer = core::Result<std::vector<Event>>;
  auto replies = peers.Ask<Answer>(
      asked,
      [path](RemoteInstance& peer, const core::Deadline& d) -> Answer {
        ASSIGN_OR_RETURN(std::string body, peer.GetJson(path, d));
        return ParsePeerEvents(body);
      },
      deadline);
  std::vector<Event> out;
  for (auto& reply : replies) {
    const std::string& name = reply.peer->name();
    if (!reply.not_asked.empty()) {
      report.AddMissing(name, "overloaded");
    } else if (!reply.answer) {
      report.AddMissing(name, "timeout");
    } else if (!reply.answer->ok()) {
      report.AddMissing(name, reply.answer->status().message());
    } else {
      for (Event& e : reply.answer->value()) {
        TagRegion(e, name);
        if (MatchesTags(e, query)) out.push_back(std::move(e));
      }
    }
  }
  return out;
}

}  // namespace meridian::dashboards
