#pragma once
// Runner: the job loop of `boletos run`. It takes clients from the
// ClientQueue, has the ClientWorker attempt each, records every outcome in
// the Store the moment it happens, retries failures with backoff, recycles
// the browser every N downloads and on memory pressure, logs memory every N
// clients, stops after K consecutive failures (the portal looks down), and
// on a stop request starts no new client. With a worker of several tabs it
// keeps every tab busy: attempts run on one thread per busy tab, while every
// decision and every store write stays on the Runner's own thread. A tab
// that comes free once the browser has all its clients moves on to the
// browser started ahead, while the old one finishes its last clients.

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

#include "jobs/backoff.h"
#include "jobs/client_worker.h"
#include "jobs/failure_streak.h"
#include "store/store.h"

namespace boletos::jobs {

struct RunnerOptions {
  std::string period;
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

struct MemoryReading {
  int64_t worker_rss_kb = 0;
  int64_t browser_pss_kb = 0;
  int64_t browser_pss_own_kb = 0;  // of which anonymous and shared memory (see ops::MemorySnapshot)
  bool browser_pss_estimated = false;  // from RSS growth since the last full read
  int browser_processes = 0;
  int browsers = 0;  // 2 while the next browser starts ahead
  int64_t cgroup_usage_kb = -1;
  int64_t cgroup_limit_kb = -1;
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
};

enum class RunEnd { kFinished, kSomeFailed, kPortalDown, kInterrupted, kStoreFailed };

struct RunTotals {
  int planned = 0;
  int done = 0;
  int gave_up = 0;
  int failed_attempts = 0;
  int foreign_refused = 0;
  int printed_html = 0;
  int verified = 0;       // slips whose linha digitável was read and checked
  int with_warnings = 0;
  int recycles = 0;
  int hung_browsers_replaced = 0;  // of recycles: after K timeouts in a row
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
  Runner(RunnerOptions options, store::Store& store, ClientWorker& worker, RunnerEnvironment env);

  // Runs until the queue is empty, the portal looks down, or a stop.
  // Returns how it ended; the run row is closed with the summary, which is
  // also the last log line.
  RunEnd Run(int64_t run_id);
  const RunTotals& totals() const { return totals_; }
  const std::string& summary() const { return summary_; }
  LiveProgress Progress() const;
  ~Runner();

 private:
  // One finished attempt, handed from a tab's thread to the Runner's.
  struct Finished {
    store::WorkItem item;
    int position = 0;
    int attempt = 0;
    int tab = 0;
    int generation = 0;  // the browser it was handed out for (see ClientWorker::AttemptInTab)
    long ms = 0;
    std::optional<AttemptResult> result;
  };
  void Dispatch(store::WorkItem item, int position);
  // Waits until an attempt finishes or `until` passes.
  void WaitForFinished(std::chrono::steady_clock::time_point until);
  void Record(Finished& done, class ClientQueue& queue);
  // For each client recorded since the last call: memory reading, memory
  // log, recycle decision (AfterClient).
  void CheckMemoryAfterClients();
  void AfterClient();
  bool BrowserBudgetTaken() const;
  // With several tabs, once the browser takes no more clients: whether to
  // start the next one ahead now (more work waits, and memory has room).
  bool ShouldPrepareNextBrowser(const class ClientQueue& queue) const;
  // With several tabs, once the browser takes no more clients and a tab is
  // free: move on to the browser started ahead rather than wait for the
  // current one's last clients (ClientWorker::MoveToNextBrowser).
  enum class Move { kNotDue, kMoved, kRefused };  // kRefused: due, but the worker could not take it then
  Move MoveOnIfDue(const class ClientQueue& queue);
  bool MoveDue(const class ClientQueue& queue) const;
  // Attempts in flight in the current browser, not in a retired one.
  int InFlightHere() const { return in_flight_ - retired_in_flight_; }
  // How many more clients the current browser takes (--recycle-every), from
  // the Runner's own counts: an attempt finished but not yet recorded still
  // counts in flight, not twice as the worker's download too.
  int RoomInBrowser() const { return options_.recycle_every - successes_in_browser_ - InFlightHere(); }
  std::string EveryNDownloads() const;  // the reason a browser takes no more
  std::vector<pid_t> BrowserGroups() const;
  int64_t MemoryLimitKb(const MemoryReading& m) const;
  int64_t SoftLimitKb(const MemoryReading& m) const;
  bool OverSoftLimit(const MemoryReading& m) const;
  // Updates the live snapshot; progressed: an attempt just finished.
  void Publish(bool progressed);
  std::string Summary(RunEnd end, double seconds) const;

  RunnerOptions options_;
  store::Store& store_;
  ClientWorker& worker_;
  RunnerEnvironment env_;
  int64_t run_id_ = 0;
  RunTotals totals_;
  FailureStreak streak_;
  int clients_finished_ = 0;
  int clients_unchecked_ = 0;  // recorded, AfterClient not run yet
  int successes_in_browser_ = 0;  // recorded since the browser started (see ShouldPrepareNextBrowser)
  bool store_failed_ = false;
  std::string store_error_;
  std::string summary_;
  std::unordered_map<std::string, int> positions_;  // clients in backoff -> their n
  std::mt19937_64 random_{std::random_device{}()};
  // Tabs: which are busy, their threads, and what they finished.
  std::vector<bool> tab_busy_;
  std::vector<std::thread> tab_threads_;
  std::vector<std::string> tab_client_;
  int in_flight_ = 0;
  int generation_ = 0;         // of the current browser: one more at each move
  int retired_in_flight_ = 0;  // of in_flight_, those in the browser moved on from
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
  bool browser_died_ = false;   // set: start nothing until every tab has come back
  mutable std::mutex live_mu_;
  LiveProgress live_;
};

const char* RunEndName(RunEnd end);

}  // namespace boletos::jobs
