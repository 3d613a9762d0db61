#include "status/health.h"

#include <algorithm>

namespace boletos::status {
namespace {

long long SecondsBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::seconds>(to - from).count();
}

std::string Limit(const HealthPolicy& p) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(p.stuck_after).count()) + " s";
}

HealthVerdict Sick(std::string text) { return HealthVerdict{false, std::move(text)}; }

// Only a running browser is judged; between runs there is none.
HealthVerdict JudgeBrowser(const LiveSnapshot& s, const HealthPolicy& policy) {
  if (s.browser_deaths_in_a_row >= policy.browser_deaths_in_a_row) {
    return Sick("browser unhealthy: it died during the last " + std::to_string(s.browser_deaths_in_a_row) +
                " attempts in a row; look at the worker's log for the crash reason (out of memory?)");
  }
  const jobs::MemoryReading& m = s.progress.memory;
  int64_t used_kb = m.browser_pss_kb + m.worker_rss_kb;
  if (s.memory_limit_kb > 0 && used_kb > s.memory_limit_kb) {
    return Sick("browser unhealthy: worker RSS + browser PSS is " + std::to_string(used_kb / 1024) +
                " MB, over --memory-limit " + std::to_string(s.memory_limit_kb / 1024) +
                " MB; lower --recycle-every or raise the limit");
  }
  return HealthVerdict{true, ""};
}

}  // namespace

HealthVerdict JudgeHealth(const LiveSnapshot& s, const HealthPolicy& policy) {
  const Clock::time_point now = s.now;
  switch (s.phase) {
    case LoopPhase::kStopping:
      return Sick("stopping: a stop was requested; the worker is finishing the client in flight");
    case LoopPhase::kStarting: {
      long long took = SecondsBetween(s.phase_since, now);
      if (now - s.phase_since > policy.stuck_after) {
        return Sick("stuck: the set-up of cycle " + std::to_string(s.cycles) + " has taken " + std::to_string(took) +
                    " s (limit " + Limit(policy) + ")");
      }
      return HealthVerdict{true, "ok: cycle " + std::to_string(s.cycles) + " is starting"};
    }
    case LoopPhase::kWaiting: {
      if (now - s.next_run > policy.stuck_after) {
        return Sick("stuck: the next run was due " + std::to_string(SecondsBetween(s.next_run, now)) +
                    " s ago (limit " + Limit(policy) + ")");
      }
      long long in = std::max(0LL, SecondsBetween(now, s.next_run));
      return HealthVerdict{true, "ok: waiting; the next run starts in " + std::to_string(in) + " s"};
    }
    case LoopPhase::kRunning: break;
  }
  // A run: the last client that finished, or the run's start if none yet.
  Clock::time_point last = std::max(s.progress.last_progress, s.phase_since);
  long long since = SecondsBetween(last, now);
  if (now - last > policy.stuck_after) {
    return Sick("stuck: no client finished for " + std::to_string(since) + " s (limit " + Limit(policy) + ")" +
                (s.progress.current_client.empty() ? std::string()
                                                   : "; client in flight: " + s.progress.current_client));
  }
  if (HealthVerdict b = JudgeBrowser(s, policy); !b.healthy) return b;
  return HealthVerdict{true, "ok: run " + std::to_string(s.run_id) + ", " + std::to_string(s.clients_started) + "/" +
                                 std::to_string(s.progress.totals.planned) + " clients, the last finished " +
                                 std::to_string(since) + " s ago"};
}

}  // namespace boletos::status
