// Value types shared by ingest, storage and query.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace meridian::storage {

// Stable 64-bit id of a series, assigned at creation and persisted in the index.
using SeriesId = uint64_t;

struct Point {
  int64_t timestamp = 0;  // Unix seconds
  double value = 0;
};

// Points with their series names, as one allocation-light batch: names live back to back in one
// arena string. Built by ingest, consumed (moved) by the store. Not thread-safe.
class PointBatch {
 public:
  struct Entry {
    uint32_t name_offset;
    uint32_t name_size;
    int64_t timestamp;
    double value;
  };

  void Add(std::string_view name, int64_t timestamp, double value) {
    entries_.push_back({static_cast<uint32_t>(names_.size()), static_cast<uint32_t>(name.size()),
                        timestamp, value});
    names_.append(name);
  }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  const std::vector<Entry>& entries() const { return entries_; }
  std::string_view name(const Entry& e) const {
    return std::string_view(names_).substr(e.name_offset, e.name_size);
  }
  size_t ByteSize() const { return names_.size() + entries_.size() * sizeof(Entry); }
  void Clear() {
    entries_.clear();
    names_.clear();
  }
  void Reserve(size_t points, size_t name_bytes) {
    entries_.reserve(points);
    names_.reserve(name_bytes);
  }

 private:
  std::vector<Entry> entries_;
  std::string names_;
};

}  // namespace meridian::storage
