#include "http_compare/report.h"

#include <fmt/core.h>

#include <string_view>

namespace meridian::bench {
namespace {

const Cell* Find(const ServerResult& r, std::string_view route, bool crowd) {
  for (const Cell& c : r.cells) {
    if (c.route == route && c.crowd == crowd) return &c;
  }
  return nullptr;
}

const ServerResult* FindServer(const std::vector<ServerResult>& results, std::string_view name) {
  for (const ServerResult& r : results) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

// 1234567 -> "1,234,567".
std::string Thousands(double value) {
  std::string digits = fmt::format("{:.0f}", value);
  const size_t first = digits[0] == '-' ? 1 : 0;
  for (size_t at = digits.size(); at > first + 3; at -= 3) digits.insert(at - 3, ",");
  return digits;
}

std::string Ratio(double a, double b) { return b > 0 ? fmt::format("{:.2f}×", a / b) : "-"; }

std::string Verdict(bool met) { return met ? "met" : "**missed**"; }

std::string Scenario(const ReportOptions& o, bool crowd) {
  return crowd ? fmt::format("{} idle + {} slow", Thousands(o.idle), Thousands(o.slow)) : "none";
}

void PrintCells(const ReportOptions& o, const std::vector<ServerResult>& results) {
  fmt::print(
      "\n| server | other connections open | route | p50 µs | p99 µs | req/s | server CPUs | "
      "req per server CPU-s | errors | body bytes |\n|---|---|---|---|---|---|---|---|---|---|\n");
  for (const ServerResult& r : results) {
    for (const Cell& c : r.cells) {
      const double rps = c.load.requests_per_second();
      fmt::print("| {} | {} | {} | {} | {} | {} | {:.2f} | {} | {} | {} |\n", r.name,
                 Scenario(o, c.crowd), c.route, Thousands(c.load.p50_us),
                 Thousands(c.load.p99_us), Thousands(rps), c.server_cpu,
                 Thousands(c.server_cpu > 0 ? rps / c.server_cpu : 0.0), c.load.errors,
                 c.load.body_bytes);
    }
  }
}

void PrintVersus(const ReportOptions& o, const ServerResult& m, const ServerResult& v) {
  fmt::print(
      "\nMeridian / VictoriaMetrics (target: req/s ≥ 1×):\n\n"
      "| other connections open | route | req/s | p50 | p99 | req per server CPU-s | req/s target |\n"
      "|---|---|---|---|---|---|---|\n");
  for (bool crowd : {false, true}) {
    for (const char* route : {"/health", "render"}) {
      const Cell *a = Find(m, route, crowd), *b = Find(v, route, crowd);
      if (a == nullptr || b == nullptr) continue;
      const double ra = a->load.requests_per_second(), rb = b->load.requests_per_second();
      const double ca = a->server_cpu > 0 ? ra / a->server_cpu : 0;
      const double cb = b->server_cpu > 0 ? rb / b->server_cpu : 0;
      fmt::print("| {} | {} | {} | {} | {} | {} | {} |\n", Scenario(o, crowd), route,
                 Ratio(ra, rb), Ratio(a->load.p50_us, b->load.p50_us),
                 Ratio(a->load.p99_us, b->load.p99_us), Ratio(ca, cb), Verdict(ra >= rb));
    }
  }
}

void PrintCrowdEffect(const ReportOptions& o, const std::vector<ServerResult>& results) {
  fmt::print(
      "\nWith the crowd / without (target: p99 ≤ 1.5×), and memory per crowd connection "
      "(target ≤ 16 KB = 16,384 B):\n\n"
      "| server | route | p99 ratio | p99 target | req/s ratio |\n|---|---|---|---|---|\n");
  for (const ServerResult& r : results) {
    for (const char* route : {"/health", "render"}) {
      const Cell *a = Find(r, route, true), *b = Find(r, route, false);
      if (a == nullptr || b == nullptr) continue;
      fmt::print("| {} | {} | {} | {} | {} |\n", r.name, route,
                 Ratio(a->load.p99_us, b->load.p99_us),
                 Verdict(a->load.p99_us <= 1.5 * b->load.p99_us),
                 Ratio(a->load.requests_per_second(), b->load.requests_per_second()));
    }
  }
  fmt::print(
      "\n| server | VmRSS before MB | VmRSS with crowd MB | bytes per connection | target | "
      "open connections (server's count) | idle closed by server | slow closed by server |\n"
      "|---|---|---|---|---|---|---|---|\n");
  const double n = o.idle + o.slow;
  for (const ServerResult& r : results) {
    const double per = n > 0 ? (static_cast<double>(r.rss_crowd) - r.rss_before) / n : 0;
    fmt::print("| {} | {:.1f} | {:.1f} | {} | {} | {} | {} | {} |\n", r.name, r.rss_before / 1e6,
               r.rss_crowd / 1e6, Thousands(per), Verdict(per <= 16384),
               r.server_connections >= 0 ? Thousands(r.server_connections) : "-", r.idle_replaced,
               r.slow_replaced);
  }
}

}  // namespace

void PrintReport(const ReportOptions& o, const std::vector<ServerResult>& results) {
  fmt::print("\n{} keep-alive clients, closed loop. Render routes:\n", o.clients);
  for (const ServerResult& r : results) {
    fmt::print("- {}: {}{}\n", r.name, r.render_note, r.ok ? "" : " (server died: FAILED)");
  }
  PrintCells(o, results);
  const ServerResult* m = FindServer(results, "meridian");
  const ServerResult* v = FindServer(results, "victoria-metrics");
  if (m != nullptr && v != nullptr) PrintVersus(o, *m, *v);
  PrintCrowdEffect(o, results);
  fmt::print(
      "\n\"slow closed by server\": slow-header connections the server closed (its header "
      "timeout) and the tool replaced at once, so the crowd kept its size; VictoriaMetrics' "
      "5 s header timeout is not configurable.\n");
}

}  // namespace meridian::bench
