#include "aggregation/aggregating_sink.h"

#include <fmt/format.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>

#include "aggregation/internal/buffers.h"
#include "core/tagged_name.h"

namespace meridian::aggregation {
namespace {

// The series name a template or rewrite made, canonical, or nullopt when it cannot be stored.
std::optional<std::string> Canonical(std::string name) {
  if (name.empty()) return std::nullopt;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return std::nullopt;
  }
  if (core::NeedsNormalization(name)) {
    auto normalized = core::NormalizeSeriesName(name);
    if (!normalized.ok()) return std::nullopt;
    return *std::move(normalized);
  }
  if (name.front() == '.' || name.back() == '.' || name.find("..") != std::string::npos) {
    return std::nullopt;
  }
  return name;
}

std::string ApplyRewrites(const std::vector<CompiledRewrite>& rules, std::string name) {
  for (const CompiledRewrite& r : rules) {
    // Apply fails only on a deadline, and none is given.
    if (auto out = r.Apply(name); out.ok()) name = *std::move(out);
  }
  return name;
}

bool SameRules(const RuleSet& a, const std::vector<AggregationRule>& rules,
               const RewriteRules& rewrites) {
  auto same_rule = [](const AggregationRule& x, const AggregationRule& y) {
    return x.output_template == y.output_template && x.frequency == y.frequency &&
           x.method_name == y.method_name && x.input_pattern == y.input_pattern;
  };
  auto same_rewrites = [](const std::vector<CompiledRewrite>& x,
                          const std::vector<RewriteRule>& y) {
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (x[i].rule().pattern != y[i].pattern || x[i].rule().replacement != y[i].replacement) {
        return false;
      }
    }
    return true;
  };
  if (a.source_rules().size() != rules.size()) return false;
  for (size_t i = 0; i < rules.size(); ++i) {
    if (!same_rule(a.source_rules()[i], rules[i])) return false;
  }
  return same_rewrites(a.pre(), rewrites.pre) && same_rewrites(a.post(), rewrites.post);
}

struct Target {
  uint32_t rule = 0;
  std::string output;                        // empty: the template made an invalid name
  mutable internal::Buffers::Handle buffer;  // the output's buffer, while valid
};

// What happens to every point of one input name; cached per name.
struct Resolution {
  std::string forward_name;  // the name written, when `forward`
  bool forward = false;
  bool forward_same = false;  // forward && forward_name == the input name
  bool bad_name = false;      // a rewrite made an invalid name: the point is dropped
  // Indexes into Impl::target_ids: this name's targets are target_ids[first, first + count).
  uint32_t first_target = 0;
  uint32_t target_count = 0;
};

struct RuleCounters {
  core::Counter* matched;
  core::Counter* emitted;
  core::Counter* late;
};

struct NameHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

}  // namespace

core::Status AggregatingSinkOptions::Validate() const {
  if (max_intervals < 1 || max_intervals > 1000) {
    return core::InvalidArgument("aggregation.max_intervals must be in 1..1000");
  }
  if (max_buffers < 1 || max_buffers > 1'000'000'000) {
    return core::InvalidArgument("aggregation.max_buffers must be in 1..1000000000");
  }
  if (max_buffered_values < 1 || max_buffered_values > 1'000'000'000) {
    return core::InvalidArgument("aggregation.max_buffered_values must be in 1..1000000000");
  }
  if (max_cached_names < 1 || max_cached_names > 1'000'000'000) {
    return core::InvalidArgument("aggregation.max_cached_names must be in 1..1000000000");
  }
  if (flush_interval < std::chrono::milliseconds(10) || flush_interval > std::chrono::hours(1)) {
    return core::InvalidArgument("aggregation.flush_interval must be in 10ms..1h");
  }
  return core::Status::Ok();
}

core::Result<std::shared_ptr<const RuleSet>> RuleSet::Build(
    const std::vector<AggregationRule>& rules, const RewriteRules& rewrites) {
  auto set = std::shared_ptr<RuleSet>(new RuleSet());
  set->source_rules_ = rules;
  for (const AggregationRule& r : rules) {
    auto compiled = CompiledRule::Compile(r);
    if (!compiled.ok()) {
      return core::InvalidArgument(fmt::format("{}: {}", r.source, compiled.status().message()));
    }
    set->rules_.push_back(*std::move(compiled));
  }
  for (auto [from, to] : {std::pair{&rewrites.pre, &set->pre_}, {&rewrites.post, &set->post_}}) {
    for (const RewriteRule& r : *from) {
      auto compiled = CompiledRewrite::Compile(r);
      if (!compiled.ok()) {
        return core::InvalidArgument(fmt::format("{}: {}", r.source, compiled.status().message()));
      }
      to->push_back(*std::move(compiled));
    }
  }
  return std::shared_ptr<const RuleSet>(std::move(set));
}

