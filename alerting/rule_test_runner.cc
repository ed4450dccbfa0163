#include "alerting/rule_test_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "alerting/engine.h"
#include "alerting/internal/rule_test_file.h"
#include "query/function_registry.h"

namespace meridian::alerting {
namespace {

// Simulated time of a test's first input value: a whole day, so that every archive grid aligns.
constexpr int64_t kTestEpoch = 19'676LL * 86'400;
constexpr size_t kMaxTestFileBytes = 4 << 20;
// Group evaluations one test may run (a typo like `at: 10y` with a 1 s group is an error, not a
// night of CPU).
constexpr int64_t kMaxEvaluationsPerTest = 1'000'000;

// Keeps the latest result of every check.
class RecordingSink final : public CheckSink {
 public:
  void Submit(std::span<const CheckResult> results) override {
    for (const CheckResult& r : results) latest_[{r.host, r.service}] = r;
  }
  std::string_view name() const override { return "rules-test"; }
  const std::map<std::pair<std::string, std::string>, CheckResult>& latest() const {
    return latest_;
  }

 private:
  std::map<std::pair<std::string, std::string>, CheckResult> latest_;
};

std::string Describe(const CheckResult& r) {
  return fmt::format("host={} service={} state={} output={:?}", r.host, r.service,
                     CheckStateName(r.state), r.output);
}

// Feeds the inputs and evaluates every group at each multiple of its interval up to `until`.
class TestRun {
 public:
  TestRun(const internal::RuleTestCase& test, const RuleSet& rules, RuleTestBackend& backend)
      : test_(test),
        rules_(rules),
        backend_(backend),
        engine_(backend.source(), query::FunctionRegistry::Default(), states_,
                core::RealClock::Get(), metrics_) {
    engine_.AddSink(sink_);
    engine_.SetRules(std::make_shared<const RuleSet>(rules));
  }

  core::Status AdvanceTo(int64_t until) {
    int64_t evaluations = 0;
    for (const RuleGroup& g : rules_.groups) {
      evaluations += (until - std::max<int64_t>(last_, 0)) / g.interval.count() + 1;
    }
    if (evaluations_ + evaluations > kMaxEvaluationsPerTest) {
      return core::InvalidArgument(fmt::format(
          "the test needs more than {} group evaluations; use a shorter `at` or a longer interval",
          kMaxEvaluationsPerTest));
    }
    evaluations_ += evaluations;
    while (true) {
      int64_t next = INT64_MAX;
      for (const RuleGroup& g : rules_.groups) {
        const int64_t iv = g.interval.count();
        const int64_t t = last_ < 0 ? 0 : (last_ / iv + 1) * iv;
        next = std::min(next, t);
      }
      if (next > until) return core::Status::Ok();
      RETURN_IF_ERROR(WriteInputsUpTo(next));
      backend_.SetNow(kTestEpoch + next);
      for (const RuleGroup& g : rules_.groups) {
        if (next % g.interval.count() == 0) engine_.EvaluateGroup(g, kTestEpoch + next);
      }
      last_ = next;
    }
  }

  const RecordingSink& sink() const { return sink_; }

 private:
  core::Status WriteInputsUpTo(int64_t t) {
    std::vector<TestPoint> points;
    next_input_.resize(test_.inputs.size(), 0);
    for (size_t s = 0; s < test_.inputs.size(); ++s) {
      const internal::InputSeries& in = test_.inputs[s];
      size_t& i = next_input_[s];
      for (; i < in.values.size() && static_cast<int64_t>(i) * test_.interval <= t; ++i) {
        if (std::isnan(in.values[i])) continue;
        points.push_back(TestPoint{in.name, kTestEpoch + static_cast<int64_t>(i) * test_.interval,
                                   in.values[i]});
      }
    }
    backend_.SetNow(kTestEpoch + t);
    return points.empty() ? core::Status::Ok() : backend_.Write(points);
  }

