// `meridian verify` / `meridian repair`: checks a store that is not running — RocksDB's checksums
// of every file, every record read, every block of every series decoded — and, repairing,
// deletes the blocks that do not decode (their slots read as null afterwards, as a read skipping
// them already did). Where RocksDB cannot read a range at all (a damaged data file), repair
// rebuilds the store from every readable record (only the damaged file blocks' records are
// lost) and keeps the damaged store beside it as db.damaged-<time>.
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
  uint64_t bad_blocks = 0;      // blocks RocksDB read that do not decode
  uint64_t deleted_blocks = 0;  // ... of which repair deleted (or left out of the rebuilt store)
  // Ranges RocksDB could not read at all (a checksum mismatch in a data file): their records are
  // lost. Repair then rebuilds the store from every readable record.
  uint64_t unreadable_ranges = 0;
  std::string checksum_error;     // RocksDB's file-level verdict ("" = every checksum matched)
  bool rebuilt = false;           // repair rebuilt the store from its readable records
  uint64_t salvaged_records = 0;  // ... this many
  std::string damaged_copy;       // ... and kept the damaged store here (delete when satisfied)
  bool clean() const {
    return bad_blocks == deleted_blocks &&
           (rebuilt || (checksum_error.empty() && unreadable_ranges == 0));
  }
};

// FAILED_PRECONDITION when there is no store in data_dir; UNAVAILABLE when it is open elsewhere
// (a running meridian holds RocksDB's lock). `problem` gets one line per bad block ("series
// 'x.y' archive 0 block from 1700000000 (120 s): block: unknown format version").
// Finishes (or discards) a rebuild that `meridian repair` was interrupted in; the store opens
// and verify call it first. OK when there is nothing to do.
core::Status CompleteInterruptedRepair(const std::string& data_dir);

core::Result<VerifyReport> VerifyStore(const VerifyOptions& options, const core::Clock& clock,
                                       const std::function<void(const std::string&)>& problem);

}  // namespace meridian::storage
