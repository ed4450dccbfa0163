#include "migrate/whisper_file.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace meridian::migrate {
namespace {

void Put32(std::string* out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((v >> (i * 8)) & 0xff));
}
void Put64(std::string* out, uint64_t v) {
  Put32(out, static_cast<uint32_t>(v >> 32));
  Put32(out, static_cast<uint32_t>(v));
}
void Set32(std::string* out, size_t at, uint32_t v) {
  std::string b;
  Put32(&b, v);
  out->replace(at, 4, b);
}

struct Arch {
  uint32_t step;
  uint32_t points;
};

// A whisper file as whisper.create lays it out (all slots zero), header fields overridable.
std::string MakeFile(std::vector<Arch> archives, uint32_t type = 1, float xff = 0.5f) {
  std::string out;
  const uint32_t max_ret = archives.back().step * archives.back().points;
  Put32(&out, type);
  Put32(&out, max_ret);
  Put32(&out, std::bit_cast<uint32_t>(xff));
  Put32(&out, static_cast<uint32_t>(archives.size()));
  uint32_t offset = 16 + 12 * static_cast<uint32_t>(archives.size());
  for (const Arch& a : archives) {
    Put32(&out, offset);
    Put32(&out, a.step);
    Put32(&out, a.points);
    offset += a.points * 12;
  }
  out.resize(offset, '\0');
  return out;
}

// Writes (ts, value) where whisper's update would: slot ((ts - base) / step) mod points, base
// being the first point ever written to the archive.
void WritePoint(std::string* file, size_t archive, uint32_t ts, double value) {
  const size_t info = 16 + 12 * archive;
  auto get = [&](size_t at) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>((*file)[at + i]);
    return v;
  };
  const uint32_t offset = get(info), step = get(info + 4), points = get(info + 8);
  const uint32_t base = get(offset);
  size_t slot = 0;
  if (base != 0) {
    const int64_t d = (static_cast<int64_t>(ts) - base) / step;
    slot = static_cast<size_t>(((d % points) + points) % points);
  }
  std::string p;
  Put32(&p, ts);
  Put64(&p, std::bit_cast<uint64_t>(value));
  file->replace(offset + slot * 12, 12, p);
}

TEST(WhisperFileTest, ReadsEveryArchiveWithItsOwnSchema) {
  std::string f = MakeFile({{60, 10}, {300, 12}, {3600, 24}}, /*type=*/2, 0.25f);
  WritePoint(&f, 0, 6000, 1.5);
  WritePoint(&f, 0, 6060, 2.5);
  WritePoint(&f, 1, 6000, 4.0);
  WritePoint(&f, 2, 3600, -7.25);
  auto data = ReadWhisper(f);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  EXPECT_EQ(data->schema.method, storage::AggregationMethod::kSum);
  EXPECT_DOUBLE_EQ(data->schema.x_files_factor, 0.25);
  ASSERT_EQ(data->schema.archives.size(), 3u);
  EXPECT_EQ(data->schema.archives[1], (storage::Archive{300, 12}));
  ASSERT_EQ(data->points.size(), 3u);
  EXPECT_EQ(data->points[0], (std::vector<std::pair<int64_t, double>>{{6000, 1.5}, {6060, 2.5}}));
  EXPECT_EQ(data->points[1], (std::vector<std::pair<int64_t, double>>{{6000, 4.0}}));
  EXPECT_EQ(data->points[2], (std::vector<std::pair<int64_t, double>>{{3600, -7.25}}));
  EXPECT_EQ(data->gaps, 10u + 12u + 24u - 4u);
}

TEST(WhisperFileTest, RingWrapsAroundAndOverwrittenSlotsAreGone) {
  std::string f = MakeFile({{10, 4}});
  for (uint32_t ts = 1000; ts < 1060; ts += 10) WritePoint(&f, 0, ts, ts / 10.0);
  // Slots hold 1040, 1050 (wrapped over 1000, 1010), 1020, 1030.
  auto data = ReadWhisper(f);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  std::vector<std::pair<int64_t, double>> want = {
      {1040, 104.0}, {1050, 105.0}, {1020, 102.0}, {1030, 103.0}};
  EXPECT_EQ(data->points[0], want);
}

TEST(WhisperFileTest, StaleMisplacedUnalignedAndNaNSlotsAreGaps) {
  std::string f = MakeFile({{10, 6}});
  WritePoint(&f, 0, 1000, 1.0);  // base
  WritePoint(&f, 0, 1010, 2.0);
  // A point whose timestamp is not the one a fetch looks for in its slot (misplaced).
  std::string p;
  Put32(&p, 1050);
  Put64(&p, std::bit_cast<uint64_t>(9.0));
  f.replace(16 + 12 + 2 * 12, 12, p);
  // An unaligned timestamp in slot 3 (1030 + 5).
  p.clear();
  Put32(&p, 1035);
  Put64(&p, std::bit_cast<uint64_t>(9.0));
  f.replace(16 + 12 + 3 * 12, 12, p);
  WritePoint(&f, 0, 1040, std::numeric_limits<double>::quiet_NaN());
  auto data = ReadWhisper(f);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  EXPECT_EQ(data->points[0], (std::vector<std::pair<int64_t, double>>{{1000, 1.0}, {1010, 2.0}}));
  EXPECT_EQ(data->gaps, 4u);
}

