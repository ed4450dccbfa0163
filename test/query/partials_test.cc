// Aggregate push-down's combine math (query/partials.h) and its wire
// (query/federation/internal/partials_wire.h): the exactness certificate at its edges (2^53,
// negative values, ±inf, -0.0, all-null rows), combined partials equal to aggregating every
// series in name order, and a peer's hostile bodies refused.
#include "query/partials.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>

#include "query/federation/internal/partials_wire.h"
#include "query/functions/common.h"

namespace meridian::query {
namespace {

using storage::SeriesData;
namespace wire = federation::internal;

constexpr double kNull = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

SeriesData S(std::string name, std::vector<double> values, int64_t start = 100, int64_t step = 10) {
  SeriesData d;
  d.name = std::move(name);
  d.start = start;
  d.step = step;
  d.end = start + step * static_cast<int64_t>(values.size());
  d.values = std::move(values);
  return d;
}

PartialRequest Sum() {
  PartialRequest r;
  r.sum = true;
  return r;
}

PartialRequest MinMax() {
  PartialRequest r;
  r.min = true;
  r.max = true;
  return r;
}

// What aggregating every series in one place gives (graphite-web's order: sorted by name).
std::vector<double> Central(std::vector<SeriesData> all, const char* func, double xff = 0) {
  std::sort(all.begin(), all.end(),
            [](const SeriesData& a, const SeriesData& b) { return a.name < b.name; });
  functions::Normalized n;
  n.length = all.front().values.size();
  for (const SeriesData& d : all) n.values.push_back(d.values);
  return functions::AggregateAcross(n, *functions::GetAggFunc(func), xff);
}

// Bit-for-bit equality, NaN == NaN.
void ExpectBits(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << i;
    } else {
      EXPECT_EQ(std::bit_cast<uint64_t>(got[i]), std::bit_cast<uint64_t>(want[i]))
          << i << ": " << got[i] << " vs " << want[i];
    }
  }
}

TEST(PartialsTest, LowestBitExponentOfIntegersFractionsAndSpecials) {
  EXPECT_EQ(LowestBitExponent(1), 0);
  EXPECT_EQ(LowestBitExponent(3), 0);
  EXPECT_EQ(LowestBitExponent(6), 1);
  EXPECT_EQ(LowestBitExponent(-8), 3);
  EXPECT_EQ(LowestBitExponent(0.5), -1);
  EXPECT_EQ(LowestBitExponent(0.75), -2);
  EXPECT_EQ(LowestBitExponent(std::ldexp(1.0, 60)), 60);
  EXPECT_EQ(LowestBitExponent(std::numeric_limits<double>::denorm_min()), -1074);
  EXPECT_LT(LowestBitExponent(0.01), -50);  // a decimal: its lowest bit is far down
  EXPECT_EQ(LowestBitExponent(0.0), kExpNone);
  EXPECT_EQ(LowestBitExponent(-0.0), kExpNone);
  EXPECT_EQ(LowestBitExponent(kInf), kExpInfinite);
  EXPECT_EQ(LowestBitExponent(-kInf), kExpInfinite);
}

TEST(PartialsTest, SumIsExactBelowTwoToTheFiftyThreePlusQOnly) {
  const double two53 = std::ldexp(1.0, 53);
  EXPECT_TRUE(SumIsExact(0, two53 - 1));
  EXPECT_FALSE(SumIsExact(0, two53));  // may be a rounded-down larger sum
  EXPECT_TRUE(SumIsExact(-1, std::ldexp(1.0, 52) - 0.5));
  EXPECT_FALSE(SumIsExact(-1, std::ldexp(1.0, 52)));
  EXPECT_TRUE(SumIsExact(3, std::ldexp(1.0, 56) - 8));
  EXPECT_TRUE(SumIsExact(kExpNone, 0));
  EXPECT_FALSE(SumIsExact(kExpNone, 1));  // inconsistent: a non-zero sum of zeros
  EXPECT_FALSE(SumIsExact(kExpInfinite, 0));
  EXPECT_FALSE(SumIsExact(0, kNull));
  EXPECT_FALSE(SumIsExact(0, -1));
  EXPECT_TRUE(SumIsExact(1000, 1e300));  // 2^1053 is past every double: finite is enough
  EXPECT_FALSE(SumIsExact(1000, kInf));
}

