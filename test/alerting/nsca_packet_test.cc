#include "alerting/nsca_packet.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace meridian::alerting {
namespace {

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

uint32_t GetU32(const std::vector<uint8_t>& p, size_t off) {
  return (uint32_t{p[off]} << 24) | (uint32_t{p[off + 1]} << 16) | (uint32_t{p[off + 2]} << 8) |
         uint32_t{p[off + 3]};
}

uint16_t GetU16(const std::vector<uint8_t>& p, size_t off) {
  return static_cast<uint16_t>((p[off] << 8) | p[off + 1]);
}

// The NUL-terminated string stored in a fixed-size field.
std::string Field(const std::vector<uint8_t>& p, size_t off, size_t size) {
  std::string s;
  for (size_t i = off; i < off + size && p[i] != 0; ++i) s.push_back(static_cast<char>(p[i]));
  return s;
}

NscaInit TestInit() {
  NscaInit init;
  for (size_t i = 0; i < kNscaIvSize; ++i) init.iv[i] = static_cast<uint8_t>(i * 7 + 3);
  init.timestamp = 0x65A1B2C3;
  return init;
}

NscaCheck TestCheck() { return {"web01", "disk /var", 2, "CRITICAL - 97% used|used=97%;80;90"}; }

std::vector<uint8_t> Encode(const NscaCheck& check, NscaEncryption enc = NscaEncryption::kNone,
                            std::string_view password = "",
                            NscaPacketFormat format = NscaPacketFormat::kV3) {
  auto packet = EncodeNscaPacket(check, TestInit(), enc, password, format);
  EXPECT_TRUE(packet.ok()) << packet.status().ToString();
  return packet.ok() ? *packet : std::vector<uint8_t>{};
}

TEST(NscaCrc32Test, MatchesStandardCheckValues) {
  EXPECT_EQ(NscaCrc32(Bytes("123456789")), 0xCBF43926u);
  EXPECT_EQ(NscaCrc32(Bytes("")), 0x00000000u);
  EXPECT_EQ(NscaCrc32(Bytes("The quick brown fox jumps over the lazy dog")), 0x414FA339u);
  const std::vector<uint8_t> zeros(32, 0);
  EXPECT_EQ(NscaCrc32(zeros), 0x190A55ADu);
}

TEST(ParseNscaInitTest, SplitsIvAndBigEndianTimestamp) {
  std::vector<uint8_t> raw(kNscaInitPacketSize);
  for (size_t i = 0; i < kNscaIvSize; ++i) raw[i] = static_cast<uint8_t>(255 - i);
  raw[128] = 0x12;
  raw[129] = 0x34;
  raw[130] = 0x56;
  raw[131] = 0x78;
  auto init = ParseNscaInit(raw);
  ASSERT_TRUE(init.ok()) << init.status().ToString();
  EXPECT_EQ(init->timestamp, 0x12345678u);
  EXPECT_EQ(init->iv[0], 255);
  EXPECT_EQ(init->iv[127], 128);
}

TEST(ParseNscaInitTest, RejectsWrongSizes) {
  for (size_t size : {size_t{0}, size_t{128}, size_t{131}, size_t{133}, size_t{4304}}) {
    std::vector<uint8_t> raw(size, 1);
    auto init = ParseNscaInit(raw);
    ASSERT_FALSE(init.ok()) << size;
    EXPECT_EQ(init.status().code(), core::StatusCode::kInvalidArgument);
  }
}

TEST(EncodeNscaPacketTest, PlaintextPacketHasV3LayoutAndSize) {
  const std::vector<uint8_t> p = Encode(TestCheck());
  ASSERT_EQ(p.size(), kNscaPacketSize);
  EXPECT_EQ(p.size(), 4304u);
  EXPECT_EQ(GetU16(p, 0), 3);            // packet_version
  EXPECT_EQ(GetU16(p, 2), 0);            // struct padding
  EXPECT_EQ(GetU32(p, 8), 0x65A1B2C3u);  // timestamp echoed from init
  EXPECT_EQ(GetU16(p, 12), 2);           // return_code
  EXPECT_EQ(Field(p, 14, 64), "web01");
  EXPECT_EQ(Field(p, 78, 128), "disk /var");
  EXPECT_EQ(Field(p, 206, 4096), "CRITICAL - 97% used|used=97%;80;90");
  EXPECT_EQ(p[14 + 5], 0);
  EXPECT_EQ(p[4302], 0);
  EXPECT_EQ(p[4303], 0);
  // Everything past each string's NUL is zero padding.
  for (size_t i = 206 + 34; i < p.size(); ++i) ASSERT_EQ(p[i], 0) << i;
}

TEST(EncodeNscaPacketTest, CrcCoversPacketWithCrcFieldZeroed) {
  std::vector<uint8_t> p = Encode(TestCheck());
  ASSERT_EQ(p.size(), kNscaPacketSize);
  const uint32_t stored = GetU32(p, kNscaCrcOffset);
  for (size_t i = 0; i < 4; ++i) p[kNscaCrcOffset + i] = 0;
  EXPECT_EQ(NscaCrc32(p), stored);
  EXPECT_NE(stored, 0u);
}

TEST(EncodeNscaPacketTest, NegativeReturnCodeIsTwosComplementBigEndian) {
  NscaCheck check = TestCheck();
  check.return_code = -2;
  const std::vector<uint8_t> p = Encode(check);
  ASSERT_EQ(p.size(), kNscaPacketSize);
  EXPECT_EQ(GetU16(p, 12), 0xFFFE);
}

TEST(EncodeNscaPacketTest, EmptyServiceMakesHostCheck) {
  const std::vector<uint8_t> p = Encode({"web01", "", 1, "DOWN"});
  ASSERT_EQ(p.size(), kNscaPacketSize);
  EXPECT_EQ(p[kNscaServiceOffset], 0);
  EXPECT_EQ(Field(p, kNscaHostNameOffset, 64), "web01");
}

TEST(EncodeNscaPacketTest, LegacyFormatIs720BytesWith512ByteOutput) {
  NscaCheck check = TestCheck();
  check.output = std::string(600, 'x');
  std::vector<uint8_t> p = Encode(check, NscaEncryption::kNone, "", NscaPacketFormat::kLegacy27);
  ASSERT_EQ(p.size(), kNscaLegacyPacketSize);
  EXPECT_EQ(p.size(), 720u);
  EXPECT_EQ(Field(p, 206, 512), std::string(511, 'x'));
  EXPECT_EQ(p[206 + 511], 0);
  const uint32_t stored = GetU32(p, kNscaCrcOffset);
  for (size_t i = 0; i < 4; ++i) p[kNscaCrcOffset + i] = 0;
  EXPECT_EQ(NscaCrc32(p), stored);
}

TEST(EncodeNscaPacketTest, XorIsUndoneByApplyingItAgain) {
  const std::vector<uint8_t> plain = Encode(TestCheck());
  std::vector<uint8_t> enc = Encode(TestCheck(), NscaEncryption::kXor, "s3cret");
  ASSERT_EQ(enc.size(), plain.size());
  EXPECT_NE(enc, plain);
  NscaXor(enc, TestInit(), "s3cret");
  EXPECT_EQ(enc, plain);
}

TEST(EncodeNscaPacketTest, XorUsesIvThenPasswordPerByteIndex) {
  const std::vector<uint8_t> plain = Encode(TestCheck());
  const std::vector<uint8_t> enc = Encode(TestCheck(), NscaEncryption::kXor, "pw!");
  const NscaInit init = TestInit();
  const std::string_view pw = "pw!";
  ASSERT_EQ(enc.size(), plain.size());
  for (size_t i : {size_t{0}, size_t{1}, size_t{127}, size_t{128}, size_t{300}, size_t{4303}}) {
    EXPECT_EQ(enc[i], plain[i] ^ init.iv[i % 128] ^ static_cast<uint8_t>(pw[i % 3])) << i;
  }
}

TEST(EncodeNscaPacketTest, XorWithEmptyPasswordUsesOnlyIv) {
  const std::vector<uint8_t> plain = Encode(TestCheck());
  const std::vector<uint8_t> enc = Encode(TestCheck(), NscaEncryption::kXor, "");
  ASSERT_EQ(enc.size(), plain.size());
  for (size_t i = 0; i < enc.size(); ++i) ASSERT_EQ(enc[i], plain[i] ^ TestInit().iv[i % 128]);
}

TEST(EncodeNscaPacketTest, NoEncryptionIgnoresPassword) {
  EXPECT_EQ(Encode(TestCheck(), NscaEncryption::kNone, "ignored"), Encode(TestCheck()));
}

TEST(EncodeNscaPacketTest, LongOutputIsTruncatedAtUtf8Boundary) {
  NscaCheck check = TestCheck();
  // 4094 ASCII bytes then "é" (2 bytes): the field holds 4095, which would split the "é".
  check.output = std::string(4094, 'a') + "\xC3\xA9" + "tail";
  std::vector<uint8_t> p = Encode(check);
  ASSERT_EQ(p.size(), kNscaPacketSize);
  EXPECT_EQ(Field(p, kNscaOutputOffset, 4096), std::string(4094, 'a'));
  // A 3-byte character ending exactly at the limit is kept whole.
  check.output = std::string(4092, 'b') + "\xE2\x82\xAC" + "more";
  p = Encode(check);
  EXPECT_EQ(Field(p, kNscaOutputOffset, 4096), std::string(4092, 'b') + "\xE2\x82\xAC");
}

TEST(EncodeNscaPacketTest, OutputThatFitsExactlyIsKept) {
  NscaCheck check = TestCheck();
  check.output = std::string(4095, 'z');
  const std::vector<uint8_t> p = Encode(check);
  ASSERT_EQ(p.size(), kNscaPacketSize);
  EXPECT_EQ(Field(p, kNscaOutputOffset, 4096), check.output);
  EXPECT_EQ(p[kNscaOutputOffset + 4095], 0);
}

TEST(EncodeNscaPacketTest, InvalidUtf8RunIsCutAtByteLimitWithoutOverflow) {
  NscaCheck check = TestCheck();
  check.output = std::string(5000, '\x80');
  const std::vector<uint8_t> p = Encode(check);
  ASSERT_EQ(p.size(), kNscaPacketSize);
  EXPECT_EQ(Field(p, kNscaOutputOffset, 4096).size(), 4095u);
}

TEST(EncodeNscaPacketTest, NamesAtFieldLimitAreAccepted) {
  const NscaCheck check{std::string(63, 'h'), std::string(127, 's'), 0, "OK"};
  const std::vector<uint8_t> p = Encode(check);
  ASSERT_EQ(p.size(), kNscaPacketSize);
  EXPECT_EQ(Field(p, kNscaHostNameOffset, 64), check.host);
  EXPECT_EQ(Field(p, kNscaServiceOffset, 128), check.service);
}

void ExpectInvalid(const NscaCheck& check, NscaEncryption enc = NscaEncryption::kNone,
                   std::string_view password = "") {
  auto p = EncodeNscaPacket(check, TestInit(), enc, password);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), core::StatusCode::kInvalidArgument);
}

TEST(EncodeNscaPacketTest, RejectsNamesThatDoNotFitOrAreEmpty) {
  ExpectInvalid({"", "svc", 0, "OK"});
  ExpectInvalid({std::string(64, 'h'), "svc", 0, "OK"});
  ExpectInvalid({"host", std::string(128, 's'), 0, "OK"});
}

TEST(EncodeNscaPacketTest, RejectsEmbeddedNulBytes) {
  using namespace std::string_literals;
  ExpectInvalid({"ho\0st"s, "svc", 0, "OK"});
  ExpectInvalid({"host", "s\0vc"s, 0, "OK"});
  ExpectInvalid({"host", "svc", 0, "O\0K"s});
  ExpectInvalid(TestCheck(), NscaEncryption::kXor, "pa\0ss"s);
}

TEST(EncodeNscaPacketTest, RejectsOverlongXorPassword) {
  ExpectInvalid(TestCheck(), NscaEncryption::kXor, std::string(512, 'p'));
  auto ok = EncodeNscaPacket(TestCheck(), TestInit(), NscaEncryption::kXor, std::string(511, 'p'));
  EXPECT_TRUE(ok.ok());
}

}  // namespace
}  // namespace meridian::alerting
