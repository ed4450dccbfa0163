// SeriesSource: where the query engine gets names and data — the read seam. The local store
// (LocalSource) and the federated view over peers (query/federation/) implement it; the
// evaluator, the metadata API and the alert engine read through it.
//
// Every call takes ReadOptions: the request's deadline (checked inside scans and bounding every
// peer call), its scope (local only, partial policy, where missing peers are reported) and, for
// batch fetches, what is left of the request's series/point budgets.
//
// Thread-safety: implementations are called from HTTP worker threads and the alert scheduler at
// once; every method must be safe to call concurrently.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "query/read_options.h"
#include "storage/store.h"

namespace meridian::query {

// What one batch fetch names: every leaf of a path expression, or every tagged series matching
// seriesByTag's expressions. A federated source asks each peer for the whole batch in one round
// trip.
struct FetchSpec {
  enum class Kind { kPattern, kTagged };
  Kind kind = Kind::kPattern;
  std::string pattern;                       // kPattern: a graphite path expression
  std::vector<std::string> tag_expressions;  // kTagged: "tag=value", "tag!=~regex", ...

  static FetchSpec Pattern(std::string p) { return {Kind::kPattern, std::move(p), {}}; }
  static FetchSpec Tagged(std::vector<std::string> e) { return {Kind::kTagged, {}, std::move(e)}; }
};

struct PartialRequest;  // query/partials.h
struct PartialAnswer;

class SeriesSource {
 public:
  virtual ~SeriesSource() = default;
  // Graphite find: nodes at the pattern's depth, sorted by path.
  virtual core::Result<std::vector<storage::FindMatch>> Find(std::string_view pattern,
                                                             const ReadOptions& options) = 0;
  // Leaves a path expression names, sorted.
  virtual core::Result<std::vector<std::string>> Expand(std::string_view pattern,
                                                        const ReadOptions& options) = 0;
  // Canonical names of tagged series matching graphite-web tag expressions ("tag=value",
  // "tag!=value", "tag=~regex", "tag!=~regex"), sorted. INVALID_ARGUMENT for a bad expression.
  virtual core::Result<std::vector<std::string>> FindTagged(
      const std::vector<std::string>& expressions, const ReadOptions& options) = 0;
  // Tag names (regex `filter` anchored at the start, limit 0 = all), sorted.
  virtual core::Result<std::vector<std::string>> TagNames(std::string_view filter, size_t limit,
                                                          const ReadOptions& options) = 0;
  // Values of a tag with series counts, sorted by value.
  virtual core::Result<std::vector<storage::TagValueCount>> TagValues(
      std::string_view tag, std::string_view filter, size_t limit, const ReadOptions& options) = 0;
  // Every untagged leaf name, sorted.
  virtual core::Result<std::vector<std::string>> AllLeaves(const ReadOptions& options) = 0;
  // One series on whisper's grid (values NaN = null); step 0 = nothing in the window.
  virtual core::Result<storage::SeriesData> Fetch(std::string_view name, int64_t from,
                                                  int64_t until, const ReadOptions& options) = 0;

  // Every series `spec` names over (from, until], sorted by name, series with nothing in the
  // window (step 0) and names deleted meanwhile left out. RESOURCE_EXHAUSTED
  // (SeriesBudgetExceeded / PointsBudgetExceeded) past options.max_series / max_points.
  // The default expands the names and fetches them one by one (right for a local store);
  // sources behind a network override it with one round trip per batch.
  virtual core::Result<std::vector<storage::SeriesData>> FetchMatching(const FetchSpec& spec,
                                                                       int64_t from, int64_t until,
                                                                       const ReadOptions& options);

  // Aggregate push-down (query/partials.h): the partial aggregates of every series `spec` names,
  // combined over the sources this one spans, exact or refused. An answer whose `fallback` is set
  // (the default: "unsupported") tells the caller to fetch the series and aggregate them itself;
  // errors are those of FetchMatching (deadline, budgets, refused partial answers).
  virtual core::Result<PartialAnswer> FetchPartials(const PartialRequest& request, int64_t from,
                                                    int64_t until, const ReadOptions& options);

  // graphite-web's /tags/delSeries (see storage::Store::DeleteTaggedSeries): an admin write, not
  // a read. Sources that cannot delete answer UNAVAILABLE.
  virtual core::Status DeleteTaggedSeries(const std::vector<std::string>& names) {
    (void)names;
    return core::Unavailable("this source cannot delete series");
  }
};

// Reads the local store. Thread-safe (the store is).
class LocalSource final : public SeriesSource {
 public:
  explicit LocalSource(storage::Store& store) : store_(store) {}
  core::Result<std::vector<storage::FindMatch>> Find(std::string_view pattern,
                                                     const ReadOptions& options) override {
    return store_.Find(pattern, options.deadline);
  }
  core::Result<std::vector<std::string>> Expand(std::string_view pattern,
                                                const ReadOptions& options) override {
    return store_.ExpandLeaves(pattern, options.deadline);
  }
  core::Result<std::vector<std::string>> FindTagged(const std::vector<std::string>& expressions,
                                                    const ReadOptions& options) override {
    return store_.FindTagged(expressions, options.deadline);
  }
  core::Result<std::vector<std::string>> TagNames(std::string_view filter, size_t limit,
                                                  const ReadOptions& options) override {
    return store_.TagNames(filter, limit, options.deadline);
  }
  core::Result<std::vector<storage::TagValueCount>> TagValues(std::string_view tag,
                                                              std::string_view filter, size_t limit,
                                                              const ReadOptions& options) override {
    return store_.TagValues(tag, filter, limit, options.deadline);
  }
  core::Result<std::vector<std::string>> AllLeaves(const ReadOptions& options) override {
    return store_.AllLeaves(options.deadline);
  }
  core::Status DeleteTaggedSeries(const std::vector<std::string>& names) override {
    return store_.DeleteTaggedSeries(names);
  }
  // A series the store could read only in part (a corrupt block) is reported like a missing
  // peer named "storage" — X-Meridian-Partial, UNKNOWN alerts — or, under PartialPolicy::kRefuse,
  // refused (UNAVAILABLE).
  core::Result<storage::SeriesData> Fetch(std::string_view name, int64_t from, int64_t until,
                                          const ReadOptions& options) override;

 private:
  storage::Store& store_;
};

}  // namespace meridian::query
