// StreamProtocol: how the bytes of one TCP connection become points — the framing strategy a
// TcpConnection runs. LineProtocol cuts carbon's plaintext lines; PickleProtocol cuts carbon's
// length-prefixed pickle frames. The connection owns the socket, the read buffer, the batch,
// backpressure, timers and drain; the protocol only looks at bytes. Socket-free: unit-tested with
// byte strings. Not thread-safe: one per connection, used on its strand.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "storage/types.h"

namespace meridian::ingest::internal {

class StreamProtocol {
 public:
  enum class Status {
    kUnit,      // one unit (line, frame) was consumed; its good points are in the batch
    kNeedMore,  // the unit at the front is incomplete: read more bytes
    kClose,     // the unit broke a limit or a rule: counted and logged; close the connection
  };
  struct Step {
    Status status = Status::kNeedMore;
    size_t consumed = 0;    // kUnit: bytes the unit took at the front of the input
    size_t need_bytes = 0;  // kNeedMore: the unit needs at least this many bytes (0 = unknown);
                            // the connection grows its read buffer to hold them
  };

  virtual ~StreamProtocol() = default;

  // Looks at the front of `input` (bytes received and not consumed yet) and consumes at most one
  // unit, appending its good points to *batch; bad points are counted and logged. Points appended
  // before a kClose are kept. REQUIRES: batch != nullptr.
  virtual Step Next(std::string_view input, int64_t now_seconds, storage::PointBatch* batch) = 0;

  // The sender closed (or Stop() drained the connection) with `leftover` bytes that are not a
  // whole unit. REQUIRES: !leftover.empty().
  virtual void Abandon(std::string_view leftover) = 0;

  // Adds the points of the units since the last call to ingest_points_received_total (one
  // atomic add per read instead of one per point). Returns how many that was.
  virtual uint64_t PublishCounts() = 0;
};

// Makes the protocol of a new connection from `peer` ("ip:port", for logs).
using StreamProtocolFactory =
    std::function<std::unique_ptr<StreamProtocol>(const std::string& peer)>;

}  // namespace meridian::ingest::internal