struct AggregatingSink::Impl {
  Impl(const AggregatingSinkOptions& o, ingest::PointSink& d, const core::Clock& c,
       core::MetricsRegistry& r)
      : options(o),
        downstream(d),
        clock(c),
        registry(r),
        buffers(internal::BufferLimits{o.max_intervals, o.max_buffers, o.max_buffered_values}) {
    const std::string dropped_help = "Points aggregation rules matched but could not buffer.";
    for (const char* reason :
         {"late", "max_buffers", "max_values", "bad_name", "reload", "shutdown"}) {
      dropped[reason] =
          &r.GetCounter("aggregation_points_dropped_total", dropped_help, {{"reason", reason}});
    }
    buffers_gauge = &r.GetGauge("aggregation_buffers",
                                "(output metric, interval) buffers held by aggregation rules.");
    values_gauge =
        &r.GetGauge("aggregation_buffered_values", "Values held for percentile aggregation rules.");
    cache_gauge = &r.GetGauge("aggregation_name_cache_entries",
                              "Input names whose aggregation rule matches are cached.");
    cache_resets = &r.GetCounter("aggregation_name_cache_resets_total",
                                 "Times the name cache was full (aggregation.max_cached_names) "
                                 "and started over.");
    flush_refused = &r.GetCounter("aggregation_flush_refused_total",
                                  "Aggregate writes the store refused (full); retried.");
    rules_gauge = &r.GetGauge("aggregation_rules", "Aggregation rules running.");
  }

  const Resolution& Resolve(std::string_view name);
  uint32_t InternTarget(uint32_t rule, const std::string& output) {
    std::string key = fmt::format("{}\n{}", rule, output);
    auto [it, inserted] = target_index.try_emplace(std::move(key), 0);
    if (inserted) {
      it->second = static_cast<uint32_t>(targets.size());
      targets.push_back(Target{rule, output, {}});
    }
    return it->second;
  }
  // Forgets every cached name and interned target (bounded by max_cached_names).
  void ClearCache() {
    cache.clear();
    targets.clear();
    target_index.clear();
    target_ids.clear();
  }
  // Writes `emitted` downstream; false (and the intervals kept active) when refused.
  bool Write(const std::vector<internal::Buffers::Emitted>& emitted);
  void UpdateGauges() {
    buffers_gauge->Set(static_cast<int64_t>(buffers.interval_count()));
    values_gauge->Set(static_cast<int64_t>(buffers.value_count()));
    cache_gauge->Set(static_cast<int64_t>(cache.size()));
  }

  const AggregatingSinkOptions options;
  ingest::PointSink& downstream;
  const core::Clock& clock;
  core::MetricsRegistry& registry;

  mutable std::mutex mu;  // everything below
  std::shared_ptr<const RuleSet> rules;
  std::vector<RuleCounters> rule_counters;
  std::unordered_map<std::string, Resolution, NameHash, std::equal_to<>> cache;
  std::vector<Target> targets;
  std::unordered_map<std::string, uint32_t> target_index;  // "rule\noutput" → targets index
  std::vector<uint32_t> target_ids;                        // Resolution::first_target...
  internal::Buffers buffers;
  // Per-thread scratch of TryWrite, reused across calls.
  struct Pending {
    const Resolution* resolution;
    int64_t timestamp;
    double value;
  };
  struct Scratch {
    std::vector<Pending> pending;
    std::vector<const Resolution*> resolved;
    std::vector<uint64_t> matched;  // per rule, this batch
    storage::PointBatch forward_batch;
  };
  // TryWrite calls between their two locked phases; the cache is cleared and rules are swapped
  // only at 0 (they hold Resolution pointers and rule indexes).
  int in_flight = 0;
  std::condition_variable idle;
  std::vector<internal::Buffers::Emitted> emitted;

  std::unordered_map<std::string, core::Counter*> dropped;
  core::Gauge* buffers_gauge;
  core::Gauge* values_gauge;
  core::Gauge* cache_gauge;
  core::Counter* cache_resets;
  core::Counter* flush_refused;
  core::Gauge* rules_gauge;

  std::mutex thread_mu;
  std::condition_variable cv;
  bool stopping = false;
  bool stopped = false;
  std::thread flusher;
};

