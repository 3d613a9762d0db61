#pragma once
// LiveStatus: what the status port says about the loop right now. The loop
// writes it (cycle starting, run attached, waiting, stopping); the status
// server's threads read snapshots. It lives as long as the command, across
// a worker's cycles, so /healthz answers while the worker waits. A run is
// attached by a RunAttachment for exactly its Runner's lifetime, so a
// reader never touches a Runner that is gone.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "jobs/runner.h"

namespace boletos::status {

using Clock = std::chrono::steady_clock;

enum class LoopPhase { kStarting, kRunning, kWaiting, kStopping };
const char* LoopPhaseName(LoopPhase phase);

struct LiveSnapshot {
  LoopPhase phase = LoopPhase::kStarting;
  Clock::time_point phase_since;
  Clock::time_point now;  // when the snapshot was taken
  std::string period;
  int cycles = 0;          // cycles started by this process
  int64_t run_id = 0;      // the current or the last run; 0 = none yet
  bool run_active = false;
  jobs::LiveProgress progress;  // the current run's, or the last run's final one
  int clients_started = 0;      // the n of n/total
  Clock::duration run_duration{0};  // elapsed, or the last run's total
  jobs::RunTotals cumulative;   // every run of this process (for counters)
  int browser_restarts = 0;     // every run of this process
  int browser_deaths_in_a_row = 0;  // attempts in a row that ended with the browser dead
  pid_t browser_pid = -1;
  Clock::time_point next_run;   // while waiting
  int64_t memory_limit_kb = 0;
};

class LiveStatus {
 public:
  // now is injectable so tests can move time; memory_limit_mb is --memory-limit.
  explicit LiveStatus(int64_t memory_limit_mb, std::function<Clock::time_point()> now = Clock::now);

  void CycleStarting(const std::string& period);
  void Waiting(Clock::time_point next_run);
  void Stopping();
  // A stop request (SIGTERM) shows as kStopping at once, before the loop
  // gets to say so.
  void WatchStop(std::function<bool()> stop_requested);
  LiveSnapshot Read() const;

  // For RunAttachment and ObservedWorker.
  void Attach(int64_t run_id, const std::string& period, std::function<jobs::LiveProgress()> progress);
  void Detach();
  void AttemptEnded(bool browser_died, int new_restarts, pid_t browser_pid);

 private:
  void SetPhase(LoopPhase phase);

  std::function<Clock::time_point()> now_;
  std::function<bool()> stop_requested_;
  mutable std::mutex mu_;
  LiveSnapshot s_;
  std::function<jobs::LiveProgress()> progress_;  // set while a run is attached
  jobs::RunTotals finished_totals_;               // of the runs already detached
  Clock::time_point run_started_;
};

// Adds b's counts to a (peaks take the maximum).
void AddTotals(jobs::RunTotals& a, const jobs::RunTotals& b);

// Attaches one run's Runner to a LiveStatus for the attachment's lifetime.
// Declare it after the Runner so it detaches first. live may be null.
class RunAttachment {
 public:
  RunAttachment(LiveStatus* live, int64_t run_id, const std::string& period, const jobs::Runner& runner);
  ~RunAttachment();
  RunAttachment(const RunAttachment&) = delete;
  RunAttachment& operator=(const RunAttachment&) = delete;

 private:
  LiveStatus* live_;
};

}  // namespace boletos::status