TEST(PartialsTest, SumsAtTheTwoToTheFiftyThreeBoundary) {
  const double half = std::ldexp(1.0, 52);
  PartialRequest req = Sum();
  auto combined = [&](double a, double b) {
    return CombinePartials(
        {ComputePartials({S("a", {a})}, req), ComputePartials({S("b", {b})}, req)}, req);
  };
  // Odd integers (q = 0) whose magnitudes sum to 2^53 - 1: exact, equal to central.
  PartialAnswer c = combined(half + 1, half - 2);
  ASSERT_TRUE(c.ok()) << c.fallback;
  ExpectBits(PartialValues(c.groups[0], PartialOp::kSum, 0),
             Central({S("a", {half + 1}), S("b", {half - 2})}, "sum"));
  // Exactly 2^53: refused (a computed Σ|v| may have rounded down onto it).
  EXPECT_EQ(combined(half + 1, half - 1).fallback, "inexact");
  // Past it the sum itself rounds: 2^53 - 1 + 2 is not a double.
  EXPECT_EQ(combined(2 * half - 1, 2).fallback, "inexact");
  // Negative values count by magnitude.
  EXPECT_EQ(combined(-(half + 1), half - 1).fallback, "inexact");
  EXPECT_TRUE(combined(-(half + 1), half - 2).ok());
  // Coarse values (q = 52) stay exact far above 2^53.
  EXPECT_TRUE(combined(half, half).ok());
}

TEST(PartialsTest, IntegerSumsInAnyOrderEqualTheLeftToRightSumBitForBit) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int64_t> value(-1'000'000'000, 1'000'000'000);
  std::vector<SeriesData> all;
  std::vector<std::vector<SeriesData>> sources(3);
  for (int i = 0; i < 60; ++i) {
    std::vector<double> v;
    for (int t = 0; t < 20; ++t) v.push_back(rng() % 5 == 0 ? kNull : double(value(rng)) / 4);
    SeriesData d = S(fmt::format("s{:02}", i), v);
    all.push_back(d);
    sources[rng() % 3].push_back(d);  // names stay sorted within a source
  }
  PartialRequest req = Sum();
  std::vector<PartialAnswer> answers;
  for (const auto& src : sources) answers.push_back(ComputePartials(src, req));
  PartialAnswer c = CombinePartials(answers, req);
  ASSERT_TRUE(c.ok()) << c.fallback;
  ASSERT_EQ(c.groups.size(), 1u);
  EXPECT_EQ(c.groups[0].members, 60u);
  ExpectBits(PartialValues(c.groups[0], PartialOp::kSum, 0), Central(all, "sum"));
  ExpectBits(PartialValues(c.groups[0], PartialOp::kAverage, 0), Central(all, "average"));
  ExpectBits(PartialValues(c.groups[0], PartialOp::kCount, 0), Central(all, "count"));
  ExpectBits(PartialValues(c.groups[0], PartialOp::kSum, 0.9), Central(all, "sum", 0.9));
}

TEST(PartialsTest, DecimalGaugesFallBackAndMinMaxOfThemDoNot) {
  std::vector<SeriesData> a = {S("a", {0.1, 0.2})}, b = {S("b", {0.3, kNull})};
  PartialRequest sum = Sum();
  EXPECT_EQ(CombinePartials({ComputePartials(a, sum), ComputePartials(b, sum)}, sum).fallback,
            "inexact");
  PartialRequest mm = MinMax();
  PartialAnswer c = CombinePartials({ComputePartials(a, mm), ComputePartials(b, mm)}, mm);
  ASSERT_TRUE(c.ok());
  std::vector<SeriesData> all = {a[0], b[0]};
  ExpectBits(PartialValues(c.groups[0], PartialOp::kMin, 0), Central(all, "min"));
  ExpectBits(PartialValues(c.groups[0], PartialOp::kMax, 0), Central(all, "max"));
}

