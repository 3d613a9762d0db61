#include "status/status_page.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "core/units.h"
#include "status/memory_chart.h"

namespace boletos::status {
namespace {

const char* kStyle =
    "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:760px}"
    "h1{font-size:20px}h2{font-size:16px;margin-top:24px}"
    ".ok{color:#18794e}.bad{color:#c62828}"
    ".bar{background:#eee;border-radius:4px;height:14px;width:100%}"
    ".bar div{background:#1f77b4;height:14px;border-radius:4px}"
    "table{border-collapse:collapse}td,th{padding:2px 10px 2px 0;text-align:left;vertical-align:top}"
    ".empty{color:#777}";

void Progress(std::ostringstream& out, const LiveSnapshot& s) {
  const jobs::RunTotals& t = s.progress.totals;
  if (s.run_id == 0) {
    out << "<p class=\"empty\">No run yet in this process.</p>\n";
    return;
  }
  int pct = t.planned > 0 ? std::min(100, s.clients_started * 100 / t.planned) : 100;
  out << "<h2>Run " << s.run_id << (s.run_active ? " (in progress)" : " (ended)") << "</h2>\n"
      << "<p id=\"progress\">" << s.clients_started << "/" << t.planned << " clients started: " << t.done
      << " done, " << t.gave_up << " failed after all attempts, " << t.failed_attempts << " failed attempts, "
      << t.recycles << " browser recycles</p>\n"
      << "<div class=\"bar\"><div style=\"width:" << pct << "%\"></div></div>\n";
  if (!s.progress.current_client.empty()) {
    out << "<p>In flight: <b id=\"current-client\">" << HtmlEscape(s.progress.current_client) << "</b></p>\n";
  }
  const jobs::MemoryReading& m = s.progress.memory;
  out << "<p>Memory now: worker RSS " << Megabytes(m.worker_rss_kb) << ", browser PSS " << Megabytes(m.browser_pss_kb) << " ("
      << m.browser_processes << " processes), cgroup " << Megabytes(m.cgroup_usage_kb) << " of "
      << (m.cgroup_limit_kb > 0 ? Megabytes(m.cgroup_limit_kb) : std::string("no limit")) << "; --memory-limit "
      << Megabytes(s.memory_limit_kb) << "</p>\n";
}

void Period(std::ostringstream& out, const report::StatusView& view) {
  const auto& r = view.report;
  out << "<h2>Period " << HtmlEscape(r.period) << "</h2>\n<table id=\"counts\"><tr><th>total</th><th>done</th>"
      << "<th>pending</th><th>retrying</th><th>failed</th><th>no slip</th></tr><tr><td>" << r.counts.total
      << "</td><td>" << r.counts.done << "</td><td>" << r.counts.pending << "</td><td>" << r.counts.retrying
      << "</td><td>" << r.counts.failed << "</td><td>" << r.counts.none << "</td></tr></table>\n";
  if (r.last_success) {
    out << "<p>Last success: " << HtmlEscape(r.last_success->id) << " (" << HtmlEscape(r.last_success->name)
        << ") at " << HtmlEscape(r.last_success->downloaded_at) << "</p>\n";
  } else {
    out << "<p>Last success: none yet.</p>\n";
  }
  if (!r.recent_failures.empty()) {
    out << "<h2>Recent failures</h2>\n<table id=\"failures\">";
    for (const auto& f : r.recent_failures) {
      out << "<tr><td>" << HtmlEscape(f.id) << "</td><td>" << HtmlEscape(f.status) << ", " << f.attempts
          << " attempts</td><td>" << HtmlEscape(f.last_error) << "</td></tr>";
    }
    out << "</table>\n";
  }
}

}  // namespace

std::string RenderStatusPage(const report::StatusView* view, const std::string& store_error, const LiveSnapshot& s,
                             const HealthVerdict& health, const std::vector<store::MemorySample>& samples,
                             int64_t chart_run_id) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      << "<meta http-equiv=\"refresh\" content=\"10\"><title>boletos status</title><style>" << kStyle
      << "</style></head><body>\n<h1>boletos: " << LoopPhaseName(s.phase) << "</h1>\n"
      << "<p id=\"health\" class=\"" << (health.healthy ? "ok" : "bad") << "\">" << HtmlEscape(health.text)
      << "</p>\n";
  Progress(out, s);
  if (view) Period(out, *view);
  else out << "<p class=\"bad\">The database could not be read: " << HtmlEscape(store_error) << "</p>\n";
  out << "<h2>Memory over run " << chart_run_id << "</h2>\n" << MemoryChartSvg(samples, s.memory_limit_kb);
  out << "<p class=\"empty\">Also: <a href=\"/status\">/status</a> (JSON), <a href=\"/metrics\">/metrics</a>, "
      << "<a href=\"/healthz\">/healthz</a></p>\n</body></html>\n";
  return out.str();
}

}  // namespace boletos::status
