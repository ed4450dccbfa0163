// Error text, refresh notation, uids and the built-in dashboard (dashboard.h); the parser is in
// internal/dashboard_parser.cc.
#include "dashboards/dashboard.h"

#include <fmt/format.h>

#include <cctype>
#include <map>

namespace meridian::dashboards {
namespace {

constexpr size_t kMaxUidLength = 40;
constexpr size_t kUidPrefixLength = kMaxUidLength - 9;  // '-' and 8 hex digits follow

uint32_t Fnv1a(std::string_view text) {
  uint32_t h = 2166136261u;
  for (unsigned char c : text) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

std::string HashedUid(std::string_view slug, std::string_view path) {
  return fmt::format("{}-{:08x}", slug.substr(0, kUidPrefixLength), Fnv1a(path));
}

bool Reserved(std::string_view uid) { return uid == kBuiltinUid || uid == "reload"; }

}  // namespace

std::string DashboardError::ToString() const {
  return fmt::format("{}:{}: {}", file, line, message);
}

std::string RefreshText(int64_t seconds) {
  if (seconds <= 0) return "";
  if (seconds % 86400 == 0) return fmt::format("{}d", seconds / 86400);
  if (seconds % 3600 == 0) return fmt::format("{}h", seconds / 3600);
  if (seconds % 60 == 0) return fmt::format("{}m", seconds / 60);
  return fmt::format("{}s", seconds);
}

std::string UidSlug(std::string_view relative_path) {
  std::string_view stem = relative_path;
  const size_t slash = stem.rfind('/');
  const size_t dot = stem.rfind('.');
  if (dot != std::string_view::npos && (slash == std::string_view::npos || dot > slash + 1)) {
    stem = stem.substr(0, dot);
  }
  std::string slug;
  for (char c : stem) {
    const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    slug += (lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9') || lower == '-' ? lower
                                                                                             : '-';
  }
  return slug;
}

std::vector<std::string> DashboardUids(std::span<const std::string> relative_paths) {
  std::vector<std::string> slugs;
  std::map<std::string, int> count;
  for (const std::string& path : relative_paths) {
    slugs.push_back(UidSlug(path));
    ++count[slugs.back()];
  }
  std::vector<std::string> uids;
  for (size_t i = 0; i < slugs.size(); ++i) {
    const std::string& slug = slugs[i];
    const bool plain =
        !slug.empty() && slug.size() <= kMaxUidLength && count[slug] == 1 && !Reserved(slug);
    uids.push_back(plain ? slug : HashedUid(slug, relative_paths[i]));
  }
  return uids;
}

const std::string_view kBuiltinDashboardYaml = R"yaml(
title: Meridian self-metrics
description: >-
  What each Meridian instance writes about itself every storage.self_metrics_interval, as
  meridian.<instance>.* (the same numbers /metrics serves).
tags: [meridian]
refresh: 30s
time: { from: -1h, until: now }
variables:
  - { name: instance, query: "meridian.*", multi: true, include_all: true }
panels:
  - title: Points received per second
    targets: ["aliasByNode(perSecond(meridian.$instance.ingest_points_received_total), 1)"]
    unit: ops
    min: 0
  - title: Points written per second
    targets: ["aliasByNode(perSecond(meridian.$instance.storage_points_written_total), 1)"]
    unit: ops
    min: 0
  - title: Series
    targets: ["aliasByNode(meridian.$instance.storage_series, 1)"]
    unit: short
    min: 0
    legend: [last, max]
  - title: Lines rejected per second, by reason
    targets: ["aliasByNode(perSecond(meridian.$instance.ingest_lines_rejected_total.*), 1, 3)"]
    unit: ops
    min: 0
    legend: [last, max, total]
  - title: HTTP requests per second
    targets: ["aliasByNode(perSecond(meridian.$instance.http_server_requests_total), 1)"]
    unit: reqps
    min: 0
  - title: Write queue (points)
    targets: ["aliasByNode(meridian.$instance.storage_queue_points, 1)"]
    unit: short
    min: 0
    legend: [last, max]
  - title: Resident memory
    targets: ["aliasByNode(meridian.$instance.process_resident_memory_bytes, 1)"]
    unit: bytes
    min: 0
    legend: [last, max]
  - title: Disk used
    targets: ["aliasByNode(meridian.$instance.storage_disk_bytes, 1)"]
    unit: bytes
    min: 0
    legend: [last, max]
)yaml";

Dashboard BuiltinDashboard() {
  // Parsed from the embedded text so it obeys the same rules as a file (a unit test checks it
  // has no error).
  Dashboard d = ParseDashboard(kBuiltinDashboardYaml, kBuiltinFile).dashboard;
  d.uid = std::string(kBuiltinUid);
  d.file = std::string(kBuiltinFile);
  return d;
}

}  // namespace meridian::dashboards