TEST(PartialsTest, InfinitiesFallBackForSumsButNotForMinMax) {
  std::vector<SeriesData> a = {S("a", {kInf, 1})}, b = {S("b", {-5, -kInf})};
  PartialRequest sum = Sum();
  EXPECT_EQ(CombinePartials({ComputePartials(a, sum), ComputePartials(b, sum)}, sum).fallback,
            "inexact");
  PartialRequest mm = MinMax();
  PartialAnswer c = CombinePartials({ComputePartials(a, mm), ComputePartials(b, mm)}, mm);
  ASSERT_TRUE(c.ok());
  ExpectBits(PartialValues(c.groups[0], PartialOp::kMin, 0), {-5, -kInf});
  ExpectBits(PartialValues(c.groups[0], PartialOp::kMax, 0), {kInf, 1});
}

TEST(PartialsTest, NegativeZeroSumsExactlyButMinMaxFallBack) {
  // min(+0, -0) is whichever comes first in name order: not decidable from per-source minima.
  std::vector<SeriesData> a = {S("a", {0.0})}, b = {S("b", {-0.0})};
  PartialRequest mm = MinMax();
  EXPECT_EQ(CombinePartials({ComputePartials(a, mm), ComputePartials(b, mm)}, mm).fallback,
            "signed zero");
  PartialRequest sum = Sum();
  PartialAnswer c = CombinePartials({ComputePartials(b, sum), ComputePartials(a, sum)}, sum);
  ASSERT_TRUE(c.ok());
  ExpectBits(PartialValues(c.groups[0], PartialOp::kSum, 0), Central({a[0], b[0]}, "sum"));
  EXPECT_FALSE(std::signbit(PartialValues(c.groups[0], PartialOp::kSum, 0)[0]));
}

TEST(PartialsTest, AllNullRowsAreNullAndXFilesFactorCountsEveryMember) {
  std::vector<SeriesData> a = {S("a", {kNull, 1, kNull})},
                          b = {S("b", {kNull, kNull, 2}), S("c", {kNull, kNull, 3})};
  PartialRequest req = Sum();
  PartialAnswer c = CombinePartials({ComputePartials(a, req), ComputePartials(b, req)}, req);
  ASSERT_TRUE(c.ok());
  std::vector<SeriesData> all = {a[0], b[0], b[1]};
  for (double xff : {0.0, 0.3, 0.5, 1.0}) {
    for (auto [op, f] : {std::pair{PartialOp::kSum, "sum"},
                         {PartialOp::kAverage, "average"},
                         {PartialOp::kCount, "count"}}) {
      ExpectBits(PartialValues(c.groups[0], op, xff), Central(all, f, xff));
    }
  }
  EXPECT_TRUE(std::isnan(PartialValues(c.groups[0], PartialOp::kCount, 0)[0]));
}

