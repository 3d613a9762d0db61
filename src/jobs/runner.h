#pragma once
// Runner: the job loop of `boletos run`, one scheduler for any number of
// tabs. It takes clients from the ClientQueue and leases each a tab of the
// current browser (BrowserPool), records every outcome in the Store the
// moment it happens, retries failures with backoff, replaces the browser
// every N downloads, on memory pressure and when it looks hung, logs memory
// every N clients, stops after K consecutive failures (the portal looks
// down), and on a stop request starts no new client.
//
// Invariants: every decision and every store write happens on the Runner's
// thread; attempts run on one thread per busy lane (inline with one lane),
// one lane per tab, and hand their outcome back through finished_. A
// browser takes at most --recycle-every clients (its successes plus its
// leases out). With several tabs, once it has them all, a free lane moves
// on to the browser started ahead while the old one finishes its last
// clients; with one, the next browser starts only after the old one closed
// (never two browsers) and the renderer collects garbage after each client.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/memory_figures.h"
#include "jobs/backoff.h"
#include "jobs/browser_pool.h"
#include "jobs/failure_streak.h"
#include "store/store.h"

namespace boletos::jobs {

struct RunnerOptions {
  std::string period;
  int tabs = 1;  // clients in parallel, one per tab of the browser
  int batch = 0;  // 0 = all pending
  int max_attempts = 6;
  int recycle_every = 10;
  int memory_log_every = 5;
  int max_consecutive_failures = 10;
  // A browser whose last this many attempts all timed out is replaced as
  // hung (FailureStreak).
  int hung_after_timeouts = 3;
  int64_t memory_limit_mb = 512;
  double soft_limit_fraction = 0.70;
  BackoffPolicy backoff;
};

struct MemoryReading : MemoryFigures {
  std::string line;  // the human line: "memory: worker RSS ..."
};

// What the loop needs from the process: stop requests and memory readings.
struct RunnerEnvironment {
  std::function<bool()> stop_requested;
  // Sleeps until t; returns false at once if a stop is requested.
  std::function<bool(std::chrono::steady_clock::time_point)> wait_until;
  // browser_pgids: the current browser's process group and, while it starts
  // ahead, the next one's (none when no browser runs). full: read their PSS
  // now rather than estimate it (see ops::MemoryGauge); asked for when the
  // memory log is due and before a recycle for memory.
  std::function<MemoryReading(const std::vector<pid_t>& browser_pgids, bool full)> sample_memory;
  // "SIGTERM", for the last log line of an interrupted run.
  std::function<std::string()> stop_reason;
  // Hides the run's secrets in a text that did not come through the worker
  // (what an attempt threw); none: the text as it is.
  std::function<std::string(const std::string&)> redact;
  // After each recorded attempt, for /healthz: whether its browser died,
  // how many browsers started since the last call (after the run's first),
  // and the current browser's process group (-1: none). Optional.
  std::function<void(bool browser_died, int new_restarts, pid_t browser_pid)> attempt_recorded;
};

enum class RunEnd { kFinished, kSomeFailed, kPortalDown, kInterrupted, kStoreFailed, kHumanNeeded };

struct RunTotals {
  int planned = 0;
  int done = 0;
  int none = 0;  // no slip this period (none_if)
  int gave_up = 0;
  int failed_attempts = 0;
  int foreign_refused = 0;
  int printed_html = 0;
  int verified = 0;       // slips whose linha digitável was read and checked
  int with_warnings = 0;
  int recycles = 0;
  int hung_browsers_replaced = 0;  // of recycles: after K timeouts in a row
  int browsers_started = 0;
  int browsers_prepared_ahead = 0;  // of those, started ahead and taken over ready
  int returned_unstarted = 0;       // attempts put back: their browser was dead before they began
  int64_t bytes = 0;
  int64_t peak_browser_pss_kb = 0;
  int64_t peak_worker_rss_kb = 0;
};

// A snapshot of the loop for /status and /metrics, safe to read from
// another thread.
struct LiveProgress {
  int64_t run_id = 0;
  int position = 0;  // clients started so far
  RunTotals totals;
  std::string current_client;
  MemoryReading memory;
  std::chrono::steady_clock::time_point last_progress;
  bool finished = false;
};

class Runner {
 public:
  // Every browser comes from launcher (BrowserPool).
  Runner(RunnerOptions options, store::Store& store, SlotLauncher& launcher, RunnerEnvironment env);
  ~Runner();

