// Helpers for query function tests: null-aware value comparison and fixtures that evaluate
// targets end to end (parser, evaluator, Call binding) over a FakeSeriesSource.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "query/evaluator.h"
#include "query/function_registry.h"
#include "support/fake_series_source.h"

namespace meridian::testing {

using Tags = std::map<std::string, std::string>;

// Relative tolerance for values graphite-web computes in another order.
inline constexpr double kOracleTolerance = 1e-12;

// Null-aware: a NaN expectation wants a null. Other values compare with EXPECT_DOUBLE_EQ, or, when
// `relative_tolerance` is non-zero, within relative_tolerance * max(1, |expected|).
inline void ExpectValues(const std::vector<double>& actual, const std::vector<double>& expected,
                         const std::string& what = "", double relative_tolerance = 0) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (size_t i = 0; i < actual.size(); ++i) {
    if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(actual[i])) << what << " [" << i << "] = " << actual[i];
    } else if (relative_tolerance == 0) {
      EXPECT_DOUBLE_EQ(actual[i], expected[i]) << what << " [" << i << "]";
    } else {
      EXPECT_NEAR(actual[i], expected[i],
                  relative_tolerance * std::max(1.0, std::fabs(expected[i])))
          << what << " [" << i << "]";
    }
  }
}
inline void ExpectValues(const query::Series& s, const std::vector<double>& expected) {
  ExpectValues(s.values, expected, s.name);
}
// ExpectValues within kOracleTolerance.
inline void ExpectNear(const std::vector<double>& actual, const std::vector<double>& expected,
                       const std::string& what) {
  ExpectValues(actual, expected, what, kOracleTolerance);
}

// The name of list[i], or "<missing>" past its end.
inline std::string NameOf(const query::SeriesList& list, size_t i = 0) {
  return i < list.size() ? list[i].name : "<missing>";
}

// Evaluates targets over `source_` with the functions a derived fixture registers in `registry_`.
// The overloads without a window use the fixture's default (from, until]; `now` is `until`.
class FunctionEvalTest : public ::testing::Test {
 protected:
  FunctionEvalTest(FakeSeriesSource::Options options, int64_t from, int64_t until)
      : source_(options), from_(from), until_(until) {}

  core::Result<query::SeriesList> TryEval(const std::string& target, int64_t from, int64_t until) {
    query::Evaluator evaluator(source_, registry_, query::EvalLimits{});
    return evaluator.EvaluateTarget(target, query::EvalWindow{from, until, until});
  }
  core::Result<query::SeriesList> TryEval(const std::string& target) {
    return TryEval(target, from_, until_);
  }
  // Expects success; an empty list otherwise.
  query::SeriesList Eval(const std::string& target, int64_t from, int64_t until) {
    auto result = TryEval(target, from, until);
    EXPECT_TRUE(result.ok()) << target << ": " << result.status().ToString();
    return result.ok() ? *result : query::SeriesList{};
  }
  query::SeriesList Eval(const std::string& target) { return Eval(target, from_, until_); }
  // Expects exactly one result series; an empty Series otherwise.
  query::Series One(const std::string& target, int64_t from, int64_t until) {
    query::SeriesList list = Eval(target, from, until);
    EXPECT_EQ(list.size(), 1u) << target;
    return list.empty() ? query::Series{} : list[0];
  }
  query::Series One(const std::string& target) { return One(target, from_, until_); }
  // OK, or the evaluation's error.
  core::Status EvalError(const std::string& target) {
    auto result = TryEval(target);
    return result.ok() ? core::Status::Ok() : result.status();
  }
  // The result names in order (expects success).
  std::vector<std::string> Names(const std::string& target) {
    std::vector<std::string> names;
    for (const query::Series& s : Eval(target)) names.push_back(s.name);
    return names;
  }

  query::FunctionRegistry registry_;
  FakeSeriesSource source_;

 private:
  int64_t from_;
  int64_t until_;
};

// The fixture of the graphite-web oracle tests: the transform, alias, special and window
// functions over c.counter, g.x and g.y (mirrored in the oracle script's DATA), 20 points a
// minute from 0, served whisper-style; the default window is (0, 600].
class OracleFunctionTest : public FunctionEvalTest {
 protected:
  OracleFunctionTest()
      : FunctionEvalTest({.fetch = FakeSeriesSource::FetchMode::kWhisperWindow}, 0, 600) {
    query::RegisterTransformFunctions(registry_);
    query::RegisterAliasFunctions(registry_);
    query::RegisterSpecialFunctions(registry_);
    query::RegisterWindowFunctions(registry_);
    const double N = std::numeric_limits<double>::quiet_NaN();
    source_.Add("c.counter", 0, 60,
                {0, 10, 20, 35, N, 50, 60, 5, 15, 30, 45, N, N, 70, 80, 100, 90, 100, 110, 130});
    source_.Add("g.x", 0, 60, {1.5, -2, N, 4, 0, 3.25, N, N, 7, -1, 2, 2, N, 5, 6, 8, 1, N, 3, 4});
    source_.Add("g.y", 0, 60, {2, 2, 2, N, 3, 3, 1, N, N, N, N, 4, 4, 4, 4, 4, 4, 4, 4, 4});
  }

  // One result series with this name, tags and values (within kOracleTolerance).
  void Expect(const std::string& target, const std::string& name, const std::vector<double>& values,
              const Tags& tags, int64_t from = 0, int64_t until = 600) {
    query::Series s = One(target, from, until);
    EXPECT_EQ(s.name, name) << target;
    EXPECT_EQ(s.tags, tags) << target;
    ExpectNear(s.values, values, target);
  }
};

}  // namespace meridian::testing
