// The Runner's memory decisions: reading memory after each client, the
// memory log, the recycle over the soft limit or every N downloads, and
// whether the next browser may start ahead beside the current one.

#include <spdlog/spdlog.h>

#include "core/units.h"
#include "jobs/client_queue.h"
#include "jobs/runner.h"

namespace boletos::jobs {

void Runner::CheckMemoryAfterClients() {
  for (; clients_unchecked_ > 0; --clients_unchecked_) AfterClient();
}

bool Runner::ShouldPrepareNextBrowser(const ClientQueue& queue) const {
  // With one lane nothing idles while the next browser starts, and --tabs 1
  // is the frugal mode: it never runs two browsers.
  if (lanes() == 1 || pool_.leased() == 0 || pool_.dead() || !pool_.has_current()) return false;
  if (pool_.moving()) return false;  // a second browser still runs
  // When this browser has room for at most one more client per lane: a
  // round ahead, because a browser takes 0.5-0.7 s to launch, open its
  // tabs and log in while the old one is busy, and a lane moves on to it
  // as soon as the old one's room is taken (MoveOnIfDue).
  int room = RoomInBrowser();
  if (recycle_reason_.empty() && (options_.recycle_every <= 0 || room > lanes())) return false;
  // Not when the clients still to come fit in this browser: the run ends with it.
  if (queue.remaining() <= (recycle_reason_.empty() ? room : 0)) return false;
  // Two browsers for a moment: only if the last reading plus what one more
  // browser adds (see started_browser_pss_kb_) stays under the soft limit.
  if (started_browser_pss_kb_ <= 0) return false;
  int64_t with_next = last_memory_.worker_rss_kb + last_memory_.browser_pss_kb + started_browser_pss_kb_;
  if (with_next > SoftLimitKb(last_memory_)) {
    spdlog::debug("the next browser does not start ahead: {} with it would pass the soft limit {}", Megabytes(with_next),
                  Megabytes(SoftLimitKb(last_memory_)));
    return false;
  }
  return true;
}

int64_t Runner::MemoryLimitKb(const MemoryReading& m) const {
  // The limit in force: --memory-limit, or the container's if lower.
  int64_t limit_kb = options_.memory_limit_mb * 1024;
  if (m.cgroup_limit_kb > 0 && m.cgroup_limit_kb < limit_kb) limit_kb = m.cgroup_limit_kb;
  return limit_kb;
}

int64_t Runner::SoftLimitKb(const MemoryReading& m) const {
  return static_cast<int64_t>(static_cast<double>(MemoryLimitKb(m)) * options_.soft_limit_fraction);
}

bool Runner::OverSoftLimit(const MemoryReading& m) const {
  return pool_.has_current() && m.browser_pss_kb + m.worker_rss_kb > SoftLimitKb(m);
}

void Runner::AfterClient() {
  ++clients_finished_;
  bool log_due = options_.memory_log_every > 0 && clients_finished_ % options_.memory_log_every == 0;
  std::vector<pid_t> groups = pool_.pids();
  MemoryReading m = env_.sample_memory(groups, log_due);
  // While a browser retires the readings hold it too, and it closes after
  // its last clients (fewer than the tabs): memory is judged after that.
  // Judged now, the sum of both would recycle the browser just taken over.
  bool judge_memory = !pool_.moving();
  if (m.browser_pss_estimated && recycle_reason_.empty() && judge_memory && OverSoftLimit(m)) {
    m = env_.sample_memory(groups, true);  // an estimate errs high: confirm before recycling
  }
  if (!m.browser_pss_estimated) {
    totals_.peak_browser_pss_kb = std::max(totals_.peak_browser_pss_kb, m.browser_pss_kb);
    // Its first reading alone: not one of the next browser between the
    // recycle and its take-over (only one tab logged in, nothing loaded).
    if (groups.size() == 1 && groups[0] == pool_.current_pid() && groups[0] != sized_browser_) {
      started_browser_pss_kb_ = std::max(started_browser_pss_kb_, m.browser_pss_own_kb);
      sized_browser_ = groups[0];
    }
  }
  last_memory_ = m;
  totals_.peak_worker_rss_kb = std::max(totals_.peak_worker_rss_kb, m.worker_rss_kb);
  {
    std::lock_guard<std::mutex> lock(live_mu_);
    live_.memory = m;
  }
  if (log_due) {
    spdlog::info("{}", m.line);
    store::MemorySample sample;
    sample.run_id = run_id_;
    sample.clients_done = totals_.done;
    sample.worker_rss_kb = m.worker_rss_kb;
    sample.browser_pss_kb = m.browser_pss_kb;
    sample.cgroup_usage_kb = m.cgroup_usage_kb;
    sample.cgroup_limit_kb = m.cgroup_limit_kb;
    if (Status s = store_.RecordMemorySample(sample); !s.ok()) spdlog::warn("memory sample not stored: {}", s.message());
  }
  if (!recycle_reason_.empty()) return;  // already on its way

  if (judge_memory && OverSoftLimit(m)) {
    recycle_reason_ = "memory: browser PSS " + Megabytes(m.browser_pss_kb) + " + worker RSS " + Megabytes(m.worker_rss_kb) +
                      " is over the soft limit " + Megabytes(SoftLimitKb(m)) + " (" +
                      std::to_string(static_cast<int>(options_.soft_limit_fraction * 100)) + "% of " +
                      Megabytes(MemoryLimitKb(m)) + ")";
  } else if (options_.recycle_every > 0 && pool_.succeeded() >= options_.recycle_every) {
    recycle_reason_ = EveryNDownloads();
  }
}

}  // namespace boletos::jobs
