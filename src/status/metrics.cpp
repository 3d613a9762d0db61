#include "status/metrics.h"

#include "core/units.h"
#include "ops/prometheus_text.h"

namespace boletos::status {
namespace {

using Type = ops::PrometheusText::Type;

double Bytes(int64_t kb) { return static_cast<double>(kb) * 1024.0; }

void StoreMetrics(ops::PrometheusText& m, const report::StatusView* view) {
  m.Family("store_up", Type::kGauge, "1 if the database could be read for this scrape, 0 otherwise");
  m.Sample(view ? 1 : 0);
  if (!view) return;
  const store::PeriodCounts& c = view->report.counts;
  m.Family("clients", Type::kGauge, "clients of the period by status");
  m.Sample(c.pending, {{"period", view->report.period}, {"status", "pending"}});
  m.Sample(c.retrying, {{"period", view->report.period}, {"status", "retrying"}});
  m.Sample(c.failed, {{"period", view->report.period}, {"status", "failed"}});
  m.Sample(c.done, {{"period", view->report.period}, {"status", "done"}});
  m.Sample(c.none, {{"period", view->report.period}, {"status", "none"}});
}

void CounterMetrics(ops::PrometheusText& m, const LiveSnapshot& s) {
  const jobs::RunTotals& t = s.cumulative;
  m.Family("downloads_total", Type::kCounter, "download attempts by result, since this process started");
  m.Sample(t.done, {{"result", "done"}});
  m.Sample(t.none, {{"result", "none"}});
  m.Sample(t.failed_attempts, {{"result", "failed"}});
  m.Family("attempts_total", Type::kCounter, "client attempts made (done + none + failed), since this process started");
  m.Sample(t.done + t.none + t.failed_attempts);
  m.Family("failures_total", Type::kCounter, "failures by kind: failed attempts, clients given up, foreign slips");
  m.Sample(t.failed_attempts, {{"kind", "attempt"}});
  m.Sample(t.gave_up, {{"kind", "gave_up"}});
  m.Sample(t.foreign_refused, {{"kind", "foreign_slip"}});
  m.Family("slips_verified_total", Type::kCounter, "slips whose linha digitavel was read and checked");
  m.Sample(t.verified);
  m.Family("slips_with_warnings_total", Type::kCounter, "slips done with a warning");
  m.Sample(t.with_warnings);
  m.Family("downloaded_bytes_total", Type::kCounter, "bytes of boletos saved, since this process started");
  m.Sample(static_cast<double>(t.bytes));
  m.Family("browser_restarts_total", Type::kCounter, "browsers started after the first of a run (crash or recycle)");
  m.Sample(s.browser_restarts);
  m.Family("browser_recycles_total", Type::kCounter, "browsers replaced on purpose (every N downloads, memory)");
  m.Sample(t.recycles);
  m.Family("hung_browsers_replaced_total", Type::kCounter,
           "browsers replaced because their last attempts all timed out (of the recycles)");
  m.Sample(t.hung_browsers_replaced);
  m.Family("cycles_total", Type::kCounter, "runs started by this process (a worker runs one per cycle)");
  m.Sample(s.cycles);
}

void MemoryMetrics(ops::PrometheusText& m, const LiveSnapshot& s) {
  const jobs::MemoryReading& r = s.progress.memory;
  m.Family("worker_rss_bytes", Type::kGauge, "resident memory of the worker process at the last reading");
  m.Sample(Bytes(r.worker_rss_kb));
  m.Family("browser_pss_bytes", Type::kGauge, "proportional memory of the browser process tree at the last reading");
  m.Sample(Bytes(r.browser_pss_kb));
  m.Family("browser_processes", Type::kGauge, "processes in the browser's tree at the last reading");
  m.Sample(r.browser_processes);
  // An unknown cgroup figure is left out rather than reported as 0.
  m.Family("cgroup_memory_usage_bytes", Type::kGauge, "the container's memory usage (cgroup), if known");
  if (r.cgroup_usage_kb >= 0) m.Sample(Bytes(r.cgroup_usage_kb));
  m.Family("cgroup_memory_limit_bytes", Type::kGauge, "the container's memory limit (cgroup), if known and set");
  if (r.cgroup_limit_kb > 0) m.Sample(Bytes(r.cgroup_limit_kb));
  m.Family("memory_limit_bytes", Type::kGauge, "--memory-limit for worker + browser");
  m.Sample(Bytes(s.memory_limit_kb));
}

void RunMetrics(ops::PrometheusText& m, const LiveSnapshot& s, const HealthVerdict& health) {
  m.Family("run_state", Type::kGauge, "1 for the loop's current state, 0 for the others");
  for (LoopPhase p : {LoopPhase::kStarting, LoopPhase::kRunning, LoopPhase::kWaiting, LoopPhase::kStopping}) {
    m.Sample(p == s.phase ? 1 : 0, {{"state", LoopPhaseName(p)}});
  }
  m.Family("run_id", Type::kGauge, "the current or last run's id (0: none yet)");
  m.Sample(static_cast<double>(s.run_id));
  m.Family("run_duration_seconds", Type::kGauge, "how long the current run has taken, or the last run took");
  m.Sample(Seconds(s.run_duration));
  m.Family("run_clients", Type::kGauge, "the current or last run's clients: planned, started, done, gave_up");
  m.Sample(s.progress.totals.planned, {{"kind", "planned"}});
  m.Sample(s.clients_started, {{"kind", "started"}});
  m.Sample(s.progress.totals.done, {{"kind", "done"}});
  m.Sample(s.progress.totals.gave_up, {{"kind", "gave_up"}});
  m.Family("seconds_since_progress", Type::kGauge, "seconds since a client last finished in the current run");
  if (s.run_active) m.Sample(Seconds(s.now - std::max(s.progress.last_progress, s.phase_since)));
  m.Family("healthy", Type::kGauge, "1 when /healthz answers 200");
  m.Sample(health.healthy ? 1 : 0);
}

}  // namespace

std::string RenderMetrics(const report::StatusView* view, const LiveSnapshot& s, const HealthVerdict& health) {
  ops::PrometheusText m("boletos_");
  StoreMetrics(m, view);
  CounterMetrics(m, s);
  MemoryMetrics(m, s);
  RunMetrics(m, s, health);
  return m.str();
}

}  // namespace boletos::status
