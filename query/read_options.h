// ReadOptions: how one read through a SeriesSource is done — its deadline, whether peers may be
// asked, what to do when some cannot answer, where to say so, and how much it may fetch. Every
// SeriesSource call takes one (leveldb's ReadOptions, for a source that may span regions).
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/deadline.h"
#include "core/status.h"

namespace meridian::query {

// What a federated read does when a peer it needs does not answer in time, fails, or is known
// to be down.
enum class PartialPolicy {
  kAllow,   // answer from the sources that answered; record the missing ones in the ReadReport
  kRefuse,  // fail the read with UNAVAILABLE naming the missing peers
};

// A peer that a read needed and did not get an answer from.
struct MissingPeer {
  std::string peer;    // configured name
  std::string reason;  // "timeout", "connect", "down (backing off)", "http 500", "decode", ...
  bool operator==(const MissingPeer&) const = default;
};

// Collects what a request's reads could not get. One per request; filled from the threads that
// talk to peers. Thread-safe.
class ReadReport {
 public:
  ReadReport() = default;
  ReadReport(const ReadReport&) = delete;
  ReadReport& operator=(const ReadReport&) = delete;

  // Records a missing peer; a peer is listed once (its first reason kept).
  void AddMissing(std::string_view peer, std::string_view reason);
  // The missing peers, sorted by name.
  std::vector<MissingPeer> Missing() const;
  bool partial() const;
  // True once `peer` has been recorded missing: later reads of the same request skip it at once
  // (a dead or slow peer costs a request one federation.timeout, not one per read).
  bool IsMissing(std::string_view peer) const;
  // "eu-west (timeout), us-east (connect)": for headers, logs and errors.
  std::string Describe() const;

 private:
  mutable std::mutex mu_;
  std::vector<MissingPeer> missing_;
};

// The request-level part of ReadOptions, set once per request by the HTTP layer or the alert
// engine and carried unchanged into every read the request makes.
struct ReadScope {
  // graphite-web's local=1: answer from this instance's own store only (a peer asking us).
  bool local_only = false;
  // Aggregates may be pushed down to region/shard peers (query/partials.h); a request's
  // pushDown=0 turns it off (federation.push_down turns it off for every request).
  bool push_down = true;
  PartialPolicy partial = PartialPolicy::kAllow;
  // Where missing peers are recorded; null = the caller does not look (partial answers are then
  // still counted by the federated source's metrics).
  ReadReport* report = nullptr;
};

struct ReadOptions {
  // Reads answer DEADLINE_EXCEEDED or CANCELLED once it has passed, checking it inside their
  // scans (glob expansion, fetch loops) and bounding every peer call by it.
  core::Deadline deadline;
  ReadScope scope;
  // Batch fetches stop with RESOURCE_EXHAUSTED once they would return more series or values than
  // this; 0 = unbounded. The evaluator passes what is left of the request's budgets.
  size_t max_series = 0;
  size_t max_points = 0;

  // Options with only a deadline (metadata reads, tests).
  static ReadOptions WithDeadline(core::Deadline d) {
    ReadOptions o;
    o.deadline = std::move(d);
    return o;
  }
};

// The RESOURCE_EXHAUSTED a source answers when a batch fetch passes ReadOptions::max_series or
// max_points; the evaluator turns them into its own message naming the config knob.
core::Status SeriesBudgetExceeded(size_t max_series);
core::Status PointsBudgetExceeded(size_t max_points);
enum class ReadBudget { kNone, kSeries, kPoints };
ReadBudget WhichBudget(const core::Status& status);

}  // namespace meridian::query
