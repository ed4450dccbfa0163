// Self-metrics: counters and gauges every module registers, exported two ways — Prometheus text
// at /metrics, and as Graphite points `meridian.<instance>.<name>[.<label values>]` written into
// the store itself (as carbon writes carbon.agents.*).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace meridian::core {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Monotonic count. Thread-safe, lock-free.
class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A value that goes up and down. Thread-safe, lock-free.
class Gauge {
 public:
  void Set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void Add(int64_t d) { value_.fetch_add(d, std::memory_order_relaxed); }
  int64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

struct MetricSample {
  std::string graphite_suffix;  // "ingest_lines_rejected_total.bad_value"
  double value = 0;
};

// Owns every metric; references it hands out stay valid for its lifetime. Thread-safe.
class MetricsRegistry {
 public:
  // `name` is snake_case without the "meridian_" prefix, e.g. "ingest_points_received_total".
  // Registering the same name+labels twice returns the same object.
  Counter& GetCounter(const std::string& name, const std::string& help, const Labels& labels = {});
  Gauge& GetGauge(const std::string& name, const std::string& help, const Labels& labels = {});
  // A gauge read on demand (bytes on disk, queue depth...). `fn` must be thread-safe.
  void AddCallbackGauge(const std::string& name, const std::string& help,
                        std::function<double()> fn, const Labels& labels = {});

  // Prometheus text exposition format 0.0.4.
  std::string RenderPrometheus() const;
  // Every metric as a Graphite suffix and value.
  std::vector<MetricSample> Snapshot() const;

 private:
  enum class Kind { kCounter, kGauge, kCallback };
  struct Entry {
    Labels labels;
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::function<double()> fn;
    double Read() const;
  };
  struct Family {
    Kind kind;
    std::string help;
    std::vector<std::unique_ptr<Entry>> entries;
  };
  Entry& FindOrAdd(const std::string& name, const std::string& help, Kind kind,
                   const Labels& labels);

  mutable std::mutex mu_;
  std::map<std::string, Family> families_;
};

}  // namespace meridian::core
