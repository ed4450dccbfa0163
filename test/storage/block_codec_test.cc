#include "storage/internal/block_codec.h"

#include <gtest/gtest.h>

#include <bit>
#include <cfloat>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "storage/internal/bit_stream.h"
#include "storage/internal/coding.h"

namespace meridian::storage::internal {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<SlotValue> Dense(const std::vector<double>& values, uint32_t first_slot = 0) {
  std::vector<SlotValue> points;
  for (size_t i = 0; i < values.size(); ++i) {
    points.push_back({first_slot + static_cast<uint32_t>(i), values[i]});
  }
  return points;
}

void ExpectBitIdentical(const std::vector<SlotValue>& want, const std::vector<SlotValue>& got) {
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(want[i].slot, got[i].slot) << "point " << i;
    EXPECT_EQ(std::bit_cast<uint64_t>(want[i].value), std::bit_cast<uint64_t>(got[i].value))
        << "point " << i << ": want " << want[i].value << " got " << got[i].value;
  }
}

// Encodes with the chosen codec, decodes, checks bit-exactness; returns the encoding.
std::string RoundTrip(const std::vector<SlotValue>& points) {
  std::string encoded;
  EncodeBlock(points, &encoded);
  std::vector<SlotValue> decoded;
  const core::Status status = DecodeBlock(encoded, &decoded);
  EXPECT_TRUE(status.ok()) << status.ToString();
  ExpectBitIdentical(points, decoded);
  return encoded;
}

ValueCodec CodecOf(const std::string& encoded) {
  core::Result<ValueCodec> codec = PeekValueCodec(encoded);
  EXPECT_TRUE(codec.ok());
  return codec.ok() ? *codec : ValueCodec::kConstant;
}

double BytesPerPoint(const std::string& encoded, size_t points) {
  return static_cast<double>(encoded.size()) / static_cast<double>(points);
}

std::vector<double> RandomWalk(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> step(0, 0.5);
  std::vector<double> values;
  double v = 12.37;
  for (size_t i = 0; i < n; ++i) {
    v = std::round((v + step(rng)) * 100) / 100;
    values.push_back(v);
  }
  return values;
}

std::vector<double> Counter(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> values;
  double v = 123456789;
  for (size_t i = 0; i < n; ++i) {
    v += 950 + static_cast<double>(rng() % 100);
    values.push_back(v);
  }
  return values;
}

std::vector<double> RandomDoubles(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(-1e6, 1e6);
  std::vector<double> values;
  for (size_t i = 0; i < n; ++i) values.push_back(dist(rng));
  return values;
}

std::vector<double> SpecialValues() {
  return {std::numeric_limits<double>::quiet_NaN(),
          -std::numeric_limits<double>::quiet_NaN(),
          std::bit_cast<double>(uint64_t{0x7ff0000000000001}),  // signalling NaN, payload 1
          std::bit_cast<double>(uint64_t{0x7ff8deadbeef0042}),
          std::bit_cast<double>(uint64_t{0xfff0000000c0ffee}),
          kInf,
          -kInf,
          -0.0,
          0.0,
          0x1p53,
          0x1p53 + 2,
          -0x1p53,
          0x1p53 - 1,
          -(0x1p53 - 1),
          DBL_MAX,
          -DBL_MAX,
          DBL_MIN,
          std::numeric_limits<double>::denorm_min(),
          -std::numeric_limits<double>::denorm_min(),
          0x1p63,
          -0x1p63,
          1e300,
          1e-300};
}

TEST(BlockCodecTest, EmptyBlockRoundTripsInTwoBytes) {
  const std::string encoded = RoundTrip({});
  EXPECT_EQ(encoded.size(), 2u);
}

TEST(BlockCodecTest, EverySpecialValueRoundTripsAloneAndMixed) {
  for (double v : SpecialValues()) {
    RoundTrip(Dense({v}));
    RoundTrip(Dense({v, v, v}));
    RoundTrip(Dense({1.5, v, 2.25, v}));
  }
  RoundTrip(Dense(SpecialValues()));
}

