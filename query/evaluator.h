// Evaluator: graphite-web's evaluateTarget — parses a target, fetches path expressions through a
// SeriesSource (sorted by name within each expression), and applies functions from a
// FunctionRegistry. Budgets bound what one request can fetch.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/deadline.h"
#include "core/memory_budget.h"
#include "core/status.h"
#include "query/expression.h"
#include "query/function_registry.h"
#include "query/series.h"
#include "query/series_source.h"

namespace meridian::query {

struct EvalLimits {
  size_t max_series = 100'000;    // series fetched per request (all targets); more → 422
  size_t max_points = 5'000'000;  // values fetched per request; more → 422
  ParseLimits parse;
  // Evaluation stops with DEADLINE_EXCEEDED past this deadline, or CANCELLED once it is
  // cancelled: checked between fetches and calls, inside glob expansion and fetches (passed to
  // the SeriesSource), and inside function loops (Call::deadline()). Default: none.
  core::Deadline deadline;
  // Local only, partial policy and the report of missing peers: passed to every read.
  ReadScope scope;
  // The process-wide budget fetched values are reserved against (kBytesPerPoint each, plus
  // kBytesPerSeries a series) for the evaluator's lifetime; null = none.
  core::MemoryBudget* memory = nullptr;
  // The config keys named in limit errors, so that users know which knob to turn.
  struct KnobNames {
    std::string_view max_series = "http.max_series_per_request";
    std::string_view max_points = "http.max_points_per_request";
    std::string_view timeout = "http.query_timeout";
  } knobs;
};

// What a fetched value and a fetched series are reckoned to hold in memory while a request runs
// (the value, a working copy for the functions; the name, tags and bookkeeping).
inline constexpr uint64_t kBytesPerPoint = 16;
inline constexpr uint64_t kBytesPerSeries = 256;

// One Evaluator per request: it carries the request's budgets and template variables.
// Not thread-safe.
class Evaluator {
 public:
  Evaluator(SeriesSource& source, const FunctionRegistry& functions, EvalLimits limits,
            std::map<std::string, std::string> template_vars = {});

  // Parses and evaluates one target over `window`. INVALID_ARGUMENT for bad syntax, an unknown
  // function or bad arguments; RESOURCE_EXHAUSTED past a budget.
  core::Result<SeriesList> EvaluateTarget(std::string_view target, const EvalWindow& window);
  // Evaluates a parsed expression (functions use this to re-evaluate an argument elsewhere).
  core::Result<SeriesList> Evaluate(const Expr& expr, const EvalWindow& window);
  // Fetches every leaf a path expression names, sorted by name.
  core::Result<SeriesList> FetchPath(std::string_view pattern, const EvalWindow& window);

  // Aggregate push-down of `arg` (see Call::PushDown): nullopt unless `arg` is a plain path
  // expression or seriesByTag of quoted expressions and the source combined partials exactly.
  core::Result<std::optional<PushedDown>> PushDown(const Expr& arg, PartialRequest request,
                                                   const EvalWindow& window);

  SeriesSource& source() { return source_; }
  // The request's deadline, for loops inside functions (see core::DeadlineCheck).
  const core::Deadline& deadline() const { return limits_.deadline; }
  // DEADLINE_EXCEEDED ("<what>: ... (<timeout knob>)") or CANCELLED once the deadline has passed.
  core::Status CheckDeadline(std::string_view what) const;
  // What the fetched series hold of the memory budget, handed to whatever keeps the values
  // after the evaluator (a streamed answer); the evaluator then holds nothing.
  core::MemoryReservation TakeMemory() { return std::move(memory_); }
  // xFilesFactor given to fetched series (the request's xFilesFactor; default 0).
  void set_x_files_factor(double xff) { x_files_factor_ = xff; }

 private:
  core::Result<SeriesList> EvaluateCall(const Expr& expr, const EvalWindow& window);
  core::Result<SeriesList> SeriesByTag(const Expr& expr, const EvalWindow& window);
  // Fetches a batch through the source (one round trip per peer) within what is left of the
  // budgets; names the series with `path_expression`.
  core::Result<SeriesList> FetchBatch(const FetchSpec& spec, const std::string& path_expression,
                                      const EvalWindow& window);
  core::Status Charge(size_t series, size_t points);
  // The evaluator's answer to a source stopping at the budgets it was given (ReadOpts()).
  core::Status BudgetError(const core::Status& status);
  ReadOptions ReadOpts() const;

  SeriesSource& source_;
  const FunctionRegistry& functions_;
  EvalLimits limits_;
  std::map<std::string, std::string> template_vars_;
  double x_files_factor_ = 0;
  size_t depth_ = 0;
  size_t series_used_ = 0;
  size_t points_used_ = 0;
  core::MemoryReservation memory_;  // what the fetched series hold of limits_.memory
};

}  // namespace meridian::query
