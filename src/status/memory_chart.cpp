#include "status/memory_chart.h"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <sstream>

namespace boletos::status {
namespace {

constexpr double kWidth = 640, kHeight = 240;
constexpr double kLeft = 56, kRight = 16, kTop = 12, kBottom = 32;

struct Series {
  const char* id;
  const char* label;
  const char* color;
  std::function<int64_t(const store::MemorySample&)> kb;
};

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// A round top for the y axis: 1, 2 or 5 times a power of ten, in MB.
double NiceTop(double mb) {
  double step = 1;
  while (step * 10 <= mb) step *= 10;
  for (double f : {1.0, 2.0, 5.0, 10.0}) {
    if (f * step >= mb) return f * step;
  }
  return 10 * step;
}

}  // namespace

std::string MemoryChartSvg(const std::vector<store::MemorySample>& samples, int64_t limit_kb) {
  if (samples.empty()) {
    return "<p class=\"empty\">No memory samples for this run yet: one is kept every --memory-log-every "
           "clients.</p>";
  }
  std::vector<Series> series = {
      {"worker-rss", "worker RSS", "#1f77b4", [](const store::MemorySample& s) { return s.worker_rss_kb; }},
      {"browser-pss", "browser PSS", "#d62728", [](const store::MemorySample& s) { return s.browser_pss_kb; }}};
  bool cgroup = std::any_of(samples.begin(), samples.end(), [](const auto& s) { return s.cgroup_usage_kb >= 0; });
  if (cgroup) {
    series.push_back({"cgroup-usage", "cgroup usage", "#2ca02c",
                      [](const store::MemorySample& s) { return std::max<int64_t>(0, s.cgroup_usage_kb); }});
  }
  double max_kb = std::max<double>(1024, static_cast<double>(limit_kb));
  for (const auto& s : samples) {
    for (const auto& line : series) max_kb = std::max(max_kb, static_cast<double>(line.kb(s)));
  }
  double top_mb = NiceTop(max_kb / 1024.0);
  double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  auto x = [&](size_t i) {
    return kLeft + (samples.size() == 1 ? plot_w / 2 : plot_w * static_cast<double>(i) / (samples.size() - 1));
  };
  auto y = [&](double kb) { return kTop + plot_h * (1.0 - kb / 1024.0 / top_mb); };

  std::ostringstream svg;
  svg << "<svg id=\"memory-chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " << kWidth << " " << kHeight
      << "\" width=\"" << kWidth << "\" height=\"" << kHeight << "\" role=\"img\" aria-label=\"memory over the run\">\n";
  svg << "<rect x=\"" << kLeft << "\" y=\"" << kTop << "\" width=\"" << plot_w << "\" height=\"" << plot_h
      << "\" fill=\"#fafafa\" stroke=\"#ccc\"/>\n";
  for (int i = 0; i <= 4; ++i) {  // grid and y labels
    double mb = top_mb * i / 4, py = y(mb * 1024);
    svg << "<line x1=\"" << kLeft << "\" x2=\"" << kLeft + plot_w << "\" y1=\"" << Num(py) << "\" y2=\"" << Num(py)
        << "\" stroke=\"#e5e5e5\"/><text x=\"" << kLeft - 6 << "\" y=\"" << Num(py + 4)
        << "\" text-anchor=\"end\" font-size=\"11\">" << Num(mb) << " MB</text>\n";
  }
  svg << "<text x=\"" << kLeft << "\" y=\"" << kHeight - 8 << "\" font-size=\"11\">" << samples.front().clients_done
      << " done</text><text x=\"" << kLeft + plot_w << "\" y=\"" << kHeight - 8
      << "\" text-anchor=\"end\" font-size=\"11\">" << samples.back().clients_done << " done ("
      << samples.size() << " samples)</text>\n";
  if (limit_kb > 0) {
    svg << "<line id=\"memory-limit\" x1=\"" << kLeft << "\" x2=\"" << kLeft + plot_w << "\" y1=\""
        << Num(y(static_cast<double>(limit_kb))) << "\" y2=\"" << Num(y(static_cast<double>(limit_kb)))
        << "\" stroke=\"#999\" stroke-dasharray=\"6 4\"/>\n";
  }
  for (const auto& line : series) {
    svg << "<g class=\"series\"><polyline id=\"" << line.id << "\" fill=\"none\" stroke=\"" << line.color
        << "\" stroke-width=\"2\" points=\"";
    for (size_t i = 0; i < samples.size(); ++i) {
      svg << (i ? " " : "") << Num(x(i)) << "," << Num(y(static_cast<double>(line.kb(samples[i]))));
    }
    svg << "\"/>";
    for (size_t i = 0; i < samples.size(); ++i) {
      svg << "<circle cx=\"" << Num(x(i)) << "\" cy=\"" << Num(y(static_cast<double>(line.kb(samples[i]))))
          << "\" r=\"2.5\" fill=\"" << line.color << "\"/>";
    }
    svg << "</g>\n";
  }
  double lx = kLeft + 8;
  for (const auto& line : series) {  // legend
    svg << "<rect x=\"" << lx << "\" y=\"" << kTop + 6 << "\" width=\"10\" height=\"10\" fill=\"" << line.color
        << "\"/><text x=\"" << lx + 14 << "\" y=\"" << kTop + 15 << "\" font-size=\"11\">" << line.label
        << "</text>\n";
    lx += 110;
  }
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace boletos::status