TEST(WhisperFileTest, ArchiveWhoseFirstSlotIsUnwrittenReadsEmptyAsWhisperDoes) {
  std::string f = MakeFile({{10, 6}});
  // Data in slot 1 but slot 0 (the base) was never written: whisper's fetch answers nulls.
  std::string p;
  Put32(&p, 1010);
  Put64(&p, std::bit_cast<uint64_t>(3.0));
  f.replace(16 + 12 + 12, 12, p);
  auto data = ReadWhisper(f);
  ASSERT_TRUE(data.ok());
  EXPECT_TRUE(data->points[0].empty());
}

void ExpectCorrupt(const std::string& file, const std::string& words) {
  auto data = ReadWhisper(file);
  ASSERT_FALSE(data.ok()) << "expected: " << words;
  EXPECT_EQ(data.status().code(), core::StatusCode::kCorruption);
  EXPECT_NE(data.status().message().find(words), std::string::npos) << data.status().message();
}

TEST(WhisperFileTest, EmptyAndShortFilesAreCorrupt) {
  ExpectCorrupt("", "empty file");
  ExpectCorrupt(std::string(10, '\1'), "shorter than whisper's 16-byte header");
  std::string f = MakeFile({{60, 10}});
  ExpectCorrupt(f.substr(0, 20), "need a 28-byte header");
}

TEST(WhisperFileTest, ImpossibleHeadersAreCorrupt) {
  ExpectCorrupt(MakeFile({{60, 10}}, /*type=*/9), "unknown aggregation type 9");
  ExpectCorrupt(MakeFile({{60, 10}}, 1, 1.5f), "xFilesFactor 1.5 outside [0, 1]");
  ExpectCorrupt(MakeFile({{60, 10}}, 1, std::numeric_limits<float>::quiet_NaN()), "xFilesFactor");
  std::string zero = MakeFile({{60, 10}});
  Set32(&zero, 12, 0);
  ExpectCorrupt(zero, "zero archives");
  std::string truncated = MakeFile({{60, 10}, {300, 10}});
  truncated.resize(truncated.size() - 1);
  ExpectCorrupt(truncated, "past the end of the file");
  std::string huge_offset = MakeFile({{60, 10}});
  Set32(&huge_offset, 16, 0xfffffff0u);
  ExpectCorrupt(huge_offset, "past the end of the file");
  std::string in_header = MakeFile({{60, 10}});
  Set32(&in_header, 16, 8);
  ExpectCorrupt(in_header, "inside the header");
  std::string no_step = MakeFile({{60, 10}});
  Set32(&no_step, 20, 0);
  ExpectCorrupt(no_step, "0 seconds per point");
  std::string no_points = MakeFile({{60, 10}});
  Set32(&no_points, 24, 0);
  ExpectCorrupt(no_points, "0 points");
  ExpectCorrupt(MakeFile({{60, 10}, {90, 100}}), "impossible archives");   // 60 does not divide 90
  ExpectCorrupt(MakeFile({{60, 100}, {120, 10}}), "impossible archives");  // retention shrinks
  std::string overlap = MakeFile({{60, 10}, {120, 10}});
  Set32(&overlap, 28, 28 + 60);  // archive 1 starts inside archive 0
  ExpectCorrupt(overlap, "archives overlap");
  std::string unsorted = MakeFile({{120, 100}, {60, 10}});
  ExpectCorrupt(unsorted, "");
  std::string max_ret = MakeFile({{60, 10}});
  Set32(&max_ret, 4, 1234);
  ExpectCorrupt(max_ret, "maxRetention 1234");
}

TEST(WhisperFileTest, EveryAggregationTypeMapsToItsMethod) {
  const storage::AggregationMethod want[] = {
      storage::AggregationMethod::kAverage, storage::AggregationMethod::kSum,
      storage::AggregationMethod::kLast,    storage::AggregationMethod::kMax,
      storage::AggregationMethod::kMin,     storage::AggregationMethod::kAvgZero,
      storage::AggregationMethod::kAbsMax,  storage::AggregationMethod::kAbsMin};
  for (uint32_t t = 1; t <= 8; ++t) {
    auto h = ParseWhisperHeader(MakeFile({{60, 10}}, t));
    ASSERT_TRUE(h.ok()) << t;
    EXPECT_EQ(h->method, want[t - 1]);
  }
}

}  // namespace
}  // namespace meridian::migrate
