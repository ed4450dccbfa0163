#include "storage/internal/name_tree.h"

#include <algorithm>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include "storage/internal/series_map.h"

namespace meridian::storage::internal {
namespace {

using core::InvalidArgument;
using core::ResourceExhausted;
using core::Status;

constexpr size_t kMaxNodes = std::numeric_limits<uint32_t>::max() - 1;
constexpr size_t kMaxNameBytes = std::numeric_limits<uint32_t>::max();
// Families up to this size are found by walking siblings and take no slot in the hash table.
constexpr uint32_t kScanChildren = 8;

// The parent id seeds the component hash, so equal components under different parents land in
// different slots.
inline uint64_t ChildHash(uint32_t parent, std::string_view name) {
  return HashBytes(name, parent);
}

}  // namespace

NameTree::NameTree() {
  NewNode(Node{kNone, 0, 0, kNone, kNone, kNone, kNoLeaf, 0});
  slots_.assign(16, Slot{0, 0});
  mask_ = slots_.size() - 1;
}

uint32_t NameTree::NewNode(const Node& node) {
  const auto id = static_cast<uint32_t>(node_count_);
  if ((id & ((1u << kNodeBlockBits) - 1)) == 0) {
    node_blocks_.push_back(std::make_unique<Node[]>(size_t{1} << kNodeBlockBits));
  }
  At(id) = node;
  ++node_count_;
  return id;
}

// Names never straddle blocks (components are at most kMaxComponentBytes, a quarter of a block),
// so an arena offset plus a size is a contiguous view.
uint32_t NameTree::StoreName(std::string_view name) {
  constexpr size_t kBlock = size_t{1} << kNameBlockBits;
  size_t offset = name_end_;
  // A new block when the last one is full (the previous name ended exactly at its end) or the
  // name does not fit in what is left of it.
  if (offset / kBlock >= name_blocks_.size() || (offset % kBlock) + name.size() > kBlock) {
    offset = name_blocks_.size() * kBlock;
    name_blocks_.push_back(std::make_unique<char[]>(kBlock));
  }
  std::copy(name.begin(), name.end(), name_blocks_[offset / kBlock].get() + offset % kBlock);
  name_end_ = offset + name.size();
  return static_cast<uint32_t>(offset);
}

uint32_t NameTree::Child(uint32_t parent, std::string_view name) const {
  if (At(parent).child_count <= kScanChildren) {
    for (uint32_t c = At(parent).first_child; c != kNone; c = At(c).next_sibling) {
      if (NameOf(c) == name) return c;
    }
    return kNone;
  }
  const uint64_t hash = ChildHash(parent, name);
  const auto tag = static_cast<uint32_t>(hash >> 32);
  for (size_t pos = hash & mask_;; pos = (pos + 1) & mask_) {
    const Slot slot = slots_[pos];
    if (slot.node == 0) return kNone;
    if (slot.tag == tag && At(slot.node).parent == parent && NameOf(slot.node) == name) {
      return slot.node;
    }
  }
}

void NameTree::PlaceSlot(uint64_t hash, uint32_t node) {
  size_t pos = hash & mask_;
  while (slots_[pos].node != 0) pos = (pos + 1) & mask_;
  slots_[pos] = Slot{static_cast<uint32_t>(hash >> 32), node};
}

// Growth re-hashes components from the arena instead of storing 8 more bytes per node: names are
// short, nodes are read in order, and growth is rare. The table is rebuilt from the tree — every
// child of a hashed family, once — so slot_count_ is exactly what it holds afterwards.
void NameTree::GrowSlots(size_t needed) {
  size_t size = slots_.size() * 2;
  while (needed * 4 > size * 3) size *= 2;
  slots_.assign(size, Slot{0, 0});
  mask_ = size - 1;
  slot_count_ = 0;
  for (uint32_t node = 1; node < node_count_; ++node) {
    const uint32_t parent = At(node).parent;
    if (At(parent).child_count > kScanChildren) {
      PlaceSlot(ChildHash(parent, NameOf(node)), node);
      ++slot_count_;
    }
  }
}

// Hashes `first` and the siblings after it. The table stays at most 3/4 full, so a probe for a
// missing name always reaches an empty slot.
void NameTree::AddSlots(uint32_t first) {
  size_t n = 0;
  for (uint32_t c = first; c != kNone; c = At(c).next_sibling) ++n;
  if ((slot_count_ + n) * 4 > slots_.size() * 3) {
    GrowSlots(slot_count_ + n);  // places these too: their family is already past the threshold
    return;
  }
  for (uint32_t c = first; c != kNone; c = At(c).next_sibling) {
    PlaceSlot(ChildHash(At(c).parent, NameOf(c)), c);
  }
  slot_count_ += n;
}

uint32_t NameTree::AddChild(uint32_t parent, std::string_view name) {
  const uint32_t offset = StoreName(name);
  const uint32_t node = NewNode(
      Node{parent, offset, static_cast<uint32_t>(name.size()), kNone, kNone, kNone, kNoLeaf, 0});
  // Appending keeps siblings in creation order, which is also memory order: a scan for an early
  // child (core0 of a host) touches one cache line instead of the whole family.
  Node& p = At(parent);
  if (p.last_child == kNone) {
    p.first_child = node;
  } else {
    At(p.last_child).next_sibling = node;
  }
  p.last_child = node;
  ++p.child_count;
  if (p.child_count == kScanChildren + 1) {
    // The family just outgrew scanning: from now on all its members are looked up by hash.
    AddSlots(p.first_child);
  } else if (p.child_count > kScanChildren + 1) {
    AddSlots(node);  // the last child: no sibling after it
  }
  return node;
}

Status NameTree::Insert(std::string_view path, uint32_t leaf_index) {
  const size_t components = static_cast<size_t>(std::count(path.begin(), path.end(), '.')) + 1;
  // A name that does not fit a block's tail wastes that tail, which is shorter than the name.
  const size_t worst_bytes = 2 * path.size();
  if (node_count_ + components > kMaxNodes || name_end_ + worst_bytes > kMaxNameBytes) {
    return ResourceExhausted("name tree: full");
  }
  for (size_t pos = 0;;) {
    const size_t dot = std::min(path.find('.', pos), path.size());
    if (dot - pos > kMaxComponentBytes) {
      return InvalidArgument("name tree: component longer than 64 KiB");
    }
    if (dot == path.size()) break;
    pos = dot + 1;
  }
  uint32_t node = 0;
  for (size_t pos = 0;;) {
    const size_t dot = std::min(path.find('.', pos), path.size());
    const std::string_view name = path.substr(pos, dot - pos);
    uint32_t child = Child(node, name);
    if (child == kNone) child = AddChild(node, name);
    node = child;
    if (dot == path.size()) break;
    pos = dot + 1;
  }
  if (At(node).leaf_index == kNoLeaf) ++leaf_count_;
  At(node).leaf_index = leaf_index;
  return Status::Ok();
}

std::optional<uint32_t> NameTree::FindLeaf(std::string_view path) const {
  uint32_t node = 0;
  for (size_t pos = 0;;) {
    const size_t dot = std::min(path.find('.', pos), path.size());
    node = Child(node, path.substr(pos, dot - pos));
    if (node == kNone) return std::nullopt;
    if (dot == path.size()) break;
    pos = dot + 1;
  }
  if (At(node).leaf_index == kNoLeaf) return std::nullopt;
  return At(node).leaf_index;
}

Status NameTree::Step(const GlobPattern& pattern, uint32_t node, uint32_t i,
                      core::DeadlineCheck& check, std::vector<std::pair<uint32_t, uint32_t>>* stack,
                      std::vector<uint32_t>* matched) const {
  const bool last = i + 1 == pattern.size();
  auto take = [&](uint32_t child) {
    if (last) {
      matched->push_back(child);
    } else {
      stack->emplace_back(child, i + 1);
    }
  };
  if (pattern.IsGlobstar(i)) {
    // Like os.walk in graphite-web, one level at a time: the node itself continues with the next
    // component (zero components consumed) and every branch below it stays on this "**"; a final
    // "**" selects every descendant (one or more components).
    if (!last) stack->emplace_back(node, i + 1);
    for (uint32_t c = At(node).first_child; c != kNone; c = At(c).next_sibling) {
      RETURN_IF_ERROR(check.Step());
      if (last) matched->push_back(c);
      if (At(c).first_child != kNone) stack->emplace_back(c, i);
    }
  } else if (!pattern.HasWildcard(i)) {
    for (const std::string& literal : pattern.LiteralAlternatives(i)) {
      RETURN_IF_ERROR(check.Step());
      const uint32_t child = Child(node, literal);
      if (child != kNone) take(child);
    }
  } else {
    for (uint32_t c = At(node).first_child; c != kNone; c = At(c).next_sibling) {
      RETURN_IF_ERROR(check.Step());
      if (pattern.MatchComponent(i, NameOf(c))) take(c);
    }
  }
  return Status::Ok();
}

Status NameTree::Find(const GlobPattern& pattern, const FindLimits& limits,
                      std::vector<FindMatch>* out) const {
  out->clear();
  const size_t max_results = limits.max_results;
  const core::Deadline& deadline = limits.deadline;
  core::DeadlineCheck check(deadline, "glob expansion");
  RETURN_IF_ERROR(deadline.Check("glob expansion"));
  bool any_globstar = false;
  for (size_t i = 0; i < pattern.size(); ++i) any_globstar |= pattern.IsGlobstar(i);
  // Without "**" every state is reached once (its depth fixes its component). With "**" a state
  // can be reached along many routes (a.b.c through "**.**.c" in three ways): each is expanded
  // once, which keeps the walk polynomial however many "**" the pattern holds.
  std::unordered_set<uint64_t> expanded;
  std::vector<std::pair<uint32_t, uint32_t>> stack{{0, 0}};
  std::vector<uint32_t> matched;
  // A node can still be selected through several states; duplicates are squeezed out whenever
  // the raw list passes the threshold, so memory stays within about 2 * max_results.
  size_t check_at = max_results;
  while (!stack.empty()) {
    const auto [node, i] = stack.back();
    stack.pop_back();
    if (any_globstar && !expanded.insert((uint64_t{node} << 32) | i).second) continue;
    RETURN_IF_ERROR(Step(pattern, node, i, check, &stack, &matched));
    if (matched.size() > check_at) {
      std::sort(matched.begin(), matched.end());
      matched.erase(std::unique(matched.begin(), matched.end()), matched.end());
      if (matched.size() > max_results) {
        return ResourceExhausted("find: more than " + std::to_string(max_results) +
                                 " matches for " + pattern.text());
      }
      check_at = matched.size() + max_results;
    }
  }
  std::sort(matched.begin(), matched.end());
  matched.erase(std::unique(matched.begin(), matched.end()), matched.end());
  if (matched.size() > max_results) {
    return ResourceExhausted("find: more than " + std::to_string(max_results) + " matches for " +
                             pattern.text());
  }
  RETURN_IF_ERROR(CheckPathBytes(pattern, matched, limits.max_path_bytes, check));
  out->reserve(matched.size());
  for (uint32_t node : matched) {
    const Node& n = At(node);
    out->push_back(
        FindMatch{PathOf(node), n.leaf_index != kNoLeaf, n.first_child != kNone, n.leaf_index});
    // The paths of deep names are long (a "**" over one name of thousands of nodes builds
    // thousands of near-full copies of it): their bytes count as work too.
    if (Status st = check.Step(out->back().path.size() / 256 + 1); !st.ok()) {
      out->clear();
      return st;
    }
  }
  std::sort(out->begin(), out->end(),
            [](const FindMatch& a, const FindMatch& b) { return a.path < b.path; });
  return Status::Ok();
}

// Path sizes are memoized per node, so summing them costs O(matched + their ancestors), not
// O(matched x depth).
Status NameTree::CheckPathBytes(const GlobPattern& pattern, const std::vector<uint32_t>& nodes,
                                size_t max_bytes, core::DeadlineCheck& check) const {
  if (max_bytes == std::numeric_limits<size_t>::max()) return Status::Ok();
  std::unordered_map<uint32_t, uint64_t> size_of{{0, 0}};  // the root's path is empty
  std::vector<uint32_t> chain;
  uint64_t total = 0;
  for (uint32_t node : nodes) {
    chain.clear();
    uint32_t n = node;
    for (; size_of.count(n) == 0; n = At(n).parent) chain.push_back(n);
    uint64_t size = size_of[n];
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
      RETURN_IF_ERROR(check.Step());
      // A child of the root has no '.' before its name.
      size += At(*it).name_size + (At(*it).parent == 0 ? 0 : 1);
      size_of[*it] = size;
    }
    total += size;
    if (total > max_bytes) {
      return ResourceExhausted("find: the names matching " + pattern.text() + " hold more than " +
                               std::to_string(max_bytes) + " bytes");
    }
  }
  return Status::Ok();
}

