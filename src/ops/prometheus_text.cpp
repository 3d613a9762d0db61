#include "ops/prometheus_text.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace boletos::ops {
namespace {

bool NameChar(char c, bool first, bool colon_ok) {
  bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon_ok && c == ':');
  return alpha || (!first && c >= '0' && c <= '9');
}

bool ValidName(const std::string& name, bool colon_ok) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!NameChar(name[i], i == 0, colon_ok)) return false;
  }
  return true;
}

// HELP text escapes backslash and newline; label values also the quote.
std::string Escape(const std::string& s, bool quote) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (quote && c == '"') out += "\\\"";
    else out += c;
  }
  return out;
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  // Integers (counts, bytes) exactly; other values with enough digits.
  if (v == std::floor(v) && std::fabs(v) < 9.0e15) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

bool IsValidMetricName(const std::string& name) { return ValidName(name, true); }
bool IsValidLabelName(const std::string& name) { return ValidName(name, false) && name.rfind("__", 0) != 0; }

PrometheusText::PrometheusText(std::string prefix) : prefix_(std::move(prefix)) {}

const char* PrometheusText::ContentType() { return "text/plain; version=0.0.4; charset=utf-8"; }

void PrometheusText::Family(const std::string& name, Type type, const std::string& help) {
  std::string full = prefix_ + name;
  if (!IsValidMetricName(full)) throw std::invalid_argument("bad metric name '" + full + "'");
  if (!families_.insert(full).second) throw std::invalid_argument("metric family '" + full + "' written twice");
  current_ = full;
  out_ << "# HELP " << full << " " << Escape(help, false) << "\n";
  out_ << "# TYPE " << full << " " << (type == Type::kCounter ? "counter" : "gauge") << "\n";
}

void PrometheusText::Sample(double value, const MetricLabels& labels) {
  if (current_.empty()) throw std::invalid_argument("metric sample before any family");
  out_ << current_;
  if (!labels.empty()) {
    out_ << "{";
    for (size_t i = 0; i < labels.size(); ++i) {
      if (!IsValidLabelName(labels[i].first)) {
        throw std::invalid_argument("bad label name '" + labels[i].first + "' on " + current_);
      }
      out_ << (i ? "," : "") << labels[i].first << "=\"" << Escape(labels[i].second, true) << "\"";
    }
    out_ << "}";
  }
  out_ << " " << FormatValue(value) << "\n";
}

}  // namespace boletos::ops