TEST(BlockCodecTest, NegativeZeroAmongZerosIsNotTakenForADecimal) {
  const std::string encoded = RoundTrip(Dense({0.0, -0.0, 0.0, 1.0, -0.0}));
  EXPECT_EQ(CodecOf(encoded), ValueCodec::kXor);
}

TEST(BlockCodecTest, ConstantBlockUsesConstantCodecUnderATenthOfAByte) {
  for (double v : {42.5, 0.0, -0.0, std::numeric_limits<double>::quiet_NaN(), -kInf}) {
    const std::string encoded = RoundTrip(Dense(std::vector<double>(720, v)));
    EXPECT_EQ(CodecOf(encoded), ValueCodec::kConstant);
    EXPECT_LT(BytesPerPoint(encoded, 720), 0.1);
  }
}

TEST(BlockCodecTest, TwoDecimalRandomWalkUsesDecimalCodecAtUnderTwoBytesPerPoint) {
  const std::string encoded = RoundTrip(Dense(RandomWalk(720, 1)));
  EXPECT_EQ(CodecOf(encoded), ValueCodec::kDecimalDelta);
  EXPECT_LT(BytesPerPoint(encoded, 720), 2.0);
}

TEST(BlockCodecTest, CounterUsesDeltaOfDeltaAtAboutOneBytePerPoint) {
  const std::string encoded = RoundTrip(Dense(Counter(720, 2)));
  EXPECT_EQ(CodecOf(encoded), ValueCodec::kDecimalDeltaOfDelta);
  EXPECT_LT(BytesPerPoint(encoded, 720), 1.5);
}

TEST(BlockCodecTest, RandomDoublesFallBackToXor) {
  const std::string encoded = RoundTrip(Dense(RandomDoubles(720, 3)));
  EXPECT_EQ(CodecOf(encoded), ValueCodec::kXor);
  EXPECT_LT(BytesPerPoint(encoded, 720), 8.5);
}

TEST(BlockCodecTest, MostlyZeroSmallIntegersCostAboutABitPerPoint) {
  std::mt19937_64 rng(4);
  std::vector<double> values(720, 0.0);
  for (int i = 0; i < 20; ++i) values[rng() % 720] = static_cast<double>(rng() % 5 + 1);
  const std::string encoded = RoundTrip(Dense(values));
  EXPECT_EQ(CodecOf(encoded), ValueCodec::kDecimalDelta);
  EXPECT_LT(BytesPerPoint(encoded, 720), 0.4);
}

TEST(BlockCodecTest, DecimalsAtExtremeExponentsRoundTrip) {
  RoundTrip(Dense({1e-22, 2e-22, 3e-22, 1.5e-21}));
  RoundTrip(Dense({1e22, 2e22, 3e22, 5e21}));
  RoundTrip(Dense({1000, 2000, 3000, 7000, -11000}));
  RoundTrip(Dense({0.1, 0.2, 0.30000000000000004, 1e-15, 123456.789012}));
  // Mantissas at the ends of int64: deltas wrap around and must still decode exactly.
  RoundTrip(Dense({-0x1p62 * 1.99, 0x1p62 * 1.99, -0x1p62 * 1.99, 0x1p62 * 1.5, 3}));
}

TEST(BlockCodecTest, RoundThousandsCompressBetterThanTheirRawIntegers) {
  std::vector<double> thousands;
  std::vector<double> ones;
  std::mt19937_64 rng(5);
  for (int i = 0; i < 720; ++i) {
    const double k = static_cast<double>(rng() % 50);
    thousands.push_back(k * 1000);
    ones.push_back(k * 1000 + 1);
  }
  EXPECT_LT(RoundTrip(Dense(thousands)).size(), RoundTrip(Dense(ones)).size());
}

TEST(BlockCodecTest, DenseTimestampsCostAFewBytesInAll) {
  const std::string encoded = RoundTrip(Dense(std::vector<double>(720, 1.0), 5));
  EXPECT_LE(encoded.size(), 1u + 2 + 1 + 1 + 2 + 8);
}

