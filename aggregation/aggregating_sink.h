// AggregatingSink: carbon-aggregator at ingest. A PointSink decorator between the listeners
// (plaintext TCP/UDP, pickle — any PointSink input) and the store's sink, running carbon's
// pipeline `rewrite:pre → aggregate → rewrite:post → write` (carbon 1.1.7 service.py):
//
//   1. [pre] rewrite rules rename every point (re.sub, in file order).
//   2. Each aggregation rule whose pattern matches the name adds the point to the buffer of its
//      output metric (aggregation/internal/buffers.h: intervals, late points, re-emission).
//   3. With forward_inputs (carbon's FORWARD_ALL, default true) the point itself is written too,
//      unless one of its own outputs has its name, after the [post] rewrite rules. Aggregated
//      points skip [post] and are never aggregated again (carbon's generated-points pipeline).
//   4. A flush thread writes the due aggregates every flush_interval (time from the injected
//      clock), and Stop() writes every interval that still holds points.
//
//   ASSIGN_OR_RETURN(auto rules, aggregation::RuleSet::Build(parsed_rules, parsed_rewrites));
//   ASSIGN_OR_RETURN(auto sink, AggregatingSink::Create(options, store_sink, clock, registry));
//   sink->SetRules(std::move(rules));   // and again on reload
//   sink->Start();                      // the flush thread
//   ... GraphiteServer::Start(io, *sink, ...) ...
//   sink->Stop();                       // after the listeners stopped, before the store closes
//
// Names: the listeners hand canonical names; rules see them as carbon's regexes would. Names
// made by a template or a rewrite rule are canonicalized (tagged names sorted, as carbon's
// TaggedSeries); one that is not a valid series name (empty, `a..b`, bad tags) is dropped and
// counted (reason=bad_name). Matching results are cached per input name (max_cached_names).
//
// Backpressure: TryWrite hands the forwarded points downstream first and buffers the aggregated
// ones only when downstream accepted, so a refused batch (false) leaves no trace and the caller's
// retry counts each point once. A refused flush keeps the intervals and retries at the next tick.
//
// Counters (core::MetricsRegistry): aggregation_points_matched_total{rule},
// aggregation_points_emitted_total{rule}, aggregation_points_dropped_total{rule,reason=late|
// max_buffers|max_values}, aggregation_points_dropped_total{reason=bad_name|reload|shutdown},
// aggregation_buffers (gauge: output metric intervals held), aggregation_buffered_values (gauge),
// aggregation_name_cache_entries (gauge), aggregation_name_cache_resets_total,
// aggregation_flush_refused_total, aggregation_rules (gauge).
//
// Thread-safety: TryWrite, Flush and SetRules may be called concurrently (one internal lock).
// REQUIRES: downstream, clock and registry outlive the sink.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "aggregation/rule.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "core/status.h"
#include "ingest/point_sink.h"

namespace meridian::aggregation {

struct AggregatingSinkOptions {
  // Write the input points too (carbon's FORWARD_ALL). Default true.
  bool forward_inputs = true;
  // Intervals kept per output metric behind the current one; older points are refused as late
  // (carbon's MAX_AGGREGATION_INTERVALS). Default 5; 1..1000.
  int64_t max_intervals = 5;
  // (output metric, interval) buffers held at once; a point needing another is dropped
  // (reason=max_buffers). Default 1,000,000; 1..1e9.
  size_t max_buffers = 1'000'000;
  // Values held for percentile rules (8 bytes each); past it, reason=max_values. Default 10M.
  size_t max_buffered_values = 10'000'000;
  // Input names whose rule matches are cached; when full the cache starts over. Default 1M.
  size_t max_cached_names = 1'000'000;
  // How often due aggregates are written. Default 1 s; 10 ms..1 h.
  std::chrono::milliseconds flush_interval{1000};

  core::Status Validate() const;
};

// The compiled rules one sink runs; immutable, swapped whole by SetRules.
class RuleSet {
 public:
  static core::Result<std::shared_ptr<const RuleSet>> Build(
      const std::vector<AggregationRule>& rules, const RewriteRules& rewrites);

  const std::vector<CompiledRule>& rules() const { return rules_; }
  const std::vector<CompiledRewrite>& pre() const { return pre_; }
  const std::vector<CompiledRewrite>& post() const { return post_; }
  // The rule and rewrite lines, for "did anything change".
  const std::vector<AggregationRule>& source_rules() const { return source_rules_; }

 private:
  RuleSet() = default;
  std::vector<AggregationRule> source_rules_;
  std::vector<CompiledRule> rules_;
  std::vector<CompiledRewrite> pre_;
  std::vector<CompiledRewrite> post_;
};

class AggregatingSink final : public ingest::PointSink {
 public:
  static core::Result<std::unique_ptr<AggregatingSink>> Create(
      const AggregatingSinkOptions& options, ingest::PointSink& downstream,
      const core::Clock& clock, core::MetricsRegistry& registry);
  ~AggregatingSink() override;  // Stop()s.
  AggregatingSink(const AggregatingSink&) = delete;
  AggregatingSink& operator=(const AggregatingSink&) = delete;

  bool TryWrite(storage::PointBatch& batch) override;

  // Installs `rules` (the first call, or a reload). When they differ from the running ones, the
  // due aggregates are written and every buffer is cleared, as carbon does on a rules change;
  // points dropped so are counted (reason=reload).
  void SetRules(std::shared_ptr<const RuleSet> rules);
  std::shared_ptr<const RuleSet> rules() const;

  // Writes the aggregates due at the clock's now (the flush thread calls it; tests call it
  // directly with a ManualClock).
  void Flush();

  // Starts the flush thread. Stop() ends it and writes every interval still holding points
  // (what downstream refuses then is counted as reason=shutdown). Idempotent.
  void Start();
  void Stop();

 private:
  struct Impl;
  explicit AggregatingSink(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace meridian::aggregation
