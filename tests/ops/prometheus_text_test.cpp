// The Prometheus writer, read back by a strict parser of the format.

#include "ops/prometheus_text.h"

#include <gtest/gtest.h>

#include "prometheus_checker.h"

using boletos::ops::PrometheusText;
using boletos::test_support::ParsePrometheus;

TEST(PrometheusText, WritesHelpAndTypeBeforeSamplesWithThePrefix) {
  PrometheusText m("boletos_");
  m.Family("clients", PrometheusText::Type::kGauge, "clients by status");
  m.Sample(3, {{"status", "done"}});
  m.Sample(2, {{"status", "pending"}});
  m.Family("downloaded_bytes_total", PrometheusText::Type::kCounter, "bytes");
  m.Sample(123456789012.0);
  EXPECT_EQ(m.str(),
            "# HELP boletos_clients clients by status\n# TYPE boletos_clients gauge\n"
            "boletos_clients{status=\"done\"} 3\nboletos_clients{status=\"pending\"} 2\n"
            "# HELP boletos_downloaded_bytes_total bytes\n# TYPE boletos_downloaded_bytes_total counter\n"
            "boletos_downloaded_bytes_total 123456789012\n");
  auto parsed = ParsePrometheus(m.str(), "boletos_");
  EXPECT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.Value("boletos_clients", {{"status", "pending"}}), 2);
  EXPECT_EQ(parsed.types["boletos_downloaded_bytes_total"], "counter");
}

TEST(PrometheusText, EscapesLabelValuesAndHelpText) {
  PrometheusText m("boletos_");
  m.Family("x", PrometheusText::Type::kGauge, "a \\ and\na newline");
  m.Sample(0.25, {{"client", "a\"b\\c\nd"}});
  EXPECT_NE(m.str().find("# HELP boletos_x a \\\\ and\\na newline\n"), std::string::npos) << m.str();
  EXPECT_NE(m.str().find("boletos_x{client=\"a\\\"b\\\\c\\nd\"} 0.25\n"), std::string::npos) << m.str();
  auto parsed = ParsePrometheus(m.str(), "boletos_");
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.Value("boletos_x", {{"client", "a\"b\\c\nd"}}), 0.25);
}

TEST(PrometheusText, RefusesBadNamesAndAFamilyWrittenTwice) {
  PrometheusText m("boletos_");
  EXPECT_THROW(m.Sample(1), std::invalid_argument);
  EXPECT_THROW(m.Family("bad-name", PrometheusText::Type::kGauge, "h"), std::invalid_argument);
  m.Family("ok", PrometheusText::Type::kGauge, "h");
  EXPECT_THROW(m.Sample(1, {{"0label", "v"}}), std::invalid_argument);
  EXPECT_THROW(m.Family("ok", PrometheusText::Type::kGauge, "h"), std::invalid_argument);
}

// The checker must be able to fail, or the endpoint tests prove nothing.
TEST(PrometheusChecker, RejectsWhatTheFormatForbids) {
  const std::string head = "# HELP boletos_a h\n# TYPE boletos_a gauge\n";
  EXPECT_EQ(ParsePrometheus(head + "boletos_a 1\n", "boletos_").error, "");
  EXPECT_NE(ParsePrometheus("boletos_a 1\n", "boletos_").error, "");                    // no HELP/TYPE
  EXPECT_NE(ParsePrometheus(head + "boletos_a 1", "boletos_").error, "");               // no final newline
  EXPECT_NE(ParsePrometheus(head + "boletos_a one\n", "boletos_").error, "");           // bad value
  EXPECT_NE(ParsePrometheus(head + "boletos_a{x=\"1} 1\n", "boletos_").error, "");      // unterminated
  EXPECT_NE(ParsePrometheus(head + "boletos_a{x=1} 1\n", "boletos_").error, "");        // unquoted
  EXPECT_NE(ParsePrometheus(head + "boletos_a{x=\"\\t\"} 1\n", "boletos_").error, "");  // bad escape
  EXPECT_NE(ParsePrometheus(head + "boletos_a 1\nboletos_a 2\n", "boletos_").error, "");  // twice
  EXPECT_NE(ParsePrometheus("# HELP a h\n# TYPE a gauge\na 1\n", "boletos_").error, "");  // no prefix
  EXPECT_NE(ParsePrometheus("# HELP boletos_a-b h\n", "boletos_").error, "");             // bad name
  EXPECT_NE(ParsePrometheus(head + "boletos_a 1\n# TYPE boletos_a gauge\n", "boletos_").error, "");
}