TEST(BlockCodecTest, SparseSlotsWithGapsRoundTripUpToTheLastSlot) {
  std::vector<SlotValue> points = {{0, 1.0},
                                   {1, 2.0},
                                   {2, 3.5},
                                   {100, -4.0},
                                   {101, 5.0},
                                   {5000, 6.0},
                                   {(1u << 20) - 2, 7.25},
                                   {(1u << 20) - 1, 8.0}};
  RoundTrip(points);
  RoundTrip({{(1u << 20) - 1, std::numeric_limits<double>::quiet_NaN()}});
  std::mt19937_64 rng(6);
  std::vector<SlotValue> random_gaps;
  for (uint32_t slot = 0; slot < 720; ++slot) {
    if (rng() % 3 != 0) random_gaps.push_back({slot, static_cast<double>(rng() % 1000) / 10});
  }
  RoundTrip(random_gaps);
}

std::vector<SlotValue> EveryOtherSlot(const std::vector<double>& values) {
  std::vector<SlotValue> points = Dense(values);
  for (SlotValue& p : points) p.slot *= 2;
  return points;
}

TEST(BlockCodecTest, GappySlotsCostAtMostABitPerSlot) {
  const std::string encoded = RoundTrip(EveryOtherSlot(std::vector<double>(720, 3.0)));
  EXPECT_LE(encoded.size(), 1u + 2 + 1 + 2 + 1440 / 8 + 8);
  // Few points far apart stay cheaper as runs.
  EXPECT_LE(RoundTrip({{3, 1.0}, {700000, 1.0}}).size(), 1u + 1 + 1 + 1 + 1 + 3 + 1 + 8);
}

TEST(BlockCodecTest, EveryCodecRoundTripsTheDataItAccepts) {
  const std::vector<std::vector<double>> data = {RandomWalk(720, 7),
                                                 Counter(720, 8),
                                                 RandomDoubles(100, 9),
                                                 SpecialValues(),
                                                 std::vector<double>(10, 3.0),
                                                 {5.5},
                                                 {5.5, 6.5},
                                                 {1, 2, 4}};
  for (const std::vector<double>& values : data) {
    const std::vector<SlotValue> points = Dense(values);
    for (ValueCodec codec : {ValueCodec::kConstant, ValueCodec::kDecimalDelta,
                             ValueCodec::kDecimalDeltaOfDelta, ValueCodec::kXor}) {
      std::string encoded = "prefix";
      const core::Status status = EncodeBlockWithCodec(points, codec, &encoded);
      if (!status.ok()) {
        EXPECT_EQ(status.code(), core::StatusCode::kInvalidArgument);
        EXPECT_EQ(encoded, "prefix");
        EXPECT_NE(codec, ValueCodec::kXor);
        continue;
      }
      const std::string_view block = std::string_view(encoded).substr(6);
      EXPECT_EQ(*PeekValueCodec(block), codec);
      std::vector<SlotValue> decoded;
      ASSERT_TRUE(DecodeBlock(block, &decoded).ok());
      ExpectBitIdentical(points, decoded);
    }
  }
}

TEST(BlockCodecTest, ForcedCodecsRefuseValuesTheyCannotRepresent) {
  std::string encoded;
  EXPECT_EQ(EncodeBlockWithCodec(Dense({1, 2}), ValueCodec::kConstant, &encoded).code(),
            core::StatusCode::kInvalidArgument);
  EXPECT_EQ(EncodeBlockWithCodec(Dense({1, kInf}), ValueCodec::kDecimalDelta, &encoded).code(),
            core::StatusCode::kInvalidArgument);
  EXPECT_EQ(EncodeBlockWithCodec(Dense({-0.0}), ValueCodec::kDecimalDeltaOfDelta, &encoded).code(),
            core::StatusCode::kInvalidArgument);
  EXPECT_TRUE(encoded.empty());
}

