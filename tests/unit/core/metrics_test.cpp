#include "core/metrics.h"

#include <gtest/gtest.h>

namespace cp {
namespace {

TEST(Metrics, RendersCountersWithLabelsInPrometheusText) {
  Metrics m;
  m.counter("cp_messages_total", "Messages", {{"action", "Heartbeat"}}).inc(3);
  const auto text = m.render_prometheus();
  EXPECT_NE(text.find("# TYPE cp_messages_total counter"), std::string::npos);
  EXPECT_NE(text.find("cp_messages_total{action=\"Heartbeat\"} 3"), std::string::npos);
}

TEST(Metrics, SameNameAndLabelsReturnSameSeries) {
  Metrics m;
  auto& a = m.counter("c", "h", {{"k", "v"}});
  auto& b = m.counter("c", "h", {{"k", "v"}});
  EXPECT_EQ(&a, &b);
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  Metrics m;
  auto& h = m.histogram("lat", "h", {}, {0.1, 1.0});
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  const auto text = m.render_prometheus();
  EXPECT_NE(text.find("lat_bucket{le=\"0.1\"} 1"), std::string::npos);
  EXPECT_NE(text.find("lat_bucket{le=\"1\"} 2"), std::string::npos);
  EXPECT_NE(text.find("lat_bucket{le=\"+Inf\"} 3"), std::string::npos);
  EXPECT_NE(text.find("lat_count 3"), std::string::npos);
}

}  // namespace
}  // namespace cp