const Resolution& AggregatingSink::Impl::Resolve(std::string_view name) {
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  Resolution r;
  std::string current(name);
  if (!rules->pre().empty()) {
    current = ApplyRewrites(rules->pre(), std::move(current));
    if (current != name) {
      auto canonical = Canonical(std::move(current));
      if (!canonical) {
        r.bad_name = true;
        return cache.emplace(std::string(name), std::move(r)).first->second;
      }
      current = *std::move(canonical);
    }
  }
  bool output_is_input = false;
  std::vector<uint32_t> scratch_targets;
  const auto& compiled = rules->rules();
  for (size_t i = 0; i < compiled.size(); ++i) {
    std::optional<std::string> out = compiled[i].OutputFor(current);
    if (!out) continue;
    output_is_input = output_is_input || *out == current;
    std::optional<std::string> canonical = Canonical(*std::move(out));
    r.target_count++;
    scratch_targets.push_back(InternTarget(static_cast<uint32_t>(i), canonical ? *canonical : ""));
  }
  r.first_target = static_cast<uint32_t>(target_ids.size());
  target_ids.insert(target_ids.end(), scratch_targets.begin(), scratch_targets.end());
  if (options.forward_inputs && !output_is_input) {
    std::string forwarded = current;
    if (!rules->post().empty()) {
      forwarded = ApplyRewrites(rules->post(), std::move(forwarded));
      if (forwarded != current) {
        auto canonical = Canonical(std::move(forwarded));
        if (!canonical) {
          r.bad_name = true;
          forwarded.clear();
        } else {
          forwarded = *std::move(canonical);
        }
      }
    }
    r.forward = !r.bad_name;
    r.forward_same = r.forward && forwarded == name;
    r.forward_name = std::move(forwarded);
  }
  return cache.emplace(std::string(name), std::move(r)).first->second;
}

bool AggregatingSink::Impl::Write(const std::vector<internal::Buffers::Emitted>& out) {
  if (out.empty()) return true;
  storage::PointBatch batch;
  for (const auto& e : out) batch.Add(e.name, e.interval, e.value);
  if (!downstream.TryWrite(batch)) {
    buffers.Reactivate(out);
    flush_refused->Add();
    return false;
  }
  for (const auto& e : out) {
    if (e.rule < rule_counters.size()) rule_counters[e.rule].emitted->Add();
  }
  return true;
}