TEST(BlockCodecTest, DecodeAppendsAndLeavesOutputUntouchedOnError) {
  std::string encoded;
  EncodeBlock(Dense({1.5, 2.5}, 10), &encoded);
  std::vector<SlotValue> out = {{3, 9.0}};
  ASSERT_TRUE(DecodeBlock(encoded, &out).ok());
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].slot, 3u);
  EXPECT_EQ(out[2].slot, 11u);
  EXPECT_EQ(out[2].value, 2.5);
  encoded.pop_back();
  EXPECT_EQ(DecodeBlock(encoded, &out).code(), core::StatusCode::kCorruption);
  EXPECT_EQ(out.size(), 3u);
}

TEST(BlockCodecTest, PeekRejectsMissingOrUnknownHeaders) {
  EXPECT_FALSE(PeekValueCodec("").ok());
  EXPECT_FALSE(PeekValueCodec(std::string(1, '\x23')).ok());  // version 2
  EXPECT_FALSE(PeekValueCodec(std::string(1, '\x18')).ok());  // reserved bit
  EXPECT_EQ(*PeekValueCodec(std::string(1, '\x13')), ValueCodec::kXor);
}

TEST(BlockCodecTest, EveryTruncationAndAnyTrailingByteIsCorruption) {
  const std::vector<std::vector<SlotValue>> blocks = {{},
                                                      Dense({7.0}),
                                                      Dense(std::vector<double>(50, 7.0)),
                                                      Dense(RandomWalk(200, 10)),
                                                      Dense(Counter(200, 11)),
                                                      Dense(RandomDoubles(100, 12)),
                                                      Dense(SpecialValues(), 900),
                                                      EveryOtherSlot(RandomWalk(100, 18))};
  for (const std::vector<SlotValue>& points : blocks) {
    std::string encoded;
    EncodeBlock(points, &encoded);
    for (size_t len = 0; len < encoded.size(); ++len) {
      std::vector<SlotValue> out;
      EXPECT_EQ(DecodeBlock(std::string_view(encoded).substr(0, len), &out).code(),
                core::StatusCode::kCorruption)
          << "prefix of " << len << " of " << encoded.size() << " bytes";
      EXPECT_TRUE(out.empty());
    }
    std::vector<SlotValue> out;
    EXPECT_EQ(DecodeBlock(encoded + '\0', &out).code(), core::StatusCode::kCorruption);
  }
}

// A decode that succeeds on hostile input must still honour the block invariants.
void ExpectCorruptionOrValidBlock(std::string_view data) {
  std::vector<SlotValue> out;
  const core::Status status = DecodeBlock(data, &out);
  if (!status.ok()) {
    EXPECT_EQ(status.code(), core::StatusCode::kCorruption);
    EXPECT_TRUE(out.empty());
    return;
  }
  for (size_t i = 0; i < out.size(); ++i) {
    ASSERT_LT(out[i].slot, kMaxBlockSlots);
    if (i > 0) {
      ASSERT_GT(out[i].slot, out[i - 1].slot);
    }
  }
}

TEST(BlockCodecTest, RandomGarbageAndBitFlipsNeverCrash) {
  std::mt19937_64 rng(13);
  for (int i = 0; i < 20000; ++i) {
    std::string garbage(rng() % 64, '\0');
    for (char& c : garbage) c = static_cast<char>(rng());
    if (!garbage.empty() && rng() % 2) garbage[0] = static_cast<char>(0x10 | (rng() % 8));
    ExpectCorruptionOrValidBlock(garbage);
  }
  const std::vector<std::vector<SlotValue>> blocks = {
      Dense(RandomWalk(300, 14)), Dense(Counter(300, 15)), Dense(RandomDoubles(300, 16)),
      Dense(SpecialValues()), EveryOtherSlot(RandomWalk(300, 19))};
  for (const std::vector<SlotValue>& points : blocks) {
    std::string encoded;
    EncodeBlock(points, &encoded);
    for (int i = 0; i < 3000; ++i) {
      std::string mutated = encoded;
      for (int flips = 1 + rng() % 3; flips > 0; --flips) {
        mutated[rng() % mutated.size()] ^= static_cast<char>(1 << (rng() % 8));
      }
      ExpectCorruptionOrValidBlock(mutated);
    }
  }
}

