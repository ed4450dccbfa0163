// What http_compare measured, and the tables it prints (Markdown, for bench/README.md).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "http_compare/load.h"

namespace meridian::bench {

struct Cell {
  std::string route;   // "/health" or "render"
  bool crowd = false;  // measured with the idle + slow-header connections open
  LoadResult load;
  double server_cpu = 0;  // the server's CPU over the cell, in CPUs (1.0 = one core busy)
  double client_cpu = 0;  // this tool's CPU over the cell (the 64 clients and the crowd watcher)
  double others_cpu = 0;  // the rest of the machine's busy CPU: other work sharing the cores
  double rps_low = 0, rps_high = 0;  // requests/s range over the rounds (set by PrintReport)
};

struct ServerResult {
  std::string name;         // "meridian", "victoria-metrics"
  std::string render_note;  // which API served the one-series render
  bool ok = false;          // still running after the last cell
  std::vector<Cell> cells;
  size_t rss_before = 0, rss_crowd = 0;  // VmRSS before / with the crowd open, bytes
  double server_connections = -1;        // the server's own open-connection count with the crowd
  size_t idle_replaced = 0, slow_replaced = 0;  // crowd connections the server closed
};

struct ReportOptions {
  int clients = 64, idle = 2000, slow = 1000;
};

// `results` may hold several rounds per server (same cells in the same order): each figure is
// then the median over the rounds, with the requests/s range shown.
// Prints the latency/throughput table, the Meridian/VictoriaMetrics ratios, the crowd/no-crowd
// p99 ratios and memory per crowd connection, each against issue 8's target. Reports only.
void PrintReport(const ReportOptions& o, const std::vector<ServerResult>& results);

}  // namespace meridian::bench