TEST(PartialsTest, GroupsByNodeOrTagAndOrdersThemByTheirFirstMember) {
  PartialRequest req = Sum();
  req.group_by = {PartialNode{false, 0, ""}};
  PartialAnswer eu = ComputePartials({S("eu.web1.count", {1}), S("us.web9.count", {2})}, req);
  PartialAnswer ap = ComputePartials({S("ap.web1.count", {4}), S("us.web1.count", {8})}, req);
  ASSERT_TRUE(eu.ok());
  PartialAnswer c = CombinePartials({eu, ap}, req);
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c.groups.size(), 3u);
  EXPECT_EQ(c.groups[0].key, "ap");
  EXPECT_EQ(c.groups[1].key, "eu");
  EXPECT_EQ(c.groups[2].key, "us");
  EXPECT_EQ(c.groups[2].first_name, "us.web1.count");
  EXPECT_EQ(c.groups[2].members, 2u);
  EXPECT_EQ(c.groups[2].sum, std::vector<double>{10});
  // A single member keeps its own tags; several keep what they share.
  EXPECT_EQ(c.groups[0].tags.at("name"), "ap.web1.count");
  EXPECT_EQ(c.groups[2].tags.count("name"), 0u);

  PartialRequest by_tag = MinMax();
  by_tag.group_by = {PartialNode{true, 0, "dc"}};
  PartialAnswer t = ComputePartials(
      {S("cpu;dc=eu;host=a", {1}), S("cpu;dc=eu;host=b", {5}), S("cpu;dc=us;host=c", {3})}, by_tag);
  ASSERT_EQ(t.groups.size(), 2u);
  EXPECT_EQ(t.groups[0].key, "eu");
  EXPECT_EQ(t.groups[0].max, std::vector<double>{5});
  EXPECT_EQ(t.groups[0].tags, (std::map<std::string, std::string>{{"dc", "eu"}, {"name", "cpu"}}));
}

PartialRequest Product() {
  PartialRequest r;
  r.product = true;
  return r;
}

TEST(PartialsTest, ProductIsExactWithinFiftyThreeOddBitsAndTheNormalRange) {
  EXPECT_TRUE(ProductIsExact(53, 0, 0, false));
  EXPECT_FALSE(ProductIsExact(54, 0, 0, false));
  EXPECT_TRUE(ProductIsExact(1, 1023, -1022, false));
  EXPECT_FALSE(ProductIsExact(1, 1024, 0, false));   // a partial product may overflow
  EXPECT_FALSE(ProductIsExact(1, 0, -1023, false));  // or become subnormal
  EXPECT_FALSE(ProductIsExact(1, 0, 0, true));       // ±inf
}

// Products of small integers, powers of two and zeros, spread over three sources in any order,
// equal graphite-web's left-to-right product bit for bit (signed zeros included).
TEST(PartialsTest, CertifiedProductsInAnyOrderEqualTheLeftToRightProduct) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> pick(0, 9);
  std::vector<SeriesData> all;
  for (int s = 0; s < 9; ++s) {
    std::vector<double> row;
    for (int i = 0; i < 40; ++i) {
      const int k = pick(rng);
      row.push_back(k == 0 ? kNull : k == 1 ? -0.0 : k == 2 ? 0.0 : k == 3 ? 0.25 : k - 6.0);
    }
    all.push_back(S(fmt::format("s{}", s), row));
  }
  const PartialRequest req = Product();
  std::vector<PartialAnswer> parts;
  for (int src = 0; src < 3; ++src) {
    std::vector<SeriesData> mine;
    for (size_t s = static_cast<size_t>(src); s < all.size(); s += 3) mine.push_back(all[s]);
    parts.push_back(ComputePartials(mine, req));
  }
  std::swap(parts[0], parts[2]);  // the order of sources does not matter
  PartialAnswer c = CombinePartials(std::move(parts), req);
  ASSERT_TRUE(c.ok()) << c.fallback;
  ASSERT_EQ(c.groups.size(), 1u);
  ExpectBits(PartialValues(c.groups[0], PartialOp::kMultiply, 0), Central(all, "multiply"));
}