// Two walks up the (cached) parent chain: one to size the string, one to fill it from the end.
std::string NameTree::PathOf(uint32_t node) const {
  size_t size = 0;
  for (uint32_t n = node; n != 0; n = At(n).parent) size += At(n).name_size + 1;
  std::string path(size - 1, '.');
  size_t end = path.size();
  for (uint32_t n = node; n != 0; n = At(n).parent) {
    const std::string_view name = NameOf(n);
    end -= name.size();
    std::copy(name.begin(), name.end(), path.begin() + static_cast<ptrdiff_t>(end));
    if (end > 0) --end;  // keep the '.' separator
  }
  return path;
}

void NameTree::ForEachLeaf(const std::function<void(std::string_view, uint32_t)>& fn) const {
  struct Entry {
    uint32_t node;
    uint32_t parent_path_size;
    bool top;  // child of the root: no leading '.'
  };
  std::vector<Entry> stack;
  for (uint32_t c = At(0).first_child; c != kNone; c = At(c).next_sibling) {
    stack.push_back({c, 0, true});
  }
  std::string path;
  while (!stack.empty()) {
    const Entry e = stack.back();
    stack.pop_back();
    path.resize(e.parent_path_size);
    if (!e.top) path.push_back('.');
    path.append(NameOf(e.node));
    const Node& n = At(e.node);
    if (n.leaf_index != kNoLeaf) fn(path, n.leaf_index);
    for (uint32_t c = n.first_child; c != kNone; c = At(c).next_sibling) {
      stack.push_back({c, static_cast<uint32_t>(path.size()), false});
    }
  }
}

size_t NameTree::MemoryBytes() const {
  return node_blocks_.size() * (sizeof(Node) << kNodeBlockBits) +
         node_blocks_.capacity() * sizeof(node_blocks_[0]) +
         name_blocks_.size() * (size_t{1} << kNameBlockBits) +
         name_blocks_.capacity() * sizeof(name_blocks_[0]) + slots_.capacity() * sizeof(Slot);
}

}  // namespace meridian::storage::internal
