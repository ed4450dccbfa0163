#include "storage/internal/series_map.h"

#include <cstring>

namespace meridian::storage::internal {
namespace {

// Odd 64-bit constants with balanced bits, as multiply-fold hashes use.
constexpr uint64_t kP0 = 0xa0761d6478bd642full;
constexpr uint64_t kP1 = 0xe7037ed1a0b428dbull;
constexpr uint64_t kP2 = 0x8ebc6af09c88c6e3ull;
constexpr uint64_t kP3 = 0x589965cc75374cc3ull;

// 64x64 -> 128 multiply folded back to 64 bits: the whole mixing step of the hash.
inline uint64_t Fold(uint64_t a, uint64_t b) {
  const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

inline uint64_t Load8(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline uint64_t Load4(const unsigned char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

}  // namespace

uint64_t HashBytes(std::string_view bytes, uint64_t seed) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t len = bytes.size();
  seed ^= Fold(seed ^ kP0, kP1);
  uint64_t a = 0;
  uint64_t b = 0;
  if (len <= 16) {
    // Short names: two overlapping 4-byte reads from each end cover every byte once or twice.
    if (len >= 4) {
      const size_t mid = (len >> 3) << 2;
      a = (Load4(p) << 32) | Load4(p + mid);
      b = (Load4(p + len - 4) << 32) | Load4(p + len - 4 - mid);
    } else if (len > 0) {
      a = (uint64_t{p[0]} << 16) | (uint64_t{p[len >> 1]} << 8) | p[len - 1];
    }
  } else {
    size_t left = len;
    if (left > 48) {
      // Three independent lanes keep the multiplier busy on long names.
      uint64_t lane1 = seed;
      uint64_t lane2 = seed;
      do {
        seed = Fold(Load8(p) ^ kP1, Load8(p + 8) ^ seed);
        lane1 = Fold(Load8(p + 16) ^ kP2, Load8(p + 24) ^ lane1);
        lane2 = Fold(Load8(p + 32) ^ kP3, Load8(p + 40) ^ lane2);
        p += 48;
        left -= 48;
      } while (left > 48);
      seed ^= lane1 ^ lane2;
    }
    while (left > 16) {
      seed = Fold(Load8(p) ^ kP1, Load8(p + 8) ^ seed);
      p += 16;
      left -= 16;
    }
    a = Load8(p + left - 16);
    b = Load8(p + left - 8);
  }
  const unsigned __int128 r = static_cast<unsigned __int128>(a ^ kP1) * (b ^ seed);
  return Fold(static_cast<uint64_t>(r) ^ kP0 ^ len, static_cast<uint64_t>(r >> 64) ^ kP1);
}

SeriesMap::SeriesMap() { Rehash(16); }

bool SeriesMap::NameEquals(uint32_t index, std::string_view name) const {
  const char* record = names_[index];
  uint32_t size;
  std::memcpy(&size, record, sizeof(size));
  return size == name.size() && std::memcmp(record + sizeof(size), name.data(), size) == 0;
}

std::optional<uint32_t> SeriesMap::Find(std::string_view name, uint64_t hash) const {
  const uint32_t tag = static_cast<uint32_t>(hash >> 32);
  for (size_t pos = hash & mask_;; pos = (pos + 1) & mask_) {
    const Slot slot = slots_[pos];
    if (slot.index == kEmpty) return std::nullopt;
    if (slot.tag == tag && NameEquals(slot.index, name)) return slot.index;
  }
}

uint32_t SeriesMap::Insert(std::string_view name, uint64_t hash) {
  if ((names_.size() + 1) * 4 > slots_.size() * 3) Rehash(slots_.size() * 2);
  const auto index = static_cast<uint32_t>(names_.size());
  names_.push_back(Store(name));
  hashes_.push_back(hash);
  size_t pos = hash & mask_;
  while (slots_[pos].index != kEmpty) pos = (pos + 1) & mask_;
  slots_[pos] = Slot{static_cast<uint32_t>(hash >> 32), index};
  return index;
}

std::string_view SeriesMap::Name(uint32_t index) const {
  const char* record = names_[index];
  uint32_t size;
  std::memcpy(&size, record, sizeof(size));
  return {record + sizeof(size), size};
}

// Records never straddle chunks, and chunks never move: that is what keeps Name() views valid.
const char* SeriesMap::Store(std::string_view name) {
  const size_t need = sizeof(uint32_t) + name.size();
  if (need > chunk_left_) {
    const size_t bytes = need > kChunkBytes / 4 ? need : kChunkBytes;
    chunks_.push_back(std::make_unique<char[]>(bytes));
    chunk_bytes_total_ += bytes;
    if (bytes == kChunkBytes) {
      chunk_pos_ = chunks_.back().get();
      chunk_left_ = bytes;
    } else {
      // A dedicated chunk for a huge name; keep filling the current small-name chunk.
      char* record = chunks_.back().get();
      const auto size = static_cast<uint32_t>(name.size());
      std::memcpy(record, &size, sizeof(size));
      std::memcpy(record + sizeof(size), name.data(), name.size());
      return record;
    }
  }
  char* record = chunk_pos_;
  const auto size = static_cast<uint32_t>(name.size());
  std::memcpy(record, &size, sizeof(size));
  std::memcpy(record + sizeof(size), name.data(), name.size());
  chunk_pos_ += need;
  chunk_left_ -= need;
  return record;
}

void SeriesMap::Rehash(size_t capacity) {
  slots_.assign(capacity, Slot{0, kEmpty});
  mask_ = capacity - 1;
  for (uint32_t index = 0; index < names_.size(); ++index) {
    const uint64_t hash = hashes_[index];
    size_t pos = hash & mask_;
    while (slots_[pos].index != kEmpty) pos = (pos + 1) & mask_;
    slots_[pos] = Slot{static_cast<uint32_t>(hash >> 32), index};
  }
}

void SeriesMap::Reserve(size_t n) {
  size_t capacity = slots_.size();
  while (n * 4 > capacity * 3) capacity *= 2;
  if (capacity != slots_.size()) Rehash(capacity);
  names_.reserve(n);
  hashes_.reserve(n);
}

size_t SeriesMap::MemoryBytes() const {
  return slots_.capacity() * sizeof(Slot) + hashes_.capacity() * sizeof(uint64_t) +
         names_.capacity() * sizeof(const char*) +
         chunks_.capacity() * sizeof(std::unique_ptr<char[]>) + chunk_bytes_total_;
}

}  // namespace meridian::storage::internal