TEST(PartialsTest, ProductsThatCouldRoundOrOverflowFallBack) {
  const PartialRequest req = Product();
  auto combined = [&](std::vector<double> a, std::vector<double> b) {
    return CombinePartials({ComputePartials({S("a", std::move(a))}, req),
                            ComputePartials({S("b", std::move(b))}, req)},
                           req)
        .fallback;
  };
  EXPECT_EQ(combined({3}, {5}), "");
  EXPECT_EQ(combined({0.1}, {3}), "inexact");  // 0.1's odd part has 52+ bits
  const double big = std::ldexp(1.0, 600);
  EXPECT_EQ(combined({big}, {big}), "inexact");              // 2^1200 overflows
  EXPECT_EQ(combined({1.0 / big}, {1.0 / big}), "inexact");  // 2^-1200 underflows
  EXPECT_EQ(combined({kInf}, {2}), "inexact");
  EXPECT_EQ(combined({std::ldexp(1.0, 30) + 1}, {std::ldexp(1.0, 30) + 1}), "inexact");  // 62 bits
  // Odd parts of 26 bits each: 52 bits in all, exact; of 27 bits each the bound (54) says no,
  // although this product would still fit: the certificate is conservative, never wrong.
  EXPECT_EQ(combined({std::ldexp(1.0, 25) + 1}, {std::ldexp(1.0, 25) + 1}), "");
  EXPECT_EQ(combined({std::ldexp(1.0, 26) + 1}, {std::ldexp(1.0, 26) + 1}), "inexact");
}

TEST(PartialsTest, DifferentWindowsOrStepsFallBack) {
  PartialRequest req = Sum();
  EXPECT_EQ(ComputePartials({S("a", {1, 2}), S("b", {1, 2}, 100, 60)}, req).fallback,
            "heterogeneous");
  EXPECT_EQ(ComputePartials({S("a", {1, 2}), S("b", {1, 2, 3})}, req).fallback, "heterogeneous");
  PartialAnswer c = CombinePartials(
      {ComputePartials({S("a", {1, 2})}, req), ComputePartials({S("b", {1, 2}, 110)}, req)}, req);
  EXPECT_EQ(c.fallback, "heterogeneous");
  // Two sources holding the same series are not disjoint.
  EXPECT_EQ(CombinePartials({ComputePartials({S("a", {1}), S("b", {2})}, req),
                             ComputePartials({S("a", {1})}, req)},
                            req)
                .fallback,
            "overlap");
  // A source's own fallback wins.
  PartialAnswer refused;
  refused.fallback = "peer cannot compute partials";
  EXPECT_EQ(CombinePartials({ComputePartials({S("a", {1})}, req), refused}, req).fallback,
            "peer cannot compute partials");
}

TEST(PartialsTest, AMountedSourceGroupsAndNamesItsSeriesAsTheFrontSeesThem) {
  PartialRequest req = Sum();
  req.group_by = {PartialNode{false, 0, ""}};
  req.mount = federation::PeerMount{"old", {{"region", "old"}}};
  auto a = ComputePartials({S("web1.cpu", {1, 2}), S("web2.cpu", {3, kNull})}, req);
  ASSERT_TRUE(a.ok()) << a.fallback;
  ASSERT_EQ(a.groups.size(), 1u);
  EXPECT_EQ(a.groups[0].key, "old");  // node 0 is the mount's prefix
  EXPECT_EQ(a.groups[0].first_name, "old.web1.cpu");
  EXPECT_EQ(a.groups[0].members, 2u);
  EXPECT_EQ(a.groups[0].sum, (std::vector<double>{4, 2}));
  // Tagged: the mount's tag joins the key and the common tags; a tag of the series' own stays.
  PartialRequest tags = Sum();
  tags.group_by_tags = {"region"};
  tags.mount = req.mount;
  auto t = ComputePartials({S("cpu;host=h1", {1, 1}), S("cpu;host=h1;os=linux", {2, 2}),
                            S("cpu;host=h2;region=x", {4, 4})},
                           tags);
  ASSERT_TRUE(t.ok()) << t.fallback;
  ASSERT_EQ(t.groups.size(), 2u);
  // In the order of the mounted names: …;os=linux;region=old sorts before …;region=old.
  EXPECT_EQ(t.groups[0].first_name, "cpu;host=h1;os=linux;region=old");
  EXPECT_EQ(t.groups[0].key, ";region=old");  // without the common name
  EXPECT_EQ(t.groups[0].members, 2u);
  EXPECT_EQ(t.groups[0].tags.at("region"), "old");
  EXPECT_EQ(t.groups[1].first_name, "cpu;host=h2;region=x");
  EXPECT_EQ(t.groups[1].members, 1u);
}

