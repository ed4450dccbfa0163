// Decoders for tests that check what the server compressed (gzip and brotli bodies). Header-only:
// the test binary that includes it links zlib and libbrotlidec.
#pragma once

#include <brotli/decode.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <string>

namespace meridian::testing {

inline std::string Gunzip(const std::string& in) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  std::string out(in.size() * 50 + 1024, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(out.size() - z.avail_out);
  inflateEnd(&z);
  return out;
}

inline std::string Unbrotli(const std::string& in) {
  std::string out(in.size() * 50 + 1024, '\0');
  size_t size = out.size();
  EXPECT_EQ(BrotliDecoderDecompress(in.size(), reinterpret_cast<const uint8_t*>(in.data()), &size,
                                    reinterpret_cast<uint8_t*>(out.data())),
            BROTLI_DECODER_RESULT_SUCCESS);
  out.resize(size);
  return out;
}

}  // namespace meridian::testing