  // Runs until the queue is empty, the portal looks down, or a stop, and
  // closes every browser before it returns. Returns how it ended; the
  // summary is also the last log line.
  RunEnd Run(int64_t run_id);
  // Any thread: kills every browser now (the stop's grace period ran out),
  // so the attempts in flight end at once; none starts after.
  void Abandon() { pool_.Abandon(); }
  const RunTotals& totals() const { return totals_; }
  const std::string& summary() const { return summary_; }
  LiveProgress Progress() const;

 private:
  // One attempt, handed from a lane's thread to the Runner's once finished.
  struct Finished {
    store::WorkItem item;
    int position = 0;
    int attempt = 0;
    int lane = 0;
    long ms = 0;
    BrowserPool::Lease lease;  // none when no browser could start for it
    std::optional<AttemptResult> result;
  };
  void Dispatch(store::WorkItem item, int position);
  void Finish(Finished job);
  // Waits until an attempt finishes or `until` passes.
  void WaitForFinished(std::chrono::steady_clock::time_point until);
  void Record(Finished& done, class ClientQueue& queue);
  void RecordFailure(const Finished& done, bool in_current, class ClientQueue& queue);
  // For each client recorded since the last call: memory reading, memory
  // log, recycle decision (AfterClient).
  void CheckMemoryAfterClients();
  void AfterClient();
  // How many more clients the current browser takes (--recycle-every): its
  // successes and its leases out count; a browser not started yet has all.
  int RoomInBrowser() const;
  int lanes() const { return static_cast<int>(lane_client_.size()); }
  // Several tabs, once the browser takes no more clients: whether to start
  // the next one ahead now (more work waits, and memory has room).
  bool ShouldPrepareNextBrowser(const class ClientQueue& queue) const;
  // Several tabs, once the browser takes no more clients and a lane is
  // free: move on to the browser started ahead rather than wait for the
  // current one's last clients. Returns whether it moved.
  bool MoveOnIfDue(const class ClientQueue& queue);
  std::string EveryNDownloads() const;  // the reason a browser takes no more
  int64_t MemoryLimitKb(const MemoryReading& m) const;
  int64_t SoftLimitKb(const MemoryReading& m) const;
  bool OverSoftLimit(const MemoryReading& m) const;
  // Updates the live snapshot; progressed: an attempt just finished.
  void Publish(bool progressed);
  std::string Summary(RunEnd end, double seconds) const;

  RunnerOptions options_;
  store::Store& store_;
  RunnerEnvironment env_;
  BrowserPool pool_;
  int64_t run_id_ = 0;
  RunTotals totals_;
  FailureStreak streak_;
  int clients_finished_ = 0;
  int clients_unchecked_ = 0;  // recorded, AfterClient not run yet
  int restarts_reported_ = 0;  // to env_.attempt_recorded
  bool store_failed_ = false;
  std::string store_error_;
  std::string human_needed_;  // what asked for a human (a CAPTCHA): the run stops
  std::string summary_;
  std::unordered_map<std::string, int> positions_;  // clients in backoff -> their n
  std::mt19937_64 random_{std::random_device{}()};
  // Lanes, one per tab: the client each works on ("" when free) and its thread.
  std::vector<std::string> lane_client_;
  std::vector<std::thread> lane_threads_;
  int in_flight_ = 0;  // busy lanes
  std::mutex finished_mu_;
  std::condition_variable finished_cv_;
  std::deque<Finished> finished_;
  MemoryReading last_memory_;
  // The room the next browser needs while it starts ahead beside the current
  // one: the anonymous and shared-memory PSS of a browser at its first
  // reading, alone with its tabs busy (the most seen; a browser just
  // started with blank tabs has less).
  int64_t started_browser_pss_kb_ = 0;
  pid_t sized_browser_ = -1;  // the browser that figure was last read from
  std::string recycle_reason_;  // set: recycle as soon as no attempt is in flight
  bool recycle_as_hung_ = false;  // that recycle replaces a hung browser (counted when it happens)
  mutable std::mutex live_mu_;
  LiveProgress live_;
};

}  // namespace boletos::jobs
