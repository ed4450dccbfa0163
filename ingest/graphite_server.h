// GraphiteServer: Graphite plaintext over TCP and UDP (carbon's line receivers, port 2003) and,
// when ServerOptions::pickle_listen is set, carbon's pickle protocol over TCP (port 2004),
// feeding parsed points with canonical series names into a PointSink.
//
//   auto server = GraphiteServer::Start(options, sink, core::RealClock::Get(), registry);
//   if (!server.ok()) return server.status();
//   ...
//   (*server)->Stop();  // or let it go out of scope
//
// Line semantics: ingest/line_parser.h; pickle: ingest/README.md "Pickle receiver". Limits,
// backpressure and counters: ingest/README.md. Thread-safety: all methods are thread-safe, but
// Stop() must not be called from inside PointSink::TryWrite (it waits for the network threads).
#pragma once

#include <cstdint>
#include <memory>

#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"
#include "ingest/point_sink.h"
#include "ingest/server_options.h"

namespace meridian::ingest {

class GraphiteServer {
 public:
  // Validates `options`, binds the listeners and starts options.io_threads network threads.
  // InvalidArgument for bad options, Unavailable when an address cannot be bound.
  // REQUIRES: sink, clock and registry outlive the server.
  static core::Result<std::unique_ptr<GraphiteServer>> Start(const ServerOptions& options,
                                                             PointSink& sink,
                                                             const core::Clock& clock,
                                                             core::MetricsRegistry& registry);

  ~GraphiteServer();  // Stop()s.
  GraphiteServer(const GraphiteServer&) = delete;
  GraphiteServer& operator=(const GraphiteServer&) = delete;

  // The bound ports (useful with port 0). udp_port() is 0 when UDP is off, pickle_port() when
  // pickle is.
  uint16_t tcp_port() const;
  uint16_t udp_port() const;
  uint16_t pickle_port() const;

  // Stops accepting, then drains: every connection parses the complete lines it has buffered and
  // hands its pending batch to the sink (retrying while the sink is full, for at most
  // drain_timeout_ms; what is still refused then is dropped and counted). Bytes not yet read from
  // the sockets are lost, as are unterminated tails. Joins the network threads. Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit GraphiteServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace meridian::ingest
