#pragma once
// PrometheusText: writes the Prometheus text exposition format (0.0.4) so
// that a scrape never fails on our side: every family gets its HELP and
// TYPE lines before its samples, every name carries the prefix and obeys
// the format's grammar, label values are escaped, and a family is never
// written twice. A bad name is a programming error (std::invalid_argument).

#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace boletos::ops {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class PrometheusText {
 public:
  enum class Type { kGauge, kCounter };

  // prefix: prepended to every family name, e.g. "boletos_".
  explicit PrometheusText(std::string prefix);

  // Starts a family: name without the prefix; help is one line.
  void Family(const std::string& name, Type type, const std::string& help);
  // A sample of the family started last.
  void Sample(double value, const MetricLabels& labels = {});

  // "text/plain; version=0.0.4; charset=utf-8"
  static const char* ContentType();
  std::string str() const { return out_.str(); }

 private:
  std::string prefix_;
  std::string current_;  // full name of the family being written
  std::set<std::string> families_;
  std::ostringstream out_;
};

// Whether name matches [a-zA-Z_:][a-zA-Z0-9_:]* (label names: no colon).
bool IsValidMetricName(const std::string& name);
bool IsValidLabelName(const std::string& name);

}  // namespace boletos::ops
