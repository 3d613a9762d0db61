#include "status/progress_line.h"

#include <cstdio>

#include "core/units.h"
#include "ops/logging.h"

namespace boletos::status {

std::string ProgressText(const LiveSnapshot& s) {
  if (s.phase == LoopPhase::kWaiting) {
    auto in = std::chrono::duration_cast<std::chrono::seconds>(s.next_run - s.now).count();
    return "waiting for the next cycle, in " + std::to_string(std::max<long long>(0, in)) + " s";
  }
  if (!s.run_active) return "";
  const jobs::RunTotals& t = s.progress.totals;
  int ended = t.done + t.none + t.gave_up;
  double took = Seconds(s.run_duration);
  double rate = took > 0 ? t.done / took : 0;
  char figures[96];
  std::snprintf(figures, sizeof figures, "%d/%d done, %.1f/s", t.done, t.planned, rate);
  std::string text = figures;
  if (rate > 0 && t.planned > ended) {
    text += ", about " + std::to_string(static_cast<long long>((t.planned - ended) / rate + 0.5)) + " s left";
  }
  const jobs::MemoryReading& m = s.progress.memory;
  if (m.browser_pss_kb > 0 || m.worker_rss_kb > 0) {
    text += ", memory " + Megabytes(m.browser_pss_kb + m.worker_rss_kb) + " of " + Megabytes(s.memory_limit_kb);
  }
  if (t.failed_attempts > 0) text += ", " + std::to_string(t.failed_attempts) + " failed attempts";
  return text;
}

ProgressLine::ProgressLine(const LiveStatus& live) : live_(live) {
  if (!ops::LogsToTerminal()) return;
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::seconds(1), [this] { return done_; })) {
      ops::SetStatusLine(ProgressText(live_.Read()));
    }
  });
}

ProgressLine::~ProgressLine() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
  thread_.join();
  ops::SetStatusLine("");
}

}  // namespace boletos::status
