// A peer's namespace mounted here (PeerMount): what to ask the peer for a local pattern or tag
// query, and how the peer's names look here. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "query/federation/peer.h"
#include "query/series_source.h"
#include "storage/store.h"

namespace meridian::query::federation {

// What a local path pattern asks of a mounted peer.
struct MountedQuery {
  // The pattern to send the peer (the pattern without the prefix's nodes); empty when the peer
  // is not asked at all.
  std::string peer_pattern;
  // Find only: nodes the mount itself contributes, for a pattern that ends inside the prefix
  // ("*" against prefix eu.west → the branch "eu").
  std::vector<storage::FindMatch> prefix_nodes;
  // "**" met inside the prefix: the peer is asked more than the pattern matches, and what it
  // answers must be filtered with the local pattern after mounting.
  bool filter_after = false;
};

// No prefix: the pattern itself. A prefix of k nodes: the pattern's first k nodes must each match
// the prefix's node (else nothing is asked); the rest is asked of the peer. Patterns whose first
// k nodes hold "**" are asked whole and filtered after (Mounted... then re-check with glob).
MountedQuery MountPattern(const PeerMount& mount, std::string_view pattern);

// The name a peer's series has here: the prefix before an untagged name; the mount's tags added
// to a tagged one (a tag the series has keeps the peer's value). Unchanged without a mount.
std::string MountedName(const PeerMount& mount, std::string_view peer_name);

// seriesByTag expressions to send a mounted peer: expressions on a mount tag are decided here
// (nullopt when one excludes the peer) and dropped; the others are sent as they are. A list left
// without an expression that selects series gets `name=~.+` (graphite-web needs one).
// INVALID_ARGUMENT for an expression that is not `tag<op>value`.
core::Result<std::optional<std::vector<std::string>>> MountTagExpressions(
    const PeerMount& mount, const std::vector<std::string>& expressions);

// The read to send a mounted peer for a local one (MountPattern or MountTagExpressions): nullopt
// when the mount rules the peer out (its prefix does not match the pattern, its tags contradict
// an expression). `*filter_after` (when given) is set when the peer is asked more than `spec`
// matches ("**" inside the prefix): its answer must be filtered with `spec` after mounting.
core::Result<std::optional<FetchSpec>> MountFetchSpec(const PeerMount& mount, const FetchSpec& spec,
                                                      bool* filter_after = nullptr);

}  // namespace meridian::query::federation
