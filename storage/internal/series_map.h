// SeriesMap: series name -> dense uint32 index, the hot lookup of ingest (one per line).
//
// Open addressing with linear probing over 8-byte slots {hash tag, index}, power-of-two
// capacity, load factor <= 3/4. Names live back to back in chunked arenas (so views returned by
// Name() stay valid while the map grows), and each index keeps its full 64-bit hash, so growth
// re-places slots without touching (or re-hashing) a single name.
//
// Thread-safety: not thread-safe. Const methods may run concurrently with each other; any call
// concurrent with Insert/Reserve needs external synchronisation (one writer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace meridian::storage::internal {

// Fast 64-bit hash of bytes (wyhash-style multiply-fold mixing). Stable across runs and
// platforms of the same endianness; not cryptographic: do not persist it as an identity.
uint64_t HashBytes(std::string_view bytes, uint64_t seed = 0);

class SeriesMap {
 public:
  // Inserts beyond this many names are refused by contract (indexes are uint32, one reserved).
  static constexpr size_t kMaxSize = 0xFFFFFFFEu;

  SeriesMap();
  SeriesMap(const SeriesMap&) = delete;
  SeriesMap& operator=(const SeriesMap&) = delete;
  SeriesMap(SeriesMap&&) = default;
  SeriesMap& operator=(SeriesMap&&) = default;

  // The hash Find and Insert expect. Callers compute it once per name and reuse it.
  static uint64_t Hash(std::string_view name) { return HashBytes(name); }

  // The dense index of `name`, if present. REQUIRES: hash == Hash(name) for every name this map
  // has seen (tests may inject any function of the name, e.g. a constant, to force collisions).
  std::optional<uint32_t> Find(std::string_view name, uint64_t hash) const;

  // Adds `name` and returns its new dense index, which is size() before the call.
  // REQUIRES: !Find(name, hash); size() < kMaxSize; name.size() < 4 GiB.
  uint32_t Insert(std::string_view name, uint64_t hash);

  // Hints the CPU to load the slot `hash` probes first; lets a caller overlap the cache misses
  // of a batch of lookups (hash all, prefetch all, then Find).
  void Prefetch(uint64_t hash) const { __builtin_prefetch(&slots_[hash & mask_]); }

  // The name stored at `index`; valid for the lifetime of the map. REQUIRES: index < size().
  std::string_view Name(uint32_t index) const;
  // The hash passed to Insert for `index`. REQUIRES: index < size().
  uint64_t StoredHash(uint32_t index) const { return hashes_[index]; }

  size_t size() const { return names_.size(); }
  // Makes room for `n` names without further growth of the slot table.
  void Reserve(size_t n);
  // Heap bytes held (slots, per-index arrays, arena chunks), capacity included.
  size_t MemoryBytes() const;

 private:
  struct Slot {
    uint32_t tag;    // high 32 bits of the hash
    uint32_t index;  // kEmpty or a dense index
  };
  static constexpr uint32_t kEmpty = 0xFFFFFFFFu;
  static constexpr size_t kChunkBytes = size_t{256} << 10;

  bool NameEquals(uint32_t index, std::string_view name) const;
  void Rehash(size_t capacity);
  const char* Store(std::string_view name);

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  std::vector<uint64_t> hashes_;    // by index
  std::vector<const char*> names_;  // by index: a record {uint32 size, bytes} in an arena chunk
  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t chunk_bytes_total_ = 0;
  char* chunk_pos_ = nullptr;
  size_t chunk_left_ = 0;
};

}  // namespace meridian::storage::internal
