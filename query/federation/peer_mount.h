// PeerMount: how a peer's names appear here (a value; the functions over it are in mount.h).
// Its own header because a push-down request carries the asking front's mount to the peer
// (query/partials.h), below the Peer seam (peer.h).
#pragma once

#include <map>
#include <string>

namespace meridian::query::federation {

// How a peer's names appear here. Empty: as they are (the region is already in the path).
struct PeerMount {
  // A dotted prefix put before every untagged name of the peer ("eu" → eu.web1.cpu).
  std::string prefix;
  // Tags added to every tagged series of the peer (region=eu → cpu;host=a;region=eu), like
  // Prometheus external labels. A tag the series already has is left as the peer sent it.
  std::map<std::string, std::string> tags;
  bool empty() const { return prefix.empty() && tags.empty(); }
  bool operator==(const PeerMount&) const = default;
};

}  // namespace meridian::query::federation
