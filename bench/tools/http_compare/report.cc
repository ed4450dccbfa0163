#include "http_compare/report.h"

#include <fmt/core.h>

#include <algorithm>
#include <functional>
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

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 == 1 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

double PerConnection(const ServerResult& r, const ReportOptions& o) {
  const double n = o.idle + o.slow;
  return n > 0 ? (static_cast<double>(r.rss_crowd) - static_cast<double>(r.rss_before)) / n : 0;
}

// One server's rounds folded into one result: medians, the req/s range, summed error counts.
ServerResult Fold(const std::vector<const ServerResult*>& rounds, const ReportOptions& o) {
  ServerResult out = *rounds.front();
  for (size_t i = 0; i < out.cells.size(); ++i) {
    const auto over = [&](const std::function<double(const Cell&)>& f) {
      std::vector<double> v;
      for (const ServerResult* r : rounds) {
        if (i < r->cells.size()) v.push_back(f(r->cells[i]));
      }
      return v;
    };
    Cell& c = out.cells[i];
    const auto rps = over([](const Cell& x) { return x.load.requests_per_second(); });
    c.rps_low = *std::min_element(rps.begin(), rps.end());
    c.rps_high = *std::max_element(rps.begin(), rps.end());
    c.load.requests = static_cast<size_t>(Median(rps) * c.load.seconds + 0.5);
    c.load.p50_us = Median(over([](const Cell& x) { return x.load.p50_us; }));
    c.load.p99_us = Median(over([](const Cell& x) { return x.load.p99_us; }));
    c.server_cpu = Median(over([](const Cell& x) { return x.server_cpu; }));
    c.client_cpu = Median(over([](const Cell& x) { return x.client_cpu; }));
    c.others_cpu = Median(over([](const Cell& x) { return x.others_cpu; }));
    double errors = 0;
    for (double e : over([](const Cell& x) { return static_cast<double>(x.load.errors); })) {
      errors += e;
    }
    c.load.errors = static_cast<size_t>(errors);
  }
  // Memory: the round with the median bytes per connection.
  std::vector<const ServerResult*> by_memory = rounds;
  std::sort(by_memory.begin(), by_memory.end(), [&](const ServerResult* a, const ServerResult* b) {
    return PerConnection(*a, o) < PerConnection(*b, o);
  });
  out.rss_before = by_memory[by_memory.size() / 2]->rss_before;
  out.rss_crowd = by_memory[by_memory.size() / 2]->rss_crowd;
  for (const ServerResult* r : rounds) {
    if (r == rounds.front()) continue;
    out.ok = out.ok && r->ok;
    out.idle_replaced += r->idle_replaced;
    out.slow_replaced += r->slow_replaced;
    out.server_connections = std::min(out.server_connections, r->server_connections);
  }
  return out;
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
      "req per server CPU-s | req/s range over rounds | client CPUs | others' CPUs | errors | "
      "body bytes |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (const ServerResult& r : results) {
    for (const Cell& c : r.cells) {
      const double rps = c.load.requests_per_second();
      fmt::print(
          "| {} | {} | {} | {} | {} | {} | {:.2f} | {} | {}–{} | {:.2f} | {:.2f} | {} | {} |\n",
          r.name, Scenario(o, c.crowd), c.route, Thousands(c.load.p50_us), Thousands(c.load.p99_us),
          Thousands(rps), c.server_cpu, Thousands(c.server_cpu > 0 ? rps / c.server_cpu : 0.0),
          Thousands(c.rps_low), Thousands(c.rps_high), c.client_cpu, c.others_cpu, c.load.errors,
          c.load.body_bytes);
    }
  }
}

void PrintVersus(const ReportOptions& o, const ServerResult& m, const ServerResult& v) {
  fmt::print(
      "\nMeridian / VictoriaMetrics (target: req/s ≥ 1×):\n\n"
      "| other connections open | route | req/s | p50 | p99 | req per server CPU-s | req/s target "
      "|\n"
      "|---|---|---|---|---|---|---|\n");
  for (bool crowd : {false, true}) {
    for (const char* route : {"/health", "render"}) {
      const Cell *a = Find(m, route, crowd), *b = Find(v, route, crowd);
      if (a == nullptr || b == nullptr) continue;
      const double ra = a->load.requests_per_second(), rb = b->load.requests_per_second();
      const double ca = a->server_cpu > 0 ? ra / a->server_cpu : 0;
      const double cb = b->server_cpu > 0 ? rb / b->server_cpu : 0;
      fmt::print("| {} | {} | {} | {} | {} | {} | {} |\n", Scenario(o, crowd), route, Ratio(ra, rb),
                 Ratio(a->load.p50_us, b->load.p50_us), Ratio(a->load.p99_us, b->load.p99_us),
                 Ratio(ca, cb), Verdict(ra >= rb));
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
  for (const ServerResult& r : results) {
    const double per = PerConnection(r, o);
    fmt::print("| {} | {:.1f} | {:.1f} | {} | {} | {} | {} | {} |\n", r.name, r.rss_before / 1e6,
               r.rss_crowd / 1e6, Thousands(per), Verdict(per <= 16384),
               r.server_connections >= 0 ? Thousands(r.server_connections) : "-",
               Thousands(r.idle_replaced), Thousands(r.slow_replaced));
  }
}

}  // namespace

void PrintReport(const ReportOptions& o, const std::vector<ServerResult>& rounds) {
  std::vector<ServerResult> results;
  size_t round_count = 0;
  for (const ServerResult& r : rounds) {
    if (FindServer(results, r.name) != nullptr) continue;
    std::vector<const ServerResult*> same;
    for (const ServerResult& x : rounds) {
      if (x.name == r.name) same.push_back(&x);
    }
    round_count = std::max(round_count, same.size());
    results.push_back(Fold(same, o));
  }
  fmt::print(
      "\n{} keep-alive clients, closed loop; {} round(s), medians over rounds. Render routes:\n",
      o.clients, round_count);
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
      "5 s header timeout is not configurable. \"others' CPUs\": the machine's busy CPU minus "
      "the server's and this tool's (other work sharing the cores).\n");
}

}  // namespace meridian::bench
