// PointSink: where the Graphite server hands its parsed points. Implemented by the store's
// writer (app wires it); tests use a recording fake.
#pragma once

#include "storage/types.h"

namespace meridian::ingest {

class PointSink {
 public:
  virtual ~PointSink() = default;

  // Offers a batch of points with canonical series names.
  // true: accepted. The sink has taken the points (moved or copied them out); the caller clears
  //   `batch` afterwards whatever state the sink left it in.
  // false: full, try again later. The sink must leave `batch` unchanged. TCP connections then stop
  //   reading and retry the same batch on a short timer (backpressure); UDP drops and counts it.
  // Called on the server's network threads, concurrently when ServerOptions::io_threads > 1, so
  // implementations must be thread-safe; it should not block (a full sink returns false instead).
  virtual bool TryWrite(storage::PointBatch& batch) = 0;
};

}  // namespace meridian::ingest