TEST(BlockCodecTest, HostilePointCountsAreRejectedBeforeAllocating) {
  std::string too_many;
  too_many.push_back('\x13');
  PutVarint(&too_many, uint64_t{kMaxBlockPoints} + 1);
  std::vector<SlotValue> out;
  EXPECT_EQ(DecodeBlock(too_many, &out).code(), core::StatusCode::kCorruption);

  // A million XOR points claimed with a 10-byte payload.
  std::string short_payload;
  short_payload.push_back('\x13');
  PutVarint(&short_payload, kMaxBlockPoints);
  PutVarint(&short_payload, 1);
  PutVarint(&short_payload, 0);
  PutVarint(&short_payload, kMaxBlockPoints);
  short_payload.append(10, '\0');
  EXPECT_EQ(DecodeBlock(short_payload, &out).code(), core::StatusCode::kCorruption);
  EXPECT_TRUE(out.empty());
}

TEST(BlockCodecTest, FullWindowOfAConstantDecodesFromAFewBytes) {
  std::vector<SlotValue> points;
  for (uint32_t slot = 0; slot < kMaxBlockSlots; ++slot) points.push_back({slot, 1.0});
  std::string encoded;
  EncodeBlock(points, &encoded);
  EXPECT_LT(encoded.size(), 20u);
  std::vector<SlotValue> out;
  ASSERT_TRUE(DecodeBlock(encoded, &out).ok());
  ASSERT_EQ(out.size(), kMaxBlockSlots);
  EXPECT_EQ(out.back().slot, kMaxBlockSlots - 1);
}

TEST(BitStreamTest, MixedWidthsRoundTrip) {
  std::mt19937_64 rng(17);
  std::vector<std::pair<uint64_t, int>> written;
  std::string buffer;
  BitWriter writer(&buffer);
  for (int i = 0; i < 1000; ++i) {
    const int n = static_cast<int>(rng() % 65);
    const uint64_t bits = n == 64 ? rng() : rng() & ((uint64_t{1} << n) - 1);
    writer.Write(bits, n);
    written.push_back({bits, n});
  }
  writer.Finish();
  BitReader reader(buffer);
  for (const auto& [bits, n] : written) {
    uint64_t got = 0;
    ASSERT_TRUE(reader.Read(n, &got));
    EXPECT_EQ(got, bits);
  }
  EXPECT_EQ(reader.bytes_consumed(), buffer.size());
  uint64_t past_end = 0;
  EXPECT_FALSE(reader.Read(8, &past_end));
}

TEST(BitStreamTest, IntLayoutFitsTheStreamAndRoundTrips) {
  const std::vector<std::vector<uint64_t>> streams = {
      {0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0},
      {200, 17, 3, 255, 128, 90, 1, 0, 77, 250},
      {5, 6, 7, 1ull << 40, 5, 9, 0, std::numeric_limits<uint64_t>::max()}};
  for (const std::vector<uint64_t>& values : streams) {
    WidthHistogram histogram{};
    for (uint64_t v : values) ++histogram[std::bit_width(v)];
    const IntLayout layout = ChooseIntLayout(histogram);
    std::string buffer;
    BitWriter writer(&buffer);
    for (uint64_t v : values) WriteInt(layout, v, &writer);
    writer.Finish();
    EXPECT_EQ(buffer.size(), (layout.bits + 7) / 8);
    BitReader reader(buffer);
    for (uint64_t v : values) {
      uint64_t got = 0;
      ASSERT_TRUE(ReadInt(layout, &reader, &got));
      EXPECT_EQ(got, v);
    }
  }
  WidthHistogram mostly_zero{};
  mostly_zero[0] = 100;
  mostly_zero[2] = 1;
  EXPECT_TRUE(ChooseIntLayout(mostly_zero).zero_shortcut);
  EXPECT_EQ(ChooseIntLayout(mostly_zero).bits, 100u + 2 + 2);
}

}  // namespace
}  // namespace meridian::storage::internal
