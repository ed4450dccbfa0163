#include "storage/internal/series_map.h"

#include <gtest/gtest.h>

#include <string>
#include <unordered_set>
#include <vector>

namespace meridian::storage::internal {
namespace {

// Distinct for every i: host = i / 8, core = i % 8.
std::string NameFor(int i) {
  return "servers.dc" + std::to_string((i / 8) % 10) + ".host-" + std::to_string(i / 8) +
         ".cpu.core" + std::to_string(i % 8) + ".user";
}

TEST(SeriesMapTest, InsertAssignsDenseIndexesAndFindReturnsThem) {
  SeriesMap map;
  EXPECT_EQ(map.size(), 0u);
  EXPECT_EQ(map.Insert("a.b", SeriesMap::Hash("a.b")), 0u);
  EXPECT_EQ(map.Insert("a.c", SeriesMap::Hash("a.c")), 1u);
  EXPECT_EQ(map.size(), 2u);
  EXPECT_EQ(map.Find("a.b", SeriesMap::Hash("a.b")), 0u);
  EXPECT_EQ(map.Find("a.c", SeriesMap::Hash("a.c")), 1u);
  EXPECT_FALSE(map.Find("a.d", SeriesMap::Hash("a.d")).has_value());
  EXPECT_EQ(map.Name(1), "a.c");
  EXPECT_EQ(map.StoredHash(1), SeriesMap::Hash("a.c"));
}

TEST(SeriesMapTest, EmptyNameIsAnOrdinaryKey) {
  SeriesMap map;
  EXPECT_FALSE(map.Find("", SeriesMap::Hash("")).has_value());
  EXPECT_EQ(map.Insert("", SeriesMap::Hash("")), 0u);
  EXPECT_EQ(map.Find("", SeriesMap::Hash("")), 0u);
  EXPECT_EQ(map.Name(0), "");
}

TEST(SeriesMapTest, ConstantHashStillDistinguishesNames) {
  SeriesMap map;
  constexpr uint64_t kSame = 42;
  for (int i = 0; i < 200; ++i) EXPECT_EQ(map.Insert(NameFor(i), kSame), uint32_t(i));
  for (int i = 0; i < 200; ++i) EXPECT_EQ(map.Find(NameFor(i), kSame), uint32_t(i));
  EXPECT_FALSE(map.Find(NameFor(200), kSame).has_value());
  EXPECT_FALSE(map.Find("", kSame).has_value());
}

TEST(SeriesMapTest, SameTagDifferentNamesAndPrefixes) {
  // Equal high bits (the stored tag) and names that are prefixes of each other.
  SeriesMap map;
  const uint64_t hash = 0xABCDEF0000000001ull;
  map.Insert("abc", hash);
  map.Insert("ab", hash + 1);
  map.Insert("abcd", hash + 2);
  EXPECT_EQ(map.Find("ab", hash + 1), 1u);
  EXPECT_EQ(map.Find("abcd", hash + 2), 2u);
  EXPECT_FALSE(map.Find("abcde", hash).has_value());
  EXPECT_FALSE(map.Find("a", hash + 1).has_value());
}

TEST(SeriesMapTest, NameViewsStayValidWhileGrowing) {
  SeriesMap map;
  map.Insert("first.series", SeriesMap::Hash("first.series"));
  const std::string_view first = map.Name(0);
  for (int i = 0; i < 100000; ++i) map.Insert(NameFor(i), SeriesMap::Hash(NameFor(i)));
  EXPECT_EQ(first, "first.series");
  EXPECT_EQ(first.data(), map.Name(0).data());
}

TEST(SeriesMapTest, HugeNamesGetTheirOwnChunk) {
  SeriesMap map;
  const std::string huge(1 << 20, 'x');
  map.Insert("small", SeriesMap::Hash("small"));
  map.Insert(huge, SeriesMap::Hash(huge));
  map.Insert("small2", SeriesMap::Hash("small2"));
  EXPECT_EQ(map.Name(1), huge);
  EXPECT_EQ(map.Find(huge, SeriesMap::Hash(huge)), 1u);
  EXPECT_EQ(map.Find("small2", SeriesMap::Hash("small2")), 2u);
  EXPECT_GE(map.MemoryBytes(), huge.size());
}

TEST(SeriesMapTest, MillionInsertsAndFinds) {
  constexpr int kCount = 1000000;
  SeriesMap map;
  for (int i = 0; i < kCount; ++i) {
    const std::string name = NameFor(i);
    ASSERT_EQ(map.Insert(name, SeriesMap::Hash(name)), uint32_t(i));
  }
  ASSERT_EQ(map.size(), size_t(kCount));
  for (int i = 0; i < kCount; ++i) {
    const std::string name = NameFor(i);
    ASSERT_EQ(map.Find(name, SeriesMap::Hash(name)), uint32_t(i)) << name;
    ASSERT_EQ(map.Name(uint32_t(i)), name);
  }
  EXPECT_FALSE(map.Find("servers.absent", SeriesMap::Hash("servers.absent")).has_value());
  // About 40 bytes of text per name here; bookkeeping should stay well under 100 bytes more.
  EXPECT_LT(map.MemoryBytes(), size_t(kCount) * 160);
}

TEST(SeriesMapTest, ReserveAvoidsNothingObservable) {
  SeriesMap map;
  map.Reserve(1000);
  for (int i = 0; i < 1000; ++i) map.Insert(NameFor(i) + "x", SeriesMap::Hash(NameFor(i) + "x"));
  for (int i = 0; i < 1000; ++i) {
    EXPECT_EQ(map.Find(NameFor(i) + "x", SeriesMap::Hash(NameFor(i) + "x")), uint32_t(i));
  }
}

TEST(SeriesMapTest, HashIsDeterministicAndSpreadsRealisticNames) {
  EXPECT_EQ(HashBytes("servers.dc1.host"), HashBytes("servers.dc1.host"));
  EXPECT_NE(HashBytes("a", 1), HashBytes("a", 2));
  std::unordered_set<uint64_t> full;
  std::unordered_set<uint32_t> low;  // the bits that pick a slot
  for (int i = 0; i < 200000; ++i) {
    const uint64_t h = HashBytes(NameFor(i));
    full.insert(h);
    low.insert(static_cast<uint32_t>(h & 0xFFFFF));
  }
  EXPECT_EQ(full.size(), 200000u);
  // 200k keys into 2^20 buckets: ~90% distinct if uniform.
  EXPECT_GT(low.size(), 170000u);
  // Every length from 0 to 100 (all code paths of the hash) gives distinct values.
  std::unordered_set<uint64_t> by_length;
  for (size_t n = 0; n <= 100; ++n) by_length.insert(HashBytes(std::string(n, 'a')));
  EXPECT_EQ(by_length.size(), 101u);
}

}  // namespace
}  // namespace meridian::storage::internal
