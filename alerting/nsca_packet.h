// NSCA (send_nsca) protocol v3 client packets: parse the server's init packet, build data packets.
//
// Wire flow (reference/alerting.md §2): the client connects (TCP 5667), the server sends a 132-byte
// init packet (128-byte IV + u32 timestamp), the client sends one data packet per check result and
// closes. The server never acknowledges a packet; malformed ones are dropped with a syslog line.
//
// Packet size: Debian's nsca 2.10.2 is built with MAX_PLUGINOUTPUT_LENGTH 4096, so its native data
// packet is 4304 bytes (NscaPacketFormat::kV3, the default). It also accepts the 720-byte packet of
// nsca 2.7.x (512-byte plugin output, NscaPacketFormat::kLegacy27); 2.7.x servers accept only that.
//
// Only the NONE and XOR "encryption" methods are implemented; XOR is obfuscation, not security.
// Thread-safety: all functions are pure and thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace meridian::alerting {

inline constexpr size_t kNscaIvSize = 128;
inline constexpr size_t kNscaInitPacketSize = 132;
inline constexpr int16_t kNscaPacketVersion = 3;

// Field sizes include the terminating NUL: a host name holds at most 63 bytes.
inline constexpr size_t kNscaHostNameSize = 64;
inline constexpr size_t kNscaServiceSize = 128;
inline constexpr size_t kNscaOutputSize = 4096;       // nsca >= 2.9 (Debian 2.10.2)
inline constexpr size_t kNscaLegacyOutputSize = 512;  // nsca 2.7.x

// Byte offsets inside a data packet (C struct layout on LP64 with its padding made explicit).
inline constexpr size_t kNscaVersionOffset = 0;
inline constexpr size_t kNscaCrcOffset = 4;  // bytes 2..3 are struct padding
inline constexpr size_t kNscaTimestampOffset = 8;
inline constexpr size_t kNscaReturnCodeOffset = 12;
inline constexpr size_t kNscaHostNameOffset = 14;
inline constexpr size_t kNscaServiceOffset = 78;
inline constexpr size_t kNscaOutputOffset = 206;
// Whole packets, including 2 bytes of tail padding after the output field.
inline constexpr size_t kNscaPacketSize = 4304;
inline constexpr size_t kNscaLegacyPacketSize = 720;

// The server's first message on a connection.
struct NscaInit {
  std::array<uint8_t, kNscaIvSize> iv{};
  uint32_t timestamp = 0;  // server clock, echoed back in every data packet
};

// Parses the init packet. Errors (InvalidArgument) unless `bytes` is exactly 132 bytes.
core::Result<NscaInit> ParseNscaInit(std::span<const uint8_t> bytes);

// Must match the server's `decryption_method` (0 or 1; Debian's sample nsca.cfg uses 1).
enum class NscaEncryption { kNone = 0, kXor = 1 };

enum class NscaPacketFormat {
  kV3,        // 4096-byte plugin output, 4304-byte packet (default, nsca >= 2.9)
  kLegacy27,  // 512-byte plugin output, 720-byte packet (what send_nsca --legacy-2-7-mode sends)
};

// One passive check result. An empty `service` makes it a host check result.
struct NscaCheck {
  std::string host;
  std::string service;
  int16_t return_code = 0;  // service: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN; host: 0 UP, 1 DOWN
  std::string output;       // plugin output, optionally "text|perfdata" and further lines
};

// Builds one encrypted data packet ready to write to the socket.
// Fields are NUL-terminated and zero-padded (send_nsca pads with random bytes; the daemon reads
// only up to the NUL, so zeros are equally valid and make packets reproducible). The CRC-32 is
// computed over the whole plaintext packet with the CRC field zeroed, then the packet is XORed
// with the IV and with the password when `encryption` is kXor (kNone ignores the password).
// Errors (InvalidArgument): empty host; host > 63 bytes; service > 127 bytes; NUL bytes in
// host/service/output/password; password > 511 bytes (send_nsca's limit).
// Output longer than the field (4095 / 511 bytes) is truncated, never inside a UTF-8 sequence.
core::Result<std::vector<uint8_t>> EncodeNscaPacket(
    const NscaCheck& check, const NscaInit& init, NscaEncryption encryption,
    std::string_view password, NscaPacketFormat format = NscaPacketFormat::kV3);

// Applies (or, being an involution, removes) XOR "encryption" in place, exactly as nsca does:
// byte i ^= iv[i % 128], then ^= password[i % len] (an empty password adds nothing).
void NscaXor(std::span<uint8_t> packet, const NscaInit& init, std::string_view password);

// CRC-32 as used by nsca and zlib (reflected, polynomial 0xEDB88320, init and xorout 0xFFFFFFFF).
uint32_t NscaCrc32(std::span<const uint8_t> bytes);

}  // namespace meridian::alerting
