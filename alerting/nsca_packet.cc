#include "alerting/nsca_packet.h"

#include <algorithm>
#include <string>

namespace meridian::alerting {
namespace {

// send_nsca keeps the password in a 512-byte buffer, so longer ones can never match the server.
constexpr size_t kMaxPasswordLength = 511;

constexpr std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? (0xEDB88320u ^ (c >> 1)) : (c >> 1);
    table[i] = c;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kCrcTable = MakeCrcTable();

void PutU16(std::vector<uint8_t>& out, size_t offset, uint16_t v) {
  out[offset] = static_cast<uint8_t>(v >> 8);
  out[offset + 1] = static_cast<uint8_t>(v);
}

void PutU32(std::vector<uint8_t>& out, size_t offset, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[offset + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}

core::Status CheckNoNul(std::string_view what, std::string_view s) {
  if (s.find('\0') != std::string_view::npos) {
    return core::InvalidArgument("nsca: " + std::string(what) + " contains a NUL byte");
  }
  return core::Status::Ok();
}

// A name the daemon would silently cut would address a different Nagios object, so refuse it.
core::Status CheckName(std::string_view what, std::string_view s, size_t field_size) {
  RETURN_IF_ERROR(CheckNoNul(what, s));
  if (s.size() >= field_size) {
    return core::InvalidArgument("nsca: " + std::string(what) + " is " + std::to_string(s.size()) +
                                 " bytes, the packet field holds at most " +
                                 std::to_string(field_size - 1));
  }
  return core::Status::Ok();
}

// Output is only informative, so cutting it is better than dropping the result; backing up over
// UTF-8 continuation bytes keeps Nagios's web UI from showing a broken trailing character. At most
// three steps: a longer run of continuation bytes is invalid UTF-8 and is cut anywhere.
std::string_view TruncateUtf8(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t cut = max_bytes;
  for (int i = 0; i < 3 && cut > 0 && (static_cast<uint8_t>(s[cut]) & 0xC0) == 0x80; ++i) --cut;
  if ((static_cast<uint8_t>(s[cut]) & 0xC0) == 0x80) cut = max_bytes;
  return s.substr(0, cut);
}

}  // namespace

core::Result<NscaInit> ParseNscaInit(std::span<const uint8_t> bytes) {
  if (bytes.size() != kNscaInitPacketSize) {
    return core::InvalidArgument("nsca: init packet must be 132 bytes, got " +
                                 std::to_string(bytes.size()));
  }
  NscaInit init;
  std::copy_n(bytes.begin(), kNscaIvSize, init.iv.begin());
  init.timestamp = 0;
  for (size_t i = kNscaIvSize; i < kNscaInitPacketSize; ++i) {
    init.timestamp = (init.timestamp << 8) | bytes[i];
  }
  return init;
}

core::Result<std::vector<uint8_t>> EncodeNscaPacket(const NscaCheck& check, const NscaInit& init,
                                                    NscaEncryption encryption,
                                                    std::string_view password,
                                                    NscaPacketFormat format) {
  if (check.host.empty()) return core::InvalidArgument("nsca: host name is empty");
  RETURN_IF_ERROR(CheckName("host name", check.host, kNscaHostNameSize));
  RETURN_IF_ERROR(CheckName("service description", check.service, kNscaServiceSize));
  RETURN_IF_ERROR(CheckNoNul("plugin output", check.output));
  if (encryption == NscaEncryption::kXor) {
    RETURN_IF_ERROR(CheckNoNul("password", password));
    if (password.size() > kMaxPasswordLength) {
      return core::InvalidArgument("nsca: password longer than 511 bytes");
    }
  }
  const bool legacy = format == NscaPacketFormat::kLegacy27;
  const size_t output_size = legacy ? kNscaLegacyOutputSize : kNscaOutputSize;
  std::vector<uint8_t> packet(legacy ? kNscaLegacyPacketSize : kNscaPacketSize, 0);

  PutU16(packet, kNscaVersionOffset, static_cast<uint16_t>(kNscaPacketVersion));
  PutU32(packet, kNscaTimestampOffset, init.timestamp);
  PutU16(packet, kNscaReturnCodeOffset, static_cast<uint16_t>(check.return_code));
  // The vector is zero-filled, so every field is NUL-terminated by the checks/truncation above.
  std::copy(check.host.begin(), check.host.end(), packet.begin() + kNscaHostNameOffset);
  std::copy(check.service.begin(), check.service.end(), packet.begin() + kNscaServiceOffset);
  const std::string_view output = TruncateUtf8(check.output, output_size - 1);
  std::copy(output.begin(), output.end(), packet.begin() + kNscaOutputOffset);

  PutU32(packet, kNscaCrcOffset, NscaCrc32(packet));
  if (encryption == NscaEncryption::kXor) NscaXor(packet, init, password);
  return packet;
}

void NscaXor(std::span<uint8_t> packet, const NscaInit& init, std::string_view password) {
  for (size_t i = 0; i < packet.size(); ++i) {
    packet[i] ^= init.iv[i % kNscaIvSize];
    if (!password.empty()) packet[i] ^= static_cast<uint8_t>(password[i % password.size()]);
  }
}

uint32_t NscaCrc32(std::span<const uint8_t> bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (uint8_t b : bytes) crc = kCrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

}  // namespace meridian::alerting