  const internal::RuleTestCase& test_;
  const RuleSet& rules_;
  RuleTestBackend& backend_;
  MemoryStateStore states_;
  core::MetricsRegistry metrics_;
  RecordingSink sink_;
  AlertEngine engine_;
  int64_t last_ = -1;
  int64_t evaluations_ = 0;
  std::vector<size_t> next_input_;  // per input series: the first value not written yet
};

// Compares one `expected` entry; appends diff lines. True when it matches.
bool Compare(const internal::ExpectedAt& expected, const RecordingSink& sink,
             std::vector<std::string>& diff) {
  bool ok = true;
  for (const internal::ExpectedCheck& want : expected.checks) {
    auto it = sink.latest().find({want.host, want.service});
    std::string want_text = fmt::format("host={} service={} state={}", want.host, want.service,
                                        CheckStateName(want.state));
    if (want.output) want_text += fmt::format(" output={:?}", *want.output);
    if (it == sink.latest().end()) {
      diff.push_back("  - " + want_text);
      diff.push_back("  + (no such check was evaluated)");
      ok = false;
    } else if (it->second.state != want.state ||
               (want.output && it->second.output != *want.output)) {
      diff.push_back("  - " + want_text);
      diff.push_back("  + " + Describe(it->second));
      ok = false;
    }
  }
  if (!ok) {
    diff.push_back("  all checks at this time:");
    for (const auto& [key, r] : sink.latest()) diff.push_back("    " + Describe(r));
  }
  return ok;
}

// Runs one file; returns the number of failed tests, or -1 when the file or its rules are invalid.
int RunFile(const std::string& path, const RuleTestBackendFactory& backends, std::FILE* out,
            std::FILE* err) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in || text.str().size() > kMaxTestFileBytes) {
    fmt::print(err, "{}: cannot read (missing, unreadable or over 4 MiB)\n", path);
    return -1;
  }
  auto file = internal::ParseRuleTestFile(text.str(), path);
  if (!file.ok()) {
    fmt::print(err, "{}\n", file.status().message());
    return -1;
  }
  LoadedRules loaded = LoadRules(file->rule_files);
  if (!loaded.errors.empty()) {
    for (const RuleError& e : loaded.errors) fmt::print(err, "{}\n", e.ToString());
    return -1;
  }
  int failed = 0;
  for (const internal::RuleTestCase& test : file->tests) {
    auto backend = backends();
    if (!backend.ok()) {
      fmt::print(err, "{}: cannot create a test store: {}\n", path, backend.status().ToString());
      return -1;
    }
    TestRun run(test, loaded.rules, **backend);
    std::vector<internal::ExpectedAt> expected = test.expected;
    std::stable_sort(expected.begin(), expected.end(),
                     [](const auto& a, const auto& b) { return a.at < b.at; });
    std::vector<std::string> diff;
    bool ok = true;
    for (const internal::ExpectedAt& at : expected) {
      if (auto st = run.AdvanceTo(at.at); !st.ok()) {
        diff.push_back(fmt::format("  at {}: {}", at.at_text, st.message()));
        ok = false;
        break;
      }
      std::vector<std::string> at_diff;
      if (!Compare(at, run.sink(), at_diff)) {
        ok = false;
        diff.push_back(fmt::format("  at {}:", at.at_text));
        diff.insert(diff.end(), at_diff.begin(), at_diff.end());
      }
    }
    fmt::print(out, "{} {}:{}: {}\n", ok ? "PASS" : "FAIL", path, test.line, test.name);
    for (const std::string& line : diff) fmt::print(out, "{}\n", line);
    failed += ok ? 0 : 1;
  }
  return failed;
}

}  // namespace

int RunRuleTests(std::span<const std::string> files, const RuleTestBackendFactory& backends,
                 std::FILE* out, std::FILE* err) {
  int failed = 0;
  bool invalid = false;
  for (const std::string& f : files) {
    const int r = RunFile(f, backends, out, err);
    if (r < 0) invalid = true;
    failed += std::max(r, 0);
  }
  if (failed > 0) fmt::print(out, "{} test(s) failed\n", failed);
  return failed > 0 || invalid ? 1 : 0;
}

}  // namespace meridian::alerting