AggregatingSink::AggregatingSink(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AggregatingSink::~AggregatingSink() { Stop(); }

core::Result<std::unique_ptr<AggregatingSink>> AggregatingSink::Create(
    const AggregatingSinkOptions& options, ingest::PointSink& downstream, const core::Clock& clock,
    core::MetricsRegistry& registry) {
  RETURN_IF_ERROR(options.Validate());
  auto impl = std::make_unique<Impl>(options, downstream, clock, registry);
  ASSIGN_OR_RETURN(impl->rules, RuleSet::Build({}, {}));
  return std::unique_ptr<AggregatingSink>(new AggregatingSink(std::move(impl)));
}

bool AggregatingSink::TryWrite(storage::PointBatch& batch) {
  Impl& s = *impl_;
  // Per thread: the network threads run this concurrently and hand their batches to the store
  // outside the lock (the store's TryWrite must not be serialized behind the aggregator).
  thread_local Impl::Scratch sc;
  sc.pending.clear();
  sc.resolved.clear();
  bool pass_through = true;
  size_t bad_names = 0;
  std::unique_lock lock(s.mu);
  if (s.cache.size() + batch.size() > s.options.max_cached_names) {
    // Batches between their two locked phases hold Resolution pointers: wait for them.
    s.idle.wait(lock, [&s] { return s.in_flight == 0; });
    if (s.cache.size() + batch.size() > s.options.max_cached_names) {
      s.ClearCache();
      s.cache_resets->Add();
    }
  }
  for (const auto& e : batch.entries()) {
    const Resolution& r = s.Resolve(batch.name(e));
    sc.resolved.push_back(&r);
    pass_through = pass_through && r.forward_same;
    if (r.bad_name) ++bad_names;
    if (r.target_count > 0) sc.pending.push_back({&r, e.timestamp, e.value});
  }
  sc.forward_batch.Clear();
  if (!pass_through) {
    for (size_t i = 0; i < batch.size(); ++i) {
      const Resolution& r = *sc.resolved[i];
      const auto& e = batch.entries()[i];
      if (r.forward) sc.forward_batch.Add(r.forward_name, e.timestamp, e.value);
    }
  }
  ++s.in_flight;
  lock.unlock();
  bool accepted;
  if (pass_through) {
    accepted = batch.empty() || s.downstream.TryWrite(batch);
  } else {
    accepted = sc.forward_batch.empty() || s.downstream.TryWrite(sc.forward_batch);
    sc.forward_batch.Clear();
  }
  lock.lock();
  if (--s.in_flight == 0) s.idle.notify_all();
  if (!accepted) return false;
  if (bad_names > 0) s.dropped["bad_name"]->Add(bad_names);
  const int64_t now = s.clock.NowSeconds();
  const auto& rules = s.rules->rules();
  // Per-rule counts are summed per batch: one atomic add per rule, not per point.
  sc.matched.assign(rules.size(), 0);
  for (const Impl::Pending& p : sc.pending) {
    const Resolution& r = *p.resolution;
    for (uint32_t k = r.first_target; k < r.first_target + r.target_count; ++k) {
      Target& t = s.targets[s.target_ids[k]];
      RuleCounters& c = s.rule_counters[t.rule];
      ++sc.matched[t.rule];
      if (t.output.empty()) {
        s.dropped["bad_name"]->Add();
        continue;
      }
      switch (s.buffers.Add(t.output, rules[t.rule].rule(), t.rule, p.timestamp, p.value, now,
                            &t.buffer)) {
        case internal::Buffers::AddResult::kAdded:
          break;
        case internal::Buffers::AddResult::kLate:
          c.late->Add();
          s.dropped["late"]->Add();
          break;
        case internal::Buffers::AddResult::kMaxBuffers:
          s.dropped["max_buffers"]->Add();
          break;
        case internal::Buffers::AddResult::kMaxValues:
          s.dropped["max_values"]->Add();
          break;
      }
    }
  }
  for (size_t i = 0; i < sc.matched.size(); ++i) {
    if (sc.matched[i] > 0) s.rule_counters[i].matched->Add(sc.matched[i]);
  }
  s.UpdateGauges();
  return true;
}

void AggregatingSink::SetRules(std::shared_ptr<const RuleSet> rules) {
  Impl& s = *impl_;
  std::unique_lock lock(s.mu);
  // Batches between their two phases hold pointers into the cache and old rule indexes.
  s.idle.wait(lock, [&s] { return s.in_flight == 0; });
  RewriteRules rewrites;
  for (const auto& r : rules->pre()) rewrites.pre.push_back(r.rule());
  for (const auto& r : rules->post()) rewrites.post.push_back(r.rule());
  const bool same = SameRules(*s.rules, rules->source_rules(), rewrites);
  if (!same) {
    s.emitted.clear();
    s.buffers.Collect(s.clock.NowSeconds(), /*everything=*/false, &s.emitted);
    s.Write(s.emitted);  // refused: the intervals stay active for the next Flush
  }
  std::vector<RuleCounters> counters;
  for (const CompiledRule& r : rules->rules()) {
    const core::Labels labels{{"rule", r.rule().source}};
    counters.push_back(
        RuleCounters{&s.registry.GetCounter("aggregation_rule_points_matched_total",
                                            "Points an aggregation rule matched.", labels),
                     &s.registry.GetCounter("aggregation_rule_points_emitted_total",
                                            "Aggregated points an aggregation rule wrote.", labels),
                     &s.registry.GetCounter("aggregation_rule_points_late_total",
                                            "Points an aggregation rule refused as older than "
                                            "aggregation.max_intervals.",
                                            labels)});
  }
  if (!same) {
    const size_t lost = s.buffers.Clear();
    if (lost > 0) s.dropped["reload"]->Add(lost);
  }
  s.ClearCache();
  s.rules = std::move(rules);
  s.rule_counters = std::move(counters);
  s.rules_gauge->Set(static_cast<int64_t>(s.rules->rules().size()));
  s.UpdateGauges();
}

std::shared_ptr<const RuleSet> AggregatingSink::rules() const {
  std::lock_guard lock(impl_->mu);
  return impl_->rules;
}

void AggregatingSink::Flush() {
  Impl& s = *impl_;
  std::lock_guard lock(s.mu);
  s.emitted.clear();
  s.buffers.Collect(s.clock.NowSeconds(), /*everything=*/false, &s.emitted);
  s.Write(s.emitted);  // refused: the intervals stay active for the next Flush
  s.UpdateGauges();
}

void AggregatingSink::Start() {
  Impl& s = *impl_;
  std::lock_guard lock(s.thread_mu);
  if (s.flusher.joinable() || s.stopped) return;
  s.flusher = std::thread([this] {
    Impl& t = *impl_;
    std::unique_lock l(t.thread_mu);
    while (!t.stopping) {
      t.cv.wait_for(l, t.options.flush_interval, [&t] { return t.stopping; });
      if (t.stopping) break;
      l.unlock();
      Flush();
      l.lock();
    }
  });
}

void AggregatingSink::Stop() {
  Impl& s = *impl_;
  {
    std::lock_guard lock(s.thread_mu);
    if (s.stopped) return;
    s.stopped = true;
    s.stopping = true;
  }
  s.cv.notify_all();
  if (s.flusher.joinable()) s.flusher.join();
  std::lock_guard lock(s.mu);
  s.emitted.clear();
  s.buffers.Collect(s.clock.NowSeconds(), /*everything=*/true, &s.emitted);
  if (!s.Write(s.emitted)) s.dropped["shutdown"]->Add(s.emitted.size());
  s.UpdateGauges();
}

}  // namespace meridian::aggregation
