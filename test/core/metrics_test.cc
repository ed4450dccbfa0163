#include "core/metrics.h"

#include <gtest/gtest.h>

namespace meridian::core {
namespace {

TEST(MetricsRegistryTest, SameNameAndLabelsIsSameCounter) {
  MetricsRegistry r;
  Counter& a = r.GetCounter("ingest_lines_rejected_total", "h", {{"reason", "bad_value"}});
  Counter& b = r.GetCounter("ingest_lines_rejected_total", "h", {{"reason", "bad_value"}});
  Counter& c = r.GetCounter("ingest_lines_rejected_total", "h", {{"reason", "too_long"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &c);
}

TEST(MetricsRegistryTest, RendersPrometheusTextWithEscapedLabels) {
  MetricsRegistry r;
  r.GetCounter("points_total", "Points.", {{"k", "a\"b"}}).Add(3);
  r.GetGauge("depth", "Depth.").Set(-2);
  r.AddCallbackGauge("disk_bytes", "Disk.", [] { return 42.0; });
  std::string text = r.RenderPrometheus();
  EXPECT_NE(text.find("# TYPE meridian_points_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("meridian_points_total{k=\"a\\\"b\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("meridian_depth -2\n"), std::string::npos);
  EXPECT_NE(text.find("meridian_disk_bytes 42\n"), std::string::npos);
}

TEST(MetricsRegistryTest, SnapshotUsesGraphiteSafeSuffixes) {
  MetricsRegistry r;
  r.GetCounter("lines_rejected_total", "h", {{"reason", "a.b c"}}).Add(5);
  auto snap = r.Snapshot();
  ASSERT_EQ(snap.size(), 1u);
  EXPECT_EQ(snap[0].graphite_suffix, "lines_rejected_total.a_b_c");
  EXPECT_EQ(snap[0].value, 5);
}

}  // namespace
}  // namespace meridian::core
