#pragma once
// A strict reader of the Prometheus text exposition format (0.0.4), for
// tests: stricter than Prometheus itself, so what it accepts any scraper
// accepts. Every line is HELP, TYPE or a sample `name{labels} value`;
// names match [a-zA-Z_:][a-zA-Z0-9_:]* and start with the prefix; HELP and
// TYPE come once each, before the family's samples; a family's samples are
// contiguous; label values use only the \\ \" \n escapes; no sample twice.

#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace boletos::test_support {

struct MetricSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct ParsedMetrics {
  std::string error;  // empty: the text is valid
  std::map<std::string, std::string> types;
  std::vector<MetricSample> samples;

  // The value of name{labels}; NaN if absent.
  double Value(const std::string& name, const std::map<std::string, std::string>& labels = {}) const {
    for (const auto& s : samples) {
      if (s.name == name && s.labels == labels) return s.value;
    }
    return std::nan("");
  }
};

inline bool MetricNameOk(const std::string& n, bool label) {
  if (n.empty()) return false;
  for (size_t i = 0; i < n.size(); ++i) {
    char c = n[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!label && c == ':') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

inline bool ParseMetricValue(const std::string& v, double& out) {
  if (v == "NaN" || v == "+Inf" || v == "-Inf") return true;
  if (v.empty()) return false;
  char* end = nullptr;
  out = std::strtod(v.c_str(), &end);
  return end == v.c_str() + v.size();
}

inline ParsedMetrics ParsePrometheus(const std::string& text, const std::string& prefix) {
  ParsedMetrics out;
  std::set<std::string> helped, finished_families, seen;
  std::string current_family;
  if (text.empty() || text.back() != '\n') {
    out.error = "the text must end with a newline";
    return out;
  }
  std::istringstream in(text);
  std::string line;
  int n = 0;
  auto fail = [&](const std::string& why) {
    out.error = "line " + std::to_string(n) + " (" + line + "): " + why;
    return out;
  };
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) return fail("empty line");
    if (line[0] == '#') {
      std::istringstream words(line);
      std::string hash, kind, name;
      words >> hash >> kind >> name;
      if (hash != "#" || (kind != "HELP" && kind != "TYPE")) return fail("a comment that is neither HELP nor TYPE");
      if (!MetricNameOk(name, false) || name.rfind(prefix, 0) != 0) return fail("bad or unprefixed name");
      if (finished_families.count(name) || current_family == name) return fail("HELP/TYPE after its samples");
      if (kind == "HELP") {
        if (!helped.insert(name).second) return fail("second HELP");
      } else {
        std::string type, extra;
        words >> type >> extra;
        if (type != "counter" && type != "gauge" && type != "histogram" && type != "summary" && type != "untyped") {
          return fail("unknown type");
        }
        if (!extra.empty()) return fail("text after the type");
        if (out.types.count(name)) return fail("second TYPE");
        out.types[name] = type;
      }
      continue;
    }
    MetricSample s;
    size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    s.name = line.substr(0, i);
    if (!MetricNameOk(s.name, false) || s.name.rfind(prefix, 0) != 0) return fail("bad or unprefixed name");
    if (!out.types.count(s.name) || !helped.count(s.name)) return fail("sample before its HELP and TYPE");
    if (s.name != current_family) {
      if (finished_families.count(s.name)) return fail("the family's samples are not contiguous");
      if (!current_family.empty()) finished_families.insert(current_family);
      current_family = s.name;
    }
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (true) {
        size_t eq = line.find('=', i);
        if (eq == std::string::npos) return fail("label without '='");
        std::string label = line.substr(i, eq - i);
        if (!MetricNameOk(label, true)) return fail("bad label name '" + label + "'");
        if (eq + 1 >= line.size() || line[eq + 1] != '"') return fail("label value not quoted");
        std::string value;
        size_t j = eq + 2;
        for (; j < line.size() && line[j] != '"'; ++j) {
          if (line[j] == '\\') {
            char e = j + 1 < line.size() ? line[j + 1] : 0;
            if (e != '\\' && e != '"' && e != 'n') return fail("bad escape in a label value");
            value += e == 'n' ? '\n' : e;
            ++j;
          } else {
            value += line[j];
          }
        }
        if (j >= line.size()) return fail("unterminated label value");
        if (!s.labels.emplace(label, value).second) return fail("label twice");
        i = j + 1;
        if (i < line.size() && line[i] == ',') {
          ++i;
          continue;
        }
        if (i < line.size() && line[i] == '}') {
          ++i;
          break;
        }
        return fail("expected ',' or '}' after a label");
      }
    }
    if (i >= line.size() || line[i] != ' ') return fail("no single space before the value");
    std::istringstream rest(line.substr(i + 1));
    std::string value, timestamp, extra;
    rest >> value >> timestamp >> extra;
    if (line.substr(i + 1).find("  ") != std::string::npos) return fail("double space");
    if (!ParseMetricValue(value, s.value)) return fail("bad value '" + value + "'");
    if (!timestamp.empty()) {
      char* end = nullptr;
      std::strtoll(timestamp.c_str(), &end, 10);
      if (end != timestamp.c_str() + timestamp.size()) return fail("bad timestamp");
    }
    if (!extra.empty()) return fail("text after the value");
    std::string key = s.name;
    for (const auto& [k, v] : s.labels) key += "\x1f" + k + "=" + v;
    if (!seen.insert(key).second) return fail("the same sample twice");
    out.samples.push_back(std::move(s));
  }
  return out;
}

}  // namespace boletos::test_support
