// `meridian verify` / `meridian repair`: checks a store that is not running — RocksDB's checksums
// of every file, and every block of every series decoded — and, repairing, deletes the blocks
// that do not decode (their slots read as null afterwards, as a read skipping them already did).
//
//   VerifyOptions o{.data_dir = "/var/lib/meridian", .repair = false};
//   auto report = VerifyStore(o, clock, [](const std::string& line) { puts(line.c_str()); });
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/clock.h"
#include "core/status.h"

namespace meridian::storage {

struct VerifyOptions {
  std::string data_dir;  // the store's data_dir (RocksDB in <data_dir>/db)
  bool repair = false;   // delete blocks that do not decode
};

struct VerifyReport {
  uint64_t series = 0;
  uint64_t blocks = 0;
  uint64_t bad_blocks = 0;
  uint64_t deleted_blocks = 0;
  std::string checksum_error;  // RocksDB's file-level verdict ("" = every checksum matched)
  bool clean() const { return bad_blocks == deleted_blocks && checksum_error.empty(); }
};

// FAILED_PRECONDITION when there is no store in data_dir; UNAVAILABLE when it is open elsewhere
// (a running meridian holds RocksDB's lock). `problem` gets one line per bad block ("series
// 'x.y' archive 0 block from 1700000000 (120 s): block: unknown format version").
core::Result<VerifyReport> VerifyStore(const VerifyOptions& options, const core::Clock& clock,
                                       const std::function<void(const std::string&)>& problem);

}  // namespace meridian::storage
