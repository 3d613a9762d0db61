#pragma once
// Runner: the job loop of `boletos run`. It takes clients from the
// ClientQueue, has the ClientWorker attempt each, records every outcome in
// the Store the moment it happens, retries failures with backoff, recycles
// the browser every N downloads and on memory pressure, logs memory every N
// clients, stops after K consecutive failures (the portal looks down), and
// on a stop request starts no new client.

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <unordered_map>

#include "jobs/backoff.h"
#include "jobs/client_worker.h"
#include "store/store.h"

namespace boletos::jobs {

struct RunnerOptions {
  std::string period;
  int batch = 0;  // 0 = all pending
  int max_attempts = 6;
  int recycle_every = 10;
  int memory_log_every = 5;
  int max_consecutive_failures = 10;
  int64_t memory_limit_mb = 512;
  double soft_limit_fraction = 0.70;
  BackoffPolicy backoff;
};

struct MemoryReading {
  int64_t worker_rss_kb = 0;
  int64_t browser_pss_kb = 0;
  int browser_processes = 0;
  int64_t cgroup_usage_kb = -1;
  int64_t cgroup_limit_kb = -1;
  std::string line;  // the human line: "memory: worker RSS ..."
};

// What the loop needs from the process: stop requests and memory readings.
struct RunnerEnvironment {
  std::function<bool()> stop_requested;
  // Sleeps until t; returns false at once if a stop is requested.
  std::function<bool(std::chrono::steady_clock::time_point)> wait_until;
  std::function<MemoryReading(pid_t browser_pid)> sample_memory;
  // "SIGTERM", for the last log line of an interrupted run.
  std::function<std::string()> stop_reason;
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

 private:
  void Attempt(const store::WorkItem& item, int position, class ClientQueue& queue);
  void AfterClient(int position);
  void Publish(const std::string& current);

  RunnerOptions options_;
  store::Store& store_;
  ClientWorker& worker_;
  RunnerEnvironment env_;
  int64_t run_id_ = 0;
  RunTotals totals_;
  int consecutive_failures_ = 0;
  int clients_finished_ = 0;
  bool store_failed_ = false;
  std::string store_error_;
  std::string summary_;
  std::unordered_map<std::string, int> positions_;  // clients in backoff -> their n
  bool retrying_now_ = false;                       // the last attempt was put back for a retry
  std::mt19937_64 random_{std::random_device{}()};
  mutable std::mutex live_mu_;
  LiveProgress live_;
};

const char* RunEndName(RunEnd end);

}  // namespace boletos::jobs