TEST(PartialsWireTest, AnswersRoundTrip) {
  PartialRequest req = Sum();
  req.min = true;
  req.product = true;
  req.group_by = {PartialNode{false, -1, ""}, PartialNode{true, 0, "dc"}};
  PartialAnswer a = ComputePartials(
      {S("x.a;dc=eu", {1, kNull, 3}), S("x.b;dc=eu", {-0.0, 2, kInf}), S("y.c", {kNull, 1, 1})},
      req);
  ASSERT_TRUE(a.ok());
  auto back = wire::DecodePartialAnswer(wire::EncodePartialAnswer(a), 1000);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->groups.size(), a.groups.size());
  for (size_t i = 0; i < a.groups.size(); ++i) {
    const PartialGroup& g = a.groups[i];
    const PartialGroup& h = back->groups[i];
    EXPECT_EQ(h.key, g.key);
    EXPECT_EQ(h.first_name, g.first_name);
    EXPECT_EQ(h.members, g.members);
    EXPECT_EQ(h.tags, g.tags);
    EXPECT_EQ(h.count, g.count);
    ExpectBits(h.sum, g.sum);
    ExpectBits(h.min, g.min);
    EXPECT_TRUE(h.max.empty());
    EXPECT_EQ(h.exp_min, g.exp_min);
    EXPECT_EQ(h.abs_max, g.abs_max);
    EXPECT_EQ(h.negative_zero, g.negative_zero);
    ExpectBits(h.product, g.product);
    EXPECT_EQ(h.mul_bits, g.mul_bits);
    EXPECT_EQ(h.mul_exp_up, g.mul_exp_up);
    EXPECT_EQ(h.mul_exp_down, g.mul_exp_down);
    EXPECT_EQ(h.mul_infinite, g.mul_infinite);
    EXPECT_EQ(h.start, g.start);
    EXPECT_EQ(h.end, g.end);
    EXPECT_EQ(h.step, g.step);
  }
  PartialAnswer fallback;
  fallback.fallback = "heterogeneous";
  auto f = wire::DecodePartialAnswer(wire::EncodePartialAnswer(fallback), 10);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->fallback, "heterogeneous");
}

