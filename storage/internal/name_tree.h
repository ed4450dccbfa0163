// NameTree: the dot-separated Graphite namespace of untagged series, for /metrics/find, globbing
// in /render and /metrics/index.json.
//
// Each node stores its component once (in one shared byte arena) plus parent, first-child and
// next-sibling links: 32 bytes a node. One open-addressing table keyed by (parent, component)
// makes literal components a hash lookup (small families are scanned instead: their nodes sit
// close together, a random slot of a large table does not); wildcard components scan the
// parent's children.
//
// Thread-safety: not thread-safe. Const methods may run concurrently with each other; Insert
// needs exclusive access (the store guards the tree with a shared_mutex: one writer, many readers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/deadline.h"
#include "core/status.h"
#include "storage/glob.h"

namespace meridian::storage::internal {

class NameTree {
 public:
  static constexpr uint32_t kNoLeaf = 0xFFFFFFFFu;
  static constexpr size_t kMaxComponentBytes = 65536;

  struct FindMatch {
    std::string path;
    bool is_leaf = false;           // a series has exactly this name
    bool has_children = false;      // a branch: longer names start with path + "."
    uint32_t leaf_index = kNoLeaf;  // valid when is_leaf
  };

  struct FindLimits {
    size_t max_results = 100'000;  // more matching nodes → ResourceExhausted
    // More bytes in the matching paths → ResourceExhausted, checked before any path is built
    // (a "**" over one deep name would otherwise build thousands of near-copies of it).
    size_t max_path_bytes = std::numeric_limits<size_t>::max();
    core::Deadline deadline;  // checked every few thousand nodes visited
  };

  NameTree();

  // Adds `path` ("a.b.c") as a leaf carrying `leaf_index`, creating its branches; inserting an
  // existing path replaces its leaf index. Components may be empty ("a..b" has three).
  // REQUIRES: leaf_index != kNoLeaf.
  // Errors: InvalidArgument for a component longer than kMaxComponentBytes; ResourceExhausted
  // when the tree would exceed 2^32 nodes or 4 GiB of component bytes (the tree is then
  // unchanged).
  core::Status Insert(std::string_view path, uint32_t leaf_index);

  // Graphite find: every node at the pattern's depth whose components match the pattern's, leaves
  // and branches alike; a node that is both appears once with is_leaf and has_children set
  // (graphite-web reports such a name twice, as a branch and a leaf; callers format either way).
  // "**" follows graphite-web: zero or more components in the middle, one or more at the end.
  // Cost: each (node, pattern component) pair is expanded at most once, so any number of "**"
  // costs O(nodes visited x components), never a walk per route.
  // Replaces *out with the matches sorted by path.
  // Errors: ResourceExhausted past limits.max_results or limits.max_path_bytes;
  // DEADLINE_EXCEEDED or CANCELLED once limits.deadline has passed. *out is then empty.
  core::Status Find(const GlobPattern& pattern, const FindLimits& limits,
                    std::vector<FindMatch>* out) const;

  // The leaf index of exactly `path`, if it is a leaf.
  std::optional<uint32_t> FindLeaf(std::string_view path) const;

  // Calls fn(path, leaf_index) once per leaf, in no particular order (callers sort).
  void ForEachLeaf(const std::function<void(std::string_view, uint32_t)>& fn) const;

  size_t leaf_count() const { return leaf_count_; }
  // Nodes including the root.
  size_t node_count() const { return node_count_; }
  // Heap bytes held, capacity included.
  size_t MemoryBytes() const;

 private:
  struct Node {
    uint32_t parent;
    uint32_t name_offset;  // into the name arena
    uint32_t name_size;
    uint32_t first_child;   // kNone or a node; children are kept in insertion order
    uint32_t last_child;    // kNone or a node
    uint32_t next_sibling;  // kNone or a node
    uint32_t leaf_index;    // kNoLeaf unless a series has this exact name
    uint32_t child_count;
  };
  struct Slot {
    uint32_t tag;   // high bits of the (parent, component) hash
    uint32_t node;  // 0 = empty: the root is never anyone's child
  };
  static constexpr uint32_t kNone = 0xFFFFFFFFu;
  // Nodes and names live in fixed-size blocks: no doubling slack, no copying on growth.
  static constexpr uint32_t kNodeBlockBits = 12;
  static constexpr uint32_t kNameBlockBits = 18;

  const Node& At(uint32_t id) const {
    return node_blocks_[id >> kNodeBlockBits][id & ((1u << kNodeBlockBits) - 1)];
  }
  Node& At(uint32_t id) {
    return node_blocks_[id >> kNodeBlockBits][id & ((1u << kNodeBlockBits) - 1)];
  }
  std::string_view NameOf(uint32_t id) const {
    const Node& n = At(id);
    return {name_blocks_[n.name_offset >> kNameBlockBits].get() +
                (n.name_offset & ((1u << kNameBlockBits) - 1)),
            n.name_size};
  }
  uint32_t NewNode(const Node& node);
  uint32_t StoreName(std::string_view name);
  uint32_t Child(uint32_t parent, std::string_view name) const;
  uint32_t AddChild(uint32_t parent, std::string_view name);
  void AddSlots(uint32_t first);
  void PlaceSlot(uint64_t hash, uint32_t node);
  void GrowSlots(size_t needed);
  std::string PathOf(uint32_t node) const;
  // ResourceExhausted when the paths of `nodes` hold more than max_bytes bytes.
  core::Status CheckPathBytes(const GlobPattern& pattern, const std::vector<uint32_t>& nodes,
                              size_t max_bytes, core::DeadlineCheck& check) const;
  // Appends to *matched the children of `node` that pattern component i selects when it is the
  // last component, else pushes the (node, component) states to continue from on *stack; see
  // Find. Steps `check` once per child visited.
  core::Status Step(const GlobPattern& pattern, uint32_t node, uint32_t i,
                    core::DeadlineCheck& check, std::vector<std::pair<uint32_t, uint32_t>>* stack,
                    std::vector<uint32_t>* matched) const;

  std::vector<std::unique_ptr<Node[]>> node_blocks_;
  size_t node_count_ = 0;
  std::vector<std::unique_ptr<char[]>> name_blocks_;
  size_t name_end_ = 0;      // arena offset of the next free byte
  std::vector<Slot> slots_;  // only children of families larger than the scan threshold
  size_t mask_ = 0;
  size_t slot_count_ = 0;
  size_t leaf_count_ = 0;
};

}  // namespace meridian::storage::internal