TEST(PartialsWireTest, RequestsRoundTripAndBadOnesAreRefused) {
  PartialRequest req = MinMax();
  req.spec = FetchSpec::Tagged({"name=cpu", "dc!=us"});
  req.group_by = {PartialNode{true, 0, "dc"}, PartialNode{false, 2, ""}};
  PartialRequest by_tags = req;
  by_tags.group_by.clear();
  by_tags.group_by_tags = {"name", "dc"};
  auto tags_back = wire::DecodePartialRequest(wire::EncodePartialRequest(by_tags));
  ASSERT_TRUE(tags_back.ok());
  EXPECT_EQ(tags_back->group_by_tags, by_tags.group_by_tags);
  auto back = wire::DecodePartialRequest(wire::EncodePartialRequest(req));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->spec.tag_expressions, req.spec.tag_expressions);
  EXPECT_EQ(back->group_by, req.group_by);
  EXPECT_TRUE(back->min && back->max && !back->sum && !back->product);
  PartialRequest product;
  product.product = true;
  auto product_back = wire::DecodePartialRequest(wire::EncodePartialRequest(product));
  ASSERT_TRUE(product_back.ok());
  EXPECT_TRUE(product_back->product);
  EXPECT_TRUE(product_back->mount.empty());
  PartialRequest mounted = req;
  mounted.mount = federation::PeerMount{"old.dc", {{"region", "old"}, {"env", "prod"}}};
  auto mounted_back = wire::DecodePartialRequest(wire::EncodePartialRequest(mounted));
  ASSERT_TRUE(mounted_back.ok()) << mounted_back.status().ToString();
  EXPECT_EQ(mounted_back->mount, mounted.mount);
  const std::string long_mount = "{\"pattern\": \"a\", \"mount\": {\"prefix\": \"" +
                                 std::string(1100, 'p') + "\", \"tags\": {}}}";
  EXPECT_EQ(wire::DecodePartialRequest(long_mount).status().code(),
            core::StatusCode::kInvalidArgument);
  for (const char* bad :
       {"", "[]", "{}", "{\"pattern\": 3}", "{\"tags\": []}",
        "{\"pattern\": \"a\", \"mount\": \"x\"}",
        "{\"pattern\": \"a\", \"mount\": {\"prefix\": \"x\"}}",
        "{\"pattern\": \"a\", \"mount\": {\"prefix\": 1, \"tags\": {}}}",
        "{\"pattern\": \"a\", \"mount\": {\"prefix\": \"\", \"tags\": {\"r\": 1}}}",
        "{\"pattern\": \"a\", \"group\": [{\"x\": 1}]}", "{\"pattern\": \"a\", \"sum\": 1}",
        "[[[[[[[[[[]]]]]]]]]]",
        "{\"pattern\": \"a\", \"group\": [{\"i\": 1}], \"group_tags\": [\"x\"]}",
        "{\"pattern\": \"a\", \"group_tags\": [1]}"}) {
    auto r = wire::DecodePartialRequest(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(PartialsWireTest, HostileAnswersAreRefusedWithAReason) {
  PartialRequest req = Sum();
  PartialAnswer a = ComputePartials({S("a", {1, 2, 3}), S("b", {4, 5, 6})}, req);
  const std::string good = wire::EncodePartialAnswer(a);
  auto mutate = [&](auto fn) {
    nlohmann::json j = nlohmann::json::from_msgpack(good);
    fn(j["groups"][0]);
    auto bytes = nlohmann::json::to_msgpack(j);
    return std::string(bytes.begin(), bytes.end());
  };
  const std::vector<std::pair<const char*, std::string>> cases = {
      {"truncated", good.substr(0, good.size() - 3)},
      {"not msgpack", "<html>502 Bad Gateway</html>"},
      {"empty", ""},
      {"a list", std::string("\x91\x01", 2)},
      {"count above members", mutate([](auto& g) { g["count"][0] = 3; })},
      {"short row", mutate([](auto& g) { g["sum"].erase(0); })},
      {"window mismatch", mutate([](auto& g) { g["end"] = 1000; })},
      {"no step", mutate([](auto& g) { g["step"] = 0; })},
      {"negative count", mutate([](auto& g) { g["count"][1] = -1; })},
      {"bad q", mutate([](auto& g) { g["q"] = 5000; })},
      {"nan abs", mutate([](auto& g) { g["abs"] = -1.0; })},
      {"no first", mutate([](auto& g) { g.erase("first"); })},
  };
  for (const auto& [what, body] : cases) {
    auto r = wire::DecodePartialAnswer(body, 1000);
    EXPECT_FALSE(r.ok()) << what;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument) << what;
    }
  }
  // Nesting is bounded before the reader recurses.
  std::string deep = "\x81\xA6groups";
  for (int i = 0; i < 100000; ++i) deep += '\x91';
  EXPECT_FALSE(wire::DecodePartialAnswer(deep, 1000).ok());
  // The value bound holds memory to what the caller allows.
  EXPECT_FALSE(wire::DecodePartialAnswer(good, 5).ok());
  EXPECT_TRUE(wire::DecodePartialAnswer(good, 6).ok());
}

}  // namespace
}  // namespace meridian::query
